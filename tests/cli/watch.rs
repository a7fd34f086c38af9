//! `litsearch watch`: saved searches reporting new papers once, at least once, as a digest,
//! JSON or Atom; `first_seen` and `--added-since`; the errors that must change nothing.

use std::io::BufReader;
use std::process::Stdio;

use crate::common::shapes::{self, Watch, WatchHit, WatchRemoved, WatchRun};
use crate::common::{Run, Workdir, CORPUS};

const EXPORT: &str = "corpus/mats-research.txt";

/// An entry in the page-export format.
fn entry(title: &str, abstract_text: &str, tags: &[&str], date: &str) -> String {
    format!(
        "{title}\n\n{abstract_text}\n\n{}\n\nAuthors:\n\nAda Example, Bo Sample\n\nFellows:\n\nAda Example\n\nDate:\n\n{date}\n\n",
        tags.join("\n")
    )
}

const SAE_1: &str = "Matryoshka Sparse Autoencoders for Nested Features";
const SAE_2: &str = "Transcoders Beat Sparse Autoencoders for Interpretability";
const OTHER: &str = "Reward Hacking in Coding Agents";

fn sae_1() -> String {
    entry(
        SAE_1,
        "We train sparse autoencoders whose dictionaries nest, so that features form a hierarchy.",
        &["Interpretability"],
        "Nov 3, 2026",
    )
}

fn sae_2() -> String {
    entry(
        SAE_2,
        "We compare transcoders with sparse autoencoders on the interpretability of their latents.",
        &["Interpretability"],
        "Nov 10, 2026",
    )
}

fn other() -> String {
    entry(
        OTHER,
        "Agents trained with reinforcement learning learn to special-case unit tests.",
        &["Red-Teaming"],
        "Nov 12, 2026",
    )
}

/// The shipped corpus with extra entries before its FAQ tail.
fn corpus_with(entries: &[String]) -> String {
    let tail = CORPUS
        .find("Frequently asked questions")
        .expect("the corpus ends with its FAQ");
    format!("{}{}{}", &CORPUS[..tail], entries.concat(), &CORPUS[tail..])
}

fn ingest_export(w: &Workdir, text: &str) {
    w.write(EXPORT, text);
    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 0, "ingest: {}", r.stderr);
}

/// stdout read strictly as a `T` (`shapes`).
fn json<T: serde::de::DeserializeOwned>(r: &Run) -> T {
    shapes::strict(&r.stdout)
}

fn hit_titles(v: &WatchRun) -> Vec<String> {
    let mut t = v.titles();
    t.sort();
    t
}

fn sorted(titles: &[&str]) -> Vec<String> {
    let mut t: Vec<String> = titles.iter().map(|s| s.to_string()).collect();
    t.sort();
    t
}

/// Ingest, save `sae`, ingest the export with two new SAE papers and one other.
pub(crate) fn two_new_sae_papers() -> Workdir {
    let w = Workdir::with_corpus();
    w.ingest();
    let r = w.run(&["watch", "add", "sae", "sparse autoencoder"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    ingest_export(&w, &corpus_with(&[sae_1(), sae_2(), other()]));
    w
}

/// `watch run --format json …`: exit code and stdout, asserting exit 0 or 1.
fn run_raw(w: &Workdir, extra: &[&str]) -> Run {
    let mut args = vec!["watch", "run", "--format", "json"];
    args.extend_from_slice(extra);
    let r = w.run(&args);
    assert!(
        r.code == 0 || r.code == 1,
        "watch run: {} {}",
        r.code,
        r.stderr
    );
    r
}

/// `watch run --format json …`, read strictly.
fn run_json(w: &Workdir, extra: &[&str]) -> (i32, WatchRun) {
    let r = run_raw(w, extra);
    (r.code, json(&r))
}

/// One line on stderr and exit 2.
fn assert_one_line_error(r: &Run, needle: &str) {
    assert_eq!(r.code, 2, "stdout: {} stderr: {}", r.stdout, r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains(needle), "{}", r.stderr);
}

#[test]
fn watch_run_reports_exactly_the_new_matches_then_nothing() {
    let w = two_new_sae_papers();
    let r = run_raw(&w, &[]);
    let v: WatchRun = json(&r);
    assert_eq!(r.code, 0);
    assert_eq!(hit_titles(&v), sorted(&[SAE_1, SAE_2]));
    // A watch hit is a query hit and `watch`, `change`: the keys of one are among the other's.
    let raw: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let query_hit = &w.query_json(&["sparse autoencoder"])["hits"][0];
    for (hit, raw_hit) in v.hits.iter().zip(raw["hits"].as_array().unwrap()) {
        assert_eq!(hit.watch, "sae");
        assert_eq!(hit.change, "new");
        for key in query_hit.as_object().unwrap().keys() {
            assert!(raw_hit.get(key).is_some(), "hit lacks {key}");
        }
        assert!(hit.snippet.contains("<mark>"));
    }
    assert_eq!(v.searches[0].name, "sae");
    assert_eq!(v.searches[0].new, 2);

    let (code, v) = run_json(&w, &[]);
    assert_eq!(code, 1);
    assert!(v.hits.is_empty());
    // The text digest of nothing is empty, so `mail -E` sends nothing.
    let r = w.run(&["watch", "run"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);
}

#[test]
fn text_digest_has_a_heading_and_each_paper() {
    let w = two_new_sae_papers();
    let r = w.run(&["watch", "run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = &r.stdout;
    assert!(out.starts_with("2 new papers for 1 saved search."), "{out}");
    assert!(out.contains("== sae: sparse autoencoder =="), "{out}");
    for title in [SAE_1, SAE_2] {
        let marked = title.replace("Sparse Autoencoders", "*Sparse* *Autoencoders*");
        assert!(out.contains(&marked), "{out}");
    }
    assert!(out.contains("2026-11-10 · Interpretability"), "{out}");
    assert!(out.contains("Ada Example, Bo Sample"), "{out}");
    assert!(out.contains("*sparse* *autoencoders*"), "{out}");
    assert!(out.contains("id "), "{out}");
    assert!(!out.contains(OTHER), "{out}");
    assert!(!out.contains('\x1b'), "no colour when not a terminal");
}

#[test]
fn text_digest_carries_each_papers_link_when_known() {
    let w = Workdir::empty();
    let line = |title: &str, ids: &str| {
        format!(
            r#"{{"title":"{title}","abstract":"About sparse features.","date":"2026-11-01","authors":["Ada Example"]{ids}}}"#
        )
    };
    w.write("in/a.jsonl", line("Sparse Zero", "") + "\n");
    assert_eq!(w.run(&["ingest", "in"]).code, 0);
    assert_eq!(w.run(&["watch", "add", "sp", "sparse"]).code, 0);
    let more = [
        line("Sparse Url", r#","url":"https://example.org/u""#),
        line("Sparse Doi", r#","doi":"10.1000/xyz""#),
        line("Sparse Arxiv", r#","arxiv":"2401.05566""#),
        line("Sparse None", ""),
    ];
    w.write("in/b.jsonl", more.join("\n") + "\n");
    let r = w.run(&["ingest", "in"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = w.run(&["watch", "run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for link in [
        "   https://example.org/u\n",
        "   https://doi.org/10.1000/xyz\n",
        "   https://arxiv.org/abs/2401.05566\n",
    ] {
        assert!(r.stdout.contains(link), "{link}: {}", r.stdout);
    }
    assert_eq!(r.stdout.matches("https://").count(), 3, "{}", r.stdout);
}

#[test]
fn backfill_reports_the_existing_matches_at_the_next_run() {
    let w = Workdir::with_corpus();
    w.ingest();
    let expected = w.titles(&["sparse autoencoder", "--exact", "-n", "100"]);
    let r = w.run(&["watch", "add", "sae", "sparse", "autoencoder", "--backfill"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, v) = run_json(&w, &[]);
    assert_eq!(code, 0);
    let mut expected = expected;
    expected.sort();
    assert_eq!(hit_titles(&v), expected);
    assert_eq!(run_json(&w, &[]).0, 1);
}

#[test]
fn stdout_closed_early_records_nothing_and_the_next_run_reports_again() {
    let w = two_new_sae_papers();
    let before = w.read("index/watches.json");
    let mut child = w
        .cmd()
        .args(["watch", "run"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nothing was recorded"), "{stderr}");
    assert_eq!(w.read("index/watches.json"), before);
    let (code, v) = run_json(&w, &[]);
    assert_eq!(code, 0);
    assert_eq!(hit_titles(&v), sorted(&[SAE_1, SAE_2]));
}

#[cfg(target_os = "linux")]
#[test]
fn full_disk_on_stdout_records_nothing() {
    let w = two_new_sae_papers();
    let before = w.read("index/watches.json");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = w
        .cmd()
        .args(["watch", "run", "--format", "ndjson"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(w.read("index/watches.json"), before);
    assert_eq!(run_json(&w, &[]).1.hits.len(), 2);
}

#[test]
fn dry_run_shows_without_recording() {
    let w = two_new_sae_papers();
    let before = w.read("index/watches.json");
    let (code, v) = run_json(&w, &["--dry-run"]);
    assert_eq!(code, 0);
    assert_eq!(v.hits.len(), 2);
    assert_eq!(w.read("index/watches.json"), before);
    assert_eq!(run_json(&w, &[]).1.hits.len(), 2);
}

#[test]
fn ndjson_hits_name_their_search() {
    let w = two_new_sae_papers();
    assert_eq!(
        w.run(&["watch", "add", "hacking", "reward hacking"]).code,
        0
    );
    ingest_export(
        &w,
        &corpus_with(&[
            sae_1(),
            sae_2(),
            other(),
            entry(
                "Reward Hacking Detectors",
                "Detecting reward hacking from transcripts.",
                &["Red-Teaming"],
                "Nov 20, 2026",
            ),
        ]),
    );
    let r = w.run(&["watch", "run", "--format", "ndjson"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let hits: Vec<WatchHit> = shapes::strict_lines(&r.stdout);
    let mut pairs: Vec<(String, String)> = hits.into_iter().map(|h| (h.watch, h.title)).collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            ("hacking".to_owned(), "Reward Hacking Detectors".to_owned()),
            ("sae".to_owned(), SAE_1.to_owned()),
            ("sae".to_owned(), SAE_2.to_owned()),
        ]
    );
    // Only the named search runs; the other keeps what it has to report.
    let w2 = two_new_sae_papers();
    assert_eq!(
        w2.run(&["watch", "add", "other", "unit tests", "--backfill"])
            .code,
        0
    );
    let (_, v) = run_json(&w2, &["sae"]);
    assert_eq!(hit_titles(&v), sorted(&[SAE_1, SAE_2]));
    let (_, v) = run_json(&w2, &["other"]);
    assert_eq!(hit_titles(&v), [OTHER]);
}

fn read_feed(w: &Workdir, rel: &str) -> atom_syndication::Feed {
    let f = std::fs::File::open(w.path(rel)).expect("feed file");
    atom_syndication::Feed::read_from(BufReader::new(f)).expect("a valid Atom feed")
}

fn record_id(w: &Workdir, title: &str) -> String {
    let v = w.query(&[&format!("title:\"{title}\""), "--exact"]);
    let hit = v
        .hits
        .iter()
        .find(|h| h.title == title)
        .unwrap_or_else(|| panic!("{title} not found"));
    hit.id.clone()
}

#[test]
fn atom_feeds_parse_back_with_one_entry_per_paper_and_stable_ids() {
    let w = Workdir::with_corpus();
    w.ingest();
    assert_eq!(
        w.run(&["watch", "add", "sae", "sparse autoencoder"]).code,
        0
    );
    ingest_export(&w, &corpus_with(&[sae_1(), other()]));
    let atom = ["watch", "run", "--format", "atom", "--output", "feeds"];
    let r = w.run(&atom);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    // A new feed starts with every paper that matches (its own record, not the e-mail's).
    let feed = read_feed(&w, "feeds/sae.xml");
    let first = feed.entries.len();
    let id_1 = format!("urn:litsearch:{}", record_id(&w, SAE_1));
    assert_eq!(feed.entries[0].id, id_1, "the newest first");
    assert_eq!(feed.entries[0].title.as_str(), SAE_1);
    assert_eq!(feed.id, "urn:litsearch:watch:sae");

    // Nothing new: exit 1, the feed keeps its entries.
    assert_eq!(w.run(&atom).code, 1);
    assert_eq!(read_feed(&w, "feeds/sae.xml").entries.len(), first);

    ingest_export(&w, &corpus_with(&[sae_1(), other(), sae_2()]));
    assert_eq!(w.run(&atom).code, 0);
    let feed = read_feed(&w, "feeds/sae.xml");
    let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), (first + 1).min(50), "{ids:?}");
    assert!(ids.contains(&id_1.as_str()), "{ids:?}");
    let id_2 = format!("urn:litsearch:{}", record_id(&w, SAE_2));
    assert!(ids.contains(&id_2.as_str()), "{ids:?}");
    // Newest first.
    assert!(feed.entries[0].updated >= feed.entries[1].updated);

    // The cap keeps the newest.
    let r = w.run(&["watch", "add", "sae2", "sparse autoencoder", "--backfill"]);
    assert_eq!(r.code, 0);
    let r = w.run(&[
        "watch",
        "run",
        "sae2",
        "--format",
        "atom",
        "--output",
        "feeds",
        "--feed-size",
        "3",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(read_feed(&w, "feeds/sae2.xml").entries.len(), 3);
}

#[test]
fn atom_entries_without_a_link_link_to_the_served_page_with_base_url() {
    let w = two_new_sae_papers();
    let r = w.run(&[
        "watch",
        "run",
        "--format",
        "atom",
        "--output",
        "feeds",
        "--base-url",
        "https://papers.example.org/",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let feed = read_feed(&w, "feeds/sae.xml");
    let mut links: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.links[0].href.clone())
        .collect();
    links.sort();
    let mut want: Vec<String> = [SAE_1, SAE_2]
        .iter()
        .map(|t| format!("https://papers.example.org/papers/{}", record_id(&w, t)))
        .collect();
    want.sort();
    // The corpus's matches are in the new feed too; none of them has a link of its own.
    assert!(want.iter().all(|l| links.contains(l)), "{links:?}");
    assert!(
        links
            .iter()
            .all(|l| l.starts_with("https://papers.example.org/papers/")),
        "{links:?}"
    );
    assert_one_line_error(
        &w.run(&["watch", "run", "--base-url", "https://x.org"]),
        "--base-url is for --format atom",
    );
    assert_one_line_error(
        &w.run(&[
            "watch",
            "run",
            "--format",
            "atom",
            "--output",
            "f",
            "--base-url",
            "x.org",
        ]),
        "expected an http:// or https:// URL",
    );
}

#[test]
fn a_feed_set_up_after_the_email_starts_with_the_papers_that_match() {
    let w = two_new_sae_papers();
    let (code, v) = run_json(&w, &[]);
    assert_eq!((code, hit_titles(&v)), (0, sorted(&[SAE_1, SAE_2])));
    // The feed has its own record: it starts with every paper that matches, not empty.
    let atom = ["watch", "run", "--format", "atom", "--output", "feeds"];
    let r = w.run(&atom);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let matching = w
        .query(&["sparse autoencoder", "--exact", "--limit", "100"])
        .hits
        .len();
    let feed = read_feed(&w, "feeds/sae.xml");
    assert_eq!(feed.entries.len(), matching.min(50));
    let titles: Vec<&str> = feed.entries.iter().map(|e| e.title.as_str()).collect();
    assert!(
        titles.contains(&SAE_1) && titles.contains(&SAE_2),
        "{titles:?}"
    );
    // Then each output has nothing new, and neither run changed the other's record.
    assert_eq!(w.run(&atom).code, 1);
    let (code, v) = run_json(&w, &[]);
    assert_eq!((code, v.hits.len()), (1, 0));
}

#[test]
fn atom_needs_an_output_directory() {
    let w = two_new_sae_papers();
    let before = w.read("index/watches.json");
    assert_one_line_error(
        &w.run(&["watch", "run", "--format", "atom"]),
        "--output DIR",
    );
    assert_eq!(w.read("index/watches.json"), before);
}

#[test]
fn a_paper_removed_and_added_back_is_not_reported_again() {
    let w = two_new_sae_papers();
    assert_eq!(run_json(&w, &[]).0, 0);
    ingest_export(&w, CORPUS);
    assert_eq!(run_json(&w, &[]).0, 1);
    ingest_export(&w, &corpus_with(&[sae_1(), sae_2(), other()]));
    let (code, v) = run_json(&w, &[]);
    assert_eq!(code, 1, "{v:?}");
}

#[test]
fn include_updated_reports_papers_whose_content_changed() {
    let w = two_new_sae_papers();
    assert_eq!(run_json(&w, &[]).0, 0);
    let edited = sae_1().replace("form a hierarchy", "form a hierarchy of concepts");
    ingest_export(&w, &corpus_with(&[edited, sae_2(), other()]));
    assert_eq!(
        run_json(&w, &["--dry-run"]).0,
        1,
        "a change alone is not new"
    );
    let (code, v) = run_json(&w, &["--include-updated"]);
    assert_eq!(code, 0);
    assert_eq!(hit_titles(&v), [SAE_1]);
    assert_eq!(v.hits[0].change, "updated");
    assert_eq!(run_json(&w, &["--include-updated"]).0, 1);
}

#[test]
fn second_run_waits_or_exits_75() {
    let w = two_new_sae_papers();
    let before = w.read("index/watches.json");
    let held = litsearch::lock::DirLock::acquire(
        &w.path("index"),
        "watch.lock",
        "test",
        std::time::Duration::ZERO,
    )
    .unwrap();
    let r = w.run(&["watch", "run", "--wait", "0.3"]);
    assert_eq!(r.code, 75, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(w.read("index/watches.json"), before);
    drop(held);
    assert_eq!(w.run(&["watch", "run"]).code, 0);
}

#[test]
fn watches_survive_a_rebuild() {
    let w = two_new_sae_papers();
    let r = w.run(&["ingest", "--rebuild"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(w.path("index/watches.json").exists());
    let (code, v) = run_json(&w, &[]);
    assert_eq!(code, 0);
    assert_eq!(hit_titles(&v), sorted(&[SAE_1, SAE_2]));
}

#[test]
fn list_show_rm_with_json() {
    let w = Workdir::with_corpus();
    w.ingest();
    let r = w.run(&[
        "watch",
        "add",
        "sae",
        "sparse autoencoder",
        "--tag",
        "Interpretability",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("saved \"sae\": sparse autoencoder --tag Interpretability;"),
        "{}",
        r.stdout
    );
    let r = w.run(&["watch", "add", "syc", "sycophancy", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let added: Watch = json(&r);
    assert_eq!(
        (added.name.as_str(), added.query.as_str()),
        ("syc", "sycophancy")
    );
    assert_eq!((added.reported, added.last_run), (1, None));
    assert_eq!(added.reported_ids, None, "only `watch show` lists the ids");

    let r = w.run(&["watch", "list", "--json"]);
    assert_eq!(r.code, 0);
    let v: Vec<Watch> = json(&r);
    let names: Vec<&str> = v.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["sae", "syc"]);
    assert_eq!(v[0].filters.tags[0], "Interpretability");
    let r = w.run(&["watch", "list"]);
    assert!(
        r.stdout
            .contains("sae  sparse autoencoder --tag Interpretability"),
        "{}",
        r.stdout
    );

    let v: Watch = json(&w.run(&["watch", "show", "syc", "--json"]));
    assert_eq!(v.query, "sycophancy");
    assert_eq!(v.reported, 1);
    assert_eq!(v.reported_ids.as_ref().unwrap().len(), 1);
    let r = w.run(&["watch", "show", "sae"]);
    assert!(
        r.stdout.contains("query:    sparse autoencoder"),
        "{}",
        r.stdout
    );

    let v: WatchRemoved = json(&w.run(&["watch", "rm", "syc", "--json"]));
    assert_eq!(v.removed, "syc");
    let v: Vec<Watch> = json(&w.run(&["watch", "list", "--json"]));
    assert_eq!(v.len(), 1);
}

#[test]
fn bad_query_unknown_name_and_duplicate_are_one_line_and_change_nothing() {
    let w = Workdir::with_corpus();
    w.ingest();
    assert_one_line_error(
        &w.run(&["watch", "add", "bad", "sparse \"autoencoder"]),
        "query:1:8: unbalanced quote",
    );
    assert!(!w.path("index/watches.json").exists());
    assert_one_line_error(
        &w.run(&["watch", "add", "bad", "x", "--since", "soon"]),
        "--since",
    );
    assert_one_line_error(&w.run(&["watch", "add", "a b", "x"]), "invalid watch name");
    assert!(!w.path("index/watches.json").exists());

    assert_eq!(
        w.run(&["watch", "add", "sae", "sparse autoencoder"]).code,
        0
    );
    let before = w.read("index/watches.json");
    assert_one_line_error(&w.run(&["watch", "add", "sae", "sycophancy"]), "--replace");
    assert_eq!(w.read("index/watches.json"), before);
    for cmd in [
        ["watch", "show", "nope"],
        ["watch", "rm", "nope"],
        ["watch", "run", "nope"],
    ] {
        assert_one_line_error(&w.run(&cmd), "no saved search named \"nope\" (saved: sae)");
    }
    assert_eq!(w.read("index/watches.json"), before);

    // --replace replaces.
    assert_eq!(
        w.run(&["watch", "add", "sae", "sycophancy", "--replace"])
            .code,
        0
    );
    assert_eq!(
        json::<Watch>(&w.run(&["watch", "show", "sae", "--json"])).query,
        "sycophancy"
    );
}

#[test]
fn a_corrupt_state_file_is_one_line_naming_it_and_left_alone() {
    let w = Workdir::with_corpus();
    w.ingest();
    for text in [
        "{\"version\": 1, \"watches\": [",
        "",
        "{\"version\": 2, \"watches\": []}",
    ] {
        w.write("index/watches.json", text);
        for cmd in [
            &["watch", "run"][..],
            &["watch", "list"],
            &["watch", "add", "sae", "sparse autoencoder"],
            &["watch", "rm", "sae"],
        ] {
            assert_one_line_error(&w.run(cmd), "watches.json");
            assert_eq!(w.read("index/watches.json"), text);
        }
    }
}

// ---- first_seen and --added-since ----

struct Quiet;
impl litsearch::engine::IngestObserver for Quiet {
    fn diagnostic(&mut self, _: &litsearch::diagnostic::Diagnostic) {}
}

/// Ingests `corpus/` through the library with the clock pinned at `now`.
fn ingest_at(w: &Workdir, now: i64, rebuild: bool) {
    let root = litsearch::engine::local::IndexRoot::new(w.path("index"));
    let opts = litsearch::engine::IngestOptions {
        now,
        rebuild,
        ..Default::default()
    };
    litsearch::engine::local::ingest(&root, &[w.path("corpus")], &opts, &mut Quiet).unwrap();
}

fn first_seen_by_title(w: &Workdir) -> std::collections::BTreeMap<String, String> {
    w.query(&["--since", "1900", "-n", "1000"])
        .hits
        .into_iter()
        .map(|h| (h.title, h.first_seen))
        .collect()
}

#[test]
fn first_seen_survives_reingest_update_and_rebuild() {
    let w = Workdir::with_corpus();
    let now = litsearch::clock::now_unix();
    let month_ago = now - 30 * 86_400;
    ingest_at(&w, month_ago, false);
    let original = first_seen_by_title(&w);
    assert_eq!(original.len(), 25);
    let month_ago_text = litsearch::clock::unix_to_rfc3339(month_ago);
    assert!(
        original.values().all(|t| *t == month_ago_text),
        "{original:?}"
    );

    // Unchanged, updated and new records in one ingest.
    let edited = corpus_with(&[sae_1(), sae_2(), other()]).replace(
        "Optimizing model outputs against PMs",
        "Optimising model outputs against PMs",
    );
    w.write(EXPORT, &edited);
    ingest_at(&w, now, false);
    let after = first_seen_by_title(&w);
    assert_eq!(after.len(), 28);
    for (title, first) in &original {
        assert_eq!(after.get(title), Some(first), "{title}");
    }
    let now_text = litsearch::clock::unix_to_rfc3339(now);
    for title in [SAE_1, SAE_2, OTHER] {
        assert_eq!(after[title], now_text);
    }

    ingest_at(&w, now + 100, true);
    assert_eq!(first_seen_by_title(&w), after, "a rebuild keeps first_seen");

    // --added-since by span and by date, --sort added.
    let titles = |args: &[&str]| {
        let mut t = w.titles(args);
        t.sort();
        t
    };
    let new = sorted(&[SAE_1, SAE_2, OTHER]);
    assert_eq!(titles(&["--added-since", "7d"]), new);
    assert_eq!(
        titles(&["--added-since", "2w", "sparse autoencoder"]),
        sorted(&[SAE_1, SAE_2])
    );
    assert_eq!(titles(&["--added-since", "60d", "-n", "100"]).len(), 28);
    let week_ago = time::OffsetDateTime::from_unix_timestamp(now - 7 * 86_400)
        .unwrap()
        .date();
    assert_eq!(titles(&["--added-since", &week_ago.to_string()]), new);
    let r = w.run(&["query", "--added-since", "2999-01-01"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_one_line_error(
        &w.run(&["query", "--added-since", "lately"]),
        "--added-since",
    );
    let newest = w.titles(&["--sort", "added", "--since", "1900", "-n", "3"]);
    assert_eq!(
        sorted(&newest.iter().map(String::as_str).collect::<Vec<_>>()),
        new
    );
}

#[test]
fn papers_ingested_in_the_same_second_or_after_a_clock_step_are_still_reported() {
    let w = Workdir::with_corpus();
    let t = litsearch::clock::now_unix();
    ingest_at(&w, t, false);
    assert_eq!(
        w.run(&["watch", "add", "sae", "sparse autoencoder"]).code,
        0
    );
    w.write(EXPORT, corpus_with(&[sae_1()]));
    // The same second as the last ingest: first_seen must still be newer than every record.
    ingest_at(&w, t, false);
    let (code, v) = run_json(&w, &[]);
    assert_eq!((code, hit_titles(&v)), (0, vec![SAE_1.to_owned()]));
    // The clock stepped back an hour.
    w.write(EXPORT, corpus_with(&[sae_1(), sae_2()]));
    ingest_at(&w, t - 3_600, false);
    let (code, v) = run_json(&w, &[]);
    assert_eq!((code, hit_titles(&v)), (0, vec![SAE_2.to_owned()]));
    let seen = first_seen_by_title(&w);
    assert!(seen[SAE_2] > seen[SAE_1], "{seen:?}");
}

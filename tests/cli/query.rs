//! `litsearch query` as a new user tries it: the query language, relaxation, filters, facets,
//! sorting, paging and every output format — on the shipped corpus, expectations by title or
//! computed independently from the parsed records.

use std::collections::BTreeMap;

use crate::common::shapes::{self, Facets, Hit};
use crate::common::{corpus_records, Workdir};
use litsearch::text::fold_key;

fn indexed() -> Workdir {
    let w = Workdir::with_corpus();
    w.ingest();
    w
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn titles_where(pred: impl Fn(&litsearch::Record) -> bool) -> Vec<String> {
    sorted(
        corpus_records()
            .into_iter()
            .filter(|r| pred(r))
            .map(|r| r.title)
            .collect(),
    )
}

#[test]
fn all_words_must_match_and_title_outranks_abstract() {
    let w = indexed();
    let both = titles_where(|r| {
        let text = format!("{} {} {}", r.title, r.abstract_text, r.tags.join(" ")).to_lowercase();
        text.contains("spars") && text.contains("probing")
    });
    let got = w.titles(&["sparse probing", "--exact", "--limit", "50"]);
    assert_eq!(sorted(got.clone()), both);
    assert_eq!(
        got[0],
        "Are Sparse Autoencoders Useful? A Case Study in Sparse Probing"
    );
    let titles = w.titles(&["crosscoders"]);
    assert_eq!(
        titles[0],
        "Overcoming Sparsity Artifacts in Crosscoders to Interpret Chat-Tuning"
    );
    // "jailbreaking" is in one title and in another paper's abstract only.
    let titles = w.titles(&["jailbreaking", "--exact"]);
    assert_eq!(titles[0], "Best-of-N Jailbreaking");
}

#[test]
fn typo_relaxation_is_reported_and_exact_turns_it_off() {
    let w = indexed();
    let v = w.query(&["sycophnacy"]);
    assert_eq!(v.relaxed.as_deref(), Some("typos"));
    assert_eq!(
        v.titles(),
        ["Towards Understanding Sycophancy in Language Models"]
    );
    assert!(
        v.hits[0].snippet.contains("<mark>sycophancy</mark>"),
        "{}",
        v.hits[0].snippet
    );
    let r = w.run(&["query", "sycophnacy"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains("corrected sycophnacy → sycophancy"),
        "{}",
        r.stderr
    );
    let v = w.query(&["sycophnacy", "--exact"]);
    assert_eq!(v.total, 0);
    assert_eq!(v.relaxed, None);
    assert_eq!(w.run(&["query", "sycophnacy", "--exact"]).code, 1);
}

#[test]
fn short_words_and_numbers_are_never_fuzzed() {
    let w = indexed();
    // "bais" is one edit from "bias" but has 4 letters.
    assert_eq!(w.query(&["bais"]).total, 0);
    // "2026" must not match 2025 or 2024 through typos.
    let v = w.query(&["2027"]);
    assert_eq!(v.total, 0);
}

#[test]
fn word_dropping_relaxation_when_all_words_fail() {
    let w = indexed();
    let v = w.query(&["sycophancy", "qwxzvb"]);
    assert_eq!(v.relaxed.as_deref(), Some("dropped"));
    assert_eq!(
        v.titles(),
        ["Towards Understanding Sycophancy in Language Models"]
    );
    let r = w.run(&["query", "sycophancy", "qwxzvb"]);
    assert!(r.stderr.contains("left out qwxzvb"), "{}", r.stderr);
}

#[test]
fn phrases_or_and_not_parentheses_prefix() {
    let w = indexed();
    let phrase = w.titles(&["\"model diffing\"", "--exact"]);
    assert_eq!(
        phrase,
        ["Overcoming Sparsity Artifacts in Crosscoders to Interpret Chat-Tuning"]
    );
    assert!(w.titles(&["\"diffing model\"", "--exact"]).is_empty());
    // Word order matters in a phrase, not among words.
    let words = sorted(w.titles(&["model language", "--exact", "--limit", "50"]));
    let phrase = sorted(w.titles(&["\"language model\"", "--exact", "--limit", "50"]));
    assert!(!words.is_empty() && phrase.iter().all(|t| words.contains(t)));
    assert!(w.titles(&["\"model language\"", "--exact"]).is_empty());

    let or = sorted(w.titles(&["sycophancy OR jailbreaking", "--exact"]));
    assert_eq!(
        or,
        [
            "Best-of-N Jailbreaking",
            "Towards Understanding Sycophancy in Language Models"
        ]
    );
    assert_eq!(
        w.titles(&["sparse AND probing"]),
        w.titles(&["sparse probing"])
    );

    let with = w.titles(&["sparse autoencoders", "--exact", "--limit", "50"]);
    let without = w.titles(&[
        "sparse autoencoders -matryoshka",
        "--exact",
        "--limit",
        "50",
    ]);
    let without_not = w.titles(&[
        "sparse autoencoders NOT matryoshka",
        "--exact",
        "--limit",
        "50",
    ]);
    assert!(with.iter().any(|t| t.contains("Matryoshka")));
    assert!(!without.iter().any(|t| t.contains("Matryoshka")));
    let mentions = |t: &String| {
        corpus_records().iter().any(|r| {
            &r.title == t
                && format!("{} {}", r.title, r.abstract_text)
                    .to_lowercase()
                    .contains("matryoshka")
        })
    };
    let expected: Vec<String> = with.iter().filter(|t| !mentions(t)).cloned().collect();
    assert_eq!(without, expected);
    assert_eq!(without, without_not);

    let grouped = sorted(w.titles(&["(sycophancy OR jailbreaking) AI", "--exact"]));
    assert_eq!(
        grouped,
        [
            "Best-of-N Jailbreaking",
            "Towards Understanding Sycophancy in Language Models"
        ]
    );
    let grouped = w.titles(&["(sycophancy OR jailbreaking) preference", "--exact"]);
    assert_eq!(
        grouped,
        ["Towards Understanding Sycophancy in Language Models"]
    );

    let prefixed = w.titles(&["matryosh*", "--exact"]);
    assert_eq!(
        prefixed[0],
        "Learning Multi-Level Features with Matryoshka Sparse Autoencoders"
    );
    assert_eq!(
        sorted(prefixed),
        titles_where(|r| format!("{} {}", r.title, r.abstract_text)
            .to_lowercase()
            .contains("matryosh"))
    );
    let v = w.query(&["crosscod*", "--exact"]);
    assert_eq!(
        v.titles()[0],
        "Overcoming Sparsity Artifacts in Crosscoders to Interpret Chat-Tuning"
    );
    assert!(v.hits[0]
        .title_highlighted
        .contains("<mark>Crosscoders</mark>"));
}

#[test]
fn field_scopes_match_independent_counts() {
    let w = indexed();
    // Stems as the index computes them: "Sparsely" and "sparse" share one.
    let stems = |s: &str| {
        let mut a = litsearch::engine::analysis::text_analyzer();
        let mut stream = a.token_stream(s);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    };
    let sparse = stems("sparse");
    let in_title = titles_where(|r| stems(&r.title).contains(&sparse[0]));
    assert!(in_title.len() >= 6);
    assert_eq!(
        sorted(w.titles(&["title:sparse", "--exact", "--limit", "50"])),
        in_title
    );
    assert_eq!(
        sorted(w.titles(&["TITLE:sparse", "--exact", "--limit", "50"])),
        in_title
    );
    let tagged = titles_where(|r| r.tags.iter().any(|t| t == "Scheming and Deception"));
    assert_eq!(
        sorted(w.titles(&["tag:\"Scheming and Deception\"", "--limit", "50"])),
        tagged
    );
    let by_nanda = titles_where(|r| r.authors.iter().any(|a| a.contains("Nanda")));
    assert_eq!(
        sorted(w.titles(&["author:nanda", "--limit", "50"])),
        by_nanda
    );
    let fellow = titles_where(|r| {
        r.fellows
            .iter()
            .any(|a| fold_key(a).contains("bart bussmann"))
    });
    assert_eq!(
        sorted(w.titles(&["fellow:\"Bart Bussmann\"", "--limit", "50"])),
        fellow
    );
    // "sycophancy" appears only in abstracts of one paper besides its title.
    assert!(w.titles(&["abstract:polysemanticity"]).contains(
        &"Sparse Autoencoders Find Highly Interpretable Features in Language Models".to_owned()
    ));
}

#[test]
fn syntax_errors_name_the_position_and_suggest_a_fix() {
    let w = indexed();
    let r = w.run(&["query", "sparse \"auto"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("query:1:8: unbalanced quote"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("close the phrase"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1);
    for (q, what) in [
        ("(sparse", "never closed"),
        ("sparse)", "without `(`"),
        ("titel:x", "did you mean `title:`"),
        ("a OR", "OR needs"),
    ] {
        let r = w.run(&["query", q]);
        assert_eq!(r.code, 2, "{q}");
        assert!(r.stderr.contains(what), "{q}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"));
    }
}

#[test]
fn filters_combine_and_match_independent_selection() {
    let w = indexed();
    let expect = titles_where(|r| {
        r.tags.iter().any(|t| t == "Interpretability") && r.date.as_str() >= "2025-03-01"
    });
    let got = w.titles(&[
        "--tag",
        "interpretability",
        "--since",
        "2025-03-01",
        "--limit",
        "50",
    ]);
    assert_eq!(sorted(got.clone()), expect);
    let dates: Vec<String> = w
        .query(&["--tag", "Interpretability", "--since", "2025-03-01"])
        .hits
        .into_iter()
        .map(|h| h.date)
        .collect();
    assert!(
        dates.windows(2).all(|p| p[0] >= p[1]),
        "newest first: {dates:?}"
    );

    let two_tags = titles_where(|r| {
        r.tags.iter().any(|t| t == "Interpretability") && r.tags.iter().any(|t| t == "Safeguards")
    });
    assert_eq!(
        sorted(w.titles(&[
            "--tag",
            "Interpretability",
            "--tag",
            "Safeguards",
            "--limit",
            "50"
        ])),
        two_tags
    );

    let arcuschin = titles_where(|r| r.authors.iter().any(|a| a == "Iván Arcuschin"));
    assert_eq!(arcuschin.len(), 2);
    assert_eq!(
        sorted(w.titles(&["--author", "ivan arcuschin", "--limit", "50"])),
        arcuschin
    );
    assert_eq!(
        w.titles(&["--fellow", "CLEMENT DUMAS"]),
        ["Overcoming Sparsity Artifacts in Crosscoders to Interpret Chat-Tuning"]
    );

    let y2024 = titles_where(|r| r.date.starts_with("2024"));
    assert_eq!(
        sorted(w.titles(&["--year", "2024", "--limit", "50"])),
        y2024
    );
    let y2023_2026 = titles_where(|r| r.date.starts_with("2023") || r.date.starts_with("2026"));
    assert_eq!(
        sorted(w.titles(&["--year", "2023", "--year", "2026", "--limit", "50"])),
        y2023_2026
    );
    let until = titles_where(|r| r.date.as_str() <= "2024-12-31");
    assert_eq!(
        sorted(w.titles(&["--until", "2024", "--limit", "50"])),
        until
    );
    let featured = titles_where(|r| r.featured);
    assert_eq!(featured.len(), 6);
    assert_eq!(sorted(w.titles(&["--featured", "--limit", "50"])), featured);
    let both = titles_where(|r| r.featured && r.date.as_str() >= "2025-01-01");
    assert_eq!(
        sorted(w.titles(&["--featured", "--since", "2025-01-01", "--limit", "50"])),
        both
    );
    // A query and filters together.
    assert_eq!(
        w.titles(&["misalignment", "--featured"]),
        ["Emergent Misalignment: Narrow finetuning can produce broadly misaligned LLMs"]
    );
}

#[test]
fn bad_filter_values_and_empty_queries_are_errors() {
    let w = indexed();
    let r = w.run(&["query", "x", "--since", "yesterday"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--since: expected a date"),
        "{}",
        r.stderr
    );
    let r = w.run(&["query", "--facets", "colours", "x"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown facet"), "{}", r.stderr);
}

fn independent_counts(records: &[litsearch::Record], field: &str) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for r in records {
        let values: Vec<String> = match field {
            "tags" => r.tags.clone(),
            "authors" => r.authors.clone(),
            "fellows" => r.fellows.clone(),
            "year" => vec![r.date[..4].to_owned()],
            _ => unreachable!(),
        };
        for v in values {
            *m.entry(v).or_default() += 1;
        }
    }
    m
}

/// One field's facet counts, whatever their order.
fn json_counts(facets: &Facets, field: &str) -> BTreeMap<String, u64> {
    facets
        .get(field)
        .unwrap_or_else(|| panic!("no facet {field}"))
        .0
        .iter()
        .cloned()
        .collect()
}

#[test]
fn facets_count_the_whole_match_set() {
    let w = indexed();
    let v = w.query(&["language", "--exact", "--limit", "1", "--facet-limit", "0"]);
    assert_eq!(v.hits.len(), 1);
    let matching: Vec<String> = w.titles(&["language", "--exact", "--limit", "100"]);
    assert_eq!(matching.len() as u64, v.total);
    let records: Vec<_> = corpus_records()
        .into_iter()
        .filter(|r| matching.contains(&r.title))
        .collect();
    for field in ["tags", "year", "fellows", "authors"] {
        assert_eq!(
            json_counts(&v.facets, field),
            independent_counts(&records, field),
            "{field}"
        );
    }
    // By default each field lists its 10 most frequent values (ties by value), and says
    // which lists were cut.
    let v = w.query(&["language", "--exact", "--limit", "1"]);
    let mut cut = Vec::new();
    for field in ["tags", "year", "fellows", "authors"] {
        let mut ranked: Vec<(String, u64)> =
            independent_counts(&records, field).into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if ranked.len() > 10 {
            cut.push(field);
        }
        ranked.truncate(10);
        let listed: Vec<(String, u64)> = v.facets.get(field).expect(field).0.clone();
        assert_eq!(listed, ranked, "{field}");
    }
    assert!(
        !cut.is_empty(),
        "the corpus should have a field with over 10 values"
    );
    assert_eq!(v.facets_truncated, cut);
    let v = w.query(&["language", "--exact", "--facet-limit", "2"]);
    assert_eq!(v.facets.get("authors").unwrap().len(), 2);
    let v = w.query(&["language", "--facets", "tags,year"]);
    assert_eq!(v.facets.keys(), ["tags", "year"]);
    let v = w.query(&["language", "--facets", "none"]);
    assert!(v.facets.is_empty());
}

#[test]
fn facets_command_lists_every_value() {
    let w = indexed();
    let r = w.run(&["facets", "--field", "tags", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Facets = shapes::strict(&r.stdout);
    assert_eq!(
        json_counts(&v, "tags"),
        independent_counts(&corpus_records(), "tags")
    );
    let interpretability = independent_counts(&corpus_records(), "tags")["Interpretability"];
    let r = w.run(&["facets", "--field", "tags"]);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.trim() == format!("{interpretability}  Interpretability")),
        "{}",
        r.stdout
    );
}

#[test]
fn sorting_is_deterministic_and_paging_tiles_the_results() {
    let w = indexed();
    let dates =
        |args: &[&str]| -> Vec<String> { w.query(args).hits.into_iter().map(|h| h.date).collect() };
    let newest = dates(&["language", "--sort", "newest", "--limit", "50"]);
    assert!(newest.windows(2).all(|p| p[0] >= p[1]));
    let oldest = dates(&["language", "--sort", "oldest", "--limit", "50"]);
    assert!(oldest.windows(2).all(|p| p[0] <= p[1]));
    let all = w.titles(&["--year", "2025", "--limit", "50"]);
    let again = w.titles(&["--year", "2025", "--limit", "50"]);
    assert_eq!(all, again);
    let mut paged = Vec::new();
    for offset in (0..all.len()).step_by(4) {
        paged.extend(w.titles(&[
            "--year",
            "2025",
            "--limit",
            "4",
            "--offset",
            &offset.to_string(),
        ]));
    }
    assert_eq!(
        paged, all,
        "pages must tile the full list with ties broken the same way"
    );
    // Two papers share 2025-02-04 and two 2025-03-31: they keep one order across page sizes.
    let v = w.query(&["--year", "2025", "--limit", "0"]);
    assert_eq!(v.hits.len(), 0);
    assert_eq!(v.total as usize, all.len());
}

#[test]
fn text_facet_lines_end_with_an_ellipsis_only_when_cut() {
    let w = indexed();
    let authors_line = |args: &[&str]| -> String {
        let r = w.run(args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
            .lines()
            .find(|l| l.starts_with("Authors: "))
            .unwrap_or_else(|| panic!("no Authors line in {}", r.stdout))
            .to_owned()
    };
    let cut = authors_line(&["query", "language", "--exact", "--facet-limit", "2"]);
    assert_eq!(cut.matches(" (").count(), 2, "{cut}");
    assert!(cut.ends_with(" · …"), "{cut}");
    let all = authors_line(&["query", "language", "--exact", "--facet-limit", "0"]);
    assert!(all.matches(" (").count() > 2, "{all}");
    assert!(!all.ends_with('…'), "{all}");
}

#[test]
fn text_output_is_numbered_highlighted_only_when_asked() {
    let w = indexed();
    let r = w.run(&["query", "sparse autoencoder"]);
    assert!(r.stdout.starts_with("1. "), "{}", r.stdout);
    assert!(r.stdout.contains("\n2. "));
    assert!(!r.stdout.contains('\x1b'));
    assert!(r.stdout.contains("Tags: Interpretability"), "{}", r.stdout);
    assert!(r.stdout.contains("results (showing 1–"), "{}", r.stdout);
    let r = w.run(&["query", "sparse autoencoder", "--color", "always"]);
    assert!(
        r.stdout.contains("\x1b[1;33mAutoencoders\x1b[0m"),
        "{}",
        r.stdout
    );
    let r = w
        .cmd()
        .args(["query", "sparse autoencoder", "--color", "auto"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&r.stdout).contains('\x1b'));
    // Snippets stay short and end on a word.
    let r = w.run(&["query", "sycophancy"]);
    let snippet = r
        .stdout
        .lines()
        .find(|l| l.contains("sycophancy") && l.starts_with("   ") && l.len() > 60)
        .unwrap();
    assert!(snippet.trim().chars().count() <= 205, "{snippet}");
}

#[test]
fn json_ndjson_csv_explain() {
    let w = indexed();
    // Every key of the results and of each hit, and no other: read strictly.
    let v = w.query(&["sparse autoencoder", "--limit", "3"]);
    assert!(!v.hits.is_empty());
    assert!(v.took_ms >= 0.0);

    let r = w.run(&[
        "query",
        "sparse autoencoder",
        "--format",
        "ndjson",
        "--limit",
        "4",
    ]);
    // Each line is one hit of `query --json`, the same keys.
    let lines: Vec<Hit> = shapes::strict_lines(&r.stdout);
    assert_eq!(lines.len(), 4);
    let ndjson_titles: Vec<String> = lines.iter().map(|h| h.title.clone()).collect();
    assert_eq!(
        ndjson_titles,
        w.titles(&["sparse autoencoder", "--limit", "4"])
    );
    assert_eq!(ndjson_titles[..3], v.titles()[..]);

    let r = w.run(&[
        "query",
        "sparse autoencoder",
        "--format",
        "csv",
        "--limit",
        "5",
    ]);
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    assert_eq!(&headers[2], "title");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 5);
    let authors_col = headers.iter().position(|h| h == "authors").unwrap();
    assert!(rows[0][authors_col].contains("; "), "{:?}", &rows[0]);

    let v = w.query(&["sycophancy", "--explain"]);
    assert!(
        v.hits[0].explain.as_ref().is_some_and(|e| e.is_object()),
        "{:?}",
        v.hits[0]
    );
    let r = w.run(&["query", "sycophancy", "--explain"]);
    assert!(r.stdout.contains("score"), "{}", r.stdout);
}

#[test]
fn closed_pipe_ends_quietly() {
    let w = indexed();
    let bin = assert_cmd::cargo::cargo_bin("litsearch");
    let out = std::process::Command::new("bash")
        .current_dir(w.dir.path())
        .arg("-c")
        .arg(format!("'{}' query model --limit 25 --format ndjson | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}}", bin.display()))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_leading_hyphen_word_is_an_exclusion_not_a_flag() {
    let w = indexed();
    let all = w.query(&["--all", "--facets", "none"]).total;
    let sparse = w.query(&["sparse", "--exact", "--all"]).total;
    let v = w.query(&["-sparse", "--all", "--facets", "none"]);
    assert_eq!(v.total, all - sparse);
    assert!(v
        .titles()
        .iter()
        .all(|t| !t.to_lowercase().contains("sparse")));
    let r = w.run(&["query", "-sparse", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn year_and_date_written_in_the_query_filter_as_the_flags_do() {
    let w = indexed();
    let pairs: [(&[&str], &[&str]); 4] = [
        (&["year:2024", "--all"], &["--year", "2024", "--all"]),
        (
            &["sparse year:2023..2024", "--all"],
            &["sparse", "--since", "2023", "--until", "2024", "--all"],
        ),
        (
            &["date:>=2025-03", "--all"],
            &["--since", "2025-03", "--all"],
        ),
        (
            &["model date:<2024", "--since", "2023-06", "--all"],
            &[
                "model",
                "--since",
                "2023-06",
                "--until",
                "2023-12-31",
                "--all",
            ],
        ),
    ];
    for (inline, flags) in pairs {
        let got = w.titles(inline);
        assert!(!got.is_empty(), "{inline:?} found nothing");
        assert_eq!(got, w.titles(flags), "{inline:?} vs {flags:?}");
    }
    let years = titles_where(|r| r.date.starts_with("2024"));
    assert_eq!(sorted(w.titles(&["year:2024", "--all"])), years);
    // Unknown fields are refused with the list, as a near miss always was.
    let r = w.run(&["query", "foo:bar"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("unknown field `foo:`"), "{}", r.stderr);
    assert!(r.stderr.contains("year, date"), "{}", r.stderr);
    let r = w.run(&["query", "year:2025", "--since", "2026"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn an_author_filter_takes_the_beginning_of_a_name_word() {
    let w = indexed();
    let nanda = titles_where(|r| r.authors.iter().any(|a| fold_key(a).contains("nanda")));
    assert!(!nanda.is_empty());
    for name in ["Nanda", "Nand", "nan", "Neel Nan"] {
        let got = sorted(w.titles(&["--author", name, "--all"]));
        let expected = titles_where(|r| {
            r.authors.iter().any(|a| {
                let words: Vec<String> = fold_key(a).split(' ').map(str::to_owned).collect();
                let wanted: Vec<String> = fold_key(name).split(' ').map(str::to_owned).collect();
                words.windows(wanted.len()).any(|win| {
                    win.iter()
                        .zip(&wanted)
                        .enumerate()
                        .all(|(i, (have, want))| {
                            if i + 1 == wanted.len() {
                                have.starts_with(want.as_str())
                            } else {
                                have == want
                            }
                        })
                })
            })
        });
        assert_eq!(got, expected, "--author {name}");
        assert!(got.len() >= nanda.len(), "--author {name}");
    }
    // Two letters are no beginning: a whole name word only.
    let r = w.run(&["query", "--author", "Na", "--json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn questions_keep_their_keywords() {
    let w = indexed();
    // The function words go before anything is tried, so the question matches as written.
    let v = w.query(&["papers about steering language models"]);
    assert_eq!(v.relaxed, None);
    assert_eq!(v.ignored, ["papers", "about"]);
    assert_eq!(
        v.titles().first().map(String::as_str),
        Some("Steering Language Models With Activation Engineering")
    );
    let v = w.query(&["can LLMs detect their own biases"]);
    assert!(
        v.titles()
            .contains(&"Biases in the Blind Spot: Detecting What LLMs Fail to Mention".to_owned()),
        "{:?}",
        v.titles()
    );
    // Function words never shrink a result nor move a score.
    let with = w.query(&["a python library for http", "--limit", "50"]);
    let without = w.query(&["python library http", "--limit", "50"]);
    let ranked = |v: &shapes::Results| {
        let hits = v.hits.iter().map(|h| (h.id.clone(), h.score));
        (v.total, v.dropped.clone(), hits.collect::<Vec<_>>())
    };
    assert_eq!(ranked(&with), ranked(&without));
    assert_eq!(with.ignored, ["a", "for"]);
    // --exact searches every word as written.
    let exact = w.query(&["a python library for http", "--exact"]);
    assert!(exact.ignored.is_empty());
    assert_eq!(exact.total, 0);
    // A stderr note is for relaxations only.
    let r = w.run(&["query", "papers about steering language models"]);
    assert!(!r.stderr.contains("note:"), "{}", r.stderr);
}

#[test]
fn relaxation_leaves_out_the_most_frequent_word_and_ranks_by_those_left_out() {
    use crate::common::entry;
    let w = Workdir::empty();
    let e = |title: &str, abs: &str| entry(title, abs, &[], "A. Author", "A. Author", "2024-01-05");
    let mut export = [
        e("Quokka habitats", "Where the quokka meets the marmot."),
        e("Quokka notes", "A quokka."),
        e("Zephyr winds", "A zephyr over a marmot burrow."),
        e("Marmot one", "One marmot."),
        e("Marmot two", "Two marmot colonies."),
        e("Zephyr breeze", "A zephyr."),
    ]
    .concat();
    // Papers holding none of the words, so that each is informative (BM25's idf).
    for i in 0..20 {
        export.push_str(&e(&format!("Filler {i}"), "Nothing of the kind."));
    }
    let file = w.write("export.txt", export);
    let file = file.to_str().unwrap();
    w.run(&["ingest", file]);
    // Alone, `quokka` ranks the shorter abstract first.
    assert_eq!(w.titles(&["quokka"]), ["Quokka notes", "Quokka habitats"]);
    // No record holds all three. `marmot` (4 records) goes first, though typed first; then of
    // `quokka` and `zephyr` (2 each) the last typed. The record also holding `marmot`, a word
    // left out, now comes first.
    let v = w.query(&["marmot quokka zephyr"]);
    assert_eq!(v.relaxed.as_deref(), Some("dropped"));
    assert_eq!(v.dropped, ["marmot", "zephyr"]);
    assert_eq!(v.titles(), ["Quokka habitats", "Quokka notes"]);
}

#[test]
fn short_forms_mined_at_ingest_also_find_their_long_forms() {
    let w = indexed();
    // "Sparse autoencoders (SAEs)" is written in six abstracts of the shipped corpus.
    let v = w.query(&["SAE", "--limit", "100"]);
    assert_eq!(v.expanded.len(), 1, "{:?}", v.expanded);
    assert_eq!(v.expanded[0].word, "SAE");
    assert_eq!(v.expanded[0].to, ["sparse autoencoders"]);
    // It finds what the word finds and what the long form finds, and nothing else.
    let alone: std::collections::BTreeSet<String> =
        w.titles(&["=SAE", "--limit", "100"]).into_iter().collect();
    let long: std::collections::BTreeSet<String> = w
        .titles(&["\"sparse autoencoders\"", "--limit", "100"])
        .into_iter()
        .collect();
    let both: std::collections::BTreeSet<String> = v.titles().into_iter().collect();
    assert!(
        long.difference(&alone).count() > 0,
        "the long form adds nothing"
    );
    assert_eq!(both, alone.union(&long).cloned().collect());
    // The written-out form finds the short one too.
    let v = w.query(&["sparse autoencoders"]);
    assert_eq!(v.expanded[0].to, ["SAE"]);
    // Never inside quotes, with =, with --exact or in a scope.
    for q in [
        &["=SAE"][..],
        &["\"SAE\""],
        &["SAE", "--exact"],
        &["abstract:SAE"],
    ] {
        assert!(w.query(q).expanded.is_empty(), "{q:?}");
    }
    // Said once on stderr.
    let r = w.run(&["query", "SAE"]);
    assert_eq!(
        r.stderr.matches("SAE also as sparse autoencoders").count(),
        1,
        "{}",
        r.stderr
    );
}

#[test]
fn a_synonyms_file_in_the_index_or_named_expands_too() {
    let w = indexed();
    let index = w.path("index");
    assert!(w.titles(&["flattery"]).is_empty());
    std::fs::write(
        index.join("synonyms.txt"),
        "# ours\nflattery = sycophancy\n",
    )
    .unwrap();
    let v = w.query(&["flattery"]);
    assert_eq!(v.expanded[0].to, ["sycophancy"]);
    assert!(v
        .titles()
        .contains(&"Towards Understanding Sycophancy in Language Models".to_owned()));
    // Named with --synonyms; a bad line is one error naming the file and line.
    let file = w.write("mine.txt", "steering = activation engineering\nlonely\n");
    let r = w.run(&["query", "steering", "--synonyms", file.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("mine.txt:2:"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
}

#[test]
fn mined_short_forms_live_with_the_index_generation() {
    let w = indexed();
    // An unchanged re-ingest (nothing parsed) and a rebuild keep them.
    w.ingest();
    assert_eq!(w.query(&["CoT"]).expanded.len(), 1);
    w.run(&["ingest", "--rebuild"]);
    assert_eq!(w.query(&["CoT"]).expanded.len(), 1);
    // An export that no longer defines it drops it with the next generation.
    let corpus = w.read("corpus/mats-research.txt");
    w.write(
        "corpus/mats-research.txt",
        corpus
            .replace("(CoT)", "")
            .replace("Chain-of-Thought (CoT)", ""),
    );
    w.ingest();
    assert!(w.query(&["CoT"]).expanded.is_empty());
}

#[test]
fn a_capital_short_form_is_never_stemmed_but_finds_its_plural() {
    // Independently: the papers writing SAE or SAEs as a word, whatever their case.
    let holds = |r: &litsearch::Record| {
        let text = format!("{} {} {}", r.title, r.abstract_text, r.tags.join(" "));
        text.split(|c: char| !c.is_alphanumeric())
            .any(|w| w.eq_ignore_ascii_case("sae") || w.eq_ignore_ascii_case("saes"))
    };
    let w = indexed();
    assert_eq!(
        sorted(w.titles(&["=SAE", "--limit", "100"])),
        titles_where(holds)
    );
    // `MAPS` is a name: it does not find "map", as the stemmed `maps` does.
    let w = Workdir::empty();
    let e = |title: &str| crate::common::entry(title, "Text.", &[], "A. B", "A. B", "2024-01-05");
    let file = w.write(
        "x.txt",
        [e("A sparse map of features"), e("The MAPS benchmark")].concat(),
    );
    w.run(&["ingest", file.to_str().unwrap()]);
    assert_eq!(w.titles(&["MAPS"]), ["The MAPS benchmark"]);
    assert_eq!(w.titles(&["maps"]).len(), 2);
}

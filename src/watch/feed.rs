//! Atom feeds of saved searches: `DIR/NAME.xml`, one entry per reported paper, merged with the
//! entries the file already holds, newest first, capped. Written with `atom_syndication`.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use atom_syndication::{Category, Entry, Feed, FixedDateTime, Generator, Link, Person, Text};

use super::run::{saved_request, Change, Reported, WatchReport};
use super::state::Watch;
use crate::clock::{now_unix, unix_to_rfc3339};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::search::search;

/// The feed file of a saved search.
pub fn feed_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.xml"))
}

/// The stable id of a record's entry: the same paper has the same entry in every run.
pub fn entry_id(record_id: &str) -> String {
    format!("urn:litsearch:{record_id}")
}

/// What a feed update did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedUpdate {
    pub added: usize,
    pub entries: usize,
}

/// Builds the new content of the feed at `path` (existing entries plus the report's, newest
/// first, at most `cap`). An existing file that is not a readable feed is an error, untouched.
/// `base_url` (where `serve` answers): entries of papers with no link of their own link to
/// their served page, `BASE/papers/ID`.
pub fn updated_feed(
    path: &Path,
    report: &WatchReport,
    cap: usize,
    now: i64,
    base_url: Option<&str>,
) -> Result<(Feed, FeedUpdate)> {
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    if path.exists() {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let old = Feed::read_from(BufReader::new(file)).map_err(|e| Error::State {
            path: path.to_path_buf(),
            detail: format!("not a readable Atom feed ({e})"),
        })?;
        for mut entry in old.entries {
            // Entries written before links were given get their stable URN as one.
            if entry.links.is_empty() {
                entry.links.push(Link {
                    href: entry.id.clone(),
                    rel: "alternate".to_owned(),
                    ..Link::default()
                });
            }
            entries.insert(entry.id.clone(), entry);
        }
    }
    let feed = assemble(report, entries, cap, now, base_url);
    let update = FeedUpdate {
        added: report.hits.len(),
        entries: feed.entries.len(),
    };
    Ok((feed, update))
}

/// The feed of a saved search as it stands: the `cap` papers it matches now, most recently
/// added first, each as a new entry. Reads the index only; what the search reported is
/// untouched (`serve` answers `/api/watch/NAME.xml` with it).
pub fn current_feed<E: Engine>(engine: &E, watch: &Watch, cap: usize) -> Result<Feed> {
    let mut request = saved_request(&watch.query, watch.filters.clone());
    request.limit = cap;
    let results = search(engine, &request)?;
    let report = WatchReport {
        name: watch.name.clone(),
        query: watch.query.clone(),
        filters: watch.filters.clone(),
        hits: results
            .hits
            .into_iter()
            .map(|hit| Reported {
                content_hash: hit.record.content_hash(),
                hit,
                change: Change::New,
            })
            .collect(),
    };
    Ok(assemble(&report, BTreeMap::new(), cap, now_unix(), None))
}

/// The feed of `entries` (by id) plus the report's, newest first, at most `cap`.
fn assemble(
    report: &WatchReport,
    mut entries: BTreeMap<String, Entry>,
    cap: usize,
    now: i64,
    base_url: Option<&str>,
) -> Feed {
    for r in &report.hits {
        let entry = entry_for(r, now, base_url);
        entries.insert(entry.id.clone(), entry);
    }
    let mut entries: Vec<Entry> = entries.into_values().collect();
    // Newest first; ties by id, so the order is the same on every run.
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
    entries.truncate(cap);
    let updated = entries
        .first()
        .map(|e| e.updated)
        .unwrap_or_else(|| datetime(now));
    let mut subtitle = format!("litsearch saved search: {}", report.query);
    let flags = crate::output::digest::filters_as_flags(&report.filters);
    if !flags.is_empty() {
        subtitle.push(' ');
        subtitle.push_str(&flags);
    }
    Feed {
        title: Text::plain(format!("New papers: {}", report.name)),
        id: format!("urn:litsearch:watch:{}", report.name),
        updated,
        authors: vec![person("litsearch")],
        generator: Some(Generator {
            value: "litsearch".to_owned(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
        subtitle: Some(Text::plain(subtitle.trim().to_owned())),
        entries,
        ..Feed::default()
    }
}

/// Writes a feed atomically.
pub fn write_feed(path: &Path, feed: &Feed) -> Result<()> {
    let bytes = feed.write_to(Vec::new()).map_err(|e| Error::NotDelivered {
        what: path.display().to_string(),
        source: std::io::Error::other(e.to_string()),
    })?;
    crate::atomic_write::write_atomically(path, &bytes)
}

fn entry_for(r: &super::run::Reported, now: i64, base_url: Option<&str>) -> Entry {
    let record = &r.hit.record;
    // A new paper is dated by when it entered the index; a changed one by this run.
    let updated = match r.change {
        Change::New => r.hit.first_seen,
        Change::Updated => now,
    };
    // RFC 4287 wants a link or a content: the paper's own page when known, else its served
    // page (with a base URL), else the entry's stable URN; and a summary that is never empty.
    let mut summary = if record.abstract_text.trim().is_empty() {
        record.title.clone()
    } else {
        record.abstract_text.clone()
    };
    if r.change == Change::Updated {
        summary.insert_str(0, "[updated] ");
    }
    Entry {
        title: Text::plain(record.title.clone()),
        id: entry_id(&record.id),
        updated: datetime(updated),
        published: time::Date::parse(
            &record.date,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
        .map(|d| datetime(d.midnight().assume_utc().unix_timestamp())),
        authors: record.authors.iter().map(|a| person(a)).collect(),
        categories: record
            .tags
            .iter()
            .map(|t| Category {
                term: t.clone(),
                ..Category::default()
            })
            .collect(),
        summary: Some(Text::plain(summary)),
        links: vec![Link {
            href: record
                .link()
                .or_else(|| base_url.map(|b| served_page(b, &record.id)))
                .unwrap_or_else(|| entry_id(&record.id)),
            rel: "alternate".to_owned(),
            ..Link::default()
        }],
        ..Entry::default()
    }
}

/// A paper's page as `serve` at `base_url` answers it.
pub fn served_page(base_url: &str, record_id: &str) -> String {
    format!("{}/papers/{record_id}", base_url.trim_end_matches('/'))
}

fn person(name: &str) -> Person {
    Person {
        name: name.to_owned(),
        ..Person::default()
    }
}

fn datetime(unix: i64) -> FixedDateTime {
    FixedDateTime::parse_from_rfc3339(&unix_to_rfc3339(unix))
        .unwrap_or_else(|_| atom_syndication::FixedDateTime::default())
}

//! The one clap definition of litsearch's command line: help, man page and completions all
//! come from here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::output::{ColorChoice, Format};
use crate::search::Sort;

pub const LONG_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (index schema ", "2", ")");

#[derive(Debug, Parser)]
#[command(
    name = "litsearch",
    version,
    long_version = LONG_VERSION,
    about = "Full-text search for research-paper listings exported as text",
    long_about = "Full-text search for research-paper listings exported as text.\n\n\
        Parse a page export, build a tantivy index, and search it with ranked (BM25), faceted \
        queries and highlighted snippets.",
    after_help = "Exit status: 0 success (something found), 1 nothing found (query) or finished with \
        warnings (ingest), 2 error, 75 index busy (another ingest holds it)."
)]
pub struct Cli {
    /// Index directory [env: LITSEARCH_INDEX] [default: index]
    #[arg(
        long,
        global = true,
        env = "LITSEARCH_INDEX",
        default_value = "index",
        hide_env = true,
        hide_default_value = true
    )]
    pub index: PathBuf,

    /// Colour in text output: auto (a terminal and no NO_COLOR), always, never
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print only errors
    #[arg(short, long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the records parsed from exports as JSON lines, without touching any index
    Parse(ParseArgs),
    /// Parse exports and sync the index with them (add, update, remove)
    Ingest(IngestArgs),
    /// Search the index
    #[command(long_about = QUERY_HELP)]
    Query(QueryArgs),
    /// List every value of a field with its count over the whole index
    Facets(FacetsArgs),
}

pub const QUERY_HELP: &str = "Search the index.

Query language:
  sparse autoencoder      every word must match (stemmed, accent- and case-insensitive)
  \"exact phrase\"          words in this order
  a OR b                  either; OR binds tighter than the implicit AND:
                          `sparse autoencoder OR SAE` = sparse AND (autoencoder OR SAE)
  a AND b                 both (the default between words)
  -word, NOT word         exclude
  ( … )                   grouping
  interp*                 prefix
  title:, abstract:, author:, fellow:, tag:
                          limit a word, phrase or group to a field, e.g.
                          tag:\"Scheming and Deception\" author:nanda title:(sparse OR sae)

Ranking is BM25 with the title weighted above tags, authors and fellows, and those above
the abstract. When no paper matches every word, the search is relaxed: first allowing typos
(none in words under 5 letters, 1 from 5 letters, 2 from 9, never in words with digits), then
matching any word. The relaxation used is reported (stderr in text, `relaxed` in JSON);
--exact turns relaxation off.

A query may be empty when filters are given: the matches are then listed newest first.";

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Export files or directories [default: corpus/]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Export files or directories [default: corpus/]
    pub paths: Vec<PathBuf>,
    /// Build a new index from scratch instead of syncing the existing one
    #[arg(long)]
    pub rebuild: bool,
    /// Keep indexed records that are missing from the exports
    #[arg(long)]
    pub keep_missing: bool,
    /// Refuse when more than this percentage of indexed records would be removed
    #[arg(long, value_name = "PCT", default_value_t = 50.0)]
    pub max_remove: f64,
    /// Apply the sync even when a guard (--max-remove, empty export) would refuse it
    #[arg(long)]
    pub force: bool,
    /// Seconds to wait for another ingest to finish before giving up with status 75
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0)]
    pub wait: f64,
    /// Treat any warning as an error: leave the index untouched
    #[arg(long)]
    pub strict: bool,
    /// Print the summary as a JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only papers with this tag (repeatable: all must hold)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Only papers with this author, whole name or part (repeatable: all must hold)
    #[arg(long = "author", value_name = "NAME")]
    pub authors: Vec<String>,
    /// Only papers with this fellow (repeatable: all must hold)
    #[arg(long = "fellow", value_name = "NAME")]
    pub fellows: Vec<String>,
    /// Only papers dated on or after DATE (2025-03-01, 2025-03 or 2025)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only papers dated on or before DATE
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only papers from this year (repeatable: any of them)
    #[arg(long = "year", value_name = "YYYY")]
    pub years: Vec<u32>,
    /// Only featured papers
    #[arg(long)]
    pub featured: bool,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The query (several words may be given unquoted)
    pub query: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Result order [default: relevance with a query, newest without]
    #[arg(long, value_enum)]
    pub sort: Option<Sort>,
    /// Number of hits to show
    #[arg(short = 'n', long, default_value_t = 10)]
    pub limit: usize,
    /// Number of hits to skip
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Match words exactly as typed (after stemming): no typo tolerance, no any-word fallback
    #[arg(long)]
    pub exact: bool,
    /// Facets to count: a comma list of tags, year, fellows, authors, or none
    #[arg(long, value_name = "LIST", default_value = "tags,year,fellows,authors")]
    pub facets: String,
    /// Shorthand for --format json
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Output format: text, json (one object), ndjson (one hit per line), csv
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Show how each hit's score was computed
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Args)]
pub struct FacetsArgs {
    /// Field to list: tags, year, fellows, authors [default: all]
    #[arg(long)]
    pub field: Option<String>,
    /// Print as a JSON object
    #[arg(long)]
    pub json: bool,
}

impl clap::ValueEnum for Sort {
    fn value_variants<'a>() -> &'a [Self] {
        &[Sort::Relevance, Sort::Newest, Sort::Oldest, Sort::Added]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Added => "added",
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn long_version_names_the_schema() {
        assert!(LONG_VERSION.contains(&format!(
            "index schema {}",
            crate::index::schema::SCHEMA_VERSION
        )));
    }
}

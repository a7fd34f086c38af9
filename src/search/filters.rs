//! Filters (`--tag`, `--author`, `--fellow`, `--since`, `--until`, `--year`, `--featured`,
//! `--added-since`) as typed: their dates read, and the nearest values of one matching nothing.

use serde::Serialize;

pub use crate::engine::filters::Filters;

/// Why a filter value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{flag}: {message}")]
pub struct FilterError {
    pub flag: String,
    pub message: String,
}

/// A `--tag`, `--author` or `--fellow` value that no record in the index matches, with the
/// nearest values the index does hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmatchedFilter {
    /// `tag`, `author` or `fellow`.
    pub field: &'static str,
    pub value: String,
    pub suggestions: Vec<String>,
}

impl std::fmt::Display for UnmatchedFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no {} \"{}\"", self.field, self.value)?;
        match self.suggestions.as_slice() {
            [] => write!(f, " in the index"),
            [one] => write!(f, "; did you mean \"{one}\"?"),
            many => {
                let quoted: Vec<String> = many.iter().map(|s| format!("\"{s}\"")).collect();
                write!(f, "; did you mean one of {}?", quoted.join(", "))
            }
        }
    }
}

/// Up to `n` of `candidates` (value, count) nearest to `value`, nearest first, then most
/// frequent: those with a word beginning with each of its words (`Interp` → "Interpretability"),
/// then those within a few edits of it, whole or of as many of their words
/// (`Busman` → "Bart Bussmann", `Neel Nanada` → "Neel Nanda").
pub fn nearest_values<'a>(
    value: &str,
    candidates: impl Iterator<Item = (&'a str, u64)>,
    n: usize,
) -> Vec<String> {
    let wanted = crate::text::fold_key(value);
    let wanted_words: Vec<&str> = wanted.split(' ').filter(|w| !w.is_empty()).collect();
    if wanted_words.is_empty() {
        return Vec::new();
    }
    let allowed = (wanted.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, u64, &str)> = Vec::new();
    for (candidate, count) in candidates {
        let folded = crate::text::fold_key(candidate);
        let words: Vec<&str> = folded.split(' ').collect();
        let distance = if wanted_words
            .iter()
            .all(|w| words.iter().any(|c| c.starts_with(w)))
        {
            0
        } else {
            let whole = strsim::damerau_levenshtein(&wanted, &folded);
            let windows = words
                .windows(wanted_words.len().min(words.len()))
                .map(|win| strsim::damerau_levenshtein(&wanted, &win.join(" ")))
                .min()
                .unwrap_or(whole);
            whole.min(windows).max(1)
        };
        if distance <= allowed {
            scored.push((distance, count, candidate));
        }
    }
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
    scored
        .into_iter()
        .take(n)
        .map(|(_, _, c)| c.to_owned())
        .collect()
}

/// Parses a date given to a filter flag: `2025-03-01`, `2025-03`, `2025`, or an export form.
/// `end` picks the last day of a month or year (for `--until`).
pub fn parse_filter_date(flag: &str, input: &str, end: bool) -> Result<String, FilterError> {
    let s = input.trim();
    let err = || FilterError {
        flag: flag.to_owned(),
        message: format!("expected a date like 2025-03-01, 2025-03 or 2025, found \"{input}\""),
    };
    if let Ok(d) = crate::date::parse_date(s) {
        return Ok(crate::date::iso(d));
    }
    let parts: Vec<&str> = s.split('-').collect();
    let year: i32 = parts
        .first()
        .and_then(|y| (y.len() == 4).then(|| y.parse().ok()).flatten())
        .ok_or_else(err)?;
    // A date of the right shape with a month or day that does not exist: say which.
    let out_of_range = |what: String| FilterError {
        flag: flag.to_owned(),
        message: format!(
            "expected a date like 2025-03-01, 2025-03 or 2025, found \"{input}\": {what}"
        ),
    };
    if let [_, m, rest @ ..] = parts.as_slice() {
        if let Ok(m) = m.parse::<u8>() {
            let Ok(month) = time::Month::try_from(m) else {
                return Err(out_of_range(format!("month {m} is out of range (1–12)")));
            };
            if let [d] = rest {
                if let Ok(d) = d.parse::<u8>() {
                    let last = time::util::days_in_month(month, year);
                    if d == 0 || d > last {
                        return Err(out_of_range(format!(
                            "day {d} is out of range for {year}-{m:02} (1–{last})"
                        )));
                    }
                }
            }
        }
    }
    let (month, day) = match parts.as_slice() {
        [_] => (if end { 12 } else { 1 }, if end { 31 } else { 1 }),
        [_, m] => {
            let m: u8 = m.parse().map_err(|_| err())?;
            let month = time::Month::try_from(m).map_err(|_| err())?;
            (
                m,
                if end {
                    time::util::days_in_month(month, year)
                } else {
                    1
                },
            )
        }
        _ => return Err(err()),
    };
    let month = time::Month::try_from(month).map_err(|_| err())?;
    let date = time::Date::from_calendar_date(year, month, day).map_err(|_| err())?;
    Ok(crate::date::iso(date))
}

/// `filters` narrowed by the `year:`/`date:` filters written in a query, as `--since` and
/// `--until` would narrow them (ranges meet): `year:2025`, `year:2023..2025`, `year:>=2023`,
/// `date:2025-03`, `date:>=2025-03`, `date:<2025-06-01`, `date:2025-01..2025-03`.
pub fn with_query_filters(
    filters: &Filters,
    written: &[crate::search::syntax::QueryFilter],
) -> Result<Filters, crate::error::QueryError> {
    use crate::error::QueryError;
    let mut out = filters.clone();
    for f in written {
        let hint = if f.field == "year" {
            "write year:2025, year:2023..2025 or year:>=2023"
        } else {
            "write date:2025-03, date:>=2025-03-15 or date:2025-01..2025-06"
        };
        let bad = |message: String| QueryError::new(f.col, message, Some(hint));
        let bound = |value: &str, end: bool| -> Result<String, QueryError> {
            let value = value.trim();
            if f.field == "year" && !(value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(bad(format!(
                    "`year:` expects a year like 2025, found \"{value}\""
                )));
            }
            parse_filter_date(&format!("{}:", f.field), value, end)
                .map_err(|e| bad(format!("`{}:` {}", f.field, e.message)))
        };
        let shift = |iso: String, days: i64| -> Result<String, QueryError> {
            let date = crate::date::parse_date(&iso)
                .map_err(|_| bad(format!("`{}:` date out of range", f.field)))?;
            Ok(crate::date::iso(
                date.saturating_add(time::Duration::days(days)),
            ))
        };
        let v = f.value.as_str();
        let (since, until) = if let Some(rest) = v.strip_prefix(">=") {
            (Some(bound(rest, false)?), None)
        } else if let Some(rest) = v.strip_prefix("<=") {
            (None, Some(bound(rest, true)?))
        } else if let Some(rest) = v.strip_prefix('>') {
            (Some(shift(bound(rest, true)?, 1)?), None)
        } else if let Some(rest) = v.strip_prefix('<') {
            (None, Some(shift(bound(rest, false)?, -1)?))
        } else if let Some((from, to)) = v.split_once("..") {
            (
                (!from.is_empty()).then(|| bound(from, false)).transpose()?,
                (!to.is_empty()).then(|| bound(to, true)).transpose()?,
            )
        } else {
            (Some(bound(v, false)?), Some(bound(v, true)?))
        };
        // ISO dates compare as strings; the later start and the earlier end both hold.
        if let Some(since) = since {
            if out.since.as_ref().is_none_or(|s| *s < since) {
                out.since = Some(since);
            }
        }
        if let Some(until) = until {
            if out.until.as_ref().is_none_or(|u| *u > until) {
                out.until = Some(until);
            }
        }
        if let (Some(from), Some(to)) = (&out.since, &out.until) {
            if from > to {
                return Err(QueryError::new(
                    f.col,
                    format!(
                        "`{}:{}` leaves no date with the other date filters (from {from} to {to})",
                        f.field, f.value
                    ),
                    Some("widen or remove one of them"),
                ));
            }
        }
    }
    Ok(out)
}

/// Parses `--added-since`: a span back from `now` (`30m`, `12h`, `7d`, `2w`) or a date as for
/// `--since` (`2026-11-01`, taken as midnight UTC). Returns unix seconds.
pub fn parse_added_since(input: &str, now: i64) -> Result<i64, FilterError> {
    let s = input.trim();
    let err = || FilterError {
        flag: "--added-since".to_owned(),
        message: format!(
            "expected a span like 30m, 12h, 7d or 2w, or a date like 2026-11-01, found \"{input}\""
        ),
    };
    if let Some(unit) = s.chars().last().filter(char::is_ascii_alphabetic) {
        let count: i64 = s[..s.len() - 1].trim().parse().map_err(|_| err())?;
        let seconds = match unit.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(err()),
        };
        if count < 0 {
            return Err(err());
        }
        return count
            .checked_mul(seconds)
            .and_then(|span| now.checked_sub(span))
            .ok_or_else(err);
    }
    let iso = parse_filter_date("--added-since", s, false).map_err(|_| err())?;
    let date = crate::date::parse_date(&iso).map_err(|_| err())?;
    Ok(date.midnight().assume_utc().unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_dates() {
        assert_eq!(
            parse_filter_date("--since", "2025-03-01", false).unwrap(),
            "2025-03-01"
        );
        assert_eq!(
            parse_filter_date("--since", "2025-03", false).unwrap(),
            "2025-03-01"
        );
        assert_eq!(
            parse_filter_date("--until", "2024-02", true).unwrap(),
            "2024-02-29"
        );
        assert_eq!(
            parse_filter_date("--until", "2025", true).unwrap(),
            "2025-12-31"
        );
        assert_eq!(
            parse_filter_date("--since", "Mar 3, 2025", false).unwrap(),
            "2025-03-03"
        );
        let e = parse_filter_date("--since", "yesterday", false).unwrap_err();
        assert!(e.to_string().starts_with("--since: expected a date"));
        assert!(parse_filter_date("--since", "2025-13", false).is_err());
    }

    #[test]
    fn added_since_takes_spans_and_dates() {
        let now = 1_800_000_000;
        assert_eq!(parse_added_since("7d", now).unwrap(), now - 7 * 86_400);
        assert_eq!(parse_added_since("12h", now).unwrap(), now - 12 * 3_600);
        assert_eq!(parse_added_since("2w", now).unwrap(), now - 14 * 86_400);
        assert_eq!(parse_added_since("30m", now).unwrap(), now - 1_800);
        // 2026-11-01T00:00:00Z
        assert_eq!(parse_added_since("2026-11-01", now).unwrap(), 1_793_491_200);
        for bad in ["", "d", "7y", "-3d", "yesterday", "2026-13-01"] {
            let e = parse_added_since(bad, now).unwrap_err();
            assert!(e.to_string().starts_with("--added-since: expected"), "{e}");
        }
    }
}

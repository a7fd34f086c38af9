//! Dates as inputs write them (`Sep 15, 2023`, `15 September 2023`, `2023-09-15`) → ISO dates.
//! A leaf: the readers, the schema and the filters all parse dates here and import nothing back.

use time::{Date, Month};

/// Why a date string was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum DateError {
    Unrecognised,
    DoesNotExist,
}

pub fn parse_date(input: &str) -> Result<Date, DateError> {
    let s = input.trim().trim_end_matches('.');
    if let Some(d) = parse_iso(s) {
        return d;
    }
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let (day, month, year) = match words.as_slice() {
        [m, d, y] if month_from_name(m).is_some() => (*d, *m, *y),
        [d, m, y] if month_from_name(m).is_some() => (*d, *m, *y),
        _ => return Err(DateError::Unrecognised),
    };
    let month = month_from_name(month).ok_or(DateError::Unrecognised)?;
    let day: u8 = day
        .trim_end_matches(|c: char| c.is_alphabetic())
        .parse()
        .map_err(|_| DateError::Unrecognised)?;
    let year: i32 = year.parse().map_err(|_| DateError::Unrecognised)?;
    if !(1000..=9999).contains(&year) {
        return Err(DateError::Unrecognised);
    }
    Date::from_calendar_date(year, month, day).map_err(|_| DateError::DoesNotExist)
}

fn parse_iso(s: &str) -> Option<Result<Date, DateError>> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i32 = s[0..4].parse().ok()?;
    let month: u8 = s[5..7].parse().ok()?;
    let day: u8 = s[8..10].parse().ok()?;
    Some(
        Month::try_from(month)
            .ok()
            .and_then(|m| Date::from_calendar_date(year, m, day).ok())
            .ok_or(DateError::DoesNotExist),
    )
}

fn month_from_name(name: &str) -> Option<Month> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    if lower.len() < 3 {
        return None;
    }
    let index = MONTHS.iter().position(|m| {
        *m == lower
            || (lower.len() == 3 && m.starts_with(&lower))
            || (lower == "sept" && *m == "september")
    })?;
    Month::try_from(index as u8 + 1).ok()
}

/// A publication date with the precision its source gave: a day, a month, or a year alone.
/// Reduced precision is kept, never padded with an invented day: its ISO form is `2023-09` or
/// `2023`, and it filters and sorts as its first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PubDate {
    Day(Date),
    Month(i32, Month),
    Year(i32),
}

impl PubDate {
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    pub fn iso(self) -> String {
        match self {
            PubDate::Day(d) => iso(d),
            PubDate::Month(y, m) => format!("{y:04}-{:02}", u8::from(m)),
            PubDate::Year(y) => format!("{y:04}"),
        }
    }

    /// The first day the date covers, which is where it sorts and filters.
    pub fn start(self) -> Date {
        let first = |y, m| Date::from_calendar_date(y, m, 1).unwrap_or(Date::MIN);
        match self {
            PubDate::Day(d) => d,
            PubDate::Month(y, m) => first(y, m),
            PubDate::Year(y) => first(y, Month::January),
        }
    }
}

/// A date of any precision: the forms of `parse_date`, or `2023-09`, `Sep 2023`, `2023`.
pub fn parse_pub_date(input: &str) -> Result<PubDate, DateError> {
    match parse_date(input) {
        Ok(d) => return Ok(PubDate::Day(d)),
        Err(DateError::DoesNotExist) => return Err(DateError::DoesNotExist),
        Err(DateError::Unrecognised) => {}
    }
    let s = input.trim().trim_end_matches('.');
    let year = |y: &str| -> Result<i32, DateError> {
        let ok = y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| y.parse().ok())
            .flatten()
            .filter(|y| (1000..=9999).contains(y))
            .ok_or(DateError::Unrecognised)
    };
    if let Some((y, m)) = s.split_once('-') {
        let month: u8 = (m.len() == 2)
            .then(|| m.parse().ok())
            .flatten()
            .ok_or(DateError::Unrecognised)?;
        let month = Month::try_from(month).map_err(|_| DateError::DoesNotExist)?;
        return Ok(PubDate::Month(year(y)?, month));
    }
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [y] => Ok(PubDate::Year(year(y)?)),
        [m, y] => {
            let month = month_from_name(m).ok_or(DateError::Unrecognised)?;
            Ok(PubDate::Month(year(y)?, month))
        }
        _ => Err(DateError::Unrecognised),
    }
}

/// Days since 1970-01-01 of an ISO date of any precision (its first day).
pub fn days_since_epoch(iso: &str) -> Option<i64> {
    let start = parse_pub_date(iso).ok()?.start();
    let epoch = Date::from_calendar_date(1970, Month::January, 1).ok()?;
    Some((start - epoch).whole_days())
}

/// The month a name or abbreviation names (`Sep`, `sept.`, `September`), for other readers.
pub fn month_named(name: &str) -> Option<Month> {
    month_from_name(name)
}

/// `YYYY-MM-DD`.
pub fn iso(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        iso(parse_date(s).unwrap())
    }

    #[test]
    fn accepts_the_documented_forms() {
        assert_eq!(ok("Sep 15, 2023"), "2023-09-15");
        assert_eq!(ok("September 15, 2023"), "2023-09-15");
        assert_eq!(ok("15 Sep 2023"), "2023-09-15");
        assert_eq!(ok("15 September 2023"), "2023-09-15");
        assert_eq!(ok("2023-09-15"), "2023-09-15");
        assert_eq!(ok("Sept. 5, 2023"), "2023-09-05");
        assert_eq!(ok("Dec 1, 2025"), "2025-12-01");
    }

    #[test]
    fn reduced_precision_is_kept_and_starts_its_span() {
        let p = |s: &str| parse_pub_date(s).map(PubDate::iso);
        assert_eq!(p("2023"), Ok("2023".to_owned()));
        assert_eq!(p("2023-09"), Ok("2023-09".to_owned()));
        assert_eq!(p("Sep 2023"), Ok("2023-09".to_owned()));
        assert_eq!(p("September, 2023"), Ok("2023-09".to_owned()));
        assert_eq!(p("2023-09-15"), Ok("2023-09-15".to_owned()));
        assert_eq!(p("2023-13"), Err(DateError::DoesNotExist));
        assert_eq!(p("Feb 30, 2025"), Err(DateError::DoesNotExist));
        for bad in ["23", "20233", "soon", "2023-9", "Foo 2023", ""] {
            assert_eq!(p(bad), Err(DateError::Unrecognised), "{bad}");
        }
        assert_eq!(days_since_epoch("1970"), Some(0));
        assert_eq!(days_since_epoch("1970-02"), Some(31));
        assert_eq!(days_since_epoch("1970-01-02"), Some(1));
    }

    #[test]
    fn refuses_impossible_and_garbage_dates() {
        assert_eq!(parse_date("Feb 30, 2025"), Err(DateError::DoesNotExist));
        assert_eq!(parse_date("2025-02-30"), Err(DateError::DoesNotExist));
        assert_eq!(parse_date("soon"), Err(DateError::Unrecognised));
        assert_eq!(parse_date("Foo 3, 2025"), Err(DateError::Unrecognised));
        assert_eq!(parse_date(""), Err(DateError::Unrecognised));
    }
}

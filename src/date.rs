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
    fn refuses_impossible_and_garbage_dates() {
        assert_eq!(parse_date("Feb 30, 2025"), Err(DateError::DoesNotExist));
        assert_eq!(parse_date("2025-02-30"), Err(DateError::DoesNotExist));
        assert_eq!(parse_date("soon"), Err(DateError::Unrecognised));
        assert_eq!(parse_date("Foo 3, 2025"), Err(DateError::Unrecognised));
        assert_eq!(parse_date(""), Err(DateError::Unrecognised));
    }
}

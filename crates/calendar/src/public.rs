//! Public holidays by country and subdivision, so a calendar can say
//! `holidays = { country = "US", subdivision = "NY", years = "2026-2030" }`
//! instead of listing every date by hand.
//!
//! The dates come from `data/holidays.txt`, generated from the Python
//! `holidays` package by `scripts/holidays/generate.py` (its version is in the
//! file's header) and compiled into the binary, so answering needs no network
//! and no file: the crate stays pure.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use jiff::civil::Date;

/// The generated data: a header, then one `= CC` section per country (its
/// holidays) followed by `= CC-SUB` sections (how each subdivision differs:
/// `+date name` added, `-date` removed).
const DATA: &str = include_str!("../data/holidays.txt");

/// The years the data covers, first and last included.
pub const PUBLIC_HOLIDAY_YEARS: RangeInclusive<i16> = 2024..=2035;

/// One public holiday: its date and its name as the source spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicHoliday {
    /// The day off.
    pub date: Date,
    /// Its English name, e.g. "Independence Day (observed)".
    pub name: &'static str,
}

/// Why public holidays could not be looked up; each says what would be right.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PublicHolidayError {
    /// The country code is not in the data.
    #[error(
        "no public holidays are known for country \"{0}\"; expected an ISO 3166-1 alpha-2 code such as \"US\", \"DE\" or \"IN\""
    )]
    UnknownCountry(String),
    /// The subdivision is not one of the country's.
    #[error("country {country} has no subdivision \"{subdivision}\"; expected one of: {known}")]
    UnknownSubdivision {
        /// The country asked for.
        country: String,
        /// The subdivision asked for.
        subdivision: String,
        /// The subdivisions the country has, comma-separated.
        known: String,
    },
    /// The years reach outside the data.
    #[error("public holidays are known for {first} to {last}; years {asked} reach outside them")]
    YearsOutOfRange {
        /// The span asked for, as written.
        asked: String,
        /// The first year known.
        first: i16,
        /// The last year known.
        last: i16,
    },
}

/// The public holidays of `country` (ISO 3166-1 alpha-2, any case), with a
/// subdivision's own days added and the national days it does not keep
/// removed, in the given years, sorted by date.
///
/// # Errors
/// [`PublicHolidayError`] for an unknown country or subdivision, or years
/// outside [`PUBLIC_HOLIDAY_YEARS`].
///
/// # Example
/// ```
/// use handshake_calendar::public_holidays;
/// let days = public_holidays("US", Some("NY"), 2027..=2027)?;
/// assert!(days.iter().any(|h| h.date.to_string() == "2027-07-05" && h.name == "Independence Day (observed)"));
/// assert!(days.iter().any(|h| h.name == "Lincoln's Birthday"));
/// # Ok::<(), handshake_calendar::PublicHolidayError>(())
/// ```
pub fn public_holidays(
    country: &str,
    subdivision: Option<&str>,
    years: RangeInclusive<i16>,
) -> Result<Vec<PublicHoliday>, PublicHolidayError> {
    if years.start() < PUBLIC_HOLIDAY_YEARS.start() || years.end() > PUBLIC_HOLIDAY_YEARS.end() {
        return Err(PublicHolidayError::YearsOutOfRange {
            asked: format!("{}-{}", years.start(), years.end()),
            first: *PUBLIC_HOLIDAY_YEARS.start(),
            last: *PUBLIC_HOLIDAY_YEARS.end(),
        });
    }
    let country = country.trim().to_ascii_uppercase();
    let national =
        section(&country).ok_or_else(|| PublicHolidayError::UnknownCountry(country.clone()))?;
    let mut days: BTreeMap<Date, &'static str> = entries(national).collect();
    if let Some(sub) = subdivision {
        let own = subdivisions(&country)
            .find(|(code, _)| code.eq_ignore_ascii_case(sub.trim()))
            .ok_or_else(|| PublicHolidayError::UnknownSubdivision {
                country: country.clone(),
                subdivision: sub.to_owned(),
                known: subdivisions(&country)
                    .map(|(code, _)| code)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?
            .1;
        for line in own.lines() {
            if let Some(rest) = line.strip_prefix('+')
                && let Some((date, name)) = entry(rest)
            {
                days.insert(date, name);
            } else if let Some(rest) = line.strip_prefix('-')
                && let Some((date, _)) = entry(rest)
            {
                days.remove(&date);
            }
        }
    }
    Ok(days
        .into_iter()
        .filter(|(d, _)| years.contains(&d.year()))
        .map(|(date, name)| PublicHoliday { date, name })
        .collect())
}

/// The body of the section headed exactly `= <head>`.
fn section(head: &str) -> Option<&'static str> {
    sections().find(|(h, _)| *h == head).map(|(_, body)| body)
}

/// The subdivisions of `country`: each code with its section body.
fn subdivisions(country: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    sections().filter_map(move |(head, body)| {
        let (c, sub) = head.split_once('-')?;
        (c == country).then_some((sub, body))
    })
}

/// Every section of the data: its head (after `= `) and its lines.
fn sections() -> impl Iterator<Item = (&'static str, &'static str)> {
    DATA.split("\n= ")
        .skip(1)
        .map(|part| match part.split_once('\n') {
            Some((head, body)) => (head, body),
            None => (part, ""),
        })
}

/// The holidays of one section (lines `YYYY-MM-DD name`).
fn entries(body: &'static str) -> impl Iterator<Item = (Date, &'static str)> {
    body.lines().filter_map(entry)
}

/// One `YYYY-MM-DD name` line; `None` for anything else (a `+`/`-` line).
fn entry(line: &'static str) -> Option<(Date, &'static str)> {
    let date = line.get(..10)?.parse().ok()?;
    Some((date, line.get(11..).unwrap_or("")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(country: &str, sub: Option<&str>, year: i16) -> Vec<String> {
        public_holidays(country, sub, year..=year)
            .unwrap()
            .iter()
            .map(|h| h.date.to_string())
            .collect()
    }

    #[test]
    fn germany_and_bavaria() {
        let de = dates("DE", None, 2027);
        assert_eq!(
            de,
            [
                "2027-01-01",
                "2027-03-26",
                "2027-03-29",
                "2027-05-01",
                "2027-05-06",
                "2027-05-17",
                "2027-10-03",
                "2027-12-25",
                "2027-12-26"
            ]
        );
        let by = dates("de", Some("by"), 2027);
        assert!(by.contains(&"2027-01-06".to_owned()), "Epiphany in Bavaria");
        assert!(
            by.contains(&"2027-05-27".to_owned()),
            "Corpus Christi in Bavaria"
        );
        assert!(
            by.contains(&"2027-10-03".to_owned()),
            "and the national days"
        );
    }

    #[test]
    fn india_and_a_us_state() {
        let india = dates("IN", None, 2027);
        assert!(india.contains(&"2027-01-26".to_owned()), "Republic Day");
        assert!(india.contains(&"2027-10-02".to_owned()), "Gandhi Jayanti");
        let ny = dates("US", Some("NY"), 2026);
        assert!(ny.contains(&"2026-11-26".to_owned()), "Thanksgiving 2026");
        assert!(
            ny.contains(&"2026-02-12".to_owned()),
            "Lincoln's Birthday in New York"
        );
        assert!(!dates("US", None, 2026).contains(&"2026-02-12".to_owned()));
    }

    #[test]
    fn errors_say_what_is_known() {
        assert_eq!(
            public_holidays("XX", None, 2027..=2027),
            Err(PublicHolidayError::UnknownCountry("XX".into()))
        );
        let e = public_holidays("DE", Some("ZZ"), 2027..=2027).unwrap_err();
        assert!(e.to_string().contains("BY"), "{e}");
        let e = public_holidays("DE", None, 2020..=2027).unwrap_err();
        assert!(e.to_string().contains("2024 to 2035"), "{e}");
    }

    #[test]
    fn every_section_parses() {
        assert!(
            DATA.starts_with("# Public holidays 2024-2035,"),
            "the data's years must be PUBLIC_HOLIDAY_YEARS"
        );
        for (head, body) in sections() {
            for line in body.lines() {
                let l = line.trim_start_matches(['+', '-']);
                assert!(entry(l).is_some(), "section {head}: bad line {line:?}");
            }
        }
    }
}

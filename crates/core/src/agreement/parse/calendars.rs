//! `[calendars]`: time zone, hours, holidays and day length, built into
//! indexed business calendars.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use handshake_calendar::{Calendar, CalendarDef, Holidays, PublicHolidayError, public_holidays};
use jiff::civil::Date;
use toml::de::DeValue;

use super::super::model::*;
use super::super::text;
use super::Parser;
use crate::toml_read::{Span, Value};

impl Parser<'_> {
    pub(super) fn calendar(
        &mut self,
        id: String,
        _span: Span,
        v: &Value<'_>,
    ) -> Option<NamedCalendar> {
        let what = format!("calendar \"{id}\"");
        let t = self
            .r
            .table(v, &what, "a table with time_zone, hours and holidays")?;
        self.r
            .keys(t, &["time_zone", "hours", "holidays", "day_length"], &what);
        let zone = self
            .r
            .req(t, "time_zone", &what, "\"America/New_York\"")
            .and_then(|v| self.zone(v));
        let hours = self
            .r
            .req(t, "hours", &what, "\"mon-fri 09:00-17:00\"")
            .and_then(|v| {
                let s = self
                    .r
                    .string(v, "hours", "a string such as \"mon-fri 09:00-17:00\"")?;
                match s.text.parse::<handshake_calendar::WeeklyHours>() {
                    Ok(h) => Some(h),
                    Err(e) => {
                        self.r.error(
                            s.span.sub(e.at, 1),
                            format!("hours: {}", e.message),
                            e.expected,
                        );
                        None
                    }
                }
            });
        let mut holidays = Holidays::default();
        let mut holiday_names = BTreeMap::new();
        let mut public = None;
        if let Some(v) = self.r.get(t, "holidays") {
            if matches!(v.get_ref(), DeValue::Table(_)) {
                public = self.public_holidays(v, &what, &mut holidays, &mut holiday_names);
            } else {
                self.holiday_list(v, "holidays", &mut holidays);
            }
        }
        let day_length = self.r.get(t, "day_length").and_then(|v| {
            let s = self
                .r
                .string(v, "day_length", "a duration such as \"8 hours\"")?;
            match text::duration(s.text) {
                Ok(DurationSpec::Business(d)) if d.as_seconds() > 0 => Some(d),
                Ok(_) => {
                    self.r.error(
                        s.span,
                        "day_length must be hours or minutes, more than zero",
                        "a duration such as \"8 hours\"",
                    );
                    None
                }
                Err(e) => {
                    self.text_error(s, e);
                    None
                }
            }
        });
        let (zone, hours) = (zone?, hours?);
        if hours.is_never_open() {
            self.r.error(
                t.span,
                format!("{what} is never open"),
                "hours with at least one interval",
            );
        }
        let def = CalendarDef {
            time_zone: zone.tz,
            hours,
            holidays,
            day_length,
        };
        Some(NamedCalendar {
            id: CalendarId(id),
            time_zone: zone.name,
            calendar: Calendar::new(def),
            holiday_names,
            public_holidays: public,
        })
    }

    /// Adds each date or partial day of a `holidays` list.
    fn holiday_list(&mut self, v: &Value<'_>, what: &str, holidays: &mut Holidays) {
        for s in self.r.strings(
            v,
            what,
            "a list of dates, e.g. [\"2027-01-01\", \"2027-12-24@09:00-12:00\"]",
        ) {
            if let Err(e) = holidays.add(s.text) {
                self.r.error(
                    s.span.sub(e.at, s.text.len().saturating_sub(e.at)),
                    format!("holiday: {}", e.message),
                    e.expected,
                );
            }
        }
    }

    /// `holidays = { country = "US", subdivision = "NY", years = "2026-2030",
    /// add = [...], remove = [...] }`: the public holidays of a country (and
    /// region) from the data compiled in, less `remove`, plus `add`.
    fn public_holidays(
        &mut self,
        v: &Value<'_>,
        what: &str,
        holidays: &mut Holidays,
        names: &mut BTreeMap<Date, String>,
    ) -> Option<PublicHolidaySource> {
        const EXPECTED: &str = "{ country = \"US\", subdivision = \"NY\", years = \"2026-2030\" }";
        let what = format!("{what} holidays");
        let t = self.r.table(v, &what, EXPECTED)?;
        self.r.keys(
            t,
            &["country", "subdivision", "years", "add", "remove"],
            &what,
        );
        let country = self
            .r
            .req(t, "country", &what, "\"US\" (ISO 3166-1 alpha-2)")
            .and_then(|v| self.r.string(v, "country", "a country code such as \"US\""))?;
        let subdivision = match self.r.get(t, "subdivision") {
            Some(v) => Some(self.r.string(
                v,
                "subdivision",
                "a region code such as \"NY\" or \"BY\"",
            )?),
            None => None,
        };
        let years = self
            .r
            .req(t, "years", &what, "\"2026-2030\"")
            .and_then(|v| {
                self.r
                    .string(v, "years", "a span of years such as \"2026-2030\"")
            })?;
        let Some(span) = year_span(years.text) else {
            self.r.error(
                years.span,
                format!("years \"{}\" is not a span of years", years.text),
                "\"2026-2030\" or \"2027\"",
            );
            return None;
        };
        let found = match public_holidays(country.text, subdivision.map(|s| s.text), span.clone()) {
            Ok(found) => found,
            Err(e) => {
                let at = match &e {
                    PublicHolidayError::UnknownCountry(_) => country.span,
                    PublicHolidayError::UnknownSubdivision { .. } => {
                        subdivision.map_or(country.span, |s| s.span)
                    }
                    PublicHolidayError::YearsOutOfRange { .. } => years.span,
                };
                self.r.error(at, e.to_string(), EXPECTED);
                return None;
            }
        };
        let mut removed = BTreeSet::new();
        if let Some(v) = self.r.get(t, "remove") {
            for s in self
                .r
                .strings(v, "remove", "a list of dates, e.g. [\"2027-10-11\"]")
            {
                match s.text.parse::<Date>() {
                    Ok(d) if found.iter().any(|h| h.date == d) => {
                        removed.insert(d);
                    }
                    Ok(d) => self.r.error(
                        s.span,
                        format!("{d} is not one of the public holidays, so it cannot be removed"),
                        "a date the country keeps (check --explain lists them)",
                    ),
                    Err(_) => self.r.error(
                        s.span,
                        format!("\"{}\" is not a date", s.text),
                        "a date YYYY-MM-DD",
                    ),
                }
            }
        }
        for h in found.iter().filter(|h| !removed.contains(&h.date)) {
            // A generated date is always a plain YYYY-MM-DD, so adding it cannot fail.
            let _ = holidays.add(&h.date.to_string());
            names.insert(h.date, h.name.to_owned());
        }
        if let Some(v) = self.r.get(t, "add") {
            let mut added = Holidays::default();
            self.holiday_list(v, "add", &mut added);
            for d in added.closed() {
                let _ = holidays.add(&d.to_string());
            }
            for (d, ivs) in added.partial() {
                if holidays.closed().any(|c| c == d) {
                    self.r.error(
                        Span::of(v),
                        format!("{d} is a public holiday and cannot also be a short day"),
                        format!("add {d} to remove as well, then the short day applies"),
                    );
                    continue;
                }
                let list: Vec<String> = ivs.iter().map(ToString::to_string).collect();
                let _ = holidays.add(&format!("{d}@{}", list.join(",")));
            }
        }
        Some(PublicHolidaySource {
            country: country.text.to_ascii_uppercase(),
            subdivision: subdivision.map(|s| s.text.to_ascii_uppercase()),
            years: span,
        })
    }
}

/// `"2026-2030"` or `"2027"` as an inclusive span of years.
fn year_span(text: &str) -> Option<RangeInclusive<i16>> {
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    let (a, b): (i16, i16) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b).then_some(a..=b)
}

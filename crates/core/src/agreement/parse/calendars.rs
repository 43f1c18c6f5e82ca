//! `[calendars]`: time zone, hours, holidays and day length, built into
//! indexed business calendars.

use handshake_calendar::{Calendar, CalendarDef, Holidays};

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
        if let Some(v) = self.r.get(t, "holidays") {
            for s in self.r.strings(
                v,
                "holidays",
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
        })
    }
}

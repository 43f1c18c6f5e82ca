//! The people directory: who is who, so an alert reaches a person. Each
//! person is keyed by the owner id the CRM puts on leads (`lead.assigned`,
//! the `owner` attribute), with a name, where to reach them, their party,
//! their manager (another owner id), their own calendar and time zone, their
//! quiet hours, and whether they are active or away. Parsed here from a CSV row or from
//! flags; stored and read by the shell.

use std::fmt;

use super::quiet::QuietHours;

/// Whether alerts go to a person now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Alerted.
    Active,
    /// Away: their alerts go to their manager.
    Away,
}

impl Presence {
    /// `active` or `away`.
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Active => "active",
            Presence::Away => "away",
        }
    }

    /// Parses `active` or `away` (any case; empty is active).
    ///
    /// # Errors
    /// A message saying what is expected.
    pub fn parse(text: &str) -> Result<Presence, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "active" => Ok(Presence::Active),
            "away" => Ok(Presence::Away),
            other => Err(format!("status {other:?}: expected active or away")),
        }
    }
}

/// One person of the directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// The owner id as the CRM writes it on leads, e.g. `rep-ava` or `0051x000003AbCd`.
    pub owner_id: String,
    /// Their name.
    pub name: String,
    /// Their e-mail address.
    pub email: Option<String>,
    /// Their Slack member id, e.g. `U024BE7LH`.
    pub slack: Option<String>,
    /// The party of the agreement they belong to, e.g. `sales`.
    pub party: String,
    /// Their manager's owner id.
    pub manager: Option<String>,
    /// Their own calendar (one of the agreement's), when not their guarantee's.
    pub calendar: Option<String>,
    /// Their time zone (IANA), for due times shown to them.
    pub time_zone: Option<String>,
    /// When messages are held for them (in their zone), if ever.
    pub quiet_hours: Option<QuietHours>,
    /// Active or away.
    pub presence: Presence,
}

/// The CSV columns of a directory import, in this order in the template.
pub const COLUMNS: [&str; 10] = [
    "owner_id",
    "name",
    "email",
    "slack",
    "party",
    "manager",
    "calendar",
    "time_zone",
    "quiet_hours",
    "status",
];

impl fmt::Display for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}, {})", self.name, self.owner_id, self.party)
    }
}

fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl Person {
    /// Someone of `party` known by their owner id and name only: no
    /// address, manager, calendar or zone of their own, active.
    ///
    /// # Example
    ///
    /// ```
    /// use handshake_core::alerts::people::Person;
    /// let mut ava = Person::new("rep-ava", "Ava Chen", "sales");
    /// ava.manager = Some("mgr-sam".into());
    /// assert_eq!(ava.email, None);
    /// ```
    pub fn new(owner_id: &str, name: &str, party: &str) -> Person {
        Person {
            owner_id: owner_id.to_string(),
            name: name.to_string(),
            email: None,
            slack: None,
            party: party.to_string(),
            manager: None,
            calendar: None,
            time_zone: None,
            quiet_hours: None,
            presence: Presence::Active,
        }
    }

    /// A person from named fields (a CSV row's cells by column, or flags);
    /// every problem at once, each naming its field.
    ///
    /// # Errors
    /// The problems, e.g. `email "ava": expected an address such as ava@example.com`.
    ///
    /// # Example
    /// ```
    /// use handshake_core::alerts::people::Person;
    /// let p = Person::from_fields(|f| match f {
    ///     "owner_id" => "rep-ava", "name" => "Ava Chen", "party" => "sales",
    ///     "email" => "ava@northwind.example", "time_zone" => "America/New_York", _ => "",
    /// }).unwrap();
    /// assert_eq!(p.time_zone.as_deref(), Some("America/New_York"));
    /// assert!(Person::from_fields(|f| if f == "owner_id" { "x" } else { "" }).is_err());
    /// ```
    pub fn from_fields<'a>(field: impl Fn(&str) -> &'a str) -> Result<Person, Vec<String>> {
        let mut problems = Vec::new();
        let owner_id = field("owner_id").trim().to_string();
        if owner_id.is_empty() || owner_id.chars().any(char::is_whitespace) {
            problems.push(format!(
                "owner_id {owner_id:?}: expected the CRM's owner id, without spaces, e.g. rep-ava"
            ));
        }
        let name = field("name").trim().to_string();
        if name.is_empty() {
            problems.push("name is empty: expected the person's name, e.g. Ava Chen".to_string());
        }
        let party = field("party").trim().to_string();
        if party.is_empty() {
            problems.push("party is empty: expected a party of the agreement, e.g. sales".into());
        }
        let email = optional(field("email"));
        if let Some(e) = &email
            && !(e.contains('@') && !e.starts_with('@') && !e.ends_with('@'))
        {
            problems.push(format!(
                "email {e:?}: expected an address such as ava@example.com"
            ));
        }
        let slack = optional(field("slack"));
        if let Some(s) = &slack
            && !(s.len() >= 3 && s.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            problems.push(format!(
                "slack {s:?}: expected a Slack member id such as U024BE7LH"
            ));
        }
        let time_zone = optional(field("time_zone"));
        if let Some(tz) = &time_zone
            && jiff::tz::TimeZone::get(tz).is_err()
        {
            problems.push(format!(
                "time_zone {tz:?}: expected an IANA zone such as America/New_York"
            ));
        }
        let quiet_hours = optional(field("quiet_hours"))
            .and_then(|q| QuietHours::parse(&q).map_err(|e| problems.push(e)).ok());
        let presence = Presence::parse(field("status")).unwrap_or_else(|e| {
            problems.push(e);
            Presence::Active
        });
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Person {
            owner_id,
            name,
            email,
            slack,
            party,
            manager: optional(field("manager")),
            calendar: optional(field("calendar")),
            time_zone,
            quiet_hours,
            presence,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_of_a_row_is_named_at_once() {
        let bad = Person::from_fields(|f| match f {
            "owner_id" => "rep ava",
            "email" => "ava",
            "slack" => "@ava",
            "time_zone" => "Mars/Base",
            "status" => "holiday",
            _ => "",
        })
        .unwrap_err();
        assert_eq!(bad.len(), 7, "{bad:#?}");
        assert!(bad[0].starts_with("owner_id \"rep ava\""));
        assert!(bad.iter().any(|p| p.starts_with("time_zone \"Mars/Base\"")));
        assert!(
            bad.iter()
                .any(|p| p == "status \"holiday\": expected active or away")
        );
    }

    #[test]
    fn away_and_optional_fields() {
        let p = Person::from_fields(|f| match f {
            "owner_id" => "0051x000003AbCd",
            "name" => "Sam Lee",
            "party" => "sales",
            "manager" => " rep-lead ",
            "status" => "Away",
            _ => "",
        })
        .unwrap();
        assert_eq!(
            (p.presence, p.manager.as_deref(), p.email),
            (Presence::Away, Some("rep-lead"), None)
        );
    }
}

//! Digests: a message at a set hour that gathers what a person should
//! know rather than one message per clock. For each lead owner: the leads
//! of theirs due before the next digest and their breaches since the last
//! one ("my leads due today, my breaches"); for a party's main contact: the
//! scorecard in brief (each goal of the party in its current period, and
//! each guarantee it owes with its compliance so far). The hour is in the
//! recipient's own zone. Pure: what is due is computed from an evaluation,
//! and the shell puts one notification per recipient, day and channel in
//! the outbox.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use serde_json::{Value, json};

use super::channel::{Channel, ChannelTarget};
use super::message::{Addressee, Links, Notice, local, party_addressee};
use super::people::{Person, Presence};
use crate::agreement::{Agreement, Digest, DigestFor};
use crate::engine::{ClockState, Evaluation, PeriodKey};

/// `Handshake-Event` kind of a digest.
pub const DIGEST: &str = "digest";

/// When a digest is made: every day, every weekday (Monday to Friday), or
/// one day a week, at a local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    /// Each day at this time.
    Day(Time),
    /// Monday to Friday at this time.
    Weekday(Time),
    /// One day a week at this time.
    Week(Weekday, Time),
}

const DAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Monday),
    ("tuesday", Weekday::Tuesday),
    ("wednesday", Weekday::Wednesday),
    ("thursday", Weekday::Thursday),
    ("friday", Weekday::Friday),
    ("saturday", Weekday::Saturday),
    ("sunday", Weekday::Sunday),
];

impl Every {
    /// Parses `daily 08:00`, `weekdays 08:00` or a day's name and a time,
    /// `monday 08:00` (weekly).
    ///
    /// # Errors
    /// A message saying what is expected.
    ///
    /// # Example
    /// ```
    /// use handshake_core::alerts::digest::Every;
    /// assert_eq!(Every::parse("weekdays 08:30")?.to_string(), "weekdays 08:30");
    /// assert_eq!(Every::parse("Monday 9:00")?.to_string(), "monday 09:00");
    /// assert!(Every::parse("hourly").is_err());
    /// # Ok::<(), String>(())
    /// ```
    pub fn parse(text: &str) -> Result<Every, String> {
        let expected = || {
            format!(
                "every {text:?}: expected \"daily 08:00\", \"weekdays 08:00\" or a day and a time such as \"monday 08:00\""
            )
        };
        let (when, at) = text.trim().split_once(' ').ok_or_else(expected)?;
        let (h, m) = at.trim().split_once(':').ok_or_else(expected)?;
        let time = match (h.parse::<i8>(), m.parse::<i8>()) {
            (Ok(h), Ok(m)) if m.to_string().len() <= 2 && m >= 0 => {
                Time::new(h, m, 0, 0).map_err(|_| expected())?
            }
            _ => return Err(expected()),
        };
        let when = when.to_ascii_lowercase();
        match when.as_str() {
            "daily" => Ok(Every::Day(time)),
            "weekdays" => Ok(Every::Weekday(time)),
            day => DAYS
                .iter()
                .find(|(name, _)| *name == day)
                .map(|(_, d)| Every::Week(*d, time))
                .ok_or_else(expected),
        }
    }

    fn time(self) -> Time {
        match self {
            Every::Day(t) | Every::Weekday(t) | Every::Week(_, t) => t,
        }
    }

    fn on(self, day: Weekday) -> bool {
        match self {
            Every::Day(_) => true,
            Every::Weekday(_) => !matches!(day, Weekday::Saturday | Weekday::Sunday),
            Every::Week(d, _) => d == day,
        }
    }

    /// How far a digest looks: a day, or a week for a weekly one (seconds).
    pub fn span(self) -> i64 {
        match self {
            Every::Week(..) => 7 * 86_400,
            Every::Day(_) | Every::Weekday(_) => 86_400,
        }
    }

    /// The latest instant of this cadence at or before `t` in `tz`, within
    /// the eight days before it.
    ///
    /// # Example
    /// ```
    /// use handshake_core::alerts::digest::Every;
    /// let tz = jiff::tz::TimeZone::get("America/New_York").unwrap();
    /// let every = Every::parse("weekdays 08:00")?;
    /// // Sunday 2027-01-10: the latest was Friday the 8th, 08:00 EST.
    /// let sunday: jiff::Timestamp = "2027-01-10T18:00:00Z".parse().unwrap();
    /// assert_eq!(every.latest(sunday, &tz).unwrap().to_string(), "2027-01-08T13:00:00Z");
    /// # Ok::<(), String>(())
    /// ```
    pub fn latest(self, t: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let today = t.to_zoned(tz.clone()).date();
        (0..8)
            .filter_map(|back| today.checked_sub(jiff::Span::new().days(back)).ok())
            .filter(|d| self.on(d.weekday()))
            .filter_map(|d| d.to_datetime(self.time()).to_zoned(tz.clone()).ok())
            .map(|z| z.timestamp())
            .find(|at| *at <= t)
    }
}

impl fmt::Display for Every {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.time();
        let when = match self {
            Every::Day(_) => "daily",
            Every::Weekday(_) => "weekdays",
            Every::Week(d, _) => DAYS
                .iter()
                .find(|(_, x)| x == d)
                .map_or("monday", |(name, _)| name),
        };
        write!(f, "{when} {:02}:{:02}", t.hour(), t.minute())
    }
}

/// One digest to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestDue {
    /// `digest/{n}/{recipient}/{date}`: n counts the agreement's digests from 1.
    pub key: String,
    /// Who receives it.
    pub to: Addressee,
    /// Its instant (unix seconds).
    pub instant: i64,
    /// Its headline, e.g. `Your leads: 3 due today, 1 breach`.
    pub title: String,
    /// One line per item.
    pub lines: Vec<String>,
    /// The digest's entry in the agreement.
    pub digest: usize,
}

fn zone_of(to: &Addressee) -> TimeZone {
    handshake_calendar::time_zone(&to.time_zone).unwrap_or(TimeZone::UTC)
}

/// The instant of digest `d` for `to` in `(from, to_s]`, if one falls there.
fn instant_for(d: &Digest, to: &Addressee, from: i64, to_s: i64) -> Option<i64> {
    let now = Timestamp::from_second(to_s).ok()?;
    let at = d.every.latest(now, &zone_of(to))?.as_second();
    (at > from).then_some(at)
}

fn person_addressee(a: &Agreement, p: &Person) -> Addressee {
    Addressee {
        role: "owner",
        id: Some(p.owner_id.clone()),
        name: p.name.clone(),
        email: p.email.clone(),
        slack: p.slack.clone(),
        time_zone: p
            .time_zone
            .clone()
            .unwrap_or_else(|| a.time_zone.name.clone()),
        note: None,
        quiet: p.quiet_hours,
    }
}

/// Whose digests `d` makes: the active people of the directory, or the party's main contact.
fn recipients(a: &Agreement, people: &[Person], d: &Digest) -> Vec<Addressee> {
    match &d.to {
        DigestFor::Owners => people
            .iter()
            .filter(|p| p.presence == Presence::Active)
            .map(|p| person_addressee(a, p))
            .collect(),
        DigestFor::Party(party) => vec![party_addressee(a, people, party)],
    }
}

/// Whether any digest of `a` falls due for anyone in `(from, to]`: only
/// then is an evaluation worth making.
pub fn due_between(a: &Agreement, people: &[Person], from: i64, to: i64) -> bool {
    a.digests.iter().any(|d| {
        // Once per zone, not once per person: a directory of thousands
        // shares a handful of zones.
        let mut zones: Vec<Addressee> = recipients(a, people, d);
        zones.sort_by(|x, y| x.time_zone.cmp(&y.time_zone));
        zones.dedup_by(|x, y| x.time_zone == y.time_zone);
        zones.iter().any(|r| instant_for(d, r, from, to).is_some())
    })
}

/// The digests of `a` that fall due in `(from, to]`, filled from `e` (an
/// evaluation at `to`). An owner with nothing due and no breach gets none.
pub fn digests_due(
    a: &Agreement,
    people: &[Person],
    e: &Evaluation,
    from: i64,
    to: i64,
) -> Vec<DigestDue> {
    let mut out = Vec::new();
    for (n, d) in a.digests.iter().enumerate() {
        for r in recipients(a, people, d) {
            let Some(at) = instant_for(d, &r, from, to) else {
                continue;
            };
            let date = Timestamp::from_second(at)
                .map(|t| t.to_zoned(zone_of(&r)).date().to_string())
                .unwrap_or_default();
            let (title, lines) = match &d.to {
                DigestFor::Owners => match owner_lines(e, &r, at, d.every) {
                    Some(x) => x,
                    None => continue,
                },
                DigestFor::Party(party) => scorecard_lines(a, e, party.as_str(), at),
            };
            out.push(DigestDue {
                key: format!(
                    "digest/{}/{}/{date}",
                    n + 1,
                    r.id.clone().unwrap_or_default()
                ),
                to: r,
                instant: at,
                title,
                lines,
                digest: n,
            });
        }
    }
    out
}

/// An owner's leads due before the next digest, and their breaches since
/// the last (Friday's, for Monday's of a weekday digest).
fn owner_lines(
    e: &Evaluation,
    to: &Addressee,
    at: i64,
    every: Every,
) -> Option<(String, Vec<String>)> {
    let id = to.id.as_deref()?;
    let span = every.span();
    let last = Timestamp::from_second(at - 1)
        .ok()
        .and_then(|t| every.latest(t, &zone_of(to)))
        .map_or(at - span, |t| t.as_second());
    let mine = e.clocks.iter().filter(|c| c.owner.as_deref() == Some(id));
    let mut due: Vec<(i64, String)> = Vec::new();
    let mut breached: Vec<(i64, String)> = Vec::new();
    for c in mine {
        let Some(when) = c.view.due else { continue };
        match c.view.state {
            ClockState::Running if when < at + span => due.push((
                when,
                format!(
                    "{} ({}) due {}",
                    c.subject,
                    c.guarantee,
                    local(when, &to.time_zone)
                ),
            )),
            ClockState::Breached | ClockState::MetLate if when >= last && when < at => {
                breached.push((
                    when,
                    format!(
                        "{} ({}) breached, due {}{}",
                        c.subject,
                        c.guarantee,
                        local(when, &to.time_zone),
                        if c.view.state == ClockState::Breached {
                            ", still open"
                        } else {
                            ""
                        }
                    ),
                ));
            }
            _ => {}
        }
    }
    if due.is_empty() && breached.is_empty() {
        return None;
    }
    due.sort();
    breached.sort();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let title = format!(
        "{}: {} due {}, {}",
        to.name,
        plural(due.len(), "lead", "leads"),
        if span > 86_400 { "this week" } else { "today" },
        plural(breached.len(), "breach", "breaches")
    );
    let lines = due.into_iter().chain(breached).map(|(_, l)| l).collect();
    Some((title, lines))
}

/// A party's scorecard in brief at `at`: each goal it owes in its current
/// period, each guarantee it owes with its compliance this month so far.
fn scorecard_lines(a: &Agreement, e: &Evaluation, party: &str, at: i64) -> (String, Vec<String>) {
    let tz = &a.time_zone.tz;
    let Ok(now) = Timestamp::from_second(at) else {
        return (String::new(), Vec::new());
    };
    let mut lines = Vec::new();
    for g in a.goals.iter().filter(|g| g.owner.as_str() == party) {
        let current = PeriodKey::containing(g.per, now, tz);
        if let Some(r) = e
            .goals
            .iter()
            .find(|r| r.id == g.id.as_str() && r.period == current)
        {
            let standing = match r.attained {
                Some(true) => "on target",
                Some(false) => "below target",
                None => "nothing to measure yet",
            };
            lines.push(format!(
                "{} in {}: {} against a target of {} ({standing})",
                g.id, r.period, r.actual, r.target
            ));
        }
    }
    let month = PeriodKey::containing(crate::agreement::Period::Month, now, tz);
    let start = month.start(tz).as_second();
    for s in e.guarantee_summaries(a, start, at).into_iter().filter(|s| {
        a.guarantees
            .iter()
            .any(|g| g.id.as_str() == s.id && g.owner.as_str() == party)
    }) {
        lines.push(format!(
            "{} in {month}: {} met, {} met late, {} breached, {} running ({} at risk){}",
            s.id,
            s.met,
            s.met_late,
            s.breached,
            s.running,
            s.at_risk,
            s.compliance.map_or(String::new(), |c| format!(
                ", compliance {}",
                crate::engine::percent(Some(c))
            ))
        ));
    }
    let name = a
        .parties
        .iter()
        .find(|p| p.id.as_str() == party)
        .map_or(party, |p| p.name.as_str());
    (format!("{name}: the scorecard in brief"), lines)
}

fn body(
    d: &DigestDue,
    target: Option<&ChannelTarget>,
    workspace: &str,
    channel: &str,
    links: Links<'_>,
) -> Value {
    let text = std::iter::once(d.title.clone())
        .chain(d.lines.iter().map(|l| format!("- {l}")))
        .collect::<Vec<_>>()
        .join("\n");
    let link = links.base.map(|b| format!("{b}/"));
    match target {
        Some(ChannelTarget::Slack { .. }) => {
            let who =
                d.to.slack
                    .as_ref()
                    .map_or_else(|| d.to.name.clone(), |id| format!("<@{id}>"));
            let mut blocks = vec![
                json!({ "type": "section", "text": { "type": "mrkdwn", "text": format!(":clipboard: {who}: *{}*", d.title) } }),
            ];
            if !d.lines.is_empty() {
                let list: Vec<String> = d.lines.iter().map(|l| format!("• {l}")).collect();
                blocks.push(json!({ "type": "section", "text": { "type": "mrkdwn", "text": list.join("\n") } }));
            }
            if let Some(url) = &link {
                blocks.push(json!({ "type": "actions", "elements": [ {
                    "type": "button", "text": { "type": "plain_text", "text": "Open Handshake" }, "url": url
                } ] }));
            }
            json!({ "text": text, "blocks": blocks })
        }
        Some(ChannelTarget::Email { .. }) => json!({
            "kind": DIGEST,
            "to": d.to.email,
            "to_name": d.to.name,
            "subject": d.title,
            "text": text,
            "facts": [],
            "link": link,
        }),
        _ => json!({
            "kind": DIGEST,
            "workspace": workspace,
            "channel": channel,
            "at": Timestamp::from_second(d.instant).map(|t| t.to_string()).unwrap_or_default(),
            "to": { "role": d.to.role, "id": d.to.id, "name": d.to.name, "email": d.to.email },
            "title": d.title,
            "lines": d.lines,
            "text": text,
        }),
    }
}

/// The notifications of `dues`: one per digest and channel of its entry in
/// `a`, keyed `{digest key}/{channel}`, held past the recipient's quiet
/// hours on Slack and e-mail.
pub fn notices(
    a: &Agreement,
    channels: &[Channel],
    workspace: &str,
    links: Links<'_>,
    dues: &[DigestDue],
) -> Vec<Notice> {
    let mut out = Vec::new();
    for d in dues {
        let Some(entry) = a.digests.get(d.digest) else {
            continue;
        };
        for via in &entry.via {
            let target = channels.iter().find(|c| c.name == *via).map(|c| &c.target);
            let due_at = d.to.send_at(target, d.instant);
            out.push(Notice {
                key: format!("{}/{via}", d.key),
                channel: via.to_string(),
                kind: DIGEST.to_string(),
                body: body(d, target, workspace, via.as_str(), links).to_string(),
                due_at,
                subject: format!("digest {}", d.to.id.clone().unwrap_or_default()),
                summary: format!("{} ({} items)", d.title, d.lines.len()),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(digests: &str) -> Agreement {
        // The example without its own digests, then these.
        let example = include_str!("../../../../examples/agreement.toml");
        let before = example.split("# Digests:").next().unwrap_or(example);
        let text = format!("{before}\n{digests}\n");
        let checked = crate::check("a", &text);
        checked
            .agreement
            .unwrap_or_else(|| panic!("{:#?}", checked.diagnostics))
    }

    fn person(id: &str, tz: &str) -> Person {
        Person {
            owner_id: id.into(),
            name: id.into(),
            email: Some(format!("{id}@northwind.example")),
            slack: None,
            party: "sales".into(),
            manager: None,
            calendar: None,
            time_zone: Some(tz.into()),
            quiet_hours: None,
            presence: Presence::Active,
        }
    }

    fn at(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_second()
    }

    #[test]
    fn each_owner_hears_of_their_own_leads_at_their_own_hour() {
        let a = example(
            "[[digests]]\nfor = \"owners\"\nevery = \"weekdays 08:00\"\nvia = \"sales-room\"",
        );
        let lead = |id: &str, owner: &str, at: &str| {
            format!(
                "{{\"id\":\"{id}-c\",\"type\":\"lead.created\",\"lead_id\":\"{id}\",\"occurred_at\":\"{at}\",\"attributes\":{{\"segment\":\"enterprise\",\"owner\":\"{owner}\"}}}}\n\
                 {{\"id\":\"{id}-m\",\"type\":\"lead.stage_changed\",\"lead_id\":\"{id}\",\"occurred_at\":\"{at}\",\"stage\":\"mql\"}}"
            )
        };
        // rep-ava (New York): L-1 became an MQL Monday 2027-01-11 17:30 EST,
        // due within a business hour of the next morning; L-2 was due the
        // previous week and never touched. rep-bo (Berlin) owns nothing.
        let text = [
            lead("L-1", "rep-ava", "2027-01-11T22:30:00Z"),
            lead("L-2", "rep-ava", "2027-01-04T15:00:00Z"),
            lead("L-3", "rep-ava", "2027-01-08T15:00:00Z"),
        ]
        .join("\n");
        let events: Vec<crate::event::Event> = text
            .lines()
            .map(|l| crate::event::parse_event(l).unwrap())
            .collect();
        let people = [
            person("rep-ava", "America/New_York"),
            person("rep-bo", "Europe/Berlin"),
        ];
        // Tuesday 08:00 in New York is 13:00Z.
        let eight = at("2027-01-12T13:00:00Z");
        let e = crate::engine::evaluate(&a, &events, Timestamp::from_second(eight).unwrap());
        assert!(due_between(&a, &people, eight - 60, eight));
        let dues = digests_due(&a, &people, &e, eight - 60, eight);
        assert_eq!(dues.len(), 1, "rep-bo has nothing to hear: {dues:#?}");
        let d = &dues[0];
        assert_eq!(d.key, "digest/1/rep-ava/2027-01-12");
        assert_eq!(d.title, "rep-ava: 1 lead due today, 0 breaches");
        assert!(
            d.lines[0].starts_with("L-1 (enterprise-first-touch) due Tue 2027-01-12 10:00 EST"),
            "{d:#?}"
        );
        // Berlin's 08:00 (07:00Z) is not in this window; New York's is not in Berlin's.
        assert!(digests_due(&a, &people, &e, eight, eight + 3_600).is_empty());
        // The week before: L-2's breach on Monday the 4th is Tuesday's news.
        let tuesday = at("2027-01-05T13:00:00Z");
        let e = crate::engine::evaluate(&a, &events, Timestamp::from_second(tuesday).unwrap());
        let dues = digests_due(&a, &people, &e, tuesday - 60, tuesday);
        assert_eq!(dues[0].title, "rep-ava: 0 leads due today, 1 breach");
        assert!(dues[0].lines[0].contains("breached"), "{dues:#?}");
        // Monday's weekday digest tells Friday's breach (L-3), not the week before's.
        let monday = at("2027-01-11T13:00:00Z");
        let e = crate::engine::evaluate(&a, &events, Timestamp::from_second(monday).unwrap());
        let dues = digests_due(&a, &people, &e, monday - 60, monday);
        assert_eq!(dues[0].title, "rep-ava: 0 leads due today, 1 breach");
        assert!(dues[0].lines[0].starts_with("L-3 "), "{dues:#?}");
    }

    #[test]
    fn a_party_contact_gets_the_scorecard_in_brief() {
        let a =
            example("[[digests]]\nfor = \"marketing\"\nevery = \"monday 09:00\"\nvia = \"ops\"");
        let monday = at("2027-02-08T14:00:00Z");
        let e = crate::engine::evaluate(&a, &[], Timestamp::from_second(monday).unwrap());
        let dues = digests_due(&a, &[], &e, monday - 1, monday);
        assert_eq!(dues.len(), 1);
        assert_eq!(dues[0].key, "digest/1/marketing/2027-02-08");
        assert_eq!(dues[0].title, "Marketing: the scorecard in brief");
        assert!(
            dues[0]
                .lines
                .iter()
                .any(|l| l.starts_with("mql-volume in 2027-02: 0 against a target of 400")),
            "{dues:#?}"
        );
        let ops = Channel {
            name: crate::alerts::ChannelName::parse("ops").unwrap(),
            target: ChannelTarget::Log,
        };
        let notices = notices(&a, &[ops], "w", Links::default(), &dues);
        assert_eq!(notices[0].key, "digest/1/marketing/2027-02-08/ops");
        assert_eq!(notices[0].kind, "digest");
    }

    #[test]
    fn cadences_read_and_fall_where_they_say() {
        assert!(Every::parse("daily 8").is_err());
        assert!(Every::parse("fortnightly 08:00").is_err());
        assert!(Every::parse("daily 25:00").is_err());
        let tz = TimeZone::UTC;
        let wed: Timestamp = "2027-01-13T07:59:00Z".parse().unwrap();
        let monday = Every::parse("monday 08:00").unwrap();
        assert_eq!(
            monday.latest(wed, &tz).unwrap().to_string(),
            "2027-01-11T08:00:00Z"
        );
        let daily = Every::parse("daily 08:00").unwrap();
        assert_eq!(
            daily.latest(wed, &tz).unwrap().to_string(),
            "2027-01-12T08:00:00Z"
        );
    }
}

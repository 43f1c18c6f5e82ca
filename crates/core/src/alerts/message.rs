//! What an alert says and to whom: an escalation step that fell for a
//! clock ([`AlertDue`]) becomes one notification per channel of its step,
//! addressed through the people directory (the owner, their manager, or a
//! party's contact) and shaped for the channel: a JSON body for a webhook,
//! Block Kit for Slack. Pure: the server puts what this builds in the
//! outbox, and its worker sends it as it is.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::channel::{Channel, ChannelTarget};
use super::people::{Person, Presence};
use super::quiet::QuietHours;
use crate::agreement::{Agreement, PartyId, Recipient};
use crate::engine::AlertDue;

/// The `Handshake-Event` kind of a ladder step's notification.
pub const CLOCK_STEP: &str = "clock.step";

/// Who a notification is for, as the directory and the agreement know them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addressee {
    /// `owner`, `manager` or `party`: the step's recipient.
    pub role: &'static str,
    /// The owner id (for a person) or party id.
    pub id: Option<String>,
    /// Their name (the owner id when the directory lacks them).
    pub name: String,
    /// Their e-mail address.
    pub email: Option<String>,
    /// Their Slack member id, to mention them.
    pub slack: Option<String>,
    /// The zone their times are shown in: their own, else the agreement's.
    pub time_zone: String,
    /// Why it is not who the step names (away, not in the directory), in words.
    pub note: Option<String>,
    /// Their quiet hours (in `time_zone`), when messages to them wait.
    pub quiet: Option<QuietHours>,
}

impl Addressee {
    /// When a message due at `at` may reach them: after their quiet hours.
    ///
    /// # Example
    /// ```
    /// use handshake_core::alerts::message::Addressee;
    /// use handshake_core::alerts::quiet::QuietHours;
    /// let to = Addressee {
    ///     role: "owner", id: Some("rep-ava".into()), name: "Ava Chen".into(),
    ///     email: None, slack: None, time_zone: "America/New_York".into(), note: None,
    ///     quiet: Some(QuietHours::parse("20:00-08:00")?),
    /// };
    /// // 21:00 in New York waits for 08:00 the next morning (13:00 UTC).
    /// assert_eq!(to.reachable_at(1_799_805_600), 1_799_845_200);
    /// # Ok::<(), String>(())
    /// ```
    pub fn reachable_at(&self, at: i64) -> i64 {
        let (Some(q), Ok(t), Ok(tz)) = (
            self.quiet,
            Timestamp::from_second(at),
            handshake_calendar::time_zone(&self.time_zone),
        ) else {
            return at;
        };
        q.release(t, &tz).as_second()
    }

    /// When a message due at `at` goes out on `target`: Slack and e-mail
    /// reach a person, who may be asleep ([`Addressee::reachable_at`]); a
    /// webhook reaches a system (a CRM's workflow), which is not.
    pub fn send_at(&self, target: Option<&ChannelTarget>, at: i64) -> i64 {
        match target {
            Some(ChannelTarget::Slack { .. } | ChannelTarget::Email { .. }) => {
                self.reachable_at(at)
            }
            _ => at,
        }
    }
}

/// One notification to put in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// What it is about, unique in the workspace: the step's key and the channel.
    pub key: String,
    /// The channel's name.
    pub channel: String,
    /// Its `Handshake-Event` kind.
    pub kind: String,
    /// The body, as sent.
    pub body: String,
    /// When to send it (unix seconds): when the step fell, or after the
    /// quiet hours of the person it reaches.
    pub due_at: i64,
    /// The lead or request it is about.
    pub subject: String,
    /// What it says to whom, in one line (its [`text`]).
    pub summary: String,
}

/// Where the links in a message point: the dashboard's address as people
/// reach it (`https://handshake.example.com`), when the server knows it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Links<'a> {
    /// The dashboard's public base URL, without a trailing slash.
    pub base: Option<&'a str>,
}

/// The notifications of `alerts` in `workspace`: one per step and channel
/// of the step. A channel the workspace lacks still gets its notification
/// (as a JSON webhook body, which carries a `text` too), so that it waits in
/// the outbox, visible, until the channel is set up.
///
/// # Example
/// ```
/// use handshake_core::alerts::{message, Channel, ChannelName, ChannelTarget};
/// use handshake_core::agreement::{AlertStep, Recipient};
/// use handshake_core::engine::AlertDue;
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/agreement.toml"))?;
/// let a = handshake_core::check("agreement.toml", &text).agreement.expect("valid");
/// let alert = AlertDue {
///     guarantee: "enterprise-first-touch".into(),
///     subject: "L-1".into(),
///     start: 1_800_000_000,
///     step: AlertStep { at: 50, tell: Recipient::Owner, via: vec![ChannelName::parse("ops")?], reassign: false },
///     instant: 1_800_001_800,
///     due: Some(1_800_003_600),
///     owner: Some("rep-ava".into()),
///     version: 1,
/// };
/// let ops = Channel { name: ChannelName::parse("ops")?, target: ChannelTarget::Webhook { url: "https://hooks.example/x".into(), secret: handshake_core::alerts::SecretSource::from_stored("env:OPS")? } };
/// let notices = message::notices(&a, &[], &[ops], "default", message::Links::default(), &[alert]);
/// assert_eq!(notices.len(), 1);
/// assert_eq!(notices[0].key, "clock/enterprise-first-touch/1800000000/50%/owner/L-1/ops");
/// assert!(notices[0].body.contains("\"reassign\":false"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn notices(
    a: &Agreement,
    people: &[Person],
    channels: &[Channel],
    workspace: &str,
    links: Links<'_>,
    alerts: &[AlertDue],
) -> Vec<Notice> {
    let mut out = Vec::new();
    for alert in alerts {
        let to = addressee(a, people, alert);
        let owner = alert
            .owner
            .as_deref()
            .and_then(|id| people.iter().find(|p| p.owner_id == id));
        for via in &alert.step.via {
            let target = channels.iter().find(|c| c.name == *via).map(|c| &c.target);
            let body = match target {
                Some(ChannelTarget::Slack { .. }) => slack_body(a, alert, &to, owner, links),
                Some(ChannelTarget::Email { .. }) => email_body(a, alert, &to, owner, links),
                _ => webhook_body(a, alert, &to, owner, workspace, via.as_str(), links),
            };
            let due_at = to.send_at(target, alert.instant);
            out.push(Notice {
                key: format!("{}/{via}", alert.key()),
                channel: via.to_string(),
                kind: CLOCK_STEP.to_string(),
                body: body.to_string(),
                due_at,
                subject: alert.subject.clone(),
                summary: text(a, alert, &to),
            });
        }
    }
    out
}

/// Who `alert`'s step tells: the owner (their manager while they are
/// away), the owner's manager, or a party's main contact (with their
/// directory entry when one has the contact's e-mail).
pub fn addressee(a: &Agreement, people: &[Person], alert: &AlertDue) -> Addressee {
    let find = |id: &str| people.iter().find(|p| p.owner_id == id);
    let zone = |p: Option<&Person>| {
        p.and_then(|p| p.time_zone.clone())
            .unwrap_or_else(|| a.time_zone.name.clone())
    };
    let of_person = |role: &'static str, p: &Person, note: Option<String>| Addressee {
        role,
        id: Some(p.owner_id.clone()),
        name: p.name.clone(),
        email: p.email.clone(),
        slack: p.slack.clone(),
        time_zone: zone(Some(p)),
        note,
        quiet: p.quiet_hours,
    };
    let unknown = |role: &'static str, id: Option<&str>, note: String| Addressee {
        role,
        id: id.map(str::to_string),
        name: id.unwrap_or("(no owner)").to_string(),
        email: None,
        slack: None,
        time_zone: a.time_zone.name.clone(),
        note: Some(note),
        quiet: None,
    };
    let owner_id = alert.owner.as_deref();
    match &alert.step.tell {
        Recipient::Owner => match owner_id.map(|id| (id, find(id))) {
            None => unknown("owner", None, "the lead has no owner yet".to_string()),
            Some((id, None)) => unknown(
                "owner",
                Some(id),
                format!("owner {id} is not in the people directory"),
            ),
            Some((_, Some(p))) if p.presence == Presence::Away => {
                match p.manager.as_deref().and_then(find) {
                    Some(m) => of_person(
                        "manager",
                        m,
                        Some(format!("{} is away; told their manager", p.name)),
                    ),
                    None => of_person(
                        "owner",
                        p,
                        Some(format!(
                            "{} is away and has no manager in the directory",
                            p.name
                        )),
                    ),
                }
            }
            Some((_, Some(p))) => of_person("owner", p, None),
        },
        Recipient::Manager => {
            let owner = owner_id.and_then(find);
            match owner.and_then(|p| p.manager.as_deref().map(|m| (m, find(m)))) {
                Some((_, Some(m))) => of_person("manager", m, None),
                Some((m, None)) => unknown(
                    "manager",
                    Some(m),
                    format!("manager {m} is not in the people directory"),
                ),
                None => unknown(
                    "manager",
                    None,
                    match (owner_id, owner) {
                        (None, _) => "the lead has no owner, so no manager".to_string(),
                        (Some(id), None) => format!("owner {id} is not in the people directory"),
                        (Some(_), Some(p)) => format!("{} has no manager in the directory", p.name),
                    },
                ),
            }
        }
        Recipient::Party(party) => party_addressee(a, people, party),
    }
}

/// A party's main contact, with their directory entry (Slack id, zone,
/// quiet hours) when one has the contact's e-mail.
pub fn party_addressee(a: &Agreement, people: &[Person], party: &PartyId) -> Addressee {
    let p = a.party(party);
    let contact = p.and_then(|p| p.contacts.first());
    let person = contact.and_then(|c| {
        people
            .iter()
            .find(|p| p.email.as_deref() == Some(c.email.as_str()))
    });
    Addressee {
        role: "party",
        id: Some(party.to_string()),
        name: match (p, contact) {
            (Some(p), Some(c)) => format!("{} ({})", p.name, c.name),
            (Some(p), None) => p.name.clone(),
            _ => party.to_string(),
        },
        email: contact.map(|c| c.email.clone()),
        slack: person.and_then(|p| p.slack.clone()),
        time_zone: person
            .and_then(|p| p.time_zone.clone())
            .unwrap_or_else(|| a.time_zone.name.clone()),
        note: None,
        quiet: person.and_then(|p| p.quiet_hours),
    }
}

/// An instant as its recipient reads it: `Tue 2027-01-12 10:30 EST`.
pub(crate) fn local(t: i64, zone: &str) -> String {
    let Ok(at) = Timestamp::from_second(t) else {
        return t.to_string();
    };
    match handshake_calendar::time_zone(zone) {
        Ok(tz) => at.to_zoned(tz).strftime("%a %Y-%m-%d %H:%M %Z").to_string(),
        Err(_) => at.to_string(),
    }
}

fn utc(t: i64) -> Value {
    Timestamp::from_second(t).map_or(Value::Null, |t| json!(t.to_string()))
}

/// Where the clock stands at a step: `has used 50% of its time`, `is due
/// now`, `is past due (150% of its time used)`.
fn headline(at: u16) -> String {
    match at {
        p if p < 100 => format!("has used {p}% of its time"),
        100 => "is due now".to_string(),
        p => format!("is past due ({p}% of its time used)"),
    }
}

/// The message in one line of words.
pub fn text(a: &Agreement, alert: &AlertDue, to: &Addressee) -> String {
    let within = a
        .guarantees
        .iter()
        .find(|g| g.id.as_str() == alert.guarantee)
        .map_or(String::new(), |g| format!(", within {}", g.within));
    let due = alert.due.map_or("paused".to_string(), |d| {
        format!("due {}", local(d, &to.time_zone))
    });
    let owner = alert.owner.as_deref().unwrap_or("no one yet");
    let mut s = format!(
        "{}: {} {}: guarantee {}{within}, {due}; owner {owner}.",
        to.name,
        alert.subject,
        headline(alert.step.at),
        alert.guarantee,
    );
    if alert.step.reassign {
        s.push_str(" The CRM is asked to reassign it.");
    }
    if let Some(note) = &to.note {
        s.push_str(&format!(" ({note})"));
    }
    s
}

fn lead_link(alert: &AlertDue, links: Links<'_>) -> Option<String> {
    let base = links.base?;
    let mut path = String::new();
    for b in alert.subject.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            path.push(b as char);
        } else {
            path.push_str(&format!("%{b:02X}"));
        }
    }
    Some(format!("{base}/leads/{path}"))
}

fn person_json(p: &Person) -> Value {
    json!({ "id": p.owner_id, "name": p.name, "email": p.email, "slack": p.slack })
}

/// The JSON a webhook receives for a ladder step (its delivery id is in
/// the `Handshake-Delivery` header).
pub fn webhook_body(
    a: &Agreement,
    alert: &AlertDue,
    to: &Addressee,
    owner: Option<&Person>,
    workspace: &str,
    channel: &str,
    links: Links<'_>,
) -> Value {
    json!({
        "kind": CLOCK_STEP,
        "workspace": workspace,
        "channel": channel,
        "guarantee": alert.guarantee,
        "subject": alert.subject,
        "version": alert.version,
        "clock_started_at": utc(alert.start),
        "step": { "at_percent": alert.step.at, "point": alert.point(), "fell_at": utc(alert.instant) },
        "due_at": alert.due.map_or(Value::Null, utc),
        "owner": match (owner, &alert.owner) {
            (Some(p), _) => person_json(p),
            (None, Some(id)) => json!({ "id": id }),
            (None, None) => Value::Null,
        },
        "tell": {
            "role": to.role, "id": to.id, "name": to.name, "email": to.email,
            "slack": to.slack, "time_zone": to.time_zone, "note": to.note,
        },
        "reassign": alert.step.reassign,
        "link": lead_link(alert, links),
        "text": text(a, alert, to),
    })
}

/// The clock's due instant in the recipient's zone, or `paused`.
fn due_shown(alert: &AlertDue, to: &Addressee) -> String {
    alert
        .due
        .map_or("paused".to_string(), |d| local(d, &to.time_zone))
}

/// The clock's owner for people to read: their directory name (a Slack
/// mention with `mention` when they have an id), else the owner id.
fn owner_shown(alert: &AlertDue, owner: Option<&Person>, mention: bool) -> String {
    match (owner, &alert.owner) {
        (Some(p), _) => match (&p.slack, mention) {
            (Some(id), true) => format!("<@{id}>"),
            _ => p.name.clone(),
        },
        (None, Some(id)) => id.clone(),
        (None, None) => "no one yet".to_string(),
    }
}

/// What an e-mail channel sends, as data: the recipient's address (`null`
/// when the directory has none: the delivery then fails, visibly), a
/// subject, the text, facts as label and value, and the lead's link. The
/// delivering server renders the HTML part from it with its templates.
pub fn email_body(
    a: &Agreement,
    alert: &AlertDue,
    to: &Addressee,
    owner: Option<&Person>,
    links: Links<'_>,
) -> Value {
    let mut facts = vec![
        json!(["Guarantee", alert.guarantee]),
        json!(["Due", due_shown(alert, to)]),
        json!(["Owner", owner_shown(alert, owner, false)]),
    ];
    if alert.step.reassign {
        facts.push(json!(["Asked", "the CRM to reassign it"]));
    }
    if let Some(note) = &to.note {
        facts.push(json!(["Note", note]));
    }
    json!({
        "kind": CLOCK_STEP,
        "to": to.email,
        "to_name": to.name,
        "subject": format!("{} {} ({})", alert.subject, headline(alert.step.at), alert.guarantee),
        "text": text(a, alert, to),
        "facts": facts,
        "link": lead_link(alert, links),
    })
}

/// The Block Kit message a Slack incoming webhook receives: the recipient
/// mentioned, the lead, the guarantee, the due time in their zone, the
/// owner, and a button to the lead's page when the dashboard's address is known.
pub fn slack_body(
    a: &Agreement,
    alert: &AlertDue,
    to: &Addressee,
    owner: Option<&Person>,
    links: Links<'_>,
) -> Value {
    let who = match &to.slack {
        Some(id) => format!("<@{id}>"),
        None => to.name.clone(),
    };
    let icon = if alert.step.at >= 100 {
        ":rotating_light:"
    } else {
        ":hourglass_flowing_sand:"
    };
    let headline = format!(
        "{icon} {who}: *{}* {}",
        alert.subject,
        headline(alert.step.at)
    );
    let mut fields = vec![
        json!({ "type": "mrkdwn", "text": format!("*Guarantee*\n{}", alert.guarantee) }),
        json!({ "type": "mrkdwn", "text": format!("*Due*\n{}", due_shown(alert, to)) }),
        json!({ "type": "mrkdwn", "text": format!("*Owner*\n{}", owner_shown(alert, owner, true)) }),
    ];
    if alert.step.reassign {
        fields.push(json!({ "type": "mrkdwn", "text": "*Asked*\nthe CRM to reassign it" }));
    }
    let mut blocks = vec![
        json!({ "type": "section", "text": { "type": "mrkdwn", "text": headline } }),
        json!({ "type": "section", "fields": fields }),
    ];
    if let Some(note) = &to.note {
        blocks
            .push(json!({ "type": "context", "elements": [ { "type": "mrkdwn", "text": note } ] }));
    }
    if let Some(url) = lead_link(alert, links) {
        blocks.push(json!({ "type": "actions", "elements": [ {
            "type": "button", "text": { "type": "plain_text", "text": "Open the lead" }, "url": url
        } ] }));
    }
    json!({ "text": text(a, alert, to), "blocks": blocks })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::AlertStep;
    use crate::alerts::ChannelName;

    fn agreement() -> Agreement {
        let text = include_str!("../../../../examples/agreement.toml");
        crate::check("a", text).agreement.unwrap()
    }

    fn person(id: &str, name: &str, manager: Option<&str>, away: bool) -> Person {
        Person {
            owner_id: id.into(),
            name: name.into(),
            email: Some(format!("{id}@northwind.example")),
            slack: Some(format!("U{}", id.len())),
            party: "sales".into(),
            manager: manager.map(str::to_string),
            calendar: None,
            time_zone: Some("Europe/Berlin".into()),
            quiet_hours: None,
            presence: if away {
                Presence::Away
            } else {
                Presence::Active
            },
        }
    }

    fn alert(tell: Recipient, at: u16, owner: Option<&str>) -> AlertDue {
        AlertDue {
            guarantee: "enterprise-first-touch".into(),
            subject: "L/1 ü".into(),
            // 2027-01-12T15:00:00Z
            start: 1_799_766_000,
            step: AlertStep {
                at,
                tell,
                via: vec![ChannelName::parse("sales-room").unwrap()],
                reassign: at > 100,
            },
            instant: 1_799_767_800,
            due: Some(1_799_769_600),
            owner: owner.map(str::to_string),
            version: 1,
        }
    }

    #[test]
    fn the_owner_is_told_unless_away_then_their_manager() {
        let a = agreement();
        let people = [
            person("rep-ava", "Ava Chen", Some("lead-bo"), false),
            person("lead-bo", "Bo Berg", None, false),
        ];
        let to = addressee(&a, &people, &alert(Recipient::Owner, 50, Some("rep-ava")));
        assert_eq!(
            (to.role, to.name.as_str(), to.note),
            ("owner", "Ava Chen", None)
        );
        let away = [
            person("rep-ava", "Ava Chen", Some("lead-bo"), true),
            people[1].clone(),
        ];
        let to = addressee(&a, &away, &alert(Recipient::Owner, 50, Some("rep-ava")));
        assert_eq!((to.role, to.name.as_str()), ("manager", "Bo Berg"));
        assert_eq!(
            to.note.as_deref(),
            Some("Ava Chen is away; told their manager")
        );
        let to = addressee(
            &a,
            &people,
            &alert(Recipient::Manager, 100, Some("rep-ava")),
        );
        assert_eq!(to.name, "Bo Berg");
    }

    #[test]
    fn quiet_hours_hold_slack_and_email_but_not_a_webhook() {
        let a = agreement();
        let mut ava = person("rep-ava", "Ava Chen", None, false);
        // Berlin; the step falls at 16:30 local (15:30 UTC in January).
        ava.quiet_hours = Some(crate::alerts::quiet::QuietHours::parse("16:00-09:00").unwrap());
        let mut step = alert(Recipient::Owner, 50, Some("rep-ava"));
        step.step.via = ["sales-room", "ava-mail", "crm"]
            .iter()
            .map(|c| ChannelName::parse(c).unwrap())
            .collect();
        let channel = |name: &str, target: ChannelTarget| Channel {
            name: ChannelName::parse(name).unwrap(),
            target,
        };
        let channels = [
            channel(
                "sales-room",
                ChannelTarget::Slack {
                    url: "https://hooks.slack.com/x".into(),
                },
            ),
            channel(
                "ava-mail",
                ChannelTarget::Email {
                    smtp: "smtp://mail.example".into(),
                    from: "alerts@northwind.example".into(),
                    secret: None,
                },
            ),
            channel(
                "crm",
                ChannelTarget::Webhook {
                    url: "https://crm.example/hook".into(),
                    secret: crate::alerts::SecretSource::from_stored("env:CRM").unwrap(),
                },
            ),
        ];
        let notices = notices(
            &a,
            &[ava],
            &channels,
            "w",
            Links::default(),
            &[step.clone()],
        );
        let due: Vec<(&str, i64)> = notices
            .iter()
            .map(|n| (n.channel.as_str(), n.due_at))
            .collect();
        // 09:00 Berlin the next day is 08:00 UTC: 2027-01-13T08:00:00Z.
        let morning = 1_799_827_200;
        assert_eq!(
            due,
            [
                ("sales-room", morning),
                ("ava-mail", morning),
                ("crm", step.instant)
            ]
        );
    }

    #[test]
    fn an_owner_missing_from_the_directory_is_named_not_dropped() {
        let a = agreement();
        let to = addressee(&a, &[], &alert(Recipient::Owner, 50, Some("rep-zed")));
        assert_eq!(to.name, "rep-zed");
        assert_eq!(
            to.note.as_deref(),
            Some("owner rep-zed is not in the people directory")
        );
        let to = addressee(&a, &[], &alert(Recipient::Manager, 100, None));
        assert_eq!(
            to.note.as_deref(),
            Some("the lead has no owner, so no manager")
        );
    }

    #[test]
    fn a_party_is_told_through_its_main_contact() {
        let a = agreement();
        let sam = Person {
            email: Some("sam.lee@northwind.example".into()),
            slack: Some("U0SAM".into()),
            ..person("vp-sam", "Sam Lee", None, false)
        };
        let sales = crate::agreement::PartyId("sales".into());
        let step = alert(Recipient::Party(sales), 150, Some("rep-ava"));
        let to = addressee(&a, &[sam], &step);
        assert_eq!(to.name, "Sales (Sam Lee)");
        assert_eq!(to.email.as_deref(), Some("sam.lee@northwind.example"));
        assert_eq!(to.slack.as_deref(), Some("U0SAM"));
    }

    #[test]
    fn slack_mentions_the_recipient_with_the_due_time_in_their_zone_and_a_link() {
        let a = agreement();
        let people = [person("rep-ava", "Ava Chen", None, false)];
        let step = alert(Recipient::Owner, 50, Some("rep-ava"));
        let to = addressee(&a, &people, &step);
        let body = slack_body(
            &a,
            &step,
            &to,
            Some(&people[0]),
            Links {
                base: Some("https://hs.example"),
            },
        );
        let blocks = body["blocks"].as_array().unwrap();
        assert_eq!(
            blocks[0]["text"]["text"],
            ":hourglass_flowing_sand: <@U7>: *L/1 ü* has used 50% of its time"
        );
        // Due 2027-01-12T16:00:00Z is 17:00 in Berlin.
        assert_eq!(
            blocks[1]["fields"][1]["text"],
            "*Due*\nTue 2027-01-12 17:00 CET"
        );
        assert_eq!(
            blocks[2]["elements"][0]["url"],
            "https://hs.example/leads/L%2F1%20%C3%BC"
        );
        assert!(body["text"].as_str().unwrap().starts_with("Ava Chen: L/1 ü has used 50% of its time: guarantee enterprise-first-touch, within 1 business hour, due Tue 2027-01-12 17:00 CET; owner rep-ava."));
    }

    #[test]
    fn a_webhook_body_carries_the_step_the_clock_and_who_is_told() {
        let a = agreement();
        let step = alert(Recipient::Owner, 150, Some("rep-ava"));
        let to = addressee(&a, &[], &step);
        let body = webhook_body(&a, &step, &to, None, "default", "ops", Links::default());
        assert_eq!(body["kind"], "clock.step");
        assert_eq!(body["step"]["at_percent"], 150);
        assert_eq!(body["step"]["fell_at"], "2027-01-12T15:30:00Z");
        assert_eq!(body["due_at"], "2027-01-12T16:00:00Z");
        assert_eq!(body["owner"], json!({ "id": "rep-ava" }));
        assert_eq!(
            body["tell"]["note"],
            "owner rep-ava is not in the people directory"
        );
        assert_eq!(body["reassign"], true);
        assert_eq!(body["link"], Value::Null);
    }
}

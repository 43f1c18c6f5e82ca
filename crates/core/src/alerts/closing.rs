//! What a period's close says to whom: a missed goal's consequence or the
//! cancellation term ([`ConsequenceDue`]) becomes one notification per
//! party told and channel, addressed to the party's main contact and shaped
//! for the channel like a ladder step's (a JSON body for a webhook, Block
//! Kit for Slack, the e-mail's parts), with a link to the period's
//! scorecard. Pure, as [`super::message`].

use serde_json::{Value, json};

use super::channel::{Channel, ChannelTarget};
use super::message::{Addressee, Links, Notice, local, party_addressee};
use super::people::Person;
use crate::agreement::{Action, Agreement};
use crate::engine::{CANCELLATION_MET, ConsequenceDue};

/// The message in one line of words.
fn text(d: &ConsequenceDue, to: &Addressee) -> String {
    let missed = if d.missed_in_a_row == 1 {
        "was missed".to_string()
    } else {
        format!("was missed {} periods in a row", d.missed_in_a_row)
    };
    let what = match (d.kind, d.action) {
        (CANCELLATION_MET, _) => "the cancellation term is met".to_string(),
        (_, Some(Action::Escalate)) => "it is escalated to you".to_string(),
        (_, Some(Action::Review)) => "it goes on the agenda of the next review".to_string(),
        _ => "you are notified".to_string(),
    };
    let mut s = format!(
        "{}: goal {} {missed} ({} in {}); {what}.",
        to.name, d.goal, d.figure, d.period
    );
    if let Some(note) = &d.note {
        s.push(' ');
        s.push_str(note);
    }
    s
}

fn scorecard_link(d: &ConsequenceDue, links: Links<'_>) -> Option<String> {
    links.base.map(|b| format!("{b}/?period={}", d.period))
}

fn facts(d: &ConsequenceDue, to: &Addressee) -> Vec<(&'static str, String)> {
    vec![
        ("Goal", d.goal.clone()),
        ("Period", d.period.clone()),
        ("Figure", d.figure.clone()),
        ("Missed in a row", d.missed_in_a_row.to_string()),
        ("Closed", local(d.instant, &to.time_zone)),
    ]
}

fn body(
    d: &ConsequenceDue,
    to: &Addressee,
    target: Option<&ChannelTarget>,
    workspace: &str,
    channel: &str,
    links: Links<'_>,
) -> Value {
    let words = text(d, to);
    let link = scorecard_link(d, links);
    match target {
        Some(ChannelTarget::Slack { .. }) => {
            let who = to
                .slack
                .as_ref()
                .map_or_else(|| to.name.clone(), |id| format!("<@{id}>"));
            let fields: Vec<Value> = facts(d, to)
                .into_iter()
                .map(|(k, v)| json!({ "type": "mrkdwn", "text": format!("*{k}*\n{v}") }))
                .collect();
            let mut blocks = vec![
                json!({ "type": "section", "text": { "type": "mrkdwn", "text": format!(":warning: {who}: {words}") } }),
                json!({ "type": "section", "fields": fields }),
            ];
            if let Some(url) = link {
                blocks.push(json!({ "type": "actions", "elements": [ {
                    "type": "button", "text": { "type": "plain_text", "text": "Open the scorecard" }, "url": url
                } ] }));
            }
            json!({ "text": words, "blocks": blocks })
        }
        Some(ChannelTarget::Email { .. }) => json!({
            "kind": d.kind,
            "to": to.email,
            "to_name": to.name,
            "subject": format!("Goal {} missed in {} ({})", d.goal, d.period, if d.kind == CANCELLATION_MET { "cancellation term met" } else { "consequence" }),
            "text": words,
            "facts": facts(d, to).into_iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
            "link": link,
        }),
        _ => json!({
            "kind": d.kind,
            "workspace": workspace,
            "channel": channel,
            "goal": d.goal,
            "period": d.period,
            "closed_at": jiff::Timestamp::from_second(d.instant).map(|t| t.to_string()).unwrap_or_default(),
            "missed_in_a_row": d.missed_in_a_row,
            "figure": d.figure,
            "action": d.action.map(Action::as_str),
            "tell": { "role": to.role, "id": to.id, "name": to.name, "email": to.email },
            "note": d.note,
            "agreement_version": d.version,
            "link": link,
            "text": words,
        }),
    }
}

/// The notifications of `dues` in `workspace`: one per party told and
/// channel, keyed `{due key}/{party}/{channel}`; Slack and e-mail wait for
/// the contact's quiet hours, as a ladder step's do.
///
/// # Example
/// ```
/// use handshake_core::alerts::{closing, message::Links, Channel, ChannelName, ChannelTarget};
/// use handshake_core::engine::{self, consequences_due};
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/agreement.toml"))?;
/// let a = handshake_core::check("agreement.toml", &text).agreement.expect("valid");
/// let e = engine::evaluate(&a, &[], "2027-03-02T00:00:00Z".parse()?);
/// let feb_closed = "2027-03-01T05:00:00Z".parse::<jiff::Timestamp>()?.as_second();
/// let dues = consequences_due(&[(jiff::Timestamp::MIN, a.clone())], &e, feb_closed - 1, feb_closed);
/// let ops = Channel { name: ChannelName::parse("ops")?, target: ChannelTarget::Log };
/// let notices = closing::notices(&a, &[], &[ops], "default", Links::default(), &dues);
/// let escalation = notices.iter().find(|n| n.key == "consequence/1/mql-volume/2027-02/marketing/ops").expect("told");
/// assert!(escalation.summary.contains("goal mql-volume was missed 2 periods in a row (0 against a target of 400 in 2027-02); it is escalated to you."));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn notices(
    a: &Agreement,
    people: &[Person],
    channels: &[Channel],
    workspace: &str,
    links: Links<'_>,
    dues: &[ConsequenceDue],
) -> Vec<Notice> {
    let mut out = Vec::new();
    for d in dues {
        for party in &d.tell {
            let to = party_addressee(a, people, party);
            for via in &d.via {
                let target = channels.iter().find(|c| c.name == *via).map(|c| &c.target);
                let due_at = to.send_at(target, d.instant);
                out.push(Notice {
                    key: format!("{}/{party}/{via}", d.key),
                    channel: via.to_string(),
                    kind: d.kind.to_string(),
                    body: body(d, &to, target, workspace, via.as_str(), links).to_string(),
                    due_at,
                    subject: format!("goal {} {}", d.goal, d.period),
                    summary: text(d, &to),
                });
            }
        }
    }
    out
}

//! Requests between the teams, per party: how many each sent, which went
//! around the agreed channels (counted and listed, never clocked), what the
//! fees of the guarantees that clocked them add up to, and how well each
//! side kept the request guarantees it owes. One definition, read by the
//! report, the CLI and the pages.

use std::collections::BTreeMap;

use serde::Serialize;

use super::fold::Facts;
use super::{ClockState, Evaluation};
use crate::agreement::{Agreement, Condition, Fee, Subject};
use crate::event::Money;

/// One request as the report needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestRecord {
    /// The request's id.
    pub id: String,
    /// When it was opened, whole seconds.
    pub opened: i64,
    /// The party that sent it.
    pub from: String,
    /// The party it was sent to.
    pub to: String,
    /// What kind of request, when the CRM said.
    pub kind: Option<String>,
    /// The channel it came through.
    pub channel: String,
    /// Whether the channel is none the agreement's request guarantees name.
    pub outside: bool,
    /// The fees of the guarantees that clocked it, charged to `from`.
    pub fees: Vec<Fee>,
}

/// The channels the agreement's request guarantees start on
/// (`request_opened via ...`), or `None` when no channel is singled out:
/// no guarantee starts at an opening, or one starts on any channel.
pub(crate) fn agreed_channels(a: &Agreement) -> Option<Vec<&str>> {
    let mut out: Vec<&str> = Vec::new();
    for g in &a.guarantees {
        if let Condition::RequestOpened(channels) = &g.starts {
            if channels.is_empty() {
                return None;
            }
            out.extend(channels.iter().map(String::as_str));
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The owning party of each request guarantee, by the guarantee's id (a
/// clock of an older version carries that version's index, so the id is
/// what names its guarantee).
pub fn owners_by_guarantee(a: &Agreement) -> BTreeMap<&str, &str> {
    a.guarantees
        .iter()
        .filter(|g| g.subject == Subject::Request)
        .map(|g| (g.id.as_str(), g.owner.as_str()))
        .collect()
}

/// Every request among `facts`, by opening then id.
pub(crate) fn records(a: &Agreement, facts: &[&Facts]) -> Vec<RequestRecord> {
    let agreed = agreed_channels(a);
    let mut out: Vec<RequestRecord> = facts
        .iter()
        .filter_map(|f| {
            let o = f.opening.as_deref()?;
            let fees = f
                .clocks
                .iter()
                .filter_map(|c| a.guarantees.get(c.guarantee)?.fee.clone())
                .collect();
            Some(RequestRecord {
                id: f.subject.clone(),
                opened: o.at,
                from: o.from.to_string(),
                to: o.to.to_string(),
                kind: o.kind.as_deref().map(str::to_string),
                channel: o.channel.to_string(),
                outside: agreed.as_ref().is_some_and(|ch| !ch.contains(&&*o.channel)),
                fees,
            })
        })
        .collect();
    out.sort_by(|x, y| (x.opened, &x.id).cmp(&(y.opened, &y.id)));
    out
}

/// A party's fees in one currency.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeeLine {
    /// ISO 4217 code.
    pub currency: String,
    /// The sum, in the currency's own decimals, e.g. `"750.00"`.
    pub amount: String,
    /// Whether some of the fees summed are minimums, so the sum is one too.
    pub minimum: bool,
    /// Requests charged.
    pub requests: usize,
}

impl FeeLine {
    /// "at least 500.00 USD", or "500.00 USD" for fixed fees.
    pub fn text(&self) -> String {
        let at_least = if self.minimum { "at least " } else { "" };
        format!("{at_least}{} {}", self.amount, self.currency)
    }
}

/// One party's requests over a range.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestPartyLine {
    /// The party's id.
    pub party: String,
    /// Requests it sent, opened in the range.
    pub sent: usize,
    /// Of them, sent through a channel no request guarantee names: never
    /// clocked.
    pub outside_channels: usize,
    /// Their ids, oldest first.
    pub outside: Vec<String>,
    /// What its requests cost it, per currency.
    pub fees: Vec<FeeLine>,
    /// Request clocks it owes, started in the range.
    pub clocks: usize,
    /// Of them met in time.
    pub met: usize,
    /// Met after the due time, or breached.
    pub late: usize,
    /// met / (met + late), 0 to 1; null with nothing judged yet.
    pub compliance: Option<f64>,
}

impl RequestPartyLine {
    fn new(party: &str) -> RequestPartyLine {
        RequestPartyLine {
            party: party.to_string(),
            sent: 0,
            outside_channels: 0,
            outside: Vec::new(),
            fees: Vec::new(),
            clocks: 0,
            met: 0,
            late: 0,
            compliance: None,
        }
    }

    /// "sales: sent 12 requests; kept 9 of 10 request clocks it owes (90%)".
    pub fn summary_text(&self) -> String {
        let kept = match self.compliance {
            Some(c) => format!(
                "kept {} of {} request clocks it owes in time ({:.0}%)",
                self.met,
                self.met + self.late,
                c * 100.0
            ),
            None if self.clocks > 0 => {
                format!("{} request clocks it owes, none judged yet", self.clocks)
            }
            None => "owes no request clocks".to_string(),
        };
        format!("{}: sent {} requests; {kept}", self.party, self.sent)
    }

    /// The party's requests in words, as the report's text and the
    /// scorecard print them: the summary, then what went around the agreed
    /// channels and the fees, when there are any.
    pub fn texts(&self) -> Vec<String> {
        std::iter::once(self.summary_text())
            .chain(self.outside_text())
            .chain(self.fees_text())
            .collect()
    }

    /// "14 requests went around the agreed channels", or nothing when none did.
    pub fn outside_text(&self) -> Option<String> {
        match self.outside_channels {
            0 => None,
            1 => Some(format!(
                "1 request from {} went around the agreed channels",
                self.party
            )),
            n => Some(format!(
                "{n} requests from {} went around the agreed channels",
                self.party
            )),
        }
    }

    /// "escalation fees: 750.00 USD (3 requests)", or nothing without fees.
    pub fn fees_text(&self) -> Option<String> {
        if self.fees.is_empty() {
            return None;
        }
        let sums: Vec<String> = self
            .fees
            .iter()
            .map(|f| {
                format!(
                    "{} ({} request{})",
                    f.text(),
                    f.requests,
                    if f.requests == 1 { "" } else { "s" }
                )
            })
            .collect();
        Some(format!("{} owes fees of {}", self.party, sums.join(", ")))
    }
}

/// Each party's requests sent and request clocks owed over `[from, to)`
/// (whole seconds), in party order; parties with neither are left out.
pub fn party_lines(e: &Evaluation, a: &Agreement, from: i64, to: i64) -> Vec<RequestPartyLine> {
    let mut lines: BTreeMap<&str, RequestPartyLine> = BTreeMap::new();
    // Fees summed in minor units per (party, currency).
    let mut fees: BTreeMap<(&str, &str), (i64, bool, usize)> = BTreeMap::new();
    for r in e
        .requests
        .iter()
        .filter(|r| r.opened >= from && r.opened < to)
    {
        let line = lines
            .entry(&r.from)
            .or_insert_with(|| RequestPartyLine::new(&r.from));
        line.sent += 1;
        if r.outside {
            line.outside_channels += 1;
            line.outside.push(r.id.clone());
        }
        for f in &r.fees {
            let sum = fees
                .entry((&r.from, &f.amount.currency))
                .or_insert((0, false, 0));
            sum.0 = sum.0.saturating_add(f.amount.minor);
            sum.1 |= f.minimum;
            sum.2 += 1;
        }
    }
    for ((party, currency), (minor, minimum, requests)) in fees {
        let amount = Money {
            minor,
            currency: currency.to_string(),
        };
        if let Some(line) = lines.get_mut(party) {
            line.fees.push(FeeLine {
                currency: currency.to_string(),
                amount: amount.amount_text(),
                minimum,
                requests,
            });
        }
    }
    let owners = owners_by_guarantee(a);
    for c in e
        .clocks
        .iter()
        .filter(|c| c.view.start >= from && c.view.start < to)
    {
        let Some(&owner) = owners.get(c.guarantee.as_str()) else {
            continue;
        };
        let line = lines
            .entry(owner)
            .or_insert_with(|| RequestPartyLine::new(owner));
        line.clocks += 1;
        match c.view.state {
            ClockState::Met => line.met += 1,
            ClockState::MetLate | ClockState::Breached => line.late += 1,
            _ => {}
        }
    }
    for line in lines.values_mut() {
        let judged = line.met + line.late;
        line.compliance = (judged > 0).then(|| line.met as f64 / judged as f64);
    }
    lines.into_values().collect()
}

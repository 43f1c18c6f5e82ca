//! The small text forms inside agreement strings: durations (`4 business
//! hours`), percentages (`75%`), money (`250000 USD`) and event conditions
//! (`stage = mql`, `touched via call|meeting`). Each parser returns the byte
//! offset of what is wrong so the checker can point at it.

use handshake_calendar::BusinessDuration;

use super::model::{Channel, Condition, DurationSpec, ReasonId, StageId};
use crate::event::Money;

/// A problem inside a string: where (byte offset and length), what, and what would be right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextError {
    pub at: usize,
    pub len: usize,
    pub message: String,
    pub expected: String,
}

fn err(at: usize, len: usize, message: impl Into<String>, expected: &str) -> TextError {
    TextError {
        at,
        len,
        message: message.into(),
        expected: expected.to_string(),
    }
}

pub(crate) const DURATION_EXPECTED: &str = "a duration like \"90 minutes\", \"4 business hours\", \"2 business days\" or \"3 calendar days\"";

/// `90 minutes`, `4 business hours`, `1 business day`, `30 seconds` (all
/// business time), or `3 calendar days`, `48 calendar hours` (calendar time:
/// every hour of the clock counts, nights, weekends and holidays included).
pub(crate) fn duration(text: &str) -> Result<DurationSpec, TextError> {
    let words: Vec<(usize, &str)> = words(text);
    let Some(&(num_at, num)) = words.first() else {
        return Err(err(0, text.len(), "empty duration", DURATION_EXPECTED));
    };
    let n: u32 = num.parse().map_err(|_| {
        err(
            num_at,
            num.len(),
            format!("\"{num}\" is not a whole number"),
            DURATION_EXPECTED,
        )
    })?;
    let business = words[1..].iter().find(|(_, w)| *w == "business");
    let calendar = words[1..].iter().find(|(_, w)| *w == "calendar");
    if let (Some(_), Some(&(at, w))) = (business, calendar) {
        return Err(err(
            at,
            w.len(),
            "a duration is either business time or calendar time, not both",
            DURATION_EXPECTED,
        ));
    }
    let rest: Vec<&(usize, &str)> = words[1..]
        .iter()
        .filter(|(_, w)| *w != "business" && *w != "calendar")
        .collect();
    let &[&(unit_at, unit)] = rest.as_slice() else {
        let at = words.get(1).map_or(text.len(), |w| w.0);
        return Err(err(
            at,
            text.len() - at,
            "expected one unit after the number",
            DURATION_EXPECTED,
        ));
    };
    let seconds = match unit.trim_end_matches('s') {
        "second" | "sec" => 1,
        "minute" | "min" => 60,
        "hour" | "hr" => 3600,
        "day" if calendar.is_some() => return Ok(DurationSpec::CalendarDays(n)),
        "day" => return Ok(DurationSpec::BusinessDays(n)),
        _ => {
            return Err(err(
                unit_at,
                unit.len(),
                format!("\"{unit}\" is not a unit"),
                "seconds, minutes, hours or days (e.g. \"4 business hours\")",
            ));
        }
    };
    let d = BusinessDuration::from_seconds(i64::from(n) * seconds)
        .ok_or_else(|| err(num_at, num.len(), "duration too large", DURATION_EXPECTED))?;
    Ok(if calendar.is_some() {
        DurationSpec::CalendarTime(d)
    } else {
        DurationSpec::Business(d)
    })
}

/// `30 days` (calendar days, for notice periods).
pub(crate) fn days(text: &str) -> Result<u32, TextError> {
    const EXPECTED: &str = "a number of calendar days, e.g. \"30 days\"";
    let words = words(text);
    match words.as_slice() {
        [(at, n), (unit_at, unit)] => {
            let n: u32 = n.parse().map_err(|_| {
                err(
                    *at,
                    n.len(),
                    format!("\"{n}\" is not a whole number"),
                    EXPECTED,
                )
            })?;
            if *unit == "days" || *unit == "day" {
                Ok(n)
            } else {
                Err(err(
                    *unit_at,
                    unit.len(),
                    format!("\"{unit}\" is not days"),
                    EXPECTED,
                ))
            }
        }
        _ => Err(err(
            0,
            text.len(),
            format!("\"{text}\" is not a number of days"),
            EXPECTED,
        )),
    }
}

/// `75%` into a whole percentage.
pub(crate) fn percent(text: &str) -> Result<f64, TextError> {
    const EXPECTED: &str = "a percentage like \"75%\"";
    let Some(number) = text.trim().strip_suffix('%') else {
        return Err(err(
            0,
            text.len(),
            format!("\"{text}\" is not a percentage"),
            EXPECTED,
        ));
    };
    number
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| {
            err(
                0,
                text.len(),
                format!("\"{text}\" is not a percentage"),
                EXPECTED,
            )
        })
}

/// `250000 USD`, `1,200,000.50 EUR`, `5,000,000 JPY` into [`Money`]: the
/// currency's own decimals from ISO 4217.
pub(crate) fn money(text: &str) -> Result<Money, TextError> {
    const EXPECTED: &str =
        "an amount with its currency, e.g. \"250000 USD\" or \"1,200,000.50 EUR\"";
    let words = words(text);
    let [(at, amount), (cur_at, currency)] = words.as_slice() else {
        return Err(err(
            0,
            text.len(),
            format!("\"{text}\" is not an amount with a currency"),
            EXPECTED,
        ));
    };
    if let Err(message) = Money::check_currency(currency) {
        return Err(err(
            *cur_at,
            currency.len(),
            message,
            "an ISO 4217 code such as USD, EUR or GBP",
        ));
    }
    Money::parse(&amount.replace(',', ""), currency)
        .map_err(|message| err(*at, amount.len(), message, EXPECTED))
}

pub(crate) const FEE_EXPECTED: &str = "an amount per request with its currency, e.g. \"250 USD\", or a minimum, e.g. \"at least 250 USD\"";

/// `250 USD` or `at least 250 USD` into a [`Fee`](super::Fee).
pub(crate) fn fee(text: &str) -> Result<super::Fee, TextError> {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let (minimum, rest, at) = match trimmed.strip_prefix("at least") {
        Some(rest) if rest.starts_with(char::is_whitespace) => {
            (true, rest, lead + "at least".len())
        }
        _ => (false, trimmed, lead),
    };
    // The amount's errors say what a fee looks like; the currency's keep
    // their own ISO 4217 hint.
    let amount = money(rest).map_err(|e| TextError {
        at: e.at + at,
        expected: if e.at == 0 {
            FEE_EXPECTED.to_string()
        } else {
            e.expected
        },
        ..e
    })?;
    if amount.minor <= 0 {
        return Err(err(
            at,
            text.len() - at,
            format!("a fee of {amount} charges nothing"),
            FEE_EXPECTED,
        ));
    }
    Ok(super::Fee { amount, minimum })
}

/// Splits at white space, keeping byte offsets.
fn words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

pub(crate) const CONDITION_EXPECTED: &str = "an event condition: \"created\", \"stage = mql\", \"assigned\", \"touched\", \"touched via call|meeting\", \"accepted\", \"rejected\", \"rejected for no-budget|not-icp\", \"recycled\", \"opportunity_created\", \"won\", \"lost\", \"request_opened\", \"request_opened via escalation\", \"request_acknowledged\", \"request_resolved\", \"request_feedback_requested\", \"request_feedback_given\", \"request_extension_granted\", \"request_extension_refused\", \"request_cancelled\", \"request_meeting_held\" or \"request_recap_sent\"";

/// A condition with the ids it names and where (offset, length) for checking them.
#[derive(Debug)]
pub(crate) struct ParsedCondition {
    pub condition: Condition,
    pub stages: Vec<(StageId, usize, usize)>,
    pub reasons: Vec<(ReasonId, usize, usize)>,
}

/// Parses one condition.
pub(crate) fn condition(text: &str) -> Result<ParsedCondition, TextError> {
    let lead = text.len() - text.trim_start().len();
    let trimmed = text.trim();
    let mut parsed = ParsedCondition {
        condition: Condition::Created,
        stages: vec![],
        reasons: vec![],
    };
    if let Some(rest) = trimmed.strip_prefix("stage") {
        let after = rest.trim_start();
        if let Some(stage) = after.strip_prefix('=') {
            let stage_text = stage.trim();
            let at = lead + trimmed.len() - stage.len() + (stage.len() - stage.trim_start().len());
            if stage_text.is_empty() {
                return Err(err(
                    at,
                    1,
                    "no stage after \"=\"",
                    "a stage id, e.g. \"stage = mql\"",
                ));
            }
            let id = StageId(stage_text.to_string());
            parsed.stages.push((id.clone(), at, stage_text.len()));
            parsed.condition = Condition::StageIs(id);
            return Ok(parsed);
        }
    }
    let (head, tail) = match trimmed.split_once(char::is_whitespace) {
        Some((h, t)) => (h, Some(t)),
        None => (trimmed, None),
    };
    let head_err = || {
        err(
            lead,
            head.len().max(1),
            format!("\"{trimmed}\" is not a condition"),
            CONDITION_EXPECTED,
        )
    };
    // The qualifier after `via` / `for`: a |-separated list with offsets.
    let list = |keyword: &str| -> Result<Vec<(usize, String)>, TextError> {
        let Some(tail) = tail else { return Ok(vec![]) };
        let tail_at = lead + trimmed.len() - tail.len();
        let t = tail.trim_start();
        let t_at = tail_at + tail.len() - t.len();
        let Some(items) = t.strip_prefix(keyword) else {
            return Err(err(
                t_at,
                t.len(),
                format!("unexpected \"{t}\" after \"{head}\""),
                &format!("\"{head} {keyword} a|b\" or just \"{head}\""),
            ));
        };
        let mut out = Vec::new();
        let mut offset = t_at + keyword.len();
        for item in items.split(['|', ',']) {
            let item_lead = item.len() - item.trim_start().len();
            let name = item.trim();
            if name.is_empty() {
                return Err(err(
                    offset,
                    1,
                    format!("empty item after \"{keyword}\""),
                    &format!("\"{head} {keyword} a|b\""),
                ));
            }
            out.push((offset + item_lead, name.to_string()));
            offset += item.len() + 1;
        }
        Ok(out)
    };
    let no_tail = |c: Condition| -> Result<Condition, TextError> {
        match tail {
            None => Ok(c),
            Some(t) => {
                let at = lead + trimmed.len() - t.len();
                Err(err(
                    at,
                    t.len(),
                    format!("\"{head}\" takes nothing after it, found \"{}\"", t.trim()),
                    CONDITION_EXPECTED,
                ))
            }
        }
    };
    parsed.condition = match head {
        "created" => no_tail(Condition::Created)?,
        "assigned" => no_tail(Condition::Assigned)?,
        "accepted" => no_tail(Condition::Accepted)?,
        "recycled" => no_tail(Condition::Recycled)?,
        "opportunity_created" => no_tail(Condition::OpportunityCreated)?,
        "won" => no_tail(Condition::Won)?,
        "lost" => no_tail(Condition::Lost)?,
        "touched" => {
            let mut channels = Vec::new();
            for (at, name) in list("via")? {
                let channel = Channel::parse(&name).ok_or_else(|| {
                    err(
                        at,
                        name.len(),
                        format!("\"{name}\" is not a touch channel"),
                        "call, email, meeting, social or other",
                    )
                })?;
                channels.push(channel);
            }
            Condition::Touched(channels)
        }
        "rejected" => {
            let mut reasons = Vec::new();
            for (at, name) in list("for")? {
                let id = ReasonId(name.clone());
                parsed.reasons.push((id.clone(), at, name.len()));
                reasons.push(id);
            }
            Condition::Rejected(reasons)
        }
        "request_opened" => {
            Condition::RequestOpened(list("via")?.into_iter().map(|(_, n)| n).collect())
        }
        other => match crate::event::RequestStep::from_condition(other) {
            Some(step) => no_tail(Condition::Request(step))?,
            None => return Err(head_err()),
        },
    };
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use handshake_calendar::BusinessDuration;

    #[test]
    fn durations() {
        assert_eq!(
            duration("90 minutes"),
            Ok(DurationSpec::Business(BusinessDuration::from_minutes(90)))
        );
        assert_eq!(
            duration("4 business hours"),
            Ok(DurationSpec::Business(BusinessDuration::from_hours(4)))
        );
        assert_eq!(
            duration("1 business hour"),
            Ok(DurationSpec::Business(BusinessDuration::from_hours(1)))
        );
        assert_eq!(
            duration("2 business days"),
            Ok(DurationSpec::BusinessDays(2))
        );
        let e = duration("4 business fortnights").unwrap_err();
        assert_eq!((e.at, e.len), (11, 10));
        let e = duration("four hours").unwrap_err();
        assert_eq!(e.at, 0);
        assert_eq!(
            duration("4 business hours").unwrap().to_string(),
            "4 business hours"
        );
        assert_eq!(
            duration("90 minutes").unwrap().to_string(),
            "90 business minutes"
        );
    }

    #[test]
    fn calendar_time_is_said_and_read_back() {
        assert_eq!(
            duration("3 calendar days"),
            Ok(DurationSpec::CalendarDays(3))
        );
        assert_eq!(
            duration("48 calendar hours"),
            Ok(DurationSpec::CalendarTime(BusinessDuration::from_hours(48)))
        );
        assert_eq!(
            duration("1 calendar day").unwrap().to_string(),
            "1 calendar day"
        );
        assert_eq!(
            duration("90 calendar minutes").unwrap().to_string(),
            "90 calendar minutes"
        );
        let day = BusinessDuration::from_hours(8);
        assert_eq!(
            DurationSpec::CalendarDays(3).resolve(day).as_seconds(),
            3 * 86_400
        );
        assert_eq!(
            DurationSpec::BusinessDays(3).resolve(day).as_seconds(),
            24 * 3600
        );
        assert!(!DurationSpec::BusinessDays(3).is_calendar_time());
        let e = duration("3 business calendar days").unwrap_err();
        assert_eq!((e.at, e.len), (11, 8), "the second kind is pointed at");
        assert!(e.message.contains("not both"), "{}", e.message);
    }

    #[test]
    fn money_and_percent() {
        assert_eq!(money("1,200,000.5 EUR").unwrap().minor, 120_000_050);
        assert_eq!(money("5,000 JPY").unwrap().minor, 5_000);
        assert_eq!(money("1.25 BHD").unwrap().minor, 1_250);
        assert_eq!(money("1.005 USD").unwrap_err().at, 0);
        assert_eq!(money("10 XYZ").unwrap_err().at, 3);
        assert_eq!(money("250000 usd").unwrap_err().at, 7);
        assert_eq!(percent("75%"), Ok(75.0));
        assert!(percent("75").is_err());
    }

    #[test]
    fn conditions() {
        let c = condition("stage = mql").unwrap();
        assert_eq!(c.condition, Condition::StageIs(StageId("mql".into())));
        assert_eq!(c.stages[0].1, 8);
        let c = condition("touched via call|meeting").unwrap();
        assert_eq!(
            c.condition,
            Condition::Touched(vec![Channel::Call, Channel::Meeting])
        );
        let e = condition("touched via call|fax").unwrap_err();
        assert_eq!((e.at, e.len), (17, 3));
        let c = condition("rejected for no-budget, not-icp").unwrap();
        assert_eq!(c.reasons[1].1, 24);
        let e = condition("tuched").unwrap_err();
        assert_eq!(e.at, 0);
        let e = condition("accepted now").unwrap_err();
        assert_eq!(e.at, 9);
        assert_eq!(
            condition("request_opened via escalation")
                .unwrap()
                .condition,
            Condition::RequestOpened(vec!["escalation".into()])
        );
    }
}

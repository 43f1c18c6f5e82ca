//! The checks that need the whole file: every reference resolved against
//! what is defined, ids used twice, and warnings for legal but suspicious
//! choices (a target of zero, a segment no guarantee covers, a party that
//! owes nothing).

use std::collections::HashMap;

use super::model::*;
use super::parse::{Parsed, RefKind};
use crate::Diagnostic;
use crate::diagnostic::{closest, quoted_list};

/// `channels`: the workspace's channel names when known; channel
/// references are checked only then (the file alone cannot know them).
pub(crate) fn validate(
    mut parsed: Parsed,
    source: &str,
    channels: Option<&[crate::alerts::ChannelName]>,
) -> (Vec<Diagnostic>, Option<Agreement>) {
    let mut diags = std::mem::take(&mut parsed.diags);
    let known = |kind: RefKind| -> Vec<&str> {
        let mut names: Vec<&str> = parsed
            .known
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| id.as_str())
            .collect();
        names.dedup();
        names
    };
    let section = |kind: RefKind| match kind {
        RefKind::Party => "[parties]",
        RefKind::Stage => "[stages]",
        RefKind::Persona => "[personas]",
        RefKind::Reason => "[rejection_reasons]",
        RefKind::Segment => "[segments]",
        RefKind::Calendar => "[calendars]",
        RefKind::Goal => "[[goals]]",
        RefKind::Guarantee => "[[guarantees]]",
        RefKind::Channel => "the workspace's channels",
    };
    for r in &parsed.refs {
        if r.kind == RefKind::Channel {
            let Some(channels) = channels else { continue };
            if channels.iter().any(|c| c.as_str() == r.id) {
                continue;
            }
            let names = channels.iter().map(|c| c.as_str());
            let expected = match closest(&r.id, names.clone()) {
                Some(c) => format!("\"{c}\"? the workspace's channels: {}", quoted_list(names)),
                None if channels.is_empty() => format!(
                    "a channel of the workspace; none is set up yet: add it with `handshake channel add {} --slack URL` (or --webhook URL --secret-file FILE)",
                    r.id
                ),
                None => format!(
                    "one of the workspace's channels: {} (or add it with `handshake channel add {}`)",
                    quoted_list(names),
                    r.id
                ),
            };
            // A warning: channels may be added after the agreement; its
            // alerts wait in the outbox (and show there) until then.
            diags.push(
                Diagnostic::warning(
                    r.span.range(),
                    format!(
                        "channel \"{}\" is not set up in this workspace: its alerts wait in the outbox until it is",
                        r.id
                    ),
                )
                .expected(expected),
            );
            continue;
        }
        let names = known(r.kind);
        if r.kind == RefKind::Persona && names.is_empty() {
            continue; // personas are optional; without them persona values are free text
        }
        if names.contains(&r.id.as_str()) {
            continue;
        }
        let noun = r.kind.noun();
        let plural = if let Some(stem) = noun.strip_suffix('y') {
            format!("{stem}ies")
        } else {
            format!("{noun}s")
        };
        let expected = match closest(&r.id, names.iter().copied()) {
            Some(c) => format!(
                "\"{c}\"? known {plural} in {}: {}",
                section(r.kind),
                quoted_list(names.iter().copied())
            ),
            None if names.is_empty() => format!(
                "a {noun} defined in {}; none is defined yet",
                section(r.kind)
            ),
            None => format!(
                "one of the {plural} defined in {}: {}",
                section(r.kind),
                quoted_list(names.iter().copied())
            ),
        };
        let message = if r.kind == RefKind::Stage
            && source.get(r.span.start..r.span.end) != Some(r.id.as_str())
        {
            format!(
                "this metric counts stage \"{}\", which is not defined",
                r.id
            )
        } else {
            format!("unknown {noun} \"{}\"", r.id)
        };
        diags.push(Diagnostic::error(r.span.range(), message).expected(expected));
    }

    let clean = !diags.iter().any(Diagnostic::is_error);
    let Some(a) = parsed.agreement.as_ref() else {
        return (diags, None);
    };
    // Ids used twice.
    let twice = |diags: &mut Vec<Diagnostic>,
                 noun: &str,
                 ids: Vec<&str>,
                 spans: &[crate::toml_read::Span]| {
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (id, span) in ids.into_iter().zip(spans) {
            if let Some(&at) = first.get(id) {
                let line = source[..at.min(source.len())].matches('\n').count() + 1;
                diags.push(
                    Diagnostic::error(
                        span.range(),
                        format!("{noun} id \"{id}\" is used twice (first on line {line})"),
                    )
                    .expected(format!("a {noun} id used only once")),
                );
            } else {
                first.insert(id, span.start);
            }
        }
    };
    twice(
        &mut diags,
        "goal",
        a.goals.iter().map(|g| g.id.as_str()).collect(),
        &parsed.goal_spans,
    );
    twice(
        &mut diags,
        "guarantee",
        a.guarantees.iter().map(|g| g.id.as_str()).collect(),
        &parsed.guarantee_spans,
    );

    // Warnings.
    for (goal, span) in a.goals.iter().zip(&parsed.target_spans) {
        let zero = match &goal.target {
            Target::Count(n) => *n == 0,
            Target::Rate(bp) => *bp == 0,
            Target::Money(m) => m.minor == 0,
            Target::Duration(_) => false,
        };
        if zero && goal.direction == Direction::AtLeast {
            diags.push(
                Diagnostic::warning(
                    span.range(),
                    format!(
                        "goal \"{}\" has target 0: it is attained whatever happens",
                        goal.id
                    ),
                )
                .expected("a target above zero"),
            );
        }
    }
    if !clean {
        // The warnings below weigh the agreement as a whole; with parts
        // missing for errors they would only echo those errors.
        return (diags, parsed.agreement);
    }
    let segment_guarantees = a.guarantees.iter().any(|g| g.segment.is_some());
    let catch_all = a
        .guarantees
        .iter()
        .any(|g| g.segment.is_none() && g.subject == Subject::Lead);
    if segment_guarantees && !catch_all {
        for (segment, span) in a.segments.iter().zip(&parsed.segment_spans) {
            if !a
                .guarantees
                .iter()
                .any(|g| g.segment.as_ref() == Some(&segment.id))
            {
                diags.push(
                    Diagnostic::warning(span.range(), format!("no guarantee covers segment \"{}\": its leads carry no response-time promise", segment.id))
                        .expected(format!("a [[guarantees]] entry with segment = \"{}\", or one without a segment", segment.id)),
                );
            }
        }
    }
    for p in &a.parties {
        let owes =
            a.goals.iter().any(|g| g.owner == p.id) || a.guarantees.iter().any(|g| g.owner == p.id);
        if !owes && !a.goals.is_empty() {
            let at = source
                .find(&format!("[parties.{}]", p.id))
                .or_else(|| source.find(&format!("{} =", p.id)))
                .unwrap_or(0);
            diags.push(
                Diagnostic::warning(
                    at..at + 1,
                    format!(
                        "party \"{}\" owes nothing: no goal or guarantee names it as owner",
                        p.id
                    ),
                )
                .expected("each side of the agreement owning at least one goal or guarantee"),
            );
        }
    }
    if a.parties.len() < 2 {
        diags.push(
            Diagnostic::warning(
                0..0,
                format!(
                    "the agreement has {} part{}",
                    a.parties.len(),
                    if a.parties.len() == 1 { "y" } else { "ies" }
                ),
            )
            .expected("at least two parties, e.g. [parties.marketing] and [parties.sales]"),
        );
    }
    let agreement = parsed.agreement;
    (diags, agreement)
}

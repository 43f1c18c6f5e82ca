//! The agreement in plain language: the text a team pastes into its wiki so
//! that everyone reads the same promises, without reading TOML.

use std::fmt::Write;

use super::model::*;

/// Writes the agreement as plain-language Markdown.
///
/// # Example
/// ```
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/agreement.toml"))?;
/// let agreement = handshake_core::check("agreement.toml", &text).agreement.expect("the example is valid");
/// let words = handshake_core::agreement::explain(&agreement);
/// assert!(words.contains("Marketing delivers at least 400 MQLs every month."));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn explain(a: &Agreement) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_all(a, &mut out);
    out
}

fn write_all(a: &Agreement, out: &mut String) -> std::fmt::Result {
    writeln!(out, "# {}\n", a.name)?;
    writeln!(out, "{}\n", a.summary.trim())?;
    let until = a
        .effective
        .to
        .map_or("until it is cancelled".to_string(), |to| {
            format!("to {}", long_date(to))
        });
    write!(
        out,
        "In force from {} {until}. Months, quarters and years are counted in {}.",
        long_date(a.effective.from),
        a.time_zone.name
    )?;
    if let Some(review) = &a.review {
        write!(
            out,
            " Both sides review it every {}.",
            review.every.as_str()
        )?;
    }
    writeln!(out, "\n")?;

    writeln!(out, "## Who is bound\n")?;
    for p in &a.parties {
        write!(out, "- **{}**", p.name)?;
        if let Some(c) = p.contacts.first() {
            write!(out, ", represented by {}", contact(c))?;
        }
        writeln!(out, ".")?;
        if let Some(role) = &p.role {
            writeln!(out, "  Its part: {}", sentence(role))?;
        }
        for extra in p.contacts.iter().skip(1) {
            writeln!(out, "  Also a point of contact: {}.", contact(extra))?;
        }
        if !p.needs.is_empty() {
            writeln!(out, "  It needs: {}.", p.needs.join("; "))?;
        }
    }
    writeln!(out)?;

    if !a.stages.is_empty()
        || !a.personas.is_empty()
        || a.ideal_customer_profile.is_some()
        || !a.rejection_reasons.is_empty()
    {
        writeln!(out, "## The common language\n")?;
        for s in &a.stages {
            writeln!(
                out,
                "- **{}**: {}",
                stage_label(&s.id),
                sentence(&s.definition)
            )?;
        }
        if let Some(icp) = &a.ideal_customer_profile {
            writeln!(out, "\nIdeal customer profile: {}", sentence(icp))?;
        }
        if !a.personas.is_empty() {
            writeln!(out, "\nBuyer personas:")?;
            for p in &a.personas {
                writeln!(out, "- **{}**: {}", p.id, sentence(&p.description))?;
            }
        }
        if !a.rejection_reasons.is_empty() {
            writeln!(
                out,
                "\nSales may reject a lead only for one of these reasons:"
            )?;
            for r in &a.rejection_reasons {
                writeln!(out, "- **{}**: {}", r.id, sentence(&r.description))?;
            }
        }
        writeln!(out)?;
    }

    if let Some(s) = &a.scoring {
        writeln!(out, "## Lead scoring\n")?;
        writeln!(
            out,
            "A lead is marketing-qualified at {} points on the shared model:",
            s.mql_threshold
        )?;
        for r in &s.rules {
            let sign = if r.points >= 0 { "+" } else { "" };
            writeln!(out, "- {sign}{} points when {}", r.points, matcher(&r.when))?;
        }
        if !s.grades.is_empty() {
            let grades: Vec<String> = s
                .grades
                .iter()
                .map(|g| format!("{} from {} points", g.id, g.min_score))
                .collect();
            writeln!(out, "\nQuality grades: {}.", grades.join(", "))?;
        }
        writeln!(out)?;
    }

    if !a.segments.is_empty() {
        writeln!(out, "## Segments\n")?;
        for s in &a.segments {
            write!(out, "- **{}**: leads where {}", s.id, matcher(&s.when))?;
            match &s.description {
                Some(d) => writeln!(out, " ({})", d.trim_end_matches('.'))?,
                None => writeln!(out)?,
            }
        }
        writeln!(out)?;
    }

    if !a.calendars.is_empty() {
        writeln!(out, "## Business hours\n")?;
        for c in &a.calendars {
            let def = c.calendar.def();
            write!(out, "- **{}**: {}", c.id, calendar_words(c))?;
            let closed: Vec<String> = def
                .holidays
                .closed()
                .map(|d| match c.holiday_names.get(&d) {
                    Some(name) => format!("{d} {name}"),
                    None => d.to_string(),
                })
                .collect();
            let partial: Vec<String> = def
                .holidays
                .partial()
                .map(|(d, ivs)| {
                    format!(
                        "{d} ({} only)",
                        ivs.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect();
            if let Some(source) = &c.public_holidays {
                write!(out, "; public holidays of {source}")?;
            }
            if !closed.is_empty() {
                write!(out, "; closed on {}", closed.join(", "))?;
            }
            if !partial.is_empty() {
                write!(out, "; short days {}", partial.join(", "))?;
            }
            writeln!(
                out,
                ". A business day is {}.",
                hours_words(c.calendar.day_length().as_seconds())
            )?;
        }
        writeln!(out)?;
    }

    if !a.goals.is_empty() {
        writeln!(out, "## Goals\n")?;
        for g in &a.goals {
            writeln!(out, "- {}", goal_sentence(a, g))?;
        }
        writeln!(out)?;
    }

    if !a.guarantees.is_empty() {
        writeln!(out, "## Guarantees\n")?;
        for g in &a.guarantees {
            writeln!(out, "- {}", guarantee_sentence(a, g))?;
        }
        writeln!(
            out,
            "\nThe queue lists what someone can still act on: clocks running, and clocks \
             breached until they are {} late; a later breach is in the breaches list.",
            a.queue.keep_breached
        )?;
        writeln!(out)?;
    }

    if !a.consequences.is_empty() {
        writeln!(out, "## When a promise is missed\n")?;
        for c in &a.consequences {
            let when = match &c.when {
                Trigger::GoalMissed { goal, periods } => {
                    let which = goal
                        .as_ref()
                        .map_or("any goal".to_string(), |g| format!("goal {g}"));
                    if *periods == 1 {
                        format!("When {which} is missed")
                    } else {
                        format!("When {which} is missed {periods} periods in a row")
                    }
                }
                Trigger::GuaranteeBreached { guarantee } => {
                    let which = guarantee
                        .as_ref()
                        .map_or("any guarantee".to_string(), |g| format!("guarantee {g}"));
                    format!("When {which} is breached")
                }
            };
            let to = party_with_contact(a, &c.to);
            let action = match c.action {
                Action::Escalate => format!("it is escalated to {to}"),
                Action::Notify => format!("{to} is notified"),
                Action::Review => format!("it goes on the agenda of the next review, with {to}"),
            };
            write!(out, "- {when}, {action}.")?;
            if let Some(note) = &c.note {
                write!(out, " {}", sentence(note))?;
            }
            if matches!(c.when, Trigger::GuaranteeBreached { .. }) {
                write!(
                    out,
                    " This shows on the scorecard and report; the guarantee's alerts ladder is what tells people of a breach."
                )?;
            } else if c.via.is_empty() {
                write!(
                    out,
                    " This shows on the scorecard and report only: no message is sent (it has no via)."
                )?;
            } else {
                let contact = a
                    .party(&c.to)
                    .and_then(|p| p.contacts.first())
                    .map_or_else(|| format!("the {} party", c.to), |k| k.name.clone());
                write!(
                    out,
                    " When a period closes so, {contact} is told via {}.",
                    channel_list(&c.via)
                )?;
            }
            writeln!(out)?;
        }
        writeln!(out)?;
    }

    if !a.digests.is_empty() {
        writeln!(out, "## Digests\n")?;
        for d in &a.digests {
            let (who, what) = match &d.to {
                DigestFor::Owners => (
                    "each active person of the directory".to_string(),
                    "their leads due before the next one and their breaches since the last",
                ),
                DigestFor::Party(p) => (party_with_contact(a, p), "the scorecard in brief"),
            };
            writeln!(
                out,
                "- {} (each recipient's own zone): {who} is told {what}, via {}.",
                d.every,
                channel_list(&d.via)
            )?;
        }
        writeln!(out)?;
    }

    if let Some(c) = &a.cancellation {
        writeln!(out, "## Ending the agreement\n")?;
        let which = if c.goals.is_empty() {
            "its goals are".to_string()
        } else {
            let ids: Vec<&str> = c.goals.iter().map(GoalId::as_str).collect();
            format!(
                "goal{} {} {}",
                if ids.len() > 1 { "s" } else { "" },
                ids.join(", "),
                if ids.len() > 1 { "are" } else { "is" }
            )
        };
        write!(
            out,
            "Either side may end the agreement when {which} missed {} consecutive periods",
            c.after_consecutive_missed_periods
        )?;
        match c.notice_days {
            Some(days) => write!(out, ", with {days} days' notice.")?,
            None => write!(out, ".")?,
        }
        if c.via.is_empty() {
            writeln!(out, " No one is told when it is met (it has no via).")?;
        } else {
            let contacts: Vec<String> = a
                .parties
                .iter()
                .map(|p| {
                    p.contacts
                        .first()
                        .map_or(p.name.clone(), |k| k.name.clone())
                })
                .collect();
            writeln!(
                out,
                " When a period's close meets it, {} are told via {}.",
                and_list(&contacts),
                channel_list(&c.via)
            )?;
        }
    }
    Ok(())
}

/// Channel names in words: `ops` and `sales-room`.
fn channel_list(via: &[crate::alerts::ChannelName]) -> String {
    let names: Vec<String> = via.iter().map(|c| format!("`{c}`")).collect();
    and_list(&names)
}

fn long_date(d: jiff::civil::Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

fn contact(c: &Contact) -> String {
    match &c.role {
        Some(role) => format!("{} ({role}, {})", c.name, c.email),
        None => format!("{} ({})", c.name, c.email),
    }
}

fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

fn party_name(a: &Agreement, id: &PartyId) -> String {
    a.party(id)
        .map_or_else(|| id.to_string(), |p| p.name.clone())
}

fn party_with_contact(a: &Agreement, id: &PartyId) -> String {
    match a.party(id) {
        Some(p) => match p.contacts.first() {
            Some(c) => format!("{} ({})", p.name, c.name),
            None => p.name.clone(),
        },
        None => id.to_string(),
    }
}

/// Who an alert step tells, in words.
fn recipient(a: &Agreement, r: &Recipient) -> String {
    match r {
        Recipient::Owner => "the lead's owner".to_string(),
        Recipient::Manager => "the owner's manager".to_string(),
        Recipient::Party(p) => party_with_contact(a, p),
    }
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `MQL` for short ids, the id itself otherwise.
fn stage_label(id: &StageId) -> String {
    if id.as_str().len() <= 3 {
        id.as_str().to_uppercase()
    } else {
        id.as_str().to_string()
    }
}

fn stage_plural(id: &StageId) -> String {
    format!("{}s", stage_label(id))
}

fn matcher(m: &Matcher) -> String {
    match m {
        Matcher::Attribute { attribute, values } => {
            if values.len() == 1 {
                format!("{attribute} is {}", values[0])
            } else {
                format!("{attribute} is one of {}", values.join(", "))
            }
        }
        Matcher::AtLeast { attribute, min } => format!("{attribute} is at least {min}"),
        Matcher::Activity(kind) => format!("the lead shows activity \"{kind}\""),
    }
}

fn hours_words(seconds: i64) -> String {
    match (seconds / 3600, seconds % 3600 / 60) {
        (1, 0) => "1 hour".to_string(),
        (h, 0) => format!("{h} hours"),
        (h, m) => format!("{h} hours {m} minutes"),
    }
}

/// `new-york office hours (Mon-Fri 09:00-17:00, America/New_York)`.
fn calendar_words(c: &NamedCalendar) -> String {
    let hours = c.calendar.def().hours.to_string();
    let pretty = if hours == "24x7" {
        "around the clock".to_string()
    } else {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .fold(hours, |acc, d| {
                acc.replace(d, &(d[..1].to_uppercase() + &d[1..]))
            })
    };
    format!("{pretty}, {}", c.time_zone)
}

fn filters_words(a: &Agreement, f: &Filters) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &f.segment {
        parts.push(format!("in the {s} segment"));
    }
    if let Some(s) = &f.source {
        parts.push(format!("from source {s}"));
    }
    if let Some(p) = &f.persona {
        parts.push(format!("of persona {p}"));
    }
    let _ = a;
    if parts.is_empty() {
        String::new()
    } else {
        format!(" {}", parts.join(", "))
    }
}

fn goal_sentence(a: &Agreement, g: &Goal) -> String {
    let owner = party_name(a, &g.owner);
    let bound = match g.direction {
        Direction::AtLeast => "at least",
        Direction::AtMost => "at most",
    };
    let t = &g.target;
    let filters = filters_words(a, &g.filters);
    let body = match &g.metric {
        Metric::Reached(stage) => format!("delivers {bound} {t} {}{filters}", stage_plural(stage)),
        Metric::Opportunities => format!("creates {bound} {t} opportunities{filters}"),
        Metric::PipelineValue => format!("creates {bound} {t} of new pipeline{filters}"),
        Metric::RevenueWon => format!("wins {bound} {t} in new revenue{filters}"),
        Metric::FollowUpRate => {
            let which = if g.guarantees.is_empty() {
                "its response-time guarantees".to_string()
            } else {
                format!(
                    "guarantee{} {}",
                    if g.guarantees.len() > 1 { "s" } else { "" },
                    g.guarantees
                        .iter()
                        .map(GuaranteeId::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            format!("meets {which} in time for {bound} {t} of leads{filters}")
        }
        Metric::AcceptanceRate => format!("accepts {bound} {t} of the leads handed over{filters}"),
        Metric::Conversion { from, to } => {
            format!(
                "turns {bound} {t} of {}{filters} into {} (counted on the {} that arrived in the period)",
                stage_plural(from),
                stage_plural(to),
                stage_plural(from)
            )
        }
        Metric::MedianFirstTouch => {
            format!("keeps the median time from MQL to first touch{filters} {bound} {t}")
        }
    };
    let period = match g.per {
        Period::Week => "every week",
        Period::Month => "every month",
        Period::Quarter => "every quarter",
        Period::Year => "every year",
    };
    let mut s = format!("{owner} {body} {period}.");
    if let Some(d) = &g.description {
        s.push(' ');
        s.push_str(&sentence(d));
    }
    s
}

fn channels(list: &[Channel]) -> String {
    or_list(
        &list
            .iter()
            .map(|c| c.as_str().to_string())
            .collect::<Vec<_>>(),
    )
}

fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// What happens to the lead (or request), as a past participle phrase.
fn happened(c: &Condition) -> String {
    match c {
        Condition::Created => "created".into(),
        Condition::StageIs(s) => format!("made {}", stage_label(s)),
        Condition::Assigned => "assigned to an owner".into(),
        Condition::Touched(ch) if ch.is_empty() => "touched".into(),
        Condition::Touched(ch) => format!("touched by {}", channels(ch)),
        Condition::Accepted => "accepted".into(),
        Condition::Rejected(r) if r.is_empty() => "rejected".into(),
        Condition::Rejected(r) => format!(
            "rejected for {}",
            or_list(&r.iter().map(ToString::to_string).collect::<Vec<_>>())
        ),
        Condition::Recycled => "recycled".into(),
        Condition::OpportunityCreated => "turned into an opportunity".into(),
        Condition::Won => "won".into(),
        Condition::Lost => "lost".into(),
        Condition::RequestOpened(ch) if ch.is_empty() => "opened".into(),
        Condition::RequestOpened(ch) => format!("opened through {}", or_list(ch)),
        Condition::Request(step) => step.words().into(),
    }
}

fn guarantee_sentence(a: &Agreement, g: &Guarantee) -> String {
    let owner = party_name(a, &g.owner);
    let segment = g
        .segment
        .as_ref()
        .map_or(String::new(), |s| format!("{s} "));
    let article = if segment.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    let start = match (&g.subject, &g.starts) {
        (Subject::Lead, Condition::StageIs(s)) => {
            format!("{article} {segment}lead becoming {}", stage_label(s))
        }
        (Subject::Lead, start) => format!("{article} {segment}lead being {}", happened(start)),
        (Subject::Request, start) => format!("a request being {}", happened(start)),
    };
    let calendar = match a.calendar(&g.calendar) {
        None => g.calendar.to_string(),
        Some(c) if g.within.is_calendar_time() => format!(
            "calendar time: nights, weekends and holidays count; times read in {}",
            c.time_zone
        ),
        Some(c) => format!("the {} calendar: {}", c.id, calendar_words(c)),
    };
    let mut s = match g.cadence {
        Some(cadence) => format!(
            "**{}**: within {} of {start}, {owner} touches it at least {} times ({calendar}).",
            g.id, g.within, cadence.touches
        ),
        None => {
            let stops: Vec<String> = g.stops.iter().map(happened).collect();
            format!(
                "**{}**: within {} of {start}, {owner} has it {} ({calendar}).",
                g.id,
                g.within,
                or_list(&stops)
            )
        }
    };
    if g.cadence.is_some() && !g.stops.is_empty() {
        let stops: Vec<String> = g.stops.iter().map(happened).collect();
        let _ = write!(s, " The promise ends early if it is {}.", or_list(&stops));
    }
    for p in &g.pauses {
        let _ = write!(
            s,
            " The clock pauses while it is {} and resumes once it is {}.",
            happened(&p.from),
            happened(&p.until)
        );
    }
    if let Some(x) = &g.extension {
        let _ = write!(
            s,
            " {owner} may ask for more time within {} of the start; once granted, it is due when asked, at most {} later; an extension asked later is refused by the rules.",
            x.ask_within, x.up_to
        );
    }
    if let Some(fee) = &g.fee {
        let _ = write!(
            s,
            " Each request it clocks costs the party that sent it {fee}."
        );
    }
    if let Some(w) = g.warn_at {
        let _ = write!(s, " After {w}% of the time it is at risk.");
    }
    if let Some(to) = &g.escalate_to {
        let _ = write!(
            s,
            " A breach is escalated to {} on the scorecard.",
            party_with_contact(a, to)
        );
    }
    if g.alerts.is_empty() {
        s.push_str(" No one is alerted as its time runs out (it has no alerts).");
    }
    for step in &g.alerts {
        let when = match step.at {
            100 => "At due".to_string(),
            p => format!("At {p}% of the time"),
        };
        let via = channel_list(&step.via);
        let _ = write!(
            s,
            " {when} {} is told via {}{}.",
            recipient(a, &step.tell),
            via,
            if step.reassign {
                ", and the CRM is asked to reassign the lead"
            } else {
                ""
            }
        );
    }
    if let Some(d) = &g.description {
        s.push(' ');
        s.push_str(&sentence(d));
    }
    s
}

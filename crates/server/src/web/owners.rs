//! The scorecard's clocks by owner and by team: the report's lines (one
//! definition in the core) with the people directory's names and a link
//! to each one's queue of that guarantee.

use handshake_core::alerts::people::Person;
use handshake_core::engine::{NO_OWNER, OwnerLine, percent};

use super::clock_list::UNASSIGNED;
use super::encode;

/// One row of an owner (or team) table.
pub(crate) struct OwnerRow {
    pub guarantee: String,
    /// Who, as people read it: "Hugo Brandt (rep-hugo)", "team of Lee".
    pub who: String,
    /// Their queue of that guarantee.
    pub href: String,
    pub clocks: usize,
    pub met: usize,
    pub met_late: usize,
    pub breached: usize,
    pub compliance: String,
    pub median: String,
}

fn name_of<'p>(people: &'p [Person], id: &str) -> Option<&'p str> {
    people
        .iter()
        .find(|p| p.owner_id == id)
        .map(|p| p.name.as_str())
}

/// Rows of `lines`; `team` says whether each line's owner is a team's
/// manager (the link filters the queue by team then).
pub(crate) fn rows(lines: &[OwnerLine], people: &[Person], team: bool) -> Vec<OwnerRow> {
    lines
        .iter()
        .map(|l| {
            let id = l.owner.as_deref();
            let who = match (id, team) {
                (None, _) => NO_OWNER.to_string(),
                (Some(m), true) => format!("team of {}", name_of(people, m).unwrap_or(m)),
                (Some(o), false) => {
                    name_of(people, o).map_or_else(|| o.to_string(), |n| format!("{n} ({o})"))
                }
            };
            let filter = if team { "team" } else { "owner" };
            OwnerRow {
                href: format!(
                    "/queue?{filter}={}&guarantee={}",
                    encode(id.unwrap_or(UNASSIGNED), false),
                    encode(&l.guarantee, false)
                ),
                guarantee: l.guarantee.clone(),
                who,
                clocks: l.clocks,
                met: l.met,
                met_late: l.met_late,
                breached: l.breached,
                compliance: percent(l.compliance),
                median: l.median_to_stop_text.clone().unwrap_or_else(|| "—".into()),
            }
        })
        .collect()
}

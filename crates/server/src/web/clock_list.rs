//! What the queue and the breaches pages share: their filters (team, rep,
//! guarantee, state), read from the query into the core's
//! [`ClockFilter`], the choices the filter form offers, and the pager.

use axum::http::StatusCode;
use axum::response::Response;
use handshake_core::Agreement;
use handshake_core::alerts::people::Person;
use handshake_core::engine::{Clock, ClockFilter, QueueStanding, teams};
use serde::Deserialize;

use super::{error_page, with_query};

/// Rows on one page of a list.
pub(crate) const PAGE_ROWS: usize = 100;

/// What stands for clocks of no owner in lists and filters: the core's
/// name for them, as the report's lines by owner print it.
pub(crate) const UNASSIGNED: &str = handshake_core::engine::NO_OWNER;

/// The filters and page of a clock list, as the query gives them.
#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    owner: Option<String>,
    team: Option<String>,
    guarantee: Option<String>,
    state: Option<String>,
    page: Option<String>,
}

/// One option of a filter's select.
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A select of the filter form.
pub(crate) struct Select {
    pub name: &'static str,
    pub label: &'static str,
    pub any: &'static str,
    pub choices: Vec<Choice>,
}

/// A person as lists name them: "Ava Stone (rep-ava)", the id alone for
/// someone the directory lacks, [`UNASSIGNED`] for no owner.
pub(crate) fn person_label(people: &[Person], id: Option<&str>) -> String {
    match id {
        None => UNASSIGNED.to_string(),
        Some(id) => people
            .iter()
            .find(|p| p.owner_id == id)
            .map_or_else(|| id.to_string(), |p| format!("{} ({id})", p.name)),
    }
}

/// The rep select over `owners` (`None`: no owner), each once, by id,
/// with `selected` chosen.
pub(crate) fn owner_select<'o>(
    people: &[Person],
    owners: impl Iterator<Item = Option<&'o str>>,
    selected: Option<Option<&str>>,
) -> Select {
    let mut owners: Vec<Option<&str>> = owners.collect();
    owners.sort_unstable_by_key(|o| o.unwrap_or(UNASSIGNED));
    owners.dedup();
    Select {
        name: "owner",
        label: "Rep",
        any: "everyone",
        choices: owners
            .into_iter()
            .map(|o| Choice {
                value: o.unwrap_or(UNASSIGNED).to_string(),
                label: person_label(people, o),
                selected: selected == Some(o),
            })
            .collect(),
    }
}

/// A list's filters, parsed, with the page asked for (from 0).
pub(crate) struct Listing {
    pub filter: ClockFilter,
    /// The `state` as given (empty for any), for lists whose states are
    /// not queue standings.
    pub state: String,
    pub page: usize,
}

/// A list's `?page=` (from 1) as an index from 0; none is the first; anything
/// but a whole number from 1 is a 400 page saying what a page number is.
pub(crate) fn page_number(page: Option<&str>) -> Result<usize, Box<Response>> {
    match page.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(0),
        Some(p) => match p.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n - 1),
            _ => Err(Box::new(error_page(
                StatusCode::BAD_REQUEST,
                "No such page",
                &format!("\"{p}\" is not a page number; expected 1, 2, 3 ..."),
            ))),
        },
    }
}

fn given(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Reads the query; `states` are the `state` values the page knows
/// (others are a 400 page naming them), and `standing` says whether they
/// are queue standings the filter itself applies.
pub(crate) fn listing(
    q: ListQuery,
    states: &[&str],
    standing: bool,
) -> Result<Listing, Box<Response>> {
    let state = given(q.state).unwrap_or_default();
    if !state.is_empty() && !states.contains(&state.as_str()) {
        return Err(Box::new(error_page(
            StatusCode::BAD_REQUEST,
            "No such state",
            &format!(
                "\"{state}\" is not a state this list shows; expected one of {}.",
                states.join(", ")
            ),
        )));
    }
    let page = page_number(q.page.as_deref())?;
    let filter = ClockFilter {
        owner: given(q.owner).map(|o| (o != UNASSIGNED).then_some(o)),
        team: given(q.team),
        guarantee: given(q.guarantee),
        standing: if standing {
            QueueStanding::parse(&state)
        } else {
            None
        },
    };
    Ok(Listing {
        filter,
        state,
        page,
    })
}

impl Listing {
    /// The query string that shows page `page` (from 0) with the same filters.
    pub(crate) fn href(&self, path: &str, page: usize) -> String {
        let f = &self.filter;
        let mut pairs = Vec::new();
        if let Some(t) = &f.team {
            pairs.push(("team", t.clone()));
        }
        if let Some(o) = &f.owner {
            pairs.push(("owner", o.as_deref().unwrap_or(UNASSIGNED).to_string()));
        }
        if let Some(g) = &f.guarantee {
            pairs.push(("guarantee", g.clone()));
        }
        if !self.state.is_empty() {
            pairs.push(("state", self.state.clone()));
        }
        if page > 0 {
            pairs.push(("page", (page + 1).to_string()));
        }
        with_query(path, &pairs)
    }

    /// The filter form's selects: teams from the directory, reps and
    /// guarantees from `clocks`, and `states` (value, label).
    pub(crate) fn selects(
        &self,
        a: &Agreement,
        people: &[Person],
        clocks: &[&Clock],
        states: &[(&str, &str)],
    ) -> Vec<Select> {
        let owners = clocks.iter().map(|c| c.owner.as_deref());
        let owner = self.filter.owner.as_ref().map(|o| o.as_deref());
        vec![
            Select {
                name: "team",
                label: "Team",
                any: "every team",
                choices: teams(people)
                    .into_iter()
                    .map(|(id, name)| Choice {
                        selected: self.filter.team.as_deref() == Some(id.as_str()),
                        label: format!("team of {name}"),
                        value: id,
                    })
                    .collect(),
            },
            owner_select(people, owners, owner),
            Select {
                name: "guarantee",
                label: "Guarantee",
                any: "every guarantee",
                choices: a
                    .guarantees
                    .iter()
                    .map(|g| Choice {
                        value: g.id.as_str().to_string(),
                        label: g.id.as_str().to_string(),
                        selected: self.filter.guarantee.as_deref() == Some(g.id.as_str()),
                    })
                    .collect(),
            },
            Select {
                name: "state",
                label: "State",
                any: "any state",
                choices: states
                    .iter()
                    .map(|(value, label)| Choice {
                        value: value.to_string(),
                        label: label.to_string(),
                        selected: self.state == *value,
                    })
                    .collect(),
            },
        ]
    }
}

/// Where a list of `total` rows stands at `page`: the rows it shows and
/// the links to the pages beside it.
pub(crate) struct Pager {
    pub from: usize,
    pub to: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// The pager of `listing` over `total` rows at `path`; a page past the
    /// end shows the last one.
    pub(crate) fn new(listing: &Listing, path: &str, total: usize) -> Pager {
        let page = listing.page.min(total.saturating_sub(1) / PAGE_ROWS);
        let from = page * PAGE_ROWS;
        let to = (from + PAGE_ROWS).min(total);
        Pager {
            from,
            to,
            total,
            prev: (page > 0).then(|| listing.href(path, page - 1)),
            next: (to < total).then(|| listing.href(path, page + 1)),
        }
    }
}

/// What a list page starts from: its filters read from `q` (see
/// [`listing`]), the workspace's evaluation and its people directory; or
/// the page to show instead (a bad filter, no agreement, the store down).
pub(crate) async fn open(
    state: &crate::AppState,
    session: &super::session::Session,
    q: ListQuery,
    (path, title): (&str, &str),
    states: &[(&str, &str)],
    standing: bool,
) -> Result<(Listing, std::sync::Arc<crate::live::Snapshot>, Vec<Person>), Response> {
    let values: Vec<&str> = states.iter().map(|s| s.0).collect();
    let listing = listing(q, &values, standing).map_err(|page| *page)?;
    let snap = super::snapshot(state, session, path, title).await?;
    let people = super::people(state, session).await?;
    Ok((listing, snap, people))
}

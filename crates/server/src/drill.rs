//! The drill-down behind a goal's number, shared by its page, the page's
//! CSV and the API: the core's rows as lines with the same columns
//! everywhere, filtered by owner and by whether a row is in a rate's
//! numerator. The rows come from [`crate::live::Engines::goal_rows`] (the
//! server) or the core's `Live::goal_rows` (`handshake report --goal`).

use handshake_core::agreement::Agreement;
use handshake_core::engine::{GoalLine, GoalRow, NO_OWNER};
use handshake_core::lead::RecordUrl;
use serde::Serialize;

/// One row behind a goal's number: the columns of the page, the CSV and the API.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DrillLine {
    /// The lead's CRM record id.
    pub lead: String,
    /// The lead's name where the CRM gave one (its `name` attribute), else its company.
    pub name: Option<String>,
    /// When it counted (RFC 3339): the stage reached, the opportunity or
    /// deal, the MQL a decision or conversion follows, the clock's start.
    pub at: String,
    /// The lead's owner now; empty (`null`) for none.
    pub owner: Option<String>,
    /// For a follow-up goal, the guarantee whose clock it is.
    pub guarantee: Option<String>,
    /// For a rate, whether it is in the numerator as well (met in time,
    /// accepted, converted).
    pub counted: Option<bool>,
    /// For a money goal, the amount it adds, as "50,000 USD".
    pub amount: Option<String>,
    /// For a median, the business seconds it is timed at.
    pub business_seconds: Option<i64>,
    /// What it is, as people say it: "met 2 business days 4 h late".
    pub detail: String,
    /// The lead's CRM record, when the server was given a record URL pattern.
    pub crm_url: Option<String>,
}

/// A goal's number in a period and the rows it counted.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GoalRows {
    /// The goal as the report gives it (its number, target and status).
    pub goal: GoalLine,
    /// Every row behind the number: equals a count, a rate's denominator or a median's cases.
    pub total: usize,
    /// The rows the filters keep.
    pub matched: usize,
    /// This page, from 1.
    pub page: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
    /// This page's rows, in time order.
    pub rows: Vec<DrillLine>,
}

impl GoalRows {
    /// Page `page` (from 1) of `per_page` rows of the `kept` ones among
    /// `all`, each drawn as its line with the CRM link from `crm`.
    pub fn page(
        goal: GoalLine,
        all: &[GoalRow],
        kept: &[&GoalRow],
        crm: Option<&RecordUrl>,
        page: usize,
        per_page: usize,
    ) -> GoalRows {
        let per_page = per_page.max(1);
        GoalRows {
            goal,
            total: all.len(),
            matched: kept.len(),
            rows: kept
                .iter()
                // A page past the end is empty; a huge number must not overflow.
                .skip(page.saturating_sub(1).saturating_mul(per_page))
                .take(per_page)
                .map(|r| line(r, crm))
                .collect(),
            page,
            pages: kept.len().div_ceil(per_page).max(1),
        }
    }
}

/// Which rows a list shows.
#[derive(Clone, Debug, Default)]
pub struct DrillFilter {
    /// Only this owner's rows (`Some(None)`: rows of no owner).
    pub owner: Option<Option<String>>,
    /// Only rows in (or out of) a rate's numerator.
    pub counted: Option<bool>,
}

impl DrillFilter {
    /// Reads `owner` (an owner id, or [`NO_OWNER`]) and `counted` (`yes` or
    /// `no`); `Err` says what `counted` may be.
    pub fn parse(owner: Option<&str>, counted: Option<&str>) -> Result<DrillFilter, String> {
        let counted = match given(counted) {
            None => None,
            Some("yes") => Some(true),
            Some("no") => Some(false),
            Some(other) => {
                return Err(format!(
                    "counted {other:?} is not a choice; expected yes (in the rate's numerator) or no"
                ));
            }
        };
        Ok(DrillFilter {
            owner: given(owner).map(|o| (o != NO_OWNER).then(|| o.to_string())),
            counted,
        })
    }

    fn keeps(&self, r: &GoalRow) -> bool {
        self.owner.as_ref().is_none_or(|o| *o == r.owner)
            && self.counted.is_none_or(|c| r.hit == Some(c))
    }

    /// The rows it keeps, in their order.
    pub fn kept<'r>(&self, rows: &'r [GoalRow]) -> Vec<&'r GoalRow> {
        rows.iter().filter(|r| self.keeps(r)).collect()
    }
}

/// A query value with its blanks trimmed; `None` when empty.
fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// Why goal `goal` has no list for `period`: the goals there are, and
/// where their numbers start.
pub fn no_goal_period(a: &Agreement, goal: &str, period: &str) -> String {
    let goals: Vec<&str> = a.goals.iter().map(|g| g.id.as_str()).collect();
    format!(
        "No goal \"{goal}\" has a number for {period}; the agreement's goals are {}, each from the agreement's start (or the first data) to now.",
        goals.join(", ")
    )
}

/// A row as its line, the CRM link drawn from `crm`.
pub fn line(r: &GoalRow, crm: Option<&RecordUrl>) -> DrillLine {
    DrillLine {
        lead: r.subject.clone(),
        name: r.name.clone(),
        at: r.at.to_string(),
        owner: r.owner.clone(),
        guarantee: r.guarantee.clone(),
        counted: r.hit,
        amount: r.amount.as_ref().map(|m| m.grouped()),
        business_seconds: r.seconds,
        detail: r.detail.clone(),
        crm_url: crm.map(|u| u.link(&r.subject)),
    }
}

/// What a goal's rows are and how its number is made of them.
pub fn explained(metric: &handshake_core::agreement::Metric) -> &'static str {
    use handshake_core::agreement::Metric;
    match metric {
        Metric::Reached(_) => "Each lead that reached the stage in the period, counted once.",
        Metric::Opportunities => "Each opportunity created in the period.",
        Metric::PipelineValue => {
            "Each opportunity created in the period, in the target's currency; the number is their sum."
        }
        Metric::RevenueWon => {
            "Each deal won in the period, in the target's currency; the number is their sum."
        }
        Metric::FollowUpRate => {
            "Each judged clock (met, met late or breached) of the guarantees the goal follows, started in the period; the rate is those met in time of all of them."
        }
        Metric::AcceptanceRate => {
            "Each MQL of the period that sales decided on (the first decision after it); the rate is those accepted of all of them."
        }
        Metric::Conversion { .. } => {
            "Each lead that reached the first stage in the period; the rate is those that went on to the second of all of them."
        }
        Metric::MedianFirstTouch => {
            "Each MQL of the period that has had a touch, with the business time to it; the number is the median."
        }
    }
}

/// The lines as CSV, a header row first with the API's field names.
///
/// # Errors
/// When the writer fails (it writes to memory: only on a serialisation bug).
pub fn csv(lines: &[DrillLine]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if lines.is_empty() {
        w.write_record([
            "lead",
            "name",
            "at",
            "owner",
            "guarantee",
            "counted",
            "amount",
            "business_seconds",
            "detail",
            "crm_url",
        ])?;
    }
    for l in lines {
        w.serialize(l)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(subject: &str, owner: Option<&str>, hit: Option<bool>) -> GoalRow {
        GoalRow {
            subject: subject.into(),
            name: None,
            at: "2027-02-02T15:00:00Z".parse().unwrap(),
            owner: owner.map(str::to_string),
            guarantee: None,
            hit,
            amount: None,
            seconds: None,
            detail: "accepted".into(),
        }
    }

    #[test]
    fn rows_are_kept_by_owner_and_numerator_and_written_as_csv_with_links() {
        let rows = [
            row("A", Some("rep-ava"), Some(true)),
            row("B", None, Some(false)),
            row("C", Some("rep-ava"), Some(false)),
        ];
        let crm = RecordUrl::parse("https://crm.example.com/l/{id}").unwrap();
        let f = DrillFilter::parse(Some("rep-ava"), Some("no")).unwrap();
        let kept: Vec<DrillLine> = f
            .kept(&rows)
            .into_iter()
            .map(|r| line(r, Some(&crm)))
            .collect();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].lead, "C");
        assert_eq!(
            kept[0].crm_url.as_deref(),
            Some("https://crm.example.com/l/C")
        );
        let f = DrillFilter::parse(Some(NO_OWNER), None).unwrap();
        assert_eq!(f.kept(&rows)[0].subject, "B");
        assert!(
            DrillFilter::parse(None, Some("maybe"))
                .unwrap_err()
                .contains("expected yes")
        );
        let named = GoalRow {
            name: Some("Globex".into()),
            ..rows[0].clone()
        };
        let text = String::from_utf8(csv(&[line(&named, None)]).unwrap()).unwrap();
        assert_eq!(
            text,
            "lead,name,at,owner,guarantee,counted,amount,business_seconds,detail,crm_url\n\
             A,Globex,2027-02-02T15:00:00Z,rep-ava,,true,,,accepted,\n"
        );
        let empty = String::from_utf8(csv(&[]).unwrap()).unwrap();
        assert_eq!(empty.lines().count(), 1);
    }
}

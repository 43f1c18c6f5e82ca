//! Published figures on how fast companies answer their leads, shown beside
//! a team's median first touch so the team can tell whether its speed is
//! good. They are outside figures: other companies, other years, counted in
//! clock time where a team's median counts business time. They give
//! context; the agreement's own target is what is judged.

use serde::Serialize;

use crate::agreement::Metric;

/// One published finding and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutsideFigure {
    /// What was found.
    pub finding: String,
    /// Who published it, and when.
    pub source: String,
    /// Where to read it.
    pub url: String,
}

/// Label every rendering puts above outside figures.
pub const OUTSIDE_LABEL: &str =
    "Outside figures, not your data (other companies, clock time rather than business time)";

/// The published figures on lead response speed.
const SPEED: [(&str, &str, &str); 3] = [
    (
        "Of 2,241 U.S. companies sent a web lead, 37% answered within an hour and the average answer took 42 hours",
        "Oldroyd, McElheran and Elkington, \"The Short Life of Online Sales Leads\", Harvard Business Review, March 2011",
        "https://hbr.org/2011/03/the-short-life-of-online-sales-leads",
    ),
    (
        "Firms that tried to contact a lead within an hour were nearly 7 times as likely to qualify it as firms that waited longer",
        "Oldroyd, McElheran and Elkington, Harvard Business Review, March 2011",
        "https://hbr.org/2011/03/the-short-life-of-online-sales-leads",
    ),
    (
        "Calling within 5 minutes rather than 30 made reaching the lead 100 times as likely and qualifying it 21 times as likely",
        "Oldroyd (MIT) with InsideSales.com, Lead Response Management Study, 2007",
        "https://www.leadresponsemanagement.org/lrm_study",
    ),
];

/// The outside figures to read a goal of `metric` against: the speed
/// studies for the median first touch, none for any other metric.
///
/// # Example
/// ```
/// use handshake_core::agreement::Metric;
/// use handshake_core::engine::outside_figures;
/// assert_eq!(outside_figures(&Metric::MedianFirstTouch).len(), 3);
/// assert!(outside_figures(&Metric::FollowUpRate).is_empty());
/// ```
pub fn outside_figures(metric: &Metric) -> Vec<OutsideFigure> {
    match metric {
        Metric::MedianFirstTouch => SPEED
            .iter()
            .map(|(finding, source, url)| OutsideFigure {
                finding: (*finding).to_owned(),
                source: (*source).to_owned(),
                url: (*url).to_owned(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

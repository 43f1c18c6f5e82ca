//! The funnel planner: from a revenue goal to the leads, MQLs, SQLs and
//! opportunities needed in which month, with the sales cycle's lag applied
//! (MQLs arrive a cycle before the revenue they become), and back into the
//! agreement's goals.
//!
//! The math, worked by hand in docs/planner.md:
//! 1. revenue needed in month m = goal × weight(m) − open pipeline expected to close in m;
//! 2. marketing's part = that × the marketing share; deals = marketing's part / deal size;
//! 3. a deal closing in month m comes from the MQLs of month m − lag, for each lag of the cycle
//!    distribution in its share (days become whole months: days / 30.44, rounded);
//! 4. per MQL month: opportunities = deals / opp→won; SQLs = opportunities / SQL→opp;
//!    MQLs = SQLs / MQL→SQL; leads = MQLs / lead→MQL. Counts round up; the exact figure is kept.

pub mod history;
pub mod output;
mod plan;
pub mod spec;

pub use plan::{CycleStep, Month, MonthPlan, Pace, Plan, PlanError, PlanInput, Rates, plan};

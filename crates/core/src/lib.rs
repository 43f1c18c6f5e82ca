//! The Handshake core: the agreement between marketing and sales, as a typed
//! model, with the parser and checker that turn a TOML file into it.
//!
//! Pure by design: no I/O, no async, no clock reads. Callers hand in text and
//! get back either an [`Agreement`] (with warnings) or every problem at once,
//! each with its place in the file.
//!
//! # Example
//! ```
//! use handshake_core::check;
//!
//! let text = r#"
//! [agreement]
//! name = "Tiny SLA"
//! summary = "Marketing sends MQLs; sales calls them."
//! effective = { from = "2027-01-01" }
//! time_zone = "UTC"
//!
//! [parties.marketing]
//! contact = { name = "Dana", email = "dana@example.com" }
//! [parties.sales]
//! contact = { name = "Sam", email = "sam@example.com" }
//!
//! [stages]
//! mql = "Scores 60 or more on the shared model."
//!
//! [[goals]]
//! id = "mqls"
//! owner = "marketing"
//! metric = "mqls"
//! target = 100
//! per = "month"
//! "#;
//! let checked = check("tiny.toml", text);
//! assert_eq!(checked.errors(), 0);
//! // Legal, but worth a warning: sales owns no goal or guarantee.
//! assert_eq!(checked.warnings(), 1);
//! assert!(checked.diagnostics[0].message.contains("\"sales\" owes nothing"));
//! let agreement = checked.agreement.expect("valid");
//! assert_eq!(agreement.goals[0].target.to_string(), "100");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod agreement;
pub mod alerts;
pub mod crm_objects;
pub mod demo;
pub mod diagnostic;
pub mod diff;
pub mod engine;
pub mod event;
pub mod hubspot;
pub mod import;
pub mod lead;
pub mod planner;
pub mod salesforce;
mod toml_read;
pub mod writeback;

pub use agreement::{Agreement, CheckOutcome, check};
pub use diagnostic::{Diagnostic, Severity, SourceFile};

//! A draft agreement for what-if, shared by `POST /api/v1/whatif` and the
//! what-if page: checked into an agreement (or its errors with their
//! places), then judged on the events of the held evaluation at its instant.

use std::sync::Arc;

use handshake_core::engine::{Evaluation, evaluate};
use handshake_core::{Agreement, SourceFile, check};

use crate::web::snapshot::Snapshot;

/// One error of a draft, at its line and column.
pub(crate) struct DraftError {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub expected: Option<String>,
}

/// The draft as an agreement, or every error it has.
pub(crate) fn check_draft(text: &str) -> Result<Agreement, Vec<DraftError>> {
    let checked = check("draft", text);
    checked.agreement.ok_or_else(|| {
        let file = SourceFile {
            name: "draft",
            text,
        };
        checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| {
                let (line, column) = file.line_col(d.span.start);
                DraftError {
                    line,
                    column,
                    message: d.message.clone(),
                    expected: d.expected.clone(),
                }
            })
            .collect()
    })
}

/// The draft's evaluation on the snapshot's events at its instant (on a
/// blocking thread: it replays every event).
///
/// # Errors
/// When the evaluation's thread stopped.
pub(crate) async fn evaluate_draft(
    draft: Agreement,
    snap: &Snapshot,
) -> Result<(Agreement, Evaluation), tokio::task::JoinError> {
    let events = Arc::clone(&snap.events);
    let at = snap.evaluation.as_of;
    tokio::task::spawn_blocking(move || {
        let e = evaluate(&draft, &events, at);
        (draft, e)
    })
    .await
}

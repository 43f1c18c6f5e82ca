//! A draft agreement for what-if, shared by `POST /api/v1/whatif` and the
//! what-if page: checked into an agreement (or its errors with their
//! places), then judged beside the active agreement on the same events at
//! one instant: a full replay, so it takes one of the few replay permits.

use handshake_core::engine::{Evaluation, Live};
use handshake_core::{Agreement, SourceFile, check};
use handshake_store::{StoreError, Workspace};
use jiff::Timestamp;

use crate::AppState;
use crate::live::Snapshot;

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

/// Why a draft could not be judged.
pub(crate) enum Unjudged {
    /// Too many full replays run already.
    Busy,
    /// The workspace has no agreement to compare with.
    NoAgreement,
    /// The store failed, or the evaluation stopped.
    Store(StoreError),
}

/// The active agreement and a draft, judged on the same events at one instant.
pub(crate) struct Judged {
    /// The active versions' evaluation.
    pub active: Snapshot,
    /// The draft, as an agreement.
    pub draft: Agreement,
    /// The draft's evaluation.
    pub drafted: Evaluation,
}

/// Replays every event under the active versions and under the draft, at
/// `at` (one replay permit; on a blocking thread).
pub(crate) async fn judge_draft(
    state: &AppState,
    ws: &Workspace,
    draft: Agreement,
    at: Timestamp,
) -> Result<Judged, Unjudged> {
    let _permit = state.engines.replay_permit().map_err(|_| Unjudged::Busy)?;
    let (versions, version) = state
        .store
        .agreement_history(ws)
        .await
        .map_err(Unjudged::Store)?
        .ok_or(Unjudged::NoAgreement)?;
    // Both folded from one streamed read: only facts are held.
    let both = (
        Live::at(versions, at),
        Live::at(vec![(Timestamp::UNIX_EPOCH, draft.clone())], at),
    );
    let (mut active, mut proposed) = state
        .store
        .fold_subjects(ws, both, |(active, proposed), subject, events| {
            proposed.set_subject(&subject, events.clone());
            active.set_subject(&subject, events);
        })
        .await
        .map_err(Unjudged::Store)?;
    tokio::task::spawn_blocking(move || {
        let evaluation = active.evaluation(at);
        let drafted = proposed.evaluation(at);
        Judged {
            active: Snapshot::replayed(active.versions().to_vec(), version, evaluation),
            draft,
            drafted,
        }
    })
    .await
    .map_err(|e| Unjudged::Store(StoreError::Invalid(format!("the evaluation stopped: {e}"))))
}

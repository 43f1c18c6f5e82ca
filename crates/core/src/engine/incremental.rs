//! [`Evaluator`]: takes events one by one (or in batches, in any order) and
//! answers the same [`Evaluation`] as one replay of all of them, at any
//! instant. A new event re-folds only its own lead ([`Live`] underneath,
//! keeping every event so that earlier instants can be asked too).

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::{Evaluation, Live};
use crate::agreement::Agreement;
use crate::event::Event;

/// An incremental evaluator for one agreement version.
pub struct Evaluator {
    live: Live,
}

impl Evaluator {
    /// An evaluator with no events yet.
    pub fn new(agreement: Agreement) -> Evaluator {
        Evaluator {
            live: Live::keeping_events(vec![(Timestamp::UNIX_EPOCH, agreement)]),
        }
    }

    /// Adds events (any order; a repeated id is ignored) and re-folds the
    /// leads they belong to, so each event costs one lead's fold.
    pub fn add(&mut self, events: impl IntoIterator<Item = Event>) {
        let mut by_subject: BTreeMap<String, Vec<Event>> = BTreeMap::new();
        for e in events {
            by_subject
                .entry(e.subject.as_str().to_string())
                .or_default()
                .push(e);
        }
        for (subject, mut new) in by_subject {
            let mut all = self.live.events_of(&subject).to_vec();
            new.retain(|e| all.iter().all(|x| x.id != e.id));
            all.extend(new);
            self.live.set_subject(&subject, all);
        }
    }

    /// The evaluation at `as_of`.
    pub fn evaluation(&mut self, as_of: Timestamp) -> Evaluation {
        self.live.evaluation(as_of)
    }
}

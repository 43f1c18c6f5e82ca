//! [`Evaluator`]: takes events one by one (or in batches, in any order) and
//! answers the same [`Evaluation`] as one replay of all of them. A new event
//! re-folds only its own lead; the aggregates are sums over leads.

use std::collections::HashMap;

use jiff::Timestamp;

use super::fold::{Facts, Texts, fold, read_attributes, secs};
use super::{Evaluation, assemble};
use crate::agreement::Agreement;
use crate::event::Event;

struct Subject {
    events: Vec<Event>,
    facts: Option<Facts>,
    latest: i64,
}

/// An incremental evaluator for one agreement version.
pub struct Evaluator {
    agreement: Agreement,
    read: Vec<String>,
    texts: Texts,
    subjects: HashMap<String, Subject>,
}

impl Evaluator {
    /// An evaluator with no events yet.
    pub fn new(agreement: Agreement) -> Evaluator {
        Evaluator {
            read: read_attributes(&agreement),
            agreement,
            texts: Texts::default(),
            subjects: HashMap::new(),
        }
    }

    /// Adds events (any order; a repeated id with the same body is ignored) and
    /// re-folds the leads they belong to, so each event costs one lead's fold.
    pub fn add(&mut self, events: impl IntoIterator<Item = Event>) {
        let mut touched: Vec<String> = Vec::new();
        for e in events {
            let s = self
                .subjects
                .entry(e.subject.as_str().to_string())
                .or_insert_with(|| Subject {
                    events: Vec::new(),
                    facts: None,
                    latest: i64::MIN,
                });
            let key = (e.occurred_at, e.id.as_str().to_string());
            let at = s
                .events
                .partition_point(|x| (x.occurred_at, x.id.as_str()) < (key.0, key.1.as_str()));
            if s.events.get(at).is_some_and(|x| x.id == e.id) {
                continue;
            }
            s.latest = s.latest.max(secs(e.occurred_at));
            if s.facts.take().is_some() || touched.last().is_none_or(|t| t != e.subject.as_str()) {
                touched.push(e.subject.as_str().to_string());
            }
            s.events.insert(at, e);
        }
        touched.sort_unstable();
        touched.dedup();
        for key in touched {
            if let Some(s) = self.subjects.get_mut(&key) {
                let all: Vec<&Event> = s.events.iter().collect();
                s.facts = Some(fold(
                    &self.agreement,
                    &self.read,
                    &mut self.texts,
                    &key,
                    &all,
                ));
            }
        }
    }

    /// The evaluation at `as_of`.
    pub fn evaluation(&mut self, as_of: Timestamp) -> Evaluation {
        let limit = secs(as_of);
        let mut facts = Vec::with_capacity(self.subjects.len());
        let (mut count, mut inferred) = (0, 0);
        let mut keys: Vec<&String> = self.subjects.keys().collect();
        keys.sort();
        let keys: Vec<String> = keys.into_iter().cloned().collect();
        for key in keys {
            let Some(s) = self.subjects.get_mut(&key) else {
                continue;
            };
            let visible: Vec<&Event> = s
                .events
                .iter()
                .filter(|e| secs(e.occurred_at) <= limit)
                .collect();
            if visible.is_empty() {
                continue;
            }
            count += visible.len();
            inferred += visible.iter().filter(|e| e.inferred).count();
            if s.latest <= limit {
                // Every event is visible: the cached fold holds.
                if s.facts.is_none() {
                    s.facts = Some(fold(
                        &self.agreement,
                        &self.read,
                        &mut self.texts,
                        &key,
                        &visible,
                    ));
                }
                if let Some(f) = &s.facts {
                    facts.push(f.clone());
                }
            } else {
                facts.push(fold(
                    &self.agreement,
                    &self.read,
                    &mut self.texts,
                    &key,
                    &visible,
                ));
            }
        }
        assemble(&self.agreement, &facts, as_of, count, inferred)
    }
}

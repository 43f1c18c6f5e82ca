//! A lead's current state: the fold of its events in evaluation order.
//! The owner is whoever the latest `lead.assigned` or `owner` attribute says.

use jiff::Timestamp;

use crate::event::{Event, EventKind, Money};

/// What is known about one lead as of its latest event.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LeadState {
    /// Its lifecycle stage, as the CRM last said.
    pub stage: Option<String>,
    /// Its owner.
    pub owner: Option<String>,
    /// Where it came from.
    pub source: Option<String>,
    /// Its segment value.
    pub segment: Option<String>,
    /// Its persona.
    pub persona: Option<String>,
    /// The CRM's score.
    pub score: Option<i64>,
    /// Company name.
    pub company: Option<String>,
    /// When it was created.
    pub created_at: Option<Timestamp>,
    /// How many touches it has had.
    pub touches: u32,
    /// The latest touch.
    pub last_touched_at: Option<Timestamp>,
    /// Accepted by sales (and not rejected since).
    pub accepted: bool,
    /// The reason of the latest rejection, when rejected (and not accepted since).
    pub rejected_reason: Option<String>,
    /// Opportunities created, by amount.
    pub opportunities: Vec<Money>,
    /// Deals won, by amount.
    pub won: Vec<Money>,
    /// Whether a deal was lost.
    pub lost: bool,
    /// Activities it did, in order.
    pub activities: Vec<String>,
}

impl LeadState {
    /// Folds events (any order given; they are folded by `(occurred_at, id)`).
    ///
    /// # Example
    /// ```
    /// use handshake_core::{event::parse_event, lead::LeadState};
    /// let e = |s: &str| parse_event(s).unwrap();
    /// let state = LeadState::fold(&[
    ///     e(r#"{"id":"2","type":"lead.assigned","lead_id":"L","occurred_at":"2026-10-02T00:00:00Z","owner":"rep-2"}"#),
    ///     e(r#"{"id":"1","type":"lead.created","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z","attributes":{"owner":"rep-1"}}"#),
    /// ]);
    /// assert_eq!(state.owner.as_deref(), Some("rep-2"));
    /// ```
    pub fn fold(events: &[Event]) -> LeadState {
        let mut sorted: Vec<&Event> = events.iter().collect();
        // A corrected event stands for its earlier versions.
        crate::event::latest_versions(&mut sorted);
        sorted.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        let mut s = LeadState::default();
        for e in sorted {
            match &e.kind {
                EventKind::LeadCreated(a) | EventKind::LeadUpdated(a) => {
                    if matches!(e.kind, EventKind::LeadCreated(_)) && s.created_at.is_none() {
                        s.created_at = Some(e.occurred_at);
                    }
                    let set = |slot: &mut Option<String>, v: &Option<String>| {
                        if v.is_some() {
                            slot.clone_from(v);
                        }
                    };
                    set(&mut s.owner, &a.owner);
                    set(&mut s.source, &a.source);
                    set(&mut s.segment, &a.segment);
                    set(&mut s.persona, &a.persona);
                    set(&mut s.company, &a.company);
                    if a.score.is_some() {
                        s.score = a.score;
                    }
                }
                EventKind::StageChanged { stage } => s.stage = Some(stage.clone()),
                EventKind::Assigned { owner } => s.owner = Some(owner.clone()),
                EventKind::Touched { .. } => {
                    s.touches += 1;
                    s.last_touched_at = Some(e.occurred_at);
                }
                EventKind::Activity { activity } => s.activities.push(activity.clone()),
                EventKind::Accepted { .. } => {
                    s.accepted = true;
                    s.rejected_reason = None;
                }
                EventKind::Rejected { reason, .. } => {
                    s.accepted = false;
                    s.rejected_reason = Some(reason.clone());
                }
                EventKind::Recycled { .. } => {
                    s.accepted = false;
                }
                EventKind::OpportunityCreated { amount } => s.opportunities.push(amount.clone()),
                EventKind::DealWon { amount } => s.won.push(amount.clone()),
                EventKind::DealLost { .. } => s.lost = true,
                EventKind::RequestOpened { .. }
                | EventKind::Request(_)
                | EventKind::ExtensionRequested { .. } => {}
            }
        }
        s
    }
}

/// Where a lead's CRM record opens: a URL pattern with `{id}` where the
/// record id goes, e.g. `https://app.hubspot.com/contacts/123/record/0-1/{id}`.
/// Parsed once at the edge so every link drawn from it is well formed.
///
/// # Example
/// ```
/// use handshake_core::lead::RecordUrl;
/// let url = RecordUrl::parse("https://crm.example.com/leads/{id}/view")?;
/// assert_eq!(url.link("L 7/a"), "https://crm.example.com/leads/L%207%2Fa/view");
/// assert!(RecordUrl::parse("https://crm.example.com/leads").is_err());
/// # Ok::<(), handshake_core::lead::RecordUrlError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordUrl(String);

/// Why a CRM record URL pattern was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecordUrlError {
    /// Not an http(s) address.
    #[error(
        "{0:?} is not an http:// or https:// address; expected e.g. https://crm.example.com/leads/{{id}}"
    )]
    NotHttp(String),
    /// No place for the record id.
    #[error(
        "{0:?} has no {{id}} for the record id; expected e.g. https://crm.example.com/leads/{{id}}"
    )]
    NoId(String),
}

impl RecordUrl {
    /// Checks the pattern: an http or https address holding `{id}`.
    ///
    /// # Errors
    /// [`RecordUrlError`] when it is not http(s) or has no `{id}`.
    pub fn parse(pattern: &str) -> Result<RecordUrl, RecordUrlError> {
        let p = pattern.trim();
        let lower = p.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://"))
            || p.contains(char::is_whitespace)
        {
            return Err(RecordUrlError::NotHttp(p.to_string()));
        }
        if !p.contains("{id}") {
            return Err(RecordUrlError::NoId(p.to_string()));
        }
        Ok(RecordUrl(p.to_string()))
    }

    /// The address of record `id`, the id percent-encoded.
    pub fn link(&self, id: &str) -> String {
        self.0.replace("{id}", &encode_url_part(id))
    }
}

/// `text` made safe inside a URL's path segment or query value: every byte
/// but the unreserved ones (letters, digits, `-_.~`) percent-encoded.
///
/// # Example
/// ```
/// assert_eq!(handshake_core::lead::encode_url_part("(no owner)/x"), "%28no%20owner%29%2Fx");
/// ```
pub fn encode_url_part(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

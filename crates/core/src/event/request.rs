//! The steps of a request between the teams after it was opened: who
//! answers whom in the exchange (acknowledged, resolved, feedback asked and
//! given, extensions, a meeting and its recap, cancelled).
//!
//! Each step has its wire name (`request.feedback_requested`), the word an
//! agreement's condition uses (`request_feedback_requested`), its stored code
//! and the side of the request that owes the next move after it, which is
//! who a clock started by it belongs to: a feedback request is answered by
//! the team that asked, a request opened by the team it is addressed to.

/// A side of a request: the party that opened it or the party it is
/// addressed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The party that opened the request (`from`).
    Requester,
    /// The party it is addressed to (`to`).
    Addressee,
}

/// A step of a request after `request.opened`, other than an extension
/// request (which carries the date asked for, see
/// [`EventKind::ExtensionRequested`](super::EventKind::ExtensionRequested)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestStep {
    /// The addressee has seen it and taken it on.
    Acknowledged,
    /// The addressee has done what was asked.
    Resolved,
    /// The addressee asks the requester for feedback (on a draft, a list).
    FeedbackRequested,
    /// The requester gave the feedback asked for.
    FeedbackGiven,
    /// The addressee granted the extension the requester asked for.
    ExtensionGranted,
    /// The addressee refused it.
    ExtensionRefused,
    /// The requester withdrew the request.
    Cancelled,
    /// A meeting about the request was held.
    MeetingHeld,
    /// The addressee sent the meeting's recap.
    RecapSent,
}

impl RequestStep {
    /// Every step, in documentation order.
    pub const ALL: [RequestStep; 9] = [
        RequestStep::Acknowledged,
        RequestStep::Resolved,
        RequestStep::FeedbackRequested,
        RequestStep::FeedbackGiven,
        RequestStep::ExtensionGranted,
        RequestStep::ExtensionRefused,
        RequestStep::Cancelled,
        RequestStep::MeetingHeld,
        RequestStep::RecapSent,
    ];

    /// The last part of the wire name and of the condition word:
    /// `feedback_requested`.
    pub fn name(self) -> &'static str {
        match self {
            RequestStep::Acknowledged => "acknowledged",
            RequestStep::Resolved => "resolved",
            RequestStep::FeedbackRequested => "feedback_requested",
            RequestStep::FeedbackGiven => "feedback_given",
            RequestStep::ExtensionGranted => "extension_granted",
            RequestStep::ExtensionRefused => "extension_refused",
            RequestStep::Cancelled => "cancelled",
            RequestStep::MeetingHeld => "meeting_held",
            RequestStep::RecapSent => "recap_sent",
        }
    }

    /// The wire name: `request.feedback_requested`.
    pub fn type_name(self) -> &'static str {
        match self {
            RequestStep::Acknowledged => "request.acknowledged",
            RequestStep::Resolved => "request.resolved",
            RequestStep::FeedbackRequested => "request.feedback_requested",
            RequestStep::FeedbackGiven => "request.feedback_given",
            RequestStep::ExtensionGranted => "request.extension_granted",
            RequestStep::ExtensionRefused => "request.extension_refused",
            RequestStep::Cancelled => "request.cancelled",
            RequestStep::MeetingHeld => "request.meeting_held",
            RequestStep::RecapSent => "request.recap_sent",
        }
    }

    /// The step with this wire name.
    ///
    /// # Example
    /// ```
    /// use handshake_core::event::RequestStep;
    /// assert_eq!(RequestStep::from_type("request.recap_sent"), Some(RequestStep::RecapSent));
    /// assert_eq!(RequestStep::from_type("request.opened"), None);
    /// ```
    pub fn from_type(type_name: &str) -> Option<RequestStep> {
        RequestStep::ALL
            .into_iter()
            .find(|s| s.type_name() == type_name)
    }

    /// The step an agreement's condition names: `request_feedback_given`.
    pub fn from_condition(word: &str) -> Option<RequestStep> {
        let name = word.strip_prefix("request_")?;
        RequestStep::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The stored code (fixed forever, see [`EventKind::code`](super::EventKind::code)).
    pub fn code(self) -> i16 {
        match self {
            RequestStep::Acknowledged => 13,
            RequestStep::Resolved => 14,
            RequestStep::FeedbackRequested => 15,
            RequestStep::FeedbackGiven => 16,
            // 17 is request.extension_requested.
            RequestStep::ExtensionGranted => 18,
            RequestStep::ExtensionRefused => 19,
            RequestStep::Cancelled => 20,
            RequestStep::MeetingHeld => 21,
            RequestStep::RecapSent => 22,
        }
    }

    /// Where it falls among events of one second: steps that start a
    /// clock (a feedback request, a meeting) with the opened requests,
    /// before the answers that stop one.
    pub(crate) fn rank_in_second(self) -> u8 {
        match self {
            RequestStep::FeedbackRequested | RequestStep::MeetingHeld => 5,
            _ => 13,
        }
    }

    /// The side that owes the next move after this step: who a clock it
    /// starts belongs to.
    pub fn owed_by(self) -> Side {
        match self {
            RequestStep::Acknowledged
            | RequestStep::Resolved
            | RequestStep::FeedbackRequested
            | RequestStep::ExtensionGranted
            | RequestStep::ExtensionRefused
            | RequestStep::RecapSent => Side::Requester,
            RequestStep::FeedbackGiven | RequestStep::Cancelled | RequestStep::MeetingHeld => {
                Side::Addressee
            }
        }
    }

    /// As the agreement's plain words say it: `given feedback`.
    pub fn words(self) -> &'static str {
        match self {
            RequestStep::Acknowledged => "acknowledged",
            RequestStep::Resolved => "resolved",
            RequestStep::FeedbackRequested => "asked for feedback",
            RequestStep::FeedbackGiven => "given feedback",
            RequestStep::ExtensionGranted => "granted an extension",
            RequestStep::ExtensionRefused => "refused an extension",
            RequestStep::Cancelled => "cancelled",
            RequestStep::MeetingHeld => "met about",
            RequestStep::RecapSent => "recapped after its meeting",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_codes_and_conditions_agree() {
        for s in RequestStep::ALL {
            assert_eq!(s.type_name(), format!("request.{}", s.name()));
            assert_eq!(RequestStep::from_type(s.type_name()), Some(s));
            assert_eq!(
                RequestStep::from_condition(&format!("request_{}", s.name())),
                Some(s)
            );
        }
        assert_eq!(RequestStep::from_condition("feedback_given"), None);
        assert_eq!(
            RequestStep::FeedbackRequested.owed_by(),
            Side::Requester,
            "the team that asked gives the feedback"
        );
        assert_eq!(RequestStep::MeetingHeld.owed_by(), Side::Addressee);
    }
}

//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// An event as sent to the API (see docs/events.md for every type's fields).
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct EventDoc {
    /// Caller-given id, unique per workspace; a redelivery with the same body is a duplicate.
    #[schema(min_length = 1, max_length = 200)]
    id: String,
    /// lead.created, lead.updated, lead.stage_changed, lead.assigned, lead.touched, lead.activity,
    /// lead.accepted, lead.rejected, lead.recycled, opportunity.created, deal.won, deal.lost,
    /// request.opened, request.acknowledged, request.resolved, request.feedback_requested,
    /// request.feedback_given, request.extension_requested, request.extension_granted,
    /// request.extension_refused, request.cancelled, request.meeting_held, request.recap_sent.
    #[schema(rename = "type", inline)]
    event_type: EventType,
    /// The lead (for lead, opportunity and deal events).
    lead_id: Option<String>,
    /// The request (for request events).
    request_id: Option<String>,
    /// When it happened, RFC 3339 with an offset (years 1900 to 2200).
    #[schema(format = DateTime)]
    occurred_at: String,
    /// lead.created and lead.updated: source, segment, persona, score, owner, email, company, and any other scalars.
    #[schema(value_type = Option<Object>)]
    attributes: Option<serde_json::Value>,
    /// lead.stage_changed.
    stage: Option<String>,
    /// lead.assigned.
    owner: Option<String>,
    /// lead.touched: call, email, meeting, social or other; request.opened: the channel.
    channel: Option<String>,
    /// lead.touched, lead.accepted, lead.rejected: who.
    by: Option<String>,
    /// lead.touched: sent by an automated sequence.
    automated: Option<bool>,
    /// lead.activity: what the lead did, e.g. webinar_attended.
    activity: Option<String>,
    /// lead.rejected (required), lead.recycled, deal.lost.
    reason: Option<String>,
    /// opportunity.created, deal.won: a decimal amount.
    amount: Option<String>,
    /// opportunity.created, deal.won: ISO 4217 code.
    currency: Option<String>,
    /// request.opened: the parties.
    from: Option<String>,
    /// request.opened.
    to: Option<String>,
    /// request.opened: what kind of request, e.g. campaign.
    kind: Option<String>,
    /// request.extension_requested (required): the new due time asked for, RFC 3339 with an
    /// offset, after occurred_at.
    #[schema(format = DateTime)]
    until: Option<String>,
    /// Derived from a snapshot export rather than observed.
    inferred: Option<bool>,
}

/// The event types.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(rename_all = "snake_case")]
pub(crate) enum EventType {
    #[schema(rename = "lead.created")]
    LeadCreated,
    #[schema(rename = "lead.updated")]
    LeadUpdated,
    #[schema(rename = "lead.stage_changed")]
    LeadStageChanged,
    #[schema(rename = "lead.assigned")]
    LeadAssigned,
    #[schema(rename = "lead.touched")]
    LeadTouched,
    #[schema(rename = "lead.activity")]
    LeadActivity,
    #[schema(rename = "lead.accepted")]
    LeadAccepted,
    #[schema(rename = "lead.rejected")]
    LeadRejected,
    #[schema(rename = "lead.recycled")]
    LeadRecycled,
    #[schema(rename = "opportunity.created")]
    OpportunityCreated,
    #[schema(rename = "deal.won")]
    DealWon,
    #[schema(rename = "deal.lost")]
    DealLost,
    #[schema(rename = "request.opened")]
    RequestOpened,
    #[schema(rename = "request.acknowledged")]
    RequestAcknowledged,
    #[schema(rename = "request.resolved")]
    RequestResolved,
    #[schema(rename = "request.feedback_requested")]
    RequestFeedbackRequested,
    #[schema(rename = "request.feedback_given")]
    RequestFeedbackGiven,
    #[schema(rename = "request.extension_requested")]
    RequestExtensionRequested,
    #[schema(rename = "request.extension_granted")]
    RequestExtensionGranted,
    #[schema(rename = "request.extension_refused")]
    RequestExtensionRefused,
    #[schema(rename = "request.cancelled")]
    RequestCancelled,
    #[schema(rename = "request.meeting_held")]
    RequestMeetingHeld,
    #[schema(rename = "request.recap_sent")]
    RequestRecapSent,
}

struct Bearer;

/// Request bodies the server reads strictly: a field it does not know is
/// refused, so the document says no other field is allowed.
const CLOSED: [&str; 3] = ["EventDoc", "NewTokenDoc", "PlanRequest"];

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{AdditionalProperties, Schema};
        // Raw request bodies are bytes, not an array of numbers.
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.post, &mut item.put].into_iter().flatten() {
                if let Some(raw) = op
                    .request_body
                    .as_mut()
                    .and_then(|b| b.content.get_mut("application/octet-stream"))
                {
                    raw.schema = Some(
                        utoipa::openapi::ObjectBuilder::new()
                            .schema_type(utoipa::openapi::schema::Type::String)
                            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                                utoipa::openapi::KnownFormat::Binary,
                            )))
                            .into(),
                    );
                }
            }
        }
        // Every signed-in operation can answer 429: the guard refuses a
        // client or token id with too many failed sign-ins before any work.
        // Documented here once so no handler can forget it.
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let answers = &mut op.responses.responses;
                if answers.contains_key("401") && !answers.contains_key("429") {
                    answers.insert("429".to_owned(), too_many_failures().into());
                }
            }
        }
        let components = openapi.components.get_or_insert_with(Default::default);
        for name in CLOSED {
            if let Some(RefOr::T(Schema::Object(o))) = components.schemas.get_mut(name) {
                o.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
        }
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The 429 every signed-in operation may answer (see [`crate::guard`]).
fn too_many_failures() -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(
            "Too many failed sign-ins from this client or for this token (code too_many_failures); \
             Retry-After says when to try again",
        )
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Handshake API", description = "Lead events in, the sales and marketing SLA out. Errors are JSON {code, message} with a stable code."),
    paths(
        crate::routes::events::one,
        crate::routes::events::batch,
        crate::routes::hooks::hubspot,
        crate::routes::hooks::salesforce,
        crate::routes::hooks::salesforce_cdc,
        crate::routes::leads::lead,
        crate::routes::engine::scorecard,
        crate::routes::engine::clocks,
        crate::routes::goals::rows,
        crate::routes::engine::whatif,
        crate::routes::plan::plan,
        crate::routes::tokens::list,
        crate::routes::tokens::create,
        crate::routes::tokens::revoke,
        crate::routes::people::list,
        crate::routes::people::put,
        crate::routes::people::import,
        crate::routes::people::remove,
        crate::routes::channels::list,
        crate::routes::channels::add,
        crate::routes::channels::remove,
        crate::routes::channels::test,
        crate::routes::channels::resume,
        crate::routes::health::healthz,
        crate::routes::health::readyz,
    ),
    components(schemas(EventDoc, crate::error::ErrorBody)),
    modifiers(&Bearer),
)]
struct ApiDoc;

/// The document as pretty JSON.
pub(crate) fn document() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

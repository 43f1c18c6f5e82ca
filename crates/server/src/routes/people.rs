//! `/api/v1/people`: the people directory over the API, as `handshake
//! person` has it. Any token of the workspace reads it (with the owners the
//! events name that it lacks); an admin token adds, replaces, imports a CSV
//! (each bad row named by number, the good ones kept) and removes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use handshake_core::alerts::people::Person;
use handshake_store::{Store, Workspace};
use serde::{Deserialize, Serialize};

use crate::auth::{Admin, Authed};
use crate::setup::{read_people_csv, unknown_party};
use crate::{ApiError, AppState};

/// The largest directory CSV taken in one request.
pub(crate) const MAX_CSV_BYTES: usize = 4 * 1024 * 1024;

/// A person of the directory.
#[derive(Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PersonDoc {
    /// The owner id the CRM writes on leads, e.g. rep-ava (in a PUT, the path's; may be left out).
    owner_id: Option<String>,
    /// Their name.
    name: Option<String>,
    /// Their e-mail address.
    email: Option<String>,
    /// Their Slack member id, e.g. U024BE7LH.
    slack: Option<String>,
    /// The party of the agreement they belong to, e.g. sales.
    party: Option<String>,
    /// Their manager's owner id.
    manager: Option<String>,
    /// Their own calendar, one of the agreement's.
    calendar: Option<String>,
    /// Their IANA time zone, e.g. America/New_York.
    time_zone: Option<String>,
    /// When Slack and e-mail to them wait, HH:MM-HH:MM in their zone, e.g. 20:00-08:00.
    quiet_hours: Option<String>,
    /// active (the default) or away (their alerts go to their manager).
    status: Option<String>,
}

impl From<&Person> for PersonDoc {
    fn from(p: &Person) -> PersonDoc {
        PersonDoc {
            owner_id: Some(p.owner_id.clone()),
            name: Some(p.name.clone()),
            email: p.email.clone(),
            slack: p.slack.clone(),
            party: Some(p.party.clone()),
            manager: p.manager.clone(),
            calendar: p.calendar.clone(),
            time_zone: p.time_zone.clone(),
            quiet_hours: p.quiet_hours.map(|q| q.to_string()),
            status: Some(p.presence.as_str().to_string()),
        }
    }
}

/// The directory.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PeopleList {
    /// By owner id.
    people: Vec<PersonDoc>,
    /// Owner ids the workspace's events name that the directory lacks: their alerts have nowhere to go.
    lacking: Vec<String>,
}

/// What an import did.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ImportAnswer {
    /// Rows imported.
    imported: usize,
    /// Of those, people the directory did not have.
    new: usize,
    /// Rows refused.
    refused: usize,
    /// Each problem of each refused row.
    problems: Vec<RowProblem>,
}

/// A problem of one CSV row.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct RowProblem {
    /// The row's number (the header is row 1).
    row: usize,
    /// What is wrong and what would be right.
    message: String,
}

fn invalid(message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", message)
}

/// The active agreement's party ids, when one is applied.
async fn parties(store: &Store, ws: &Workspace) -> Result<Option<Vec<String>>, ApiError> {
    Ok(store
        .latest_agreement(ws)
        .await
        .map_err(|e| ApiError::store(&e))?
        .map(|a| a.parties.iter().map(|p| p.id.to_string()).collect()))
}

/// Lists the directory and the owners it lacks.
#[utoipa::path(get, path = "/api/v1/people", tag = "people",
    responses(
        (status = 200, description = "The directory, and the owners the events name that it lacks", body = PeopleList),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Authed(ws): Authed,
) -> Result<Json<PeopleList>, ApiError> {
    let people = state
        .store
        .people(&ws)
        .await
        .map_err(|e| ApiError::store(&e))?;
    let lacking = state
        .store
        .event_owners(&ws)
        .await
        .map_err(|e| ApiError::store(&e))?
        .into_iter()
        .filter(|o| !people.iter().any(|p| &p.owner_id == o))
        .collect();
    Ok(Json(PeopleList {
        people: people.iter().map(PersonDoc::from).collect(),
        lacking,
    }))
}

/// Adds a person, or replaces the one with this owner id.
#[utoipa::path(put, path = "/api/v1/people/{owner_id}", tag = "people",
    params(("owner_id" = String, Path, description = "The owner id the CRM writes on leads")),
    request_body(content = PersonDoc, content_type = "application/json"),
    responses(
        (status = 201, description = "Added", body = PersonDoc),
        (status = 200, description = "Replaced", body = PersonDoc),
        (status = 400, description = "The body is not JSON of this shape (code invalid_json)", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token is not an admin (code forbidden)", body = crate::error::ErrorBody),
        (status = 422, description = "A field is not valid, each problem named (code invalid_field)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn put(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(owner_id): Path<String>,
    body: Result<Json<PersonDoc>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<PersonDoc>), ApiError> {
    let Json(doc) = body.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!(
                "{}; expected {{\"name\": \"Ava Chen\", \"party\": \"sales\", \"email\": \"ava@northwind.example\", ...}}",
                e.body_text()
            ),
        )
    })?;
    if doc.owner_id.as_deref().is_some_and(|o| o != owner_id) {
        return Err(invalid(format!(
            "\"owner_id\" {:?} is not the path's {owner_id:?}; leave it out or make them the same",
            doc.owner_id.as_deref().unwrap_or_default()
        )));
    }
    let text = |o: &Option<String>| o.clone().unwrap_or_default();
    let fields = [
        ("owner_id", owner_id.clone()),
        ("name", text(&doc.name)),
        ("email", text(&doc.email)),
        ("slack", text(&doc.slack)),
        ("party", text(&doc.party)),
        ("manager", text(&doc.manager)),
        ("calendar", text(&doc.calendar)),
        ("time_zone", text(&doc.time_zone)),
        ("quiet_hours", text(&doc.quiet_hours)),
        ("status", text(&doc.status)),
    ];
    let person = Person::from_fields(|f| {
        fields
            .iter()
            .find(|(k, _)| *k == f)
            .map_or("", |(_, v)| v.as_str())
    })
    .map_err(|problems| invalid(problems.join("; ")))?;
    let parties = parties(&state.store, &admin.workspace).await?;
    if let Some(problem) = unknown_party(&person, parties.as_deref()) {
        return Err(invalid(problem));
    }
    let new = state
        .store
        .put_people(&admin.workspace, std::slice::from_ref(&person))
        .await
        .map_err(|e| ApiError::store(&e))?;
    let status = if new == 1 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(PersonDoc::from(&person))))
}

/// Imports a directory CSV (the columns of `handshake person import`).
#[utoipa::path(post, path = "/api/v1/people/import", tag = "people",
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The CSV, sent as raw bytes (any content type is read the same): owner_id,name,email,slack,party,manager,calendar,time_zone,quiet_hours,status (owner_id, name and party required; any order)"),
    responses(
        (status = 200, description = "The good rows imported; each problem of each refused row named by its number", body = ImportAnswer),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token is not an admin (code forbidden)", body = crate::error::ErrorBody),
        (status = 413, description = "More than 4 MiB (code payload_too_large)", body = crate::error::ErrorBody),
        (status = 422, description = "No header, or a required column missing (code invalid_csv)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn import(
    State(state): State<AppState>,
    Admin(admin): Admin,
    body: axum::body::Bytes,
) -> Result<Json<ImportAnswer>, ApiError> {
    let parties = parties(&state.store, &admin.workspace).await?;
    let read = read_people_csv(&body, parties.as_deref())
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv", e))?;
    let new = state
        .store
        .put_people(&admin.workspace, &read.people)
        .await
        .map_err(|e| ApiError::store(&e))?;
    Ok(Json(ImportAnswer {
        imported: read.people.len(),
        new,
        refused: read.refused,
        problems: read
            .problems
            .into_iter()
            .map(|(row, message)| RowProblem { row, message })
            .collect(),
    }))
}

/// Removes a person.
#[utoipa::path(delete, path = "/api/v1/people/{owner_id}", tag = "people",
    params(("owner_id" = String, Path, description = "The owner id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token is not an admin (code forbidden)", body = crate::error::ErrorBody),
        (status = 404, description = "The directory has no such person (code not_found)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn remove(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(owner_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let found = state
        .store
        .remove_person(&admin.workspace, &owner_id)
        .await
        .map_err(|e| ApiError::store(&e))?;
    if !found {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "the directory has no person with that owner id; list them with GET /api/v1/people",
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}

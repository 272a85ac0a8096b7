//! Contacts in Engage's shape: created from a flat object of attributes, returned as
//! `{id, attributes, meta, preferences, consents}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json as JsonResponse;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::attributes::{check_attributes, Mode};
use super::error::ApiError;
use super::json::{Json, Query};
use super::validate::{format_time, path_id};
use super::AppState;
use crate::store::{Attributes, Contact, ContactChanges, NewContact};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateQuery {
    source: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactBody {
    id: Uuid,
    attributes: Attributes,
    meta: Meta,
    preferences: Preferences,
    consents: Vec<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    contact_type: &'static str,
    created_on: String,
    modified_on: String,
    source: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Preferences {
    accepts_email: bool,
    accepts_sms: bool,
    accepts_postal: bool,
}

impl From<Contact> for ContactBody {
    fn from(c: Contact) -> Self {
        Self {
            id: c.id,
            meta: Meta {
                contact_type: "Contact",
                created_on: format_time(&c.created_on),
                modified_on: format_time(&c.modified_on),
                source: c.source,
            },
            preferences: Preferences {
                accepts_email: c.accepts_email,
                accepts_sms: false,
                accepts_postal: false,
            },
            attributes: c.attributes,
            consents: Vec::new(),
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    Query(query): Query<CreateQuery>,
    Json(body): Json<Attributes>,
) -> Result<(StatusCode, JsonResponse<ContactBody>), ApiError> {
    let (email, attributes) = check_attributes(body, &state.contact_attributes, Mode::Create)?;
    let email = email.ok_or_else(|| ApiError::field("email", "is required"))?;
    let source = query.source.filter(|s| !s.trim().is_empty());
    let contact = state
        .store
        .create_contact(NewContact {
            email,
            attributes,
            source,
        })
        .await?;
    Ok((StatusCode::CREATED, JsonResponse(contact.into())))
}

pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<JsonResponse<ContactBody>, ApiError> {
    let id = path_id(&id, "contactId")?;
    let contact = state
        .store
        .get_contact(id)
        .await?
        .ok_or(ApiError::ContactNotFound)?;
    Ok(JsonResponse(contact.into()))
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<Attributes>,
) -> Result<JsonResponse<ContactBody>, ApiError> {
    let id = path_id(&id, "contactId")?;
    let (_, attributes) = check_attributes(body, &state.contact_attributes, Mode::Update)?;
    let contact = state
        .store
        .update_contact(id, ContactChanges { attributes })
        .await?;
    Ok(JsonResponse(contact.into()))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = path_id(&id, "contactId")?;
    if state.store.delete_contact(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::ContactNotFound)
    }
}

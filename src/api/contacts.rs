//! Contacts in Engage's shape: created from a flat object of attributes, returned as
//! `{id, attributes, meta, preferences, consents}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json as JsonResponse;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::error::ApiError;
use super::json::{Json, Query};
use super::validate::{format_time, path_id, Fields};
use super::AppState;
use crate::domain::EmailAddress;
use crate::store::{Attributes, Contact, ContactChanges, NewContact};

const MAX_ATTRIBUTES: usize = 200;
const MAX_NAME_LEN: usize = 64;
const MAX_TEXT_LEN: usize = 4_000;

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
    let (email, attributes) = check_attributes(body, Mode::Create)?;
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
    let (_, attributes) = check_attributes(body, Mode::Update)?;
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

#[derive(PartialEq)]
enum Mode {
    Create,
    /// Null removes an attribute, except `email`, which a contact always has.
    Update,
}

/// Checks a flat attribute object: names are identifiers, values are scalars, `email` is a
/// valid address. On create, null values are simply left out.
fn check_attributes(
    body: Attributes,
    mode: Mode,
) -> Result<(Option<EmailAddress>, Attributes), ApiError> {
    let mut fields = Fields::new();
    if body.len() > MAX_ATTRIBUTES {
        fields.error("body", format!("has more than {MAX_ATTRIBUTES} attributes"));
    }
    let mut email = None;
    let mut attributes = Attributes::new();
    for (name, value) in body {
        if let Err(message) = check_name(&name) {
            fields.error(&name, message);
            continue;
        }
        match (&value, name.as_str()) {
            (Value::Null, "email") => {
                fields.error("email", "cannot be removed: a contact always has an email")
            }
            (Value::Null, _) if mode == Mode::Create => continue,
            (Value::String(raw), "email") => {
                email = fields.required("email", Some(raw), EmailAddress::parse)
            }
            (_, "email") => fields.error("email", "must be a string"),
            (Value::String(s), _) if s.chars().count() > MAX_TEXT_LEN => fields.error(
                &name,
                format!("must be at most {MAX_TEXT_LEN} characters long"),
            ),
            (Value::Array(_) | Value::Object(_), _) => fields.error(
                &name,
                "must be a string, number, boolean or null: attributes are flat",
            ),
            _ => {}
        }
        attributes.insert(name, value);
    }
    fields.finish()?;
    Ok((email, attributes))
}

fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !starts_with_letter || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(
            "is not a valid attribute name (letters, digits and _, starting with a letter)".into(),
        );
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!(
            "attribute names are at most {MAX_NAME_LEN} characters long"
        ));
    }
    Ok(())
}

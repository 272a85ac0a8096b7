//! Contacts in Engage's shape: created from a flat object of attributes, returned as
//! `{id, attributes, meta, preferences, consents}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json as JsonResponse;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::{
    AdditionalProperties, KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::attributes::{check_attributes, Mode, MAX_ATTRIBUTES, MAX_NAME_LEN, MAX_TEXT_LEN};
use super::error::{ApiError, Problem};
use super::json::{Json, Query};
use super::validate::{format_time, path_id};
use super::AppState;
use crate::store::{Attributes, Contact, ContactChanges, NewContact};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CreateQuery {
    /// Where the contact came from (`checkout`, …); kept in `meta.source`.
    source: Option<String>,
}

/// A contact's attributes as sent: a flat object of scalars (`check_attributes` enforces
/// the declared types, which come from the configuration and so are not in the document).
pub struct ContactAttributes<const CREATE: bool>;

impl<const CREATE: bool> utoipa::PartialSchema for ContactAttributes<CREATE> {
    fn schema() -> RefOr<Schema> {
        let email = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)));
        let scalar = ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([
                Type::String,
                Type::Number,
                Type::Boolean,
                Type::Null,
            ]))
            .max_length(Some(MAX_TEXT_LEN));
        let name = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(format!(
                "^[A-Za-z][A-Za-z0-9_]{{0,{}}}$",
                MAX_NAME_LEN - 1
            )));
        let object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("email", email)
            .property_names(Some(name))
            .max_properties(Some(MAX_ATTRIBUTES))
            .additional_properties(Some(AdditionalProperties::RefOr(scalar.into())))
            .description(Some(
                "A flat object of attributes: `email` and any declared in \
                 `contact_attributes`, each a string, number, boolean or null (null removes \
                 one on update).",
            ));
        if CREATE {
            object.required("email")
        } else {
            object
        }
        .into()
    }
}

impl<const CREATE: bool> ToSchema for ContactAttributes<CREATE> {
    fn name() -> std::borrow::Cow<'static, str> {
        if CREATE {
            "NewContact"
        } else {
            "ContactChanges"
        }
        .into()
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Contact)]
pub struct ContactBody {
    id: Uuid,
    #[schema(value_type = Object)]
    attributes: Attributes,
    meta: Meta,
    preferences: Preferences,
    #[schema(value_type = Vec<Object>)]
    consents: Vec<Value>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ContactMeta)]
struct Meta {
    #[schema(value_type = String)]
    contact_type: &'static str,
    #[schema(format = DateTime)]
    created_on: String,
    #[schema(format = DateTime)]
    modified_on: String,
    source: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ContactPreferences)]
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

#[utoipa::path(
    post,
    path = "/contacts",
    operation_id = "createContact",
    tag = "contacts",
    params(CreateQuery),
    request_body = ContactAttributes<true>,
    responses(
        (status = 201, description = "The new contact", body = ContactBody),
        (status = 409, description = "`ContactAlreadyExists`: another contact has this email",
            body = Problem, content_type = "application/problem+json"),
    )
)]
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

#[utoipa::path(
    get,
    path = "/contacts/{id}",
    operation_id = "getContact",
    tag = "contacts",
    params(("id" = Uuid, Path, description = "The contact's id")),
    responses(
        (status = 200, description = "The contact", body = ContactBody),
        (status = 400, description = "`InvalidId`: the id is not a GUID",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`ContactNotFound`",
            body = Problem, content_type = "application/problem+json"),
    )
)]
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

#[utoipa::path(
    patch,
    path = "/contacts/{id}",
    operation_id = "updateContact",
    tag = "contacts",
    params(("id" = Uuid, Path, description = "The contact's id")),
    request_body = ContactAttributes<false>,
    responses(
        (status = 200, description = "The contact as changed", body = ContactBody),
        (status = 404, description = "`ContactNotFound`",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`ContactAlreadyExists`: another contact has this email",
            body = Problem, content_type = "application/problem+json"),
    )
)]
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

#[utoipa::path(
    delete,
    path = "/contacts/{id}",
    operation_id = "deleteContact",
    tag = "contacts",
    params(("id" = Uuid, Path, description = "The contact's id")),
    responses(
        (status = 204, description = "Deleted, with all their subscriptions and data"),
        (status = 400, description = "`InvalidId`: the id is not a GUID",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`ContactNotFound`",
            body = Problem, content_type = "application/problem+json"),
    )
)]
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

//! `GET /api/v3/templates` (what is loaded and whether the last reload worked) and
//! `POST /api/v3/templates/{name}/preview` (render with real data, send nothing).

use axum::extract::{Path, State};
use axum::Json as JsonResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, Problem};
use super::json::Json;
use super::AppState;
use crate::domain::{Locale, Quantity, Sku};
use crate::plugins::email::{
    preview as render_preview, PreviewContact, PreviewError, PreviewRequest,
};
use crate::templates::{templates_status, TemplateError, TemplatesStatus};

fn no_templates() -> ApiError {
    ApiError::TemplateNotFound("no templates are loaded: templates_dir does not exist".into())
}

#[utoipa::path(
    get,
    path = "/templates",
    operation_id = "listTemplates",
    tag = "admin",
    responses(
        (status = 200, description = "The live templates", body = TemplatesStatus),
        (status = 404, description = "`TemplateNotFound`: no templates_dir", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
) -> Result<JsonResponse<TemplatesStatus>, ApiError> {
    let templates = state.templates.as_ref().ok_or_else(no_templates)?;
    Ok(JsonResponse(templates_status(templates)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(as = PreviewRequest)]
pub struct PreviewBody {
    #[schema(value_type = Locale, example = "sv-SE")]
    locale: String,
    #[schema(value_type = Sku, example = "KIRUNA-BLK-M")]
    sku: String,
    contact_id: Uuid,
    /// The quantity the email shows; 1 when left out.
    #[schema(value_type = Option<Quantity>)]
    quantity: Option<i64>,
}

impl super::json::Body for PreviewBody {}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Preview)]
pub struct PreviewAnswer {
    subject: String,
    html: String,
    text: String,
    locale_used: String,
}

#[utoipa::path(
    post,
    path = "/templates/{name}/preview",
    operation_id = "previewTemplate",
    tag = "admin",
    params(("name" = String, Path, description = "The template's name", example = "back-in-stock")),
    request_body = PreviewBody,
    responses(
        (status = 200, description = "The rendered email; nothing is sent", body = PreviewAnswer),
        (status = 404, description = "`TemplateNotFound`, `ContactNotFound`, `NoFeedForLocale` or `ProductNotFound`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`TemplateFailed`: the template does not render with this data", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn preview(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Json(body): Json<PreviewBody>,
) -> Result<JsonResponse<PreviewAnswer>, ApiError> {
    let locale = Locale::parse(&body.locale).map_err(|e| ApiError::field("locale", e))?;
    let sku = Sku::parse(&body.sku).map_err(|e| ApiError::field("sku", e))?;
    let quantity =
        Quantity::new(body.quantity.unwrap_or(1)).map_err(|e| ApiError::field("quantity", e))?;
    let templates = state.templates.as_ref().ok_or_else(no_templates)?.current();
    let request = PreviewRequest {
        name: &name,
        locale: &locale,
        sku: sku.as_str(),
        contact: PreviewContact::Stored(body.contact_id),
        quantity: quantity.get(),
    };
    let unsubscribe = (&*state.unsubscribe, state.public_url.as_str());
    let catalog = state.engine.catalog();
    let rendered = render_preview(&request, &templates, catalog, &*state.store, unsubscribe)
        .await
        .map_err(|err| match err {
            PreviewError::ContactNotFound => ApiError::ContactNotFound,
            PreviewError::NoFeed(locale) => ApiError::NoFeed(locale.to_string()),
            PreviewError::ProductNotFound(..) => ApiError::ProductNotFound,
            PreviewError::Template(err @ TemplateError::NotFound { .. }) => {
                ApiError::TemplateNotFound(err.to_string())
            }
            PreviewError::Template(err) => ApiError::TemplateFailed(err.to_string()),
            PreviewError::Store(err) => err.into(),
        })?;
    Ok(JsonResponse(PreviewAnswer {
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        locale_used: rendered.locale_used.to_string(),
    }))
}

//! The OpenAPI 3.1 document at `GET /api/v3/openapi.json`, built from the same
//! `OpenApiRouter` that serves `/api/v3` (see `routes::v3`): a route is registered and
//! documented by one call, so the document cannot drift from what the server serves.
//!
//! # How an endpoint gets into the document
//!
//! 1. Annotate its handler with `#[utoipa::path(METHOD, path = "/relative/{param}",
//!    operation_id = "camelCaseName", tag = "…", params(…), request_body = …,
//!    responses(…))]`; the path is relative to `/api/v3`, the operation id unique.
//!    List the success statuses and the errors only that handler returns (404, 409, 422,
//!    a 400 from path or query parameters); do not list 401, 429, 414, 431 or the
//!    400/408/413/415 of a body: [`document`] adds those to every operation they apply to.
//! 2. Derive `utoipa::ToSchema` on its request and response types (`#[schema(value_type =
//!    …)]` where a field's Rust type is looser than what the handler accepts, e.g.
//!    `Option<String>` read as a required [`Sku`](crate::domain::Sku)).
//! 3. Register it in `routes::v3` with `.routes(routes!(module::handler))`, never with
//!    `.route(…)`, which would serve it undocumented.
//!
//! `tests/api/openapi.rs` fails when a route is served but not documented, and CI runs
//! schemathesis against the document (`.ci/schemathesis`).

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ErrorCode, FieldError, Problem};
use super::AppState;

const PROBLEM_JSON: &str = "application/problem+json";
const SCHEME: &str = "apikey";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Restock API",
        description = "Back-in-stock automation, wire-compatible with Voyado Engage's v3 \
                       back-in-stock calls, plus Restock's own admin calls. Every call but \
                       this document needs an API key in the `apikey` header. Errors are \
                       RFC 9457 problem+json with an `errorCode`.",
        license(name = "MIT", identifier = "MIT")
    ),
    components(schemas(Problem, ErrorCode, FieldError)),
    tags(
        (name = "contacts", description = "Engage's contacts"),
        (name = "subscriptions", description = "Engage's back-in-stock subscriptions"),
        (name = "inventory", description = "Stock levels from the retailer's systems"),
        (name = "receipts", description = "Purchases, for rule conditions"),
        (name = "admin", description = "Restock's own calls: what it loaded and decided"),
        (name = "meta", description = "This document")
    )
)]
struct Base;

/// The routes outside the API key check: the document itself.
pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(serve))
}

/// The whole document: every `/api/v3` route as `routes::v3` registers it, the API key
/// scheme and the responses every operation shares.
pub fn document() -> OpenApi {
    let mut doc = OpenApiRouter::<AppState>::with_openapi(Base::openapi())
        .nest("/api/v3", super::routes::v3())
        .merge(public_routes())
        .into_openapi();
    doc.components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            SCHEME,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(SCHEME))),
        );
    for item in doc.paths.paths.values_mut() {
        for op in operations(item) {
            add_shared_responses(op);
        }
    }
    doc
}

/// [`document`] as served, with the links between operations.
pub fn document_json() -> Value {
    let mut doc = serde_json::to_value(document()).unwrap_or_default();
    add_links(&mut doc);
    doc
}

static DOCUMENT: LazyLock<Vec<u8>> =
    LazyLock::new(|| serde_json::to_vec(&document_json()).unwrap_or_default());

/// This document (OpenAPI 3.1, JSON).
#[utoipa::path(
    get,
    path = "/api/v3/openapi.json",
    operation_id = "getOpenApi",
    tag = "meta",
    security(),
    responses((status = 200, description = "This document", content_type = "application/json",
        body = Object))
)]
pub async fn serve() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_slice(),
    )
        .into_response()
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// 401 and 429 on every operation that needs a key (all but [`serve`], which says so
/// with an empty `security`); 400, 408, 413 and 415 on every one that takes a body; 414
/// and 431, which the server's HTTP layer answers before any handler, on all.
fn add_shared_responses(op: &mut Operation) {
    add(
        op,
        "414",
        problem("`UriTooLong`: the path and query are over `http.max_uri_bytes`"),
    );
    add(
        op,
        "431",
        problem("`HeadersTooLarge`: more or larger header fields than `http.max_headers` / `http.max_header_bytes` allow"),
    );
    let public = op.security.as_ref().is_some_and(|s| s.iter().all(is_empty));
    if public {
        op.security = Some(Vec::new());
    } else {
        op.security = Some(vec![SecurityRequirement::new::<_, _, &str>(SCHEME, [])]);
        add(
            op,
            "401",
            problem("`Unauthorized`: no API key, or one not configured"),
        );
        let retry_after = HeaderBuilder::new()
            .schema(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0)),
            )
            .description(Some("Seconds until the key may call again"))
            .build();
        let too_many = problem("`TooManyRequests`: the key went over its rate limit");
        add(op, "429", too_many.header("Retry-After", retry_after));
    }
    if op.request_body.is_some() {
        add(
            op,
            "400",
            problem(
                "`MalformedJson`, `EmptyBody` or `ValidationFailed` (every field at fault in \
                 `errors`), or `InvalidId` for a path id",
            ),
        );
        add(
            op,
            "408",
            problem("`RequestTimeout`: the body did not arrive within `http.body_read_timeout`"),
        );
        add(
            op,
            "413",
            problem("`PayloadTooLarge`: over `max_body_bytes`"),
        );
        add(
            op,
            "415",
            problem(
                "`UnsupportedMediaType` (send `Content-Type: application/json`) or \
                 `UnsupportedContentEncoding`",
            ),
        );
    }
}

fn is_empty(requirement: &SecurityRequirement) -> bool {
    serde_json::to_value(requirement).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty()))
}

fn problem(description: &str) -> ResponseBuilder {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .build();
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, content)
}

/// Adds a response unless the handler documented that status itself.
fn add(op: &mut Operation, status: &str, response: ResponseBuilder) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| RefOr::T(response.build()));
}

/// Where an answer's id feeds the next call, for stateful testing (and readers): (operation,
/// status, link name, the link's `operationId`, `parameters` and `requestBody`). The SKU
/// and locale are the example shop's, so a preview finds a product.
fn links() -> [(&'static str, &'static str, &'static str, Value); 11] {
    let id =
        |target: &str| json!({"operationId": target, "parameters": {"id": "$response.body#/id"}});
    let body = |target: &str, body: Value| json!({"operationId": target, "requestBody": body});
    let subscription = json!({
        "contactId": "$response.body#/id", "sku": "KIRUNA-BLK-M", "locale": "sv-SE"
    });
    let receipt = json!({"contactId": "$response.body#/id", "items": [{"sku": "KIRUNA-BLK-M"}]});
    let mut preview = json!({
        "operationId": "previewTemplate",
        "parameters": {"name": "back-in-stock"},
        "requestBody": subscription.clone(),
    });
    preview["requestBody"]["quantity"] = json!(2);
    [
        ("createContact", "201", "GetContact", id("getContact")),
        ("createContact", "201", "UpdateContact", id("updateContact")),
        ("createContact", "201", "DeleteContact", id("deleteContact")),
        (
            "createContact",
            "201",
            "ListSubscriptions",
            id("listContactSubscriptions"),
        ),
        (
            "createContact",
            "201",
            "Subscribe",
            body("createSubscription", subscription),
        ),
        (
            "createContact",
            "201",
            "RecordReceipt",
            body("createReceipt", receipt),
        ),
        ("createContact", "201", "PreviewTemplate", preview),
        ("getContact", "200", "UpdateContact", id("updateContact")),
        ("updateContact", "200", "GetContact", id("getContact")),
        (
            "createSubscription",
            "201",
            "DeleteSubscription",
            id("deleteSubscription"),
        ),
        (
            "createSubscription",
            "201",
            "ListSubscriptions",
            json!({
                "operationId": "listContactSubscriptions",
                "parameters": {"id": "$response.body#/contactId"}
            }),
        ),
    ]
}

/// Adds [`links`] to the serialized document. Written as JSON because utoipa 5's `Link`
/// serializes its fields in snake case (`operation_id`), which OpenAPI does not know.
fn add_links(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let links = links();
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut() {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            for (_, status, name, link) in links.iter().filter(|link| link.0 == id) {
                if let Some(response) = op
                    .pointer_mut(&format!("/responses/{status}"))
                    .and_then(Value::as_object_mut)
                {
                    let all = response.entry("links").or_insert_with(|| json!({}));
                    all[*name] = link.clone();
                }
            }
        }
    }
}

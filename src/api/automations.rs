//! `GET /api/v3/automations` (the live automations, their files, the current load errors)
//! and `POST /api/v3/automations/dry-run` (who a stock level would notify, changing
//! nothing).

use axum::extract::State;
use axum::Json as JsonResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::ApiError;
use super::json::Json;
use super::stock_levels::StockLevelRequest;
use super::validate::{format_time, Fields};
use super::AppState;
use crate::domain::{ExternalId, Locale, Quantity, Sku};
use crate::engine::{DryRun, RulesError};
use crate::reload::Failure;
use crate::rules::Automation;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Automations)]
pub struct AutomationsBody {
    automations: Vec<AutomationBody>,
    /// When the live rules were loaded; `loadedOn` on every reloadable resource.
    #[schema(format = DateTime)]
    loaded_on: String,
    generation: u64,
    /// Why the latest edit of the rules was rejected (`{message, on}`, as for templates
    /// and feeds), null when it was not; the automations above stay live.
    #[schema(value_type = Option<crate::reload::ReloadFailure>)]
    last_error: Option<Failure<RulesError>>,
    /// The same rejection, one entry per file:line:col; empty when `lastError` is null.
    errors: Vec<LoadError>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Automation)]
struct AutomationBody {
    id: String,
    name: String,
    enabled: bool,
    priority: i64,
    threshold: u64,
    expires_after: Option<String>,
    throttle_per_unit: Option<u32>,
    when: Option<String>,
    file: String,
    line: usize,
    /// Locale → action names; `default` for every other locale.
    #[schema(value_type = Vec<(String, Vec<String>)>)]
    branches: Vec<(String, Vec<String>)>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = RulesLoadError)]
struct LoadError {
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
}

impl From<&Automation> for AutomationBody {
    fn from(a: &Automation) -> Self {
        let names =
            |actions: &[crate::rules::Action]| actions.iter().map(|x| x.name.clone()).collect();
        let mut branches: Vec<(String, Vec<String>)> = a
            .split
            .branches
            .iter()
            .map(|b| (b.locale.clone(), names(&b.actions)))
            .collect();
        branches.push(("default".into(), names(&a.split.default)));
        Self {
            id: a.id.clone(),
            name: a.name.clone(),
            enabled: a.enabled,
            priority: a.priority,
            threshold: a.threshold,
            expires_after: a.expires_after.map(|d| d.to_string()),
            throttle_per_unit: a.throttle.map(|t| t.per_unit),
            when: a.when.as_ref().map(|c| c.source().to_owned()),
            file: a.origin.file.display().to_string(),
            line: a.origin.line,
            branches,
        }
    }
}

#[utoipa::path(
    get,
    path = "/automations",
    operation_id = "listAutomations",
    tag = "admin",
    responses((status = 200, description = "The live automations", body = AutomationsBody))
)]
pub async fn list(State(state): State<AppState>) -> JsonResponse<AutomationsBody> {
    let rules = state.engine.rules();
    let status = rules.status();
    let errors = status
        .last_error
        .as_ref()
        .map(|failure| load_errors(failure.error.as_deref(), &failure.message));
    JsonResponse(AutomationsBody {
        automations: rules.current().all().iter().map(Into::into).collect(),
        loaded_on: format_time(&status.loaded_on),
        generation: status.generation,
        errors: errors.unwrap_or_default(),
        last_error: status.last_error,
    })
}

/// One entry per diagnostic (file:line:col) when the rules failed to compile.
fn load_errors(error: Option<&RulesError>, message: &str) -> Vec<LoadError> {
    let plain = |message: String| LoadError {
        file: None,
        line: None,
        column: None,
        message,
    };
    match error {
        Some(RulesError::Invalid(all)) => all
            .iter()
            .flat_map(|d| d.iter())
            .map(|d| LoadError {
                file: d.file.as_deref().map(str::to_owned),
                line: Some(d.line),
                column: Some(d.column),
                message: match &d.help {
                    Some(help) => format!("{} ({help})", d.message),
                    None => d.message.clone(),
                },
            })
            .collect(),
        Some(other) => vec![plain(other.to_string())],
        None => vec![plain(message.to_owned())],
    }
}

/// A stock level as `PUT stock-levels` takes it, and how many verdicts to list.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = DryRunRequest)]
pub struct DryRunRequest {
    #[schema(value_type = Quantity, example = 3)]
    quantity: Option<i64>,
    #[schema(value_type = Sku, example = "KIRUNA-BLK-M")]
    sku: Option<String>,
    #[schema(value_type = Option<Locale>, example = "sv-SE")]
    locale: Option<String>,
    #[schema(value_type = Option<ExternalId>)]
    external_id: Option<String>,
    /// How many verdicts to list (100 when left out).
    #[schema(maximum = 10000)]
    limit: Option<usize>,
}

impl super::json::Body for DryRunRequest {}

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 10_000;

#[utoipa::path(
    post,
    path = "/automations/dry-run",
    operation_id = "dryRunAutomations",
    tag = "admin",
    request_body = DryRunRequest,
    responses((status = 200, description = "What the stock level would do", body = DryRun))
)]
pub async fn dry_run(
    State(state): State<AppState>,
    Json(body): Json<DryRunRequest>,
) -> Result<JsonResponse<DryRun>, ApiError> {
    let mut f = Fields::new();
    let level = StockLevelRequest {
        quantity: body.quantity,
        sku: body.sku,
        locale: body.locale,
        external_id: body.external_id,
    }
    .check(&mut f);
    let limit = body.limit.unwrap_or(DEFAULT_LIMIT);
    if limit > MAX_LIMIT {
        f.error("limit", format!("must be at most {MAX_LIMIT}"));
    }
    f.finish()?;
    let level = level.ok_or_else(|| ApiError::field("body", "is invalid"))?;
    let report = state
        .engine
        .dry_run(&level, limit)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(JsonResponse(report))
}

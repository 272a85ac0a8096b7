//! `GET /api/v3/reports/back-in-stock?from=&to=&granularity=day|week|month&automation=&locale=`:
//! the summary and time series of the daily statistics. JSON, or CSV (the series) with
//! `Accept: text/csv`.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json as JsonResponse;
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, Problem};
use super::json::Query;
use super::validate::Fields;
use super::AppState;
use crate::domain::Locale;
use crate::insights::report::{self, parse_day, Granularity, ReportQuery};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// First day, YYYY-MM-DD (in `insights.time_zone`).
    #[param(required = true, value_type = String, format = Date)]
    from: Option<String>,
    /// Last day, included.
    #[param(required = true, value_type = String, format = Date)]
    to: Option<String>,
    /// `day` (default), `week` or `month`.
    granularity: Option<String>,
    /// Only counters of this automation.
    automation: Option<String>,
    /// Only counters of this locale.
    locale: Option<String>,
}

/// Whether the client asked for CSV (`Accept: text/csv`, alone or first among others).
pub fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|media| {
            let media = media.split(';').next().unwrap_or_default().trim();
            media.eq_ignore_ascii_case("text/csv")
        })
}

/// A CSV document as the answer (RFC 4180, UTF-8, with a header row).
pub fn csv_answer(body: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8; header=present"),
        )],
        body,
    )
        .into_response()
}

/// The checked parameters; every bad one is named.
pub fn parse(params: ReportParams) -> Result<ReportQuery, ApiError> {
    let mut f = Fields::new();
    let from = f.required("from", params.from.as_deref(), parse_day);
    let to = f.required("to", params.to.as_deref(), parse_day);
    let granularity = f.optional(
        "granularity",
        params.granularity.as_deref(),
        Granularity::parse,
    );
    let locale = f.optional("locale", params.locale.as_deref(), Locale::parse);
    if params.automation.as_deref() == Some("") {
        f.error("automation", "is empty: leave it out for every automation");
    }
    if let (Some(from), Some(to)) = (from, to) {
        if let Err((name, err)) = ReportQuery::check_range(from, to) {
            f.error(name, err);
        }
    }
    f.finish()?;
    let (Some(from), Some(to), Some(granularity), Some(locale)) = (from, to, granularity, locale)
    else {
        return Err(ApiError::BadRequest("invalid report parameters".into()));
    };
    Ok(ReportQuery {
        from,
        to,
        granularity: granularity.unwrap_or(Granularity::Day),
        automation: params.automation,
        locale: locale.map(|l| l.as_str().to_owned()),
    })
}

/// The report for `query`, read from the store.
pub async fn build(state: &AppState, query: &ReportQuery) -> Result<report::Report, ApiError> {
    Ok(report::load(state.store.as_ref(), query).await?)
}

#[utoipa::path(
    get,
    path = "/reports/back-in-stock",
    operation_id = "getBackInStockReport",
    tag = "insights",
    params(ReportParams),
    responses(
        (status = 200, description = "Summary and series; `Accept: text/csv` for the series as CSV", content(
            (report::Report = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "`ValidationFailed`: a bad, missing or unknown parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn back_in_stock(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<ReportParams>,
) -> Result<Response, ApiError> {
    let query = parse(params)?;
    let report = build(&state, &query).await?;
    if wants_csv(&headers) {
        let body =
            crate::insights::csv::report(&report).map_err(|e| ApiError::Internal(e.into()))?;
        return Ok(csv_answer(body));
    }
    Ok(JsonResponse(report).into_response())
}

//! Why a console request failed, and the page it answers with.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::engine::EngineError;
use crate::store::StoreError;
use crate::web::problem::{problem_response, ErrorCode, FieldError};

/// Every way a console request fails; each maps to one status and a short page.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// A state-changing request another site started (or one whose origin is unknown).
    #[error("this request came from another site, so it was refused; nothing was changed")]
    CrossSite,
    /// A form field or query parameter that cannot be used.
    #[error("{field}: {message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    /// A form body that cannot be read (a field twice, not a form at all), in the status
    /// the form reader chose.
    #[error("the form cannot be read: {message}")]
    Form { status: StatusCode, message: String },
    #[error("too many failed sign-ins; try again in {0} s")]
    TooManySignIns(u64),
    #[error("no such page")]
    NotFound,
    /// A search for a contact (a download of their history) that finds none.
    #[error("no contact has this id or email address")]
    NoSuchContact,
    /// A contact id that no contact has (they may have been deleted already).
    #[error("no contact has this id; nothing was changed")]
    ContactNotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("cannot render the page: {0}")]
    Render(#[from] handlebars::RenderError),
    #[error("a console template does not parse: {0}")]
    Template(#[from] Box<handlebars::TemplateError>),
    #[error("cannot use the rules folder: {0}")]
    Io(#[from] std::io::Error),
}

impl ConsoleError {
    pub(crate) fn bad(field: &'static str, message: impl Into<String>) -> Self {
        ConsoleError::BadInput {
            field,
            message: message.into(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ConsoleError::CrossSite => StatusCode::FORBIDDEN,
            ConsoleError::BadInput { .. } => StatusCode::BAD_REQUEST,
            ConsoleError::Form { status, .. } => *status,
            ConsoleError::TooManySignIns(_) => StatusCode::TOO_MANY_REQUESTS,
            ConsoleError::NotFound
            | ConsoleError::ContactNotFound
            | ConsoleError::NoSuchContact => StatusCode::NOT_FOUND,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "console request failed");
        }
        let message = match status.is_server_error() {
            true => "Something went wrong on the server; the log says what.".to_owned(),
            false => self.to_string(),
        };
        let page = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{code} · Restock console</title>\
             <link rel=\"stylesheet\" href=\"{css}\"></head><body class=\"plain\"><main>\
             <h1>{code}</h1><p class=\"error\" role=\"alert\">{message}</p>\
             <p><a href=\"/admin\">Back to the console</a></p></main></body></html>",
            code = status.as_u16(),
            css = super::assets::STYLESHEET.url(),
            message = handlebars::html_escape(&message),
        );
        let mut response = (status, Html(page)).into_response();
        if let ConsoleError::TooManySignIns(secs) = self {
            if let Ok(value) = secs.to_string().parse() {
                response.headers_mut().insert("retry-after", value);
            }
        }
        response
    }
}

/// Why an editor's live check (JSON in, JSON out) could not run. Answered as the API
/// answers a bad field, in problem+json, so the page's script and a client read both alike.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// 400: the body or one of its fields cannot be used.
    #[error("{field}: {message}")]
    Field {
        field: &'static str,
        message: String,
    },
    /// 500: the check itself failed to run.
    #[error("the check failed to run: {0}")]
    Internal(#[from] tokio::task::JoinError),
}

impl CheckError {
    pub(crate) fn field(field: &'static str, message: impl ToString) -> Self {
        CheckError::Field {
            field,
            message: message.to_string(),
        }
    }
}

impl IntoResponse for CheckError {
    fn into_response(self) -> Response {
        match self {
            CheckError::Field { field, message } => problem_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::ValidationFailed,
                format!("{field}: {message}"),
                &[FieldError::new(field, message)],
            ),
            CheckError::Internal(cause) => {
                tracing::error!(error = %cause, "console check failed");
                problem_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::InternalError,
                    "the check failed to run; the log says why".to_owned(),
                    &[],
                )
            }
        }
    }
}

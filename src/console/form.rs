//! A form body extractor that fails with the console's own error page: axum's answers
//! a duplicate field (422) or a body that is not a form (415) in plain text.

use axum::extract::{FromRequest, Request};

use super::ConsoleError;

/// Like `axum::Form`; a body that cannot be read answers with the console's page, in the
/// status axum chose.
pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    axum::Form<T>: FromRequest<S, Rejection = axum::extract::rejection::FormRejection>,
    S: Send + Sync,
{
    type Rejection = ConsoleError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ConsoleError> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(rejection) => Err(ConsoleError::Form {
                status: rejection.status(),
                message: rejection.body_text(),
            }),
        }
    }
}

//! The `webhook` action: build the payload, sign it, POST it, read the answer.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::Signer;
use crate::domain::Locale;
use crate::plugins::email::notification_data;
use crate::plugins::{Action, Outcome};
use crate::store::OutboxItem;
use crate::unsubscribe::UnsubscribeKey;

/// `webhook: {url: https://hooks.example/restock, timeout_secs: 5}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    url: String,
    timeout_secs: Option<u64>,
}

pub struct WebhookAction {
    client: reqwest::Client,
    signer: Signer,
    timeout: Duration,
    unsubscribe: Arc<UnsubscribeKey>,
    public_url: String,
}

impl WebhookAction {
    pub fn new(
        signer: Signer,
        timeout: Duration,
        unsubscribe: Arc<UnsubscribeKey>,
        public_url: String,
    ) -> Self {
        Self {
            client: reqwest::Client::new(),
            signer,
            timeout,
            unsubscribe,
            public_url,
        }
    }

    /// The notification as JSON: its id (the same on every retry, so receivers can
    /// de-duplicate), automation and branch, and the data an email template would see —
    /// built by the same function, so its product links are http(s) URLs only.
    fn payload(&self, item: &OutboxItem) -> Result<Vec<u8>, String> {
        let locale = Locale::parse(&item.locale)
            .map_err(|e| format!("invalid locale {:?}: {e}", item.locale))?;
        let unsubscribe_url = self.unsubscribe.url(&self.public_url, item.contact_id);
        let data = notification_data(item, &locale, &unsubscribe_url);
        let body = json!({
            "id": item.id,
            "type": "backInStock",
            "automation": item.automation,
            "branch": item.branch,
            "contactId": item.contact_id,
            "data": data,
        });
        serde_json::to_vec(&body).map_err(|e| e.to_string())
    }
}

#[async_trait]
impl Action for WebhookAction {
    fn name(&self) -> &'static str {
        "webhook"
    }

    async fn execute(&self, item: &OutboxItem, raw: &serde_json::Value) -> Outcome {
        let settings: Settings = match serde_json::from_value(raw.clone()) {
            Ok(settings) => settings,
            Err(e) => return Outcome::Permanent(format!("invalid settings {raw}: {e}")),
        };
        let url = match reqwest::Url::parse(&settings.url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => url,
            _ => return Outcome::Permanent(format!("{:?} is not an http(s) URL", settings.url)),
        };
        let body = match self.payload(item) {
            Ok(body) => body,
            Err(reason) => return Outcome::Permanent(reason),
        };
        let signature = self.signer.header(chrono::Utc::now().timestamp(), &body);
        let timeout = settings
            .timeout_secs
            .map_or(self.timeout, Duration::from_secs);
        let sent = self
            .client
            .post(url)
            .timeout(timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("x-restock-notification", item.id.to_string())
            .header(super::SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) => outcome(response.status()),
            Err(err) => Outcome::Transient(err.without_url().to_string()),
        }
    }
}

fn outcome(status: StatusCode) -> Outcome {
    let retry = status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS;
    match (status.is_success(), retry) {
        (true, _) => Outcome::Done,
        (false, true) => Outcome::Transient(format!("the endpoint answered {status}")),
        (false, false) => Outcome::Permanent(format!("the endpoint answered {status}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_outcomes() {
        assert_eq!(outcome(StatusCode::OK), Outcome::Done);
        assert_eq!(outcome(StatusCode::NO_CONTENT), Outcome::Done);
        assert!(matches!(
            outcome(StatusCode::SERVICE_UNAVAILABLE),
            Outcome::Transient(_)
        ));
        assert!(matches!(
            outcome(StatusCode::TOO_MANY_REQUESTS),
            Outcome::Transient(_)
        ));
        assert!(matches!(
            outcome(StatusCode::REQUEST_TIMEOUT),
            Outcome::Transient(_)
        ));
        assert!(matches!(
            outcome(StatusCode::NOT_FOUND),
            Outcome::Permanent(_)
        ));
        assert!(matches!(outcome(StatusCode::GONE), Outcome::Permanent(_)));
    }
}

//! `log: {}` — records the notification in the log and does nothing else; useful to try an
//! automation out, or beside another action for an audit trail.

use async_trait::async_trait;

use super::{Action, Outcome};
use crate::store::OutboxItem;

pub struct LogAction;

#[async_trait]
impl Action for LogAction {
    fn name(&self) -> &'static str {
        "log"
    }

    async fn execute(&self, item: &OutboxItem, _settings: &serde_json::Value) -> Outcome {
        tracing::info!(
            notification = %item.id,
            contact = %item.contact_id,
            sku = %item.sku,
            locale = %item.locale,
            automation = %item.automation,
            branch = %item.branch,
            "back-in-stock notification"
        );
        Outcome::Done
    }
}

use async_trait::async_trait;

use super::{DeliveryOutcome, Metrics};
use crate::delivery::RetryPolicy;
use crate::plugins::{Action, Outcome};
use crate::store::OutboxItem;

/// An action that counts each of its runs by outcome, registered in place of the action
/// it wraps. Counting here rather than in the delivery worker keeps the worker unaware of
/// metrics, and every action kind gets the same labels.
///
/// Whether a transient failure is a `retry` or goes to the dead letter is decided with the
/// same [`RetryPolicy::delay`] the worker applies to the same attempt count, so the label
/// says what the worker then does.
pub struct Metered<A> {
    action: A,
    retry: RetryPolicy,
    metrics: Metrics,
}

impl<A: Action> Metered<A> {
    /// Wraps `action`; its series appear at 0 right away, so a dashboard shows the action
    /// before its first run. `retry` must be the worker's policy.
    pub fn new(action: A, retry: RetryPolicy, metrics: Metrics) -> Self {
        metrics.delivery_action(action.name());
        Self {
            action,
            retry,
            metrics,
        }
    }
}

#[async_trait]
impl<A: Action> Action for Metered<A> {
    fn name(&self) -> &'static str {
        self.action.name()
    }

    async fn execute(&self, item: &OutboxItem, settings: &serde_json::Value) -> Outcome {
        let outcome = self.action.execute(item, settings).await;
        let counted = match &outcome {
            Outcome::Done => DeliveryOutcome::Sent,
            Outcome::Transient(_) if self.retry.delay(item.attempts).is_some() => {
                DeliveryOutcome::Retry
            }
            Outcome::Transient(_) | Outcome::Permanent(_) => DeliveryOutcome::Dead,
        };
        self.metrics.delivery_attempt(self.action.name(), counted);
        outcome
    }
}

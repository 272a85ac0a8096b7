//! One notification's delivery: its actions in order, and what their outcome leads to.

use super::worker::Delivery;
use crate::metrics::DeliveryOutcome;
use crate::plugins::Outcome;
use crate::store::{Finish, OutboxItem};

impl Delivery {
    /// Runs the actions not yet done, in order, and says what happens next and which
    /// action decided it (every action's name, joined, when all succeeded).
    pub(super) async fn deliver(&self, item: &OutboxItem) -> (Finish, String) {
        let actions = item
            .actions
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let done = usize::try_from(item.actions_done).unwrap_or_default();
        let mut names = Vec::new();
        for (index, action) in actions.iter().enumerate().skip(done) {
            let actions_done = u32::try_from(index).unwrap_or(u32::MAX);
            let Some((name, settings)) = action.as_object().and_then(|a| a.iter().next()) else {
                let reason = format!("action {index} is not of the form {{name: settings}}");
                return (
                    Finish::Dead {
                        reason,
                        actions_done,
                    },
                    format!("#{index}"),
                );
            };
            let Some(plugin) = self.actions.get(name) else {
                let reason = format!("no action named {name:?} is available");
                return (
                    Finish::Dead {
                        reason,
                        actions_done,
                    },
                    name.clone(),
                );
            };
            let finish = match plugin.execute(item, settings).await {
                Outcome::Done => None,
                Outcome::Permanent(reason) => Some(Finish::Dead {
                    reason: format!("{name}: {reason}"),
                    actions_done,
                }),
                Outcome::Transient(error) => {
                    Some(self.retry(item, format!("{name}: {error}"), actions_done))
                }
                Outcome::Unavailable(error) => {
                    let error = format!("{name}: {error}");
                    self.pause.begin(plugin.name(), &error);
                    Some(Finish::Release {
                        actions_done,
                        error: Some(error),
                    })
                }
            };
            self.count(plugin.name(), finish.as_ref());
            if let Some(finish) = finish {
                return (finish, name.clone());
            }
            names.push(name.as_str());
        }
        (Finish::Delivered, names.join(","))
    }

    /// One run of an action, by what it leads to: the next action (sent), a retry, or
    /// the dead letter. A run stopped by a transport fault is not an attempt.
    fn count(&self, action: &str, finish: Option<&Finish>) {
        let outcome = match finish {
            None => DeliveryOutcome::Sent,
            Some(Finish::Retry { .. }) => DeliveryOutcome::Retry,
            Some(Finish::Dead { .. }) => DeliveryOutcome::Dead,
            Some(Finish::Release { .. } | Finish::Defer { .. } | Finish::Delivered) => return,
        };
        self.metrics.delivery_attempt(action, outcome);
    }

    fn retry(&self, item: &OutboxItem, error: String, actions_done: u32) -> Finish {
        match self.settings.retry.delay(item.attempts) {
            Some(wait) => {
                let wait_ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
                let at_ms = chrono::Utc::now()
                    .timestamp_millis()
                    .saturating_add(wait_ms);
                Finish::Retry {
                    at_ms,
                    error,
                    actions_done,
                }
            }
            None => Finish::Dead {
                reason: format!("gave up after {} attempts: {error}", item.attempts),
                actions_done,
            },
        }
    }
}

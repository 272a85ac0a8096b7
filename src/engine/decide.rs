//! The decision for one matched subscription: the predefined conditions, then each
//! automation in priority order. Pure: no I/O, so dry runs and the worker share it.

use std::collections::HashMap;

use crate::dsl::Record;
use crate::store::HeldBack;

use super::ruleset::RuleSet;

/// What happens to a matched subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Consumed by the automation at this index of [`RuleSet::all`].
    Trigger(usize),
    /// Dropped without a notification: older than that automation's `expires_after`.
    Expired(usize),
    /// Stays subscribed, for this reason.
    Held(HeldBack),
}

/// Decides subscriptions for one stock level, keeping each automation's throttle budget.
pub struct Judge<'r> {
    rules: &'r RuleSet,
    quantity: i64,
    /// Notifications each automation may still send for this stock level (`None`: no cap).
    budget: Vec<Option<u64>>,
}

impl<'r> Judge<'r> {
    /// `already_sent` counts what earlier chunks (or an earlier, crashed worker) sent for
    /// this stock level, per automation id, so a resumed fan-out keeps the throttle.
    pub fn new(rules: &'r RuleSet, quantity: i64, already_sent: &HashMap<String, u64>) -> Self {
        let units = u64::try_from(quantity).unwrap_or_default();
        let budget = rules
            .all()
            .iter()
            .map(|a| {
                a.throttle.map(|t| {
                    let cap = units.saturating_mul(u64::from(t.per_unit));
                    cap.saturating_sub(already_sent.get(&a.id).copied().unwrap_or_default())
                })
            })
            .collect();
        Self {
            rules,
            quantity,
            budget,
        }
    }

    /// Whether no enabled automation that the quantity reaches has throttle budget left:
    /// every further subscription would be held back as throttled.
    pub fn exhausted(&self) -> bool {
        let units = u64::try_from(self.quantity).unwrap_or_default();
        let mut reachable = self
            .rules
            .all()
            .iter()
            .zip(&self.budget)
            .filter(|(a, _)| a.enabled && units >= a.threshold)
            .peekable();
        reachable.peek().is_some() && reachable.all(|(_, budget)| *budget == Some(0))
    }

    /// The predefined conditions (stock, feed, product), then the automations in priority
    /// order: the first whose threshold and condition pass takes the subscription.
    pub fn decide(&mut self, record: &Record<'_>, has_feed: bool, has_product: bool) -> Decision {
        if self.quantity <= 0 {
            return Decision::Held(HeldBack::NoStock);
        }
        if !has_feed {
            return Decision::Held(HeldBack::NoFeed);
        }
        if !has_product {
            return Decision::Held(HeldBack::NoProductData);
        }
        let (mut below_threshold, mut condition_false) = (false, false);
        let age = record
            .now
            .as_millis()
            .saturating_sub(record.subscription_created_on.as_millis());
        for (index, automation) in self.rules.all().iter().enumerate() {
            if !automation.enabled {
                continue;
            }
            if u64::try_from(self.quantity).unwrap_or_default() < automation.threshold {
                below_threshold = true;
                continue;
            }
            if automation
                .when
                .as_ref()
                .is_some_and(|c| !c.evaluate(record))
            {
                condition_false = true;
                continue;
            }
            if automation
                .expires_after
                .is_some_and(|limit| age > limit.as_millis())
            {
                return Decision::Expired(index);
            }
            return match &mut self.budget[index] {
                Some(0) => Decision::Held(HeldBack::Throttled),
                Some(left) => {
                    *left -= 1;
                    Decision::Trigger(index)
                }
                None => Decision::Trigger(index),
            };
        }
        // Say what came closest: a condition was tried, or only thresholds stood in the way.
        Decision::Held(match (condition_false, below_threshold) {
            (true, _) => HeldBack::ConditionFalse,
            (false, true) => HeldBack::BelowThreshold,
            (false, false) => HeldBack::NoAutomation,
        })
    }
}

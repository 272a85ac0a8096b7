//! The decision for one matched subscription: the predefined conditions, then each
//! automation in priority order. Pure: no I/O, so dry runs and the worker share it.

use std::collections::{BTreeMap, HashMap};

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

    /// For one part of a split fan-out: each throttled automation may send what the split
    /// allocated to the part (`allocated`, by automation id; none: nothing), less what the
    /// part's committed chunks sent already.
    pub fn allocated(
        rules: &'r RuleSet,
        quantity: i64,
        allocated: &BTreeMap<String, u64>,
        already_sent: &HashMap<String, u64>,
    ) -> Self {
        let budget = rules
            .all()
            .iter()
            .map(|a| {
                a.throttle.map(|_| {
                    let part = allocated.get(&a.id).copied().unwrap_or_default();
                    part.saturating_sub(already_sent.get(&a.id).copied().unwrap_or_default())
                })
            })
            .collect();
        Self {
            rules,
            quantity,
            budget,
        }
    }

    /// Whether this stock level can trigger `a`: enabled, and reached by the quantity.
    fn reaches(&self, a: &crate::rules::Automation) -> bool {
        a.enabled && u64::try_from(self.quantity).unwrap_or_default() >= a.threshold
    }

    /// The automations this stock level can trigger, with their throttle budgets.
    fn reachable(&self) -> impl Iterator<Item = (&crate::rules::Automation, &Option<u64>)> {
        self.rules
            .all()
            .iter()
            .zip(&self.budget)
            .filter(|(a, _)| self.reaches(a))
    }

    /// Whether a throttle may still decide which of the next `remaining` matches it takes:
    /// some automation the stock level reaches has budget left, but less than `remaining`.
    /// Its budget goes to the oldest matches it takes, so until it is spent (or cannot run
    /// out) the matches must be walked in order, by one worker.
    pub fn may_bind(&self, remaining: u64) -> bool {
        self.reachable()
            .any(|(_, budget)| budget.is_some_and(|b| b > 0 && b < remaining))
    }

    /// What each part of a split may send per throttled automation, for parts of `counts`
    /// matches: a reachable automation with budget for every remaining match gets each
    /// part's count (together at most its budget); one with none left, or not reachable,
    /// nothing. Only meaningful when [`Judge::may_bind`] is false for the total.
    pub fn allocate(&self, counts: &[u64]) -> Vec<BTreeMap<String, u64>> {
        let total: u64 = counts.iter().sum();
        counts
            .iter()
            .map(|count| {
                self.rules
                    .all()
                    .iter()
                    .zip(&self.budget)
                    .filter_map(|(a, budget)| {
                        let budget = (*budget)?;
                        let share = if self.reaches(a) && budget >= total {
                            *count
                        } else {
                            0
                        };
                        Some((a.id.clone(), share))
                    })
                    .collect()
            })
            .collect()
    }

    /// Whether no enabled automation that the quantity reaches has throttle budget left:
    /// every further subscription would be held back as throttled.
    pub fn exhausted(&self) -> bool {
        let mut reachable = self.reachable().peekable();
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

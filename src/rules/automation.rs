//! An automation, validated and ready for the engine.

use std::path::PathBuf;

use crate::dsl::{Condition, Duration};

/// The action names an automation may use. The delivery worker's plugin registry will
/// replace this list; until then it catches typos such as `emial`.
pub const KNOWN_ACTIONS: &[&str] = &["email", "webhook", "log"];

/// One automation from a rules file: when a back-in-stock subscription triggers, and what
/// to do for it, per locale.
#[derive(Debug)]
pub struct Automation {
    /// Unique across all rules files; names the automation in logs and the API.
    pub id: String,
    /// A human-readable name (defaults to the id).
    pub name: String,
    /// A disabled automation is loaded and checked but never runs.
    pub enabled: bool,
    /// Lower runs first; the first automation whose conditions pass consumes the
    /// subscription.
    pub priority: i64,
    /// Back in stock when quantity ≥ threshold (at least 1).
    pub threshold: u64,
    /// Subscriptions older than this are dropped rather than notified.
    pub expires_after: Option<Duration>,
    /// At most `per_unit` notifications per unit in stock, oldest subscriptions first.
    pub throttle: Option<Throttle>,
    /// The custom condition (`when:`), compiled; `None` means always.
    pub when: Option<Condition>,
    /// The actions per locale.
    pub split: Split,
    /// Where the automation is written.
    pub origin: SourceRef,
}

/// `throttle: {per_unit: 3}`
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Throttle {
    /// Notifications per unit in stock.
    pub per_unit: u32,
}

/// `split: {by: locale, branches: {...}}`: the actions for each locale, and for the rest.
#[derive(Debug)]
pub struct Split {
    /// Branches for specific locales, in file order; locales in canonical case.
    pub branches: Vec<Branch>,
    /// The actions for every other locale.
    pub default: Vec<Action>,
}

/// The actions for one locale.
#[derive(Debug)]
pub struct Branch {
    /// Canonical case (`sv-SE`).
    pub locale: String,
    /// What to do, in order.
    pub actions: Vec<Action>,
}

/// One action, such as `email: {template: back-in-stock}`.
#[derive(Debug)]
pub struct Action {
    /// One of [`KNOWN_ACTIONS`].
    pub name: String,
    /// The action's settings, kept as a YAML node with positions, so the plugin that runs
    /// the action can deserialize its own typed settings (`marked_yaml::from_node`) and
    /// report errors at the right line.
    pub config: marked_yaml::Node,
}

/// A place in a rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    /// The file.
    pub file: PathBuf,
    /// 1-based line of the automation's first key.
    pub line: usize,
}

impl Split {
    /// The actions for a subscription's locale (canonical case): its branch, or the default.
    pub fn actions_for(&self, locale: &str) -> &[Action] {
        self.branches
            .iter()
            .find(|b| b.locale == locale)
            .map_or(&self.default[..], |b| &b.actions[..])
    }
}

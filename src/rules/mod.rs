//! Automations written by marketers as YAML files in `rules/`: loading with every key
//! checked and every `when` condition compiled with file:line:col diagnostics, and the
//! `restock rules check` command ([`check_paths`]).
//!
//! A rules file holds one automation (a mapping) or a list of them; the keys are those of
//! docs/automations.md (`id`, `name`, `enabled`, `priority`, `threshold`,
//! `expires_after`, `throttle`, `when`, `split`), and unknown keys are errors.

mod automation;
mod check;
mod file;
mod load;
mod locate;
mod spec;
mod split;
mod yaml_error;

#[cfg(test)]
mod tests;

pub use automation::{Action, Automation, Branch, SourceRef, Split, Throttle, KNOWN_ACTIONS};
pub use check::{check_paths, check_paths_with, default_schema, rule_files, DEFAULT_RULES_DIR};
pub use load::load_str;

//! The live set of automations: every rules file loaded against the schema, in priority
//! order, with what their conditions read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::dsl::{Diagnostics, Field, Schema};
use crate::rules::{load_str, rule_files, Automation};

/// Automations, valid as a whole: every file parsed, every id unique.
#[derive(Debug, Default)]
pub struct RuleSet {
    /// Enabled and disabled automations, by priority then id.
    automations: Vec<Automation>,
    /// Whether some enabled condition reads the contact (attributes, email, locale).
    pub needs_contact: bool,
    /// Whether some enabled condition reads `purchased`.
    pub needs_purchases: bool,
    /// What the conditions were compiled against: it fixes the slot of every product field
    /// and contact attribute the engine binds.
    pub schema: Schema,
}

/// Why a rules directory could not become the live set; the old set stays live.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("cannot read the rules: {0}")]
    Io(#[from] std::io::Error),
    /// The fields rules may read cannot be assembled (a contact attribute's name).
    #[error(transparent)]
    Schema(#[from] crate::dsl::SchemaError),
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostics>),
    #[error("automation id {id:?} is used in both {first} and {second}")]
    DuplicateId {
        id: String,
        first: PathBuf,
        second: PathBuf,
    },
}

fn render(all: &[Diagnostics]) -> String {
    all.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl RuleSet {
    /// Loads every `*.yaml`/`*.yml` in `dir`; all valid, or every problem. A missing
    /// directory is an empty set (nothing triggers until rules exist).
    pub fn load(dir: &Path, schema: &Schema) -> Result<Self, RulesError> {
        if !dir.exists() {
            return Self::from_automations(Vec::new(), schema.clone());
        }
        let mut automations = Vec::new();
        let mut invalid = Vec::new();
        for path in rule_files(&[dir.to_owned()])? {
            let text = std::fs::read_to_string(&path)?;
            match load_str(&text, &path, schema) {
                Ok(mut found) => automations.append(&mut found),
                Err(diagnostics) => invalid.push(diagnostics),
            }
        }
        if !invalid.is_empty() {
            return Err(RulesError::Invalid(invalid));
        }
        Self::from_automations(automations, schema.clone())
    }

    pub fn from_automations(
        mut automations: Vec<Automation>,
        schema: Schema,
    ) -> Result<Self, RulesError> {
        let mut seen: HashMap<&str, &Path> = HashMap::new();
        for a in &automations {
            if let Some(first) = seen.insert(&a.id, &a.origin.file) {
                return Err(RulesError::DuplicateId {
                    id: a.id.clone(),
                    first: first.to_owned(),
                    second: a.origin.file.clone(),
                });
            }
        }
        automations.sort_by(|a, b| a.priority.cmp(&b.priority).then_with(|| a.id.cmp(&b.id)));
        let reads = |wanted: fn(&Field) -> bool| {
            automations
                .iter()
                .filter(|a| a.enabled)
                .filter_map(|a| a.when.as_ref())
                .any(|c| c.references().iter().any(wanted))
        };
        let needs_contact = reads(|f| {
            matches!(
                f,
                Field::ContactEmail | Field::ContactLocale | Field::ContactAttribute { .. }
            )
        });
        let needs_purchases = reads(|f| matches!(f, Field::Purchased));
        Ok(Self {
            automations,
            needs_contact,
            needs_purchases,
            schema,
        })
    }

    /// Enabled automations in the order they are tried.
    pub fn enabled(&self) -> impl Iterator<Item = &Automation> {
        self.automations.iter().filter(|a| a.enabled)
    }

    pub fn all(&self) -> &[Automation] {
        &self.automations
    }
}

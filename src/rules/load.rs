//! Reading automations from a rules file: YAML with positions, every key checked, the
//! `when` condition compiled with diagnostics at the file's own lines and columns.

use std::path::Path;
use std::sync::Arc;

use marked_yaml::types::MarkedMappingNode;
use marked_yaml::{LoaderOptions, Node};

use super::file::{with_help, RulesFile};
use super::spec::Spec;
use super::{locate, split, yaml_error, Automation, SourceRef};
use crate::dsl::{Condition, Diagnostic, Diagnostics, Duration, Schema};

/// Loads every automation in a rules file's text: one automation (a mapping) or a list
/// of them. `path` names the file in diagnostics. Either all automations are valid, or
/// every problem found is returned.
pub fn load_str(text: &str, path: &Path, schema: &Schema) -> Result<Vec<Automation>, Diagnostics> {
    let file = RulesFile {
        name: Arc::from(path.display().to_string()),
        text,
    };
    let mut problems = Vec::new();
    let options = LoaderOptions::default().error_on_duplicate_keys(true);
    let options = if is_list(text) {
        options.toplevel_sequence()
    } else {
        options.toplevel_mapping()
    };
    let root = if text.trim().is_empty() {
        problems.push(file.at(None, 1, "this file is empty; it should hold an automation"));
        None
    } else {
        marked_yaml::parse_yaml_with_options(0, text, options)
            .map_err(|e| problems.push(yaml_error::load_error(&file, &e)))
            .ok()
    };
    let nodes: Vec<&Node> = match &root {
        Some(Node::Sequence(items)) => items.iter().collect(),
        Some(node) => vec![node],
        None => Vec::new(),
    };
    let mut automations = Vec::new();
    for node in nodes {
        let Some(mapping) = node.as_mapping() else {
            let d = file.at(
                node.span().start(),
                1,
                "an automation is a set of keys (id, when, split, …)",
            );
            problems.push(d);
            continue;
        };
        match automation(&file, path, mapping, schema) {
            Ok(a) => automations.push(a),
            Err(mut found) => problems.append(&mut found),
        }
    }
    if problems.is_empty() {
        Ok(automations)
    } else {
        Err(Diagnostics::new(problems))
    }
}

fn automation(
    file: &RulesFile<'_>,
    path: &Path,
    mapping: &MarkedMappingNode,
    schema: &Schema,
) -> Result<Automation, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let spec = marked_yaml::from_node::<Spec>(&Node::Mapping(mapping.clone()))
        .map_err(|e| problems.push(yaml_error::node_error(file, &e)))
        .ok();
    let when = condition(file, mapping, schema).map_err(|mut d| problems.append(&mut d));
    let split = split::split(file, mapping).map_err(|mut d| problems.append(&mut d));
    let spec = spec.and_then(|s| {
        scalars(file, s)
            .map_err(|mut d| problems.append(&mut d))
            .ok()
    });
    match (spec, when, split) {
        (Some(spec), Ok(when), Ok(split)) if problems.is_empty() => Ok(Automation {
            when,
            split,
            origin: SourceRef {
                file: path.to_owned(),
                line: mapping.span().start().map_or(1, |m| m.line()),
            },
            ..spec
        }),
        _ => Err(problems),
    }
}

/// The keys serde read, checked beyond their types.
fn scalars(file: &RulesFile<'_>, spec: Spec) -> Result<Automation, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let threshold = spec.threshold.as_ref().map_or(1, |t| **t);
    if let Some(t) = spec.threshold.as_ref().filter(|t| ***t == 0) {
        let d = file.at_span(t.span(), "0", "the threshold must be at least 1");
        problems.push(with_help(
            d,
            "quantity must be at least the threshold to trigger",
        ));
    }
    let expires_after = spec.expires_after.as_ref().and_then(|text| {
        let parsed = Duration::parse(text).filter(|d| d.as_millis() > 0);
        if parsed.is_none() {
            let d = file.at_span(text.span(), text, format!("{} is not a duration", &**text));
            problems.push(with_help(d, "write a duration such as 90d, 12w or 36h"));
        }
        parsed
    });
    if spec.id.trim().is_empty() {
        problems.push(file.at(spec.id.span().start(), 1, "the id must not be empty"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let id = spec.id.to_string();
    Ok(Automation {
        name: spec.name.unwrap_or_else(|| id.clone()),
        id,
        enabled: spec.enabled,
        priority: spec.priority,
        threshold,
        expires_after,
        throttle: spec.throttle,
        when: None,
        split: super::Split {
            branches: Vec::new(),
            default: Vec::new(),
        },
        origin: SourceRef {
            file: Default::default(),
            line: 0,
        },
    })
}

/// Compiles `when:` with positions in the file.
fn condition(
    file: &RulesFile<'_>,
    mapping: &MarkedMappingNode,
    schema: &Schema,
) -> Result<Option<Condition>, Vec<Diagnostic>> {
    let Some(node) = mapping.get_node("when") else {
        return Ok(None);
    };
    let Some(scalar) = node.as_scalar() else {
        let d = file.at(
            node.span().start(),
            1,
            "when must be a condition written as text",
        );
        return Err(vec![with_help(
            d,
            "write it on one line, or after when: | on the lines below",
        )]);
    };
    let start = scalar.span().start();
    let (line, column) = start.map_or((1, 1), |m| (m.line(), m.column()));
    let (source, origin) = locate::locate(file.text, line, column, scalar.as_str());
    let origin = crate::dsl::Origin {
        file: Some(file.name.clone()),
        ..origin
    };
    Condition::compile_at(&source, schema, &origin)
        .map(Some)
        .map_err(|diagnostics| {
            let mut all = diagnostics.into_vec();
            file.show_real_lines(&mut all);
            all
        })
}

/// Whether the file's first content line starts a list (`- id: …`).
fn is_list(text: &str) -> bool {
    let first = text
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#'));
    first.is_some_and(|l| l == "-" || l.starts_with("- "))
}

//! `split: {by: locale, branches: {sv-SE: [...], default: [...]}}`, read from the YAML node
//! so that every branch and action is checked with its position.

use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use marked_yaml::Node;

use super::file::{with_help, RulesFile};
use super::{Action, Branch, Split, KNOWN_ACTIONS};
use crate::dsl::{canonical_locale, suggest_name, Diagnostic};

type Found<T> = Result<T, Vec<Diagnostic>>;

pub(crate) fn split(file: &RulesFile<'_>, automation: &MarkedMappingNode) -> Found<Split> {
    let Some(node) = automation.get_node("split") else {
        let d = file.at(automation.span().start(), 1, "this automation has no split");
        return Err(vec![with_help(
            d,
            "add split: {by: locale, branches: {default: [...]}}",
        )]);
    };
    let Some(mapping) = node.as_mapping() else {
        return Err(vec![file.at(
            node.span().start(),
            1,
            "split must have the keys by and branches",
        )]);
    };
    let mut problems = Vec::new();
    for (key, _) in mapping.iter() {
        if !["by", "branches"].contains(&key.as_str()) {
            let d = file.at_span(
                key.span(),
                key.as_str(),
                format!("unknown key {}", key.as_str()),
            );
            problems.push(with_help(d, "split has the keys by and branches"));
        }
    }
    match mapping.get_scalar("by") {
        Some(by) if by.as_str() == "locale" => {}
        Some(by) => {
            let d = file.at_span(
                by.span(),
                by.as_str(),
                format!("cannot split by {}", by.as_str()),
            );
            problems.push(with_help(d, "split by locale"));
        }
        None => problems.push(file.at(node.span().start(), 1, "split needs by: locale")),
    }
    let branches_key = mapping
        .iter()
        .map(|(k, _)| k)
        .find(|k| k.as_str() == "branches");
    let split = match (branches_key, mapping.get_node("branches")) {
        (Some(key), Some(branches)) => self::branches(file, key, branches)
            .map_err(|mut d| problems.append(&mut d))
            .ok(),
        _ => {
            problems.push(file.at(node.span().start(), 1, "split needs branches"));
            None
        }
    };
    match split {
        Some(split) if problems.is_empty() => Ok(split),
        _ => Err(problems),
    }
}

fn branches(file: &RulesFile<'_>, key: &MarkedScalarNode, node: &Node) -> Found<Split> {
    let Some(mapping) = node.as_mapping() else {
        return Err(vec![file.at(
            node.span().start(),
            1,
            "branches must map locales to actions",
        )]);
    };
    let mut problems = Vec::new();
    let mut branches: Vec<Branch> = Vec::new();
    let mut default = None;
    for (key, value) in mapping.iter() {
        let name = key.as_str();
        let actions = actions(file, value)
            .map_err(|mut d| problems.append(&mut d))
            .ok();
        if name == "default" {
            default = actions;
            continue;
        }
        let Some(locale) = canonical_locale(name) else {
            let d = file.at_span(key.span(), name, format!("{name} is not a locale"));
            problems.push(with_help(
                d,
                "name each branch by a locale such as sv-SE, or default",
            ));
            continue;
        };
        if branches.iter().any(|b| b.locale == locale) {
            problems.push(file.at_span(
                key.span(),
                name,
                format!("the locale {locale} has two branches"),
            ));
            continue;
        }
        if let Some(actions) = actions {
            branches.push(Branch { locale, actions });
        }
    }
    if mapping.get_node("default").is_none() {
        let d = file.at_span(key.span(), "branches", "branches needs a default branch");
        problems.push(with_help(
            d,
            "default: lists the actions for every other locale",
        ));
    }
    match default {
        Some(default) if problems.is_empty() => Ok(Split { branches, default }),
        _ => Err(problems),
    }
}

fn actions(file: &RulesFile<'_>, node: &Node) -> Found<Vec<Action>> {
    let Some(items) = node.as_sequence() else {
        let d = file.at(node.span().start(), 1, "a branch is a list of actions");
        return Err(vec![with_help(
            d,
            "as in - email: {template: back-in-stock}",
        )]);
    };
    let mut problems = Vec::new();
    let mut actions = Vec::new();
    for item in items.iter() {
        let (key, config) = match item {
            Node::Mapping(m) if m.len() == 1 => match m.iter().next() {
                Some((k, v)) => (k.clone(), v.clone()),
                None => continue,
            },
            Node::Scalar(s) => (
                s.clone(),
                Node::Mapping(MarkedMappingNode::new_empty(*s.span())),
            ),
            other => {
                let d = file.at(
                    other.span().start(),
                    1,
                    "an action has one name and its settings",
                );
                problems.push(with_help(d, "as in - email: {template: back-in-stock}"));
                continue;
            }
        };
        let name = key.as_str();
        if !KNOWN_ACTIONS.contains(&name) {
            let known: Vec<String> = KNOWN_ACTIONS.iter().map(|a| (*a).to_owned()).collect();
            let d = file.at_span(key.span(), name, format!("unknown action {name}"));
            let help = match suggest_name(name, &known) {
                Some(better) => format!("did you mean {better}?"),
                None => format!("the actions are {}", KNOWN_ACTIONS.join(", ")),
            };
            problems.push(with_help(d, help));
            continue;
        }
        actions.push(Action {
            name: name.to_owned(),
            config,
        });
    }
    if problems.is_empty() {
        Ok(actions)
    } else {
        Err(problems)
    }
}

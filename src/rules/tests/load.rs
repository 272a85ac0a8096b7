//! Loading automations: every key checked, positions in the file.

use std::path::Path;

use crate::dsl::{Record, Timestamp, Value};
use crate::rules::{check::default_schema, load_str, Automation};

fn load(text: &str) -> Result<Vec<Automation>, String> {
    load_str(text, Path::new("rules/test.yaml"), &default_schema()).map_err(|d| d.to_string())
}

fn errors(text: &str) -> String {
    load(text).expect_err("must be rejected")
}

const VALID: &str = "\
id: vip
name: VIP
priority: 10
threshold: 5
expires_after: 90d
throttle: {per_unit: 3}
when: |
  product.price < 1000
  and contact.attributes.vip == true
split:
  by: locale
  branches:
    SV-se:
      - email: {template: back-in-stock}
    default:
      - email: {template: fallback}
      - log
";

#[test]
fn a_valid_automation_loads_with_every_key() {
    let automations = load(VALID).expect("valid");
    let [a] = &automations[..] else {
        panic!("one automation")
    };
    assert_eq!(
        (a.id.as_str(), a.name.as_str(), a.priority, a.threshold),
        ("vip", "VIP", 10, 5)
    );
    assert!(a.enabled);
    assert_eq!(a.expires_after, crate::dsl::Duration::parse("90d"));
    assert_eq!(a.throttle.map(|t| t.per_unit), Some(3));
    assert_eq!(
        (a.origin.file.to_str(), a.origin.line),
        (Some("rules/test.yaml"), 1)
    );
    let names = |locale| {
        a.split
            .actions_for(locale)
            .iter()
            .map(|x| x.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names("sv-SE"), ["email"]);
    assert_eq!(names("fi-FI"), ["email", "log"]);
    let config: std::collections::HashMap<String, String> =
        marked_yaml::from_node(&a.split.actions_for("sv-SE")[0].config).expect("typed settings");
    assert_eq!(config["template"], "back-in-stock");
}

#[test]
fn the_condition_is_compiled_against_the_schema() {
    let automations = load(VALID).expect("valid");
    let when = automations[0].when.as_ref().expect("has a condition");
    let product = [Value::Null, Value::Decimal("999".parse().expect("decimal"))];
    let attributes = [Value::Bool(true)];
    let record = Record {
        product: &product,
        contact_attributes: &attributes,
        now: Timestamp::from_millis(0),
        ..Record::default()
    };
    assert!(when.evaluate(&record));
    let refs: Vec<String> = when.references().iter().map(ToString::to_string).collect();
    assert_eq!(refs, ["product.price", "contact.attributes.vip"]);
}

#[test]
fn defaults_apply_to_optional_keys() {
    let text = "id: plain\nsplit: {by: locale, branches: {default: [log]}}\n";
    let a = &load(text).expect("valid")[0];
    assert_eq!(
        (a.name.as_str(), a.enabled, a.priority, a.threshold),
        ("plain", true, 0, 1)
    );
    assert!(a.when.is_none() && a.expires_after.is_none() && a.throttle.is_none());
}

#[test]
fn a_file_may_hold_a_list_of_automations() {
    let text = "- id: a\n  split: {by: locale, branches: {default: [log]}}\n- id: b\n  when: quantity > 5\n  split: {by: locale, branches: {default: [log]}}\n";
    let ids: Vec<String> = load(text)
        .expect("valid")
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, ["a", "b"]);
}

#[test]
fn condition_errors_point_into_the_yaml_file() {
    let text = VALID.replace("product.price < 1000", "product.prise < 1000");
    assert_eq!(
        errors(&text),
        "error: unknown field product.prise\n \
         --> rules/test.yaml:8:3\n  |\n8 |   product.prise < 1000\n  |   ^^^^^^^^^^^^^ did you mean product.price?\n"
    );
    let text = "- id: a\n  when: quantity > \"5\"   # oops\n  split: {by: locale, branches: {default: [log]}}\n";
    let shown = errors(text);
    assert!(shown.contains("--> rules/test.yaml:2:9\n"), "{shown}");
    assert!(
        shown.contains("2 |   when: quantity > \"5\"   # oops\n  |         ^^^^^^^^^^^^^^\n"),
        "{shown}"
    );
}

#[test]
fn unknown_keys_are_errors_with_suggestions() {
    let shown = errors(&VALID.replace("threshold: 5", "thresold: 5"));
    assert!(
        shown.starts_with("error: unknown key thresold\n --> rules/test.yaml:4:1\n"),
        "{shown}"
    );
    assert!(shown.contains("did you mean threshold?"), "{shown}");
}

#[test]
fn wrong_types_and_values_are_errors() {
    assert!(
        errors(&VALID.replace("threshold: 5", "threshold: five")).contains("rules/test.yaml:4:12")
    );
    assert!(errors(&VALID.replace("threshold: 5", "threshold: 0"))
        .contains("the threshold must be at least 1"));
    assert!(errors(&VALID.replace("90d", "3 months")).contains("3 months is not a duration"));
    assert!(errors(
        &VALID
            .replace("enabled", "x")
            .replace("name: VIP", "enabled: maybe")
    )
    .contains("expected true or false"));
    assert!(errors(&VALID.replace("id: vip\n", "")).contains("this automation has no id"));
}

#[test]
fn split_problems_are_each_reported() {
    let text = VALID
        .replace("SV-se:", "Swedish:")
        .replace("- log", "- emial: {}")
        .replace("by: locale", "by: country");
    let shown = errors(&text);
    assert!(shown.contains("error: cannot split by country"), "{shown}");
    assert!(shown.contains("error: Swedish is not a locale"), "{shown}");
    assert!(shown.contains("error: unknown action emial"), "{shown}");
    assert!(shown.contains("did you mean email?"), "{shown}");
    let shown = errors(&VALID.replace(
        "    default:\n      - email: {template: fallback}\n      - log\n",
        "",
    ));
    assert!(shown.contains("branches needs a default branch"), "{shown}");
}

#[test]
fn every_broken_part_of_an_automation_is_reported_at_once() {
    let text = VALID
        .replace("threshold", "treshold")
        .replace("vip == true", "vip == yes")
        .replace("- log", "- sms");
    assert_eq!(
        errors(&text).matches("error: ").count(),
        3,
        "{}",
        errors(&text)
    );
}

#[test]
fn yaml_problems_are_located() {
    assert!(errors("id: a\nid: b\n").contains("the key id appears twice"));
    assert!(errors("id: [unclosed\n").contains("this is not valid YAML"));
    assert!(errors("   \n").contains("this file is empty"));
    assert!(errors("- just text\n").contains("an automation is a set of keys"));
    assert!(
        errors("just text").contains("a rules file holds an automation or a list of automations")
    );
    assert!(
        errors("id: a\nwhen: {x: 1}\nsplit: {by: locale, branches: {default: [log]}}\n")
            .contains("when must be a condition written as text")
    );
}

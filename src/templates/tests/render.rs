//! Rendering: escaping, the one-line subject, choosing the locale.

use serde_json::json;

use super::fixture::{locale, Folder};
use crate::templates::sample_data;

#[test]
fn only_the_html_part_escapes_values() {
    let folder = Folder::with_fallback();
    let shown = "{{default product.name product.sku}}";
    folder.template("en-US", "t", shown, shown, shown);
    let templates = folder.load().unwrap();
    let mut data = sample_data(&locale("en-US"));
    data["product"]["name"] = json!("Tom & Jerry <Deluxe> \"2\"");

    let out = templates.render("t", &locale("en-US"), &data).unwrap();

    assert_eq!(out.html, "Tom &amp; Jerry &lt;Deluxe&gt; &quot;2&quot;");
    assert_eq!(out.text, "Tom & Jerry <Deluxe> \"2\"");
    assert_eq!(out.subject, "Tom & Jerry <Deluxe> \"2\"");

    data["product"]["name"] = json!("<a href='x?a=1&b=2'>");
    let out = templates.render("t", &locale("en-US"), &data).unwrap();
    assert_eq!(out.html, "&lt;a href=&#39;x?a=1&amp;b=2&#39;&gt;");
}

#[test]
fn a_line_break_from_a_value_folds_into_one_subject_line() {
    let folder = Folder::with_fallback();
    folder.template(
        "en-US",
        "t",
        "{{default product.name \"It\"}} is back\n",
        "h",
        "t",
    );
    let templates = folder.load().unwrap();
    let mut data = sample_data(&locale("en-US"));

    let out = templates.render("t", &locale("en-US"), &data).unwrap();
    assert_eq!(
        out.subject, "Kiruna Winter Jacket is back",
        "the file's own newline is trimmed"
    );

    for (injected, subject) in [
        (
            "Jacket\r\nBcc: victim@example.com",
            "Jacket Bcc: victim@example.com is back",
        ),
        ("Jacket\nX: y", "Jacket X: y is back"),
        ("Jacket\rX", "Jacket X is back"),
        ("Jacket \r\n\r\n  X", "Jacket X is back"),
    ] {
        data["product"]["name"] = json!(injected);
        let out = templates.render("t", &locale("en-US"), &data).unwrap();
        assert_eq!(
            out.subject, subject,
            "a value's line breaks fold into one line: no header injection, and the product stays notifiable"
        );
    }
}

#[test]
fn a_subject_template_spanning_lines_fails_at_load() {
    let folder = Folder::with_fallback();
    folder.template("en-US", "t", "Back\nin stock", "h", "t");
    let error = folder.load().err().unwrap();
    assert!(error.to_string().contains("single line"), "{error}");
    assert!(error.to_string().contains("t.subject.hbs"), "{error}");
}

#[test]
fn the_locale_then_its_language_then_the_fallback_is_used() {
    let folder = Folder::with_fallback();
    folder.template("en-US", "t", "english", "h", "t");
    folder.template("sv-SE", "t", "svenska", "h", "t");
    folder.template("pl", "t", "polski", "h", "t");
    let templates = folder.load().unwrap();
    let data = sample_data(&locale("sv-SE"));
    let render = |tag: &str| {
        let out = templates.render("t", &locale(tag), &data).unwrap();
        (out.subject, out.locale_used.to_string())
    };

    assert_eq!(render("sv-SE"), ("svenska".into(), "sv-SE".into()));
    assert_eq!(render("sv-se"), ("svenska".into(), "sv-SE".into()));
    assert_eq!(render("pl-PL"), ("polski".into(), "pl".into()));
    assert_eq!(render("fi-FI"), ("english".into(), "en-US".into()));
    assert_eq!(
        render("sv-FI"),
        ("english".into(), "en-US".into()),
        "sv-SE is not sv"
    );
}

#[test]
fn a_fallback_template_formats_in_its_own_locale() {
    let folder = Folder::with_fallback();
    folder.template(
        "en-US",
        "t",
        "{{price 1299 \"EUR\"}} on {{date \"2026-11-27\"}}",
        "h",
        "t",
    );
    let templates = folder.load().unwrap();
    let data = sample_data(&locale("fi-FI"));
    let out = templates.render("t", &locale("fi-FI"), &data).unwrap();
    assert_eq!(out.subject, "€1,299.00 on November 27, 2026");
}

#[test]
fn an_unknown_name_is_an_error_naming_it() {
    let templates = Folder::with_fallback().load().unwrap();
    let data = sample_data(&locale("sv-SE"));
    let error = templates
        .render("nope", &locale("sv-SE"), &data)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "no template \"nope\" for locale sv-SE nor for the fallback locale en-US"
    );
}

#[test]
fn missing_data_at_send_time_names_the_file_and_position() {
    let folder = Folder::with_fallback();
    folder.template("en-US", "t", "s", "<p>\n  {{contact.email}}</p>", "t");
    let templates = folder.load().unwrap();
    let data = json!({"contact": {}});
    let error = templates.render("t", &locale("en-US"), &data).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{}:2:3: the variable `contact.email` is missing (strict mode: guard optional values with {{{{#if}}}} or {{{{default}}}})",
            folder.shown("en-US/t.html.hbs")
        )
    );
}

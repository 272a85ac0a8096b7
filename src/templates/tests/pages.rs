//! The unsubscribe pages: picked like emails, checked at load, escaped, and never
//! missing (the built-in English page).

use std::path::Path;

use serde_json::{json, Map, Value};

use super::fixture::{locale, Folder};
use crate::templates::{page_data, unsubscribe_page, Templates, UnsubscribePage};

fn shipped() -> Templates {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    Templates::load(&dir, &locale("en-US")).unwrap()
}

fn contact(first_name: &str) -> Map<String, Value> {
    let value = json!({"email": "anna@example.com", "firstName": first_name});
    value.as_object().cloned().unwrap()
}

#[test]
fn each_shipped_locale_has_its_page_and_others_fall_back_like_emails() {
    let templates = shipped();
    let page = |tags: &[&str]| {
        let wanted: Vec<_> = tags.iter().map(|t| locale(t)).collect();
        templates
            .page_locale("unsubscribe", &wanted)
            .map(|l| l.to_string())
    };
    for tag in ["en-US", "sv-SE", "pl-PL", "fi-FI"] {
        assert_eq!(page(&[tag]).as_deref(), Some(tag));
    }
    assert_eq!(
        page(&["de-DE"]).as_deref(),
        Some("en-US"),
        "the fallback locale"
    );
    assert_eq!(page(&[]).as_deref(), Some("en-US"));
    assert_eq!(
        page(&["de-DE", "pl"]).as_deref(),
        Some("pl-PL"),
        "a bare language"
    );
    assert_eq!(
        page(&["sv-FI"]).as_deref(),
        Some("en-US"),
        "as emails: no sv folder"
    );
}

#[test]
fn every_state_renders_in_every_shipped_locale_with_values_escaped() {
    let templates = shipped();
    let hostile = contact("<script>alert(1)</script>");
    let states = [
        (UnsubscribePage::Confirm, Some(&hostile)),
        (UnsubscribePage::Done, Some(&hostile)),
        (UnsubscribePage::Done, None),
        (UnsubscribePage::Invalid, None),
        (UnsubscribePage::Failed, None),
    ];
    for tag in ["en-US", "sv-SE", "pl-PL", "fi-FI"] {
        for (state, who) in states {
            let data = page_data(state, who, "https://shop.example/unsubscribe/abc?x=1&y=2");
            let page = unsubscribe_page(Some(&templates), &[locale(tag)], &data);
            assert_eq!(page.locale_used, Some(locale(tag)));
            assert!(
                page.html.trim_start().starts_with("<!DOCTYPE html>"),
                "{tag} {state:?}: {}",
                page.html
            );
            assert!(!page.html.contains("<script>"), "{}", page.html);
            if state == UnsubscribePage::Confirm {
                assert!(page.html.contains("&lt;script&gt;"), "{}", page.html);
                assert!(page
                    .html
                    .contains("action=\"https://shop.example/unsubscribe/abc?x=1&amp;y=2\""));
                assert!(
                    page.html.contains("<button type=\"submit\""),
                    "{}",
                    page.html
                );
            }
        }
    }
}

#[test]
fn without_templates_the_built_in_english_page_serves() {
    let data = page_data(
        UnsubscribePage::Confirm,
        Some(&contact("<b>Anna</b>")),
        "/u/abc",
    );
    let page = unsubscribe_page(None, &[locale("sv-SE")], &data);
    assert_eq!(page.locale_used, None);
    assert!(page.html.contains(">Unsubscribe</button>"), "{}", page.html);
    assert!(
        page.html.contains("Hi &lt;b&gt;Anna&lt;/b&gt;"),
        "{}",
        page.html
    );

    // A folder with emails but no pages gets the built-in page too.
    let folder = Folder::with_fallback();
    let templates = folder.load().unwrap();
    let data = page_data(UnsubscribePage::Invalid, None, "");
    let page = unsubscribe_page(Some(&templates), &[locale("pl-PL")], &data);
    assert_eq!(page.locale_used, None);
    assert!(
        page.html.contains("This link does not work"),
        "{}",
        page.html
    );
}

#[test]
fn a_page_that_would_fail_for_an_unknown_contact_is_refused_at_load() {
    let folder = Folder::with_fallback();
    folder.write(
        "sv-SE/unsubscribe.page.hbs",
        "<p>Hej {{contact.firstName}}</p>",
    );
    let error = folder.load().err().expect("refused").to_string();
    assert!(error.contains("unsubscribe.page.hbs"), "{error}");
    assert!(error.contains("sv-SE"), "{error}");

    folder.write("sv-SE/unsubscribe.page.hbs", "<p>{{#if confirm}}Hej</p>");
    let error = folder.load().err().expect("refused").to_string();
    assert!(error.contains("unsubscribe.page.hbs:1:"), "{error}");

    folder.write(
        "sv-SE/unsubscribe.page.hbs",
        "<p>{{#if contact.firstName}}Hej {{contact.firstName}}{{/if}}</p>",
    );
    let templates = folder.load().expect("a guarded page loads");
    let listed = &templates.listing().pages;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "unsubscribe");
    assert_eq!(listed[0].locales[0].locale, "sv-SE");
    assert!(
        !templates.contains("unsubscribe"),
        "a page is not an email template"
    );
}

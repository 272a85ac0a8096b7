//! The templates shipped in `templates/`: every name the shipped rules use, rendered for
//! every locale.

use std::path::Path;

use serde_json::json;

use super::fixture::locale;
use crate::templates::{minimal_sample_data, sample_data, Templates};

fn shipped() -> Templates {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    Templates::load(&dir, &locale(crate::templates::DEFAULT_FALLBACK_LOCALE)).unwrap()
}

/// The template names the shipped rules refer to (`template: NAME` in rules/*.yaml).
fn names_in_rules() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for (_, rest) in text
            .match_indices("template:")
            .map(|(i, _)| text.split_at(i + 9))
        {
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            names.push(name);
        }
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn every_template_the_rules_use_is_shipped() {
    let templates = shipped();
    let names = names_in_rules();
    assert!(names.contains(&"back-in-stock".to_owned()), "{names:?}");
    for name in names {
        assert!(
            templates.contains(&name),
            "rules use {name:?}, which is not shipped"
        );
    }
}

#[test]
fn every_template_renders_for_every_locale() {
    let templates = shipped();
    for name in templates.names() {
        for tag in [
            "en-US", "sv-SE", "pl-PL", "fi-FI", "de-DE", "nb-NO", "da-DK", "ja-JP",
        ] {
            for data in [sample_data(&locale(tag)), minimal_sample_data(&locale(tag))] {
                let out = templates.render(name, &locale(tag), &data).unwrap();
                assert!(!out.subject.is_empty(), "{name} {tag}");
                let unsubscribe = data["unsubscribeUrl"].as_str().unwrap();
                assert!(
                    out.html.contains(unsubscribe),
                    "{name} {tag}: unsubscribe link"
                );
                assert!(
                    out.text.contains(unsubscribe),
                    "{name} {tag}: unsubscribe link"
                );
            }
        }
    }
}

#[test]
fn the_swedish_email_reads_naturally() {
    let templates = shipped();
    let data = sample_data(&locale("sv-SE"));
    let out = templates
        .render("back-in-stock", &locale("sv-se"), &data)
        .unwrap();
    assert_eq!(out.locale_used.as_str(), "sv-SE");
    assert_eq!(out.subject, "Vinterjacka Kiruna finns i lager igen");
    assert!(out.html.contains("Hej Astrid!"), "{}", out.html);
    assert!(out.html.contains("1 299,00 kr"), "{}", out.html);
    assert!(out
        .html
        .contains("src=\"https://cdn.shop.example.com/images/KIRUNA-BLK-M.jpg\""));
    assert!(out
        .html
        .contains("href=\"https://shop.example.com/sv-se/p/KIRUNA-BLK-M\""));
    assert!(out.html.contains("<html lang=\"sv\">"));
    assert!(out.text.contains("Hej Astrid!"), "{}", out.text);
    assert!(out.text.contains("den 27 november 2026"), "{}", out.text);
    assert!(
        !out.text.contains("&"),
        "no HTML escapes in text: {}",
        out.text
    );
}

#[test]
fn the_polish_and_english_emails_use_their_formats_and_defaults() {
    let templates = shipped();
    let mut data = sample_data(&locale("pl-PL"));
    let out = templates
        .render("back-in-stock", &locale("pl-PL"), &data)
        .unwrap();
    assert!(out.text.contains("549,00 zł"), "{}", out.text);
    assert!(out.text.contains("27 listopada 2026"), "{}", out.text);

    data = minimal_sample_data(&locale("en-US"));
    let out = templates
        .render("back-in-stock", &locale("en-US"), &data)
        .unwrap();
    assert_eq!(
        out.subject,
        "The item you were waiting for is back in stock"
    );
    assert!(out.text.starts_with("Hi there,"), "{}", out.text);

    data = sample_data(&locale("en-US"));
    data["product"]["name"] = json!("Fish & <Chips>");
    let out = templates
        .render("back-in-stock", &locale("en-US"), &data)
        .unwrap();
    assert!(
        out.html.contains("Fish &amp; &lt;Chips&gt;"),
        "{}",
        out.html
    );
    assert_eq!(out.subject, "Fish & <Chips> is back in stock");
}

/// Every shipped locale has the shipped rules' template in its own language: a shopper of
/// one of them never gets the English fallback.
#[test]
fn every_shipped_locale_has_its_own_back_in_stock_email() {
    let templates = shipped();
    for tag in ["en-US", "sv-SE", "pl-PL", "fi-FI"] {
        let out = templates
            .render("back-in-stock", &locale(tag), &sample_data(&locale(tag)))
            .unwrap();
        assert_eq!(out.locale_used.as_str(), tag);
    }
}

#[test]
fn finnish_subscribers_get_finnish_emails() {
    let templates = shipped();
    let data = sample_data(&locale("fi-FI"));
    let out = templates
        .render("back-in-stock", &locale("fi-FI"), &data)
        .unwrap();
    assert_eq!(out.locale_used.as_str(), "fi-FI");
    assert!(out.text.contains("Hei Aino!"), "{}", out.text);
    assert!(out.text.contains("129,00 €"), "{}", out.text);
    assert!(out.text.contains("27. marraskuuta 2026"), "{}", out.text);
}

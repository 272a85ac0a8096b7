//! The helpers as templates call them.

use super::fixture::{text_of, Folder};

#[test]
fn price_formats_for_the_template_locale() {
    let body = "{{#if product.price}}{{price product.price product.currency}}{{/if}}";
    assert_eq!(text_of("sv-SE", body).unwrap(), "1 299,00 kr");
    assert_eq!(text_of("pl-PL", body).unwrap(), "549,00 zł");
    assert_eq!(text_of("en-US", body).unwrap(), "$129.00");
    assert_eq!(
        text_of("sv-SE", "{{price 1299 \"EUR\" locale=\"de-DE\"}}").unwrap(),
        "1.299,00 €"
    );
    assert_eq!(
        text_of("sv-SE", "{{price \"49.9\" \"SEK\"}}").unwrap(),
        "49,90 kr"
    );
}

#[test]
fn price_refuses_what_is_not_money() {
    let error = text_of("sv-SE", "{{price product.sku \"SEK\"}}").unwrap_err();
    assert!(error.to_string().contains("is not a number"), "{error}");
    let error = text_of("sv-SE", "{{price 10 \"kronor\"}}").unwrap_err();
    assert!(error.to_string().contains("ISO 4217"), "{error}");
}

#[test]
fn date_formats_for_the_template_locale() {
    let body = "{{date subscription.createdOn}}";
    assert_eq!(text_of("sv-SE", body).unwrap(), "27 november 2026");
    assert_eq!(text_of("en-US", body).unwrap(), "November 27, 2026");
    assert_eq!(text_of("pl-PL", body).unwrap(), "27 listopada 2026");
    let short = "{{date \"2026-03-07\" format=\"short\"}}";
    assert_eq!(text_of("de-DE", short).unwrap(), "07.03.2026");
    let error = text_of("sv-SE", "{{date \"2026-03-07\" format=\"tiny\"}}").unwrap_err();
    assert!(
        error.to_string().contains("\"long\" or \"short\""),
        "{error}"
    );
}

#[test]
fn urlencode_escapes_all_but_unreserved_characters() {
    let body = "{{urlencode \"Åsa & Ölund/x?y=1 ~ok_\"}}";
    assert_eq!(
        text_of("sv-SE", body).unwrap(),
        "%C3%85sa%20%26%20%C3%96lund%2Fx%3Fy%3D1%20~ok_"
    );
    assert_eq!(
        text_of("sv-SE", "{{urlencode contact.email}}").unwrap(),
        "astrid.lindqvist%40example.com"
    );
}

#[test]
fn default_fills_missing_null_and_blank_values_even_in_strict_mode() {
    let body = "{{default contact.nickname \"there\"}}|{{default contact.firstName \"there\"}}|{{default \"  \" \"blank\"}}|{{default subscription.externalId \"-\"}}";
    assert_eq!(
        text_of("sv-SE", body).unwrap(),
        "there|Astrid|blank|SE-KIRUNA-BLK-M"
    );
    let nested = "{{urlencode (default contact.nickname \"a b\")}}";
    assert_eq!(text_of("sv-SE", nested).unwrap(), "a%20b");
}

#[test]
fn default_needs_its_fallback() {
    let error = text_of("sv-SE", "{{default contact.firstName}}").unwrap_err();
    assert!(
        error.to_string().contains("needs a value and a fallback"),
        "{error}"
    );
}

#[test]
fn helper_output_is_escaped_in_html_only() {
    let folder = Folder::with_fallback();
    let shown = "{{default contact.nickname \"<b>you</b>\"}}";
    folder.template("en-US", "t", shown, shown, shown);
    let templates = folder.load().unwrap();
    let locale = super::fixture::locale("en-US");
    let data = crate::templates::sample_data(&locale);
    let out = templates.render("t", &locale, &data).unwrap();
    assert_eq!(out.html, "&lt;b&gt;you&lt;/b&gt;");
    assert_eq!(out.text, "<b>you</b>");
    assert_eq!(out.subject, "<b>you</b>");
}

//! Loading: the folder layout, syntax errors, strict checks against sample data.

use super::fixture::{locale, Folder};
use crate::templates::{TemplateError, Templates};

#[test]
fn locale_folders_in_any_case_are_canonical() {
    let folder = Folder::with_fallback();
    folder.template("sv-se", "t", "s", "h", "t");
    folder.template("en-US", "t", "s", "h", "t");
    let templates = folder.load().unwrap();
    let listing = templates.listing();
    let t = listing.templates.iter().find(|t| t.name == "t").unwrap();
    let locales: Vec<_> = t.locales.iter().map(|v| v.locale.as_str()).collect();
    assert_eq!(locales, ["en-US", "sv-SE"]);
    assert_eq!(t.locales[1].html_file, folder.shown("sv-se/t.html.hbs"));
    assert_eq!(templates.names().collect::<Vec<_>>(), ["greeting", "t"]);
}

#[test]
fn a_folder_that_is_not_a_locale_is_refused() {
    let folder = Folder::with_fallback();
    folder.template("swedish_stuff", "t", "s", "h", "t");
    let error = folder.load().err().unwrap();
    assert!(matches!(error, TemplateError::Layout { .. }), "{error}");
    let shown = error.to_string();
    assert!(shown.starts_with(&folder.shown("swedish_stuff")), "{shown}");
    assert!(shown.contains("BCP 47"), "{shown}");
}

#[test]
fn two_folders_for_one_locale_are_refused() {
    let folder = Folder::with_fallback();
    folder.template("sv-SE", "t", "s", "h", "t");
    folder.template("SV-se", "t", "s", "h", "t");
    folder.template("en-US", "t", "s", "h", "t");
    let error = folder.load().err().unwrap();
    assert!(
        error
            .to_string()
            .contains("a second folder for locale sv-SE"),
        "{error}"
    );
}

#[test]
fn a_template_missing_a_part_is_refused() {
    let folder = Folder::with_fallback();
    folder.write("en-US/t.subject.hbs", "s");
    folder.write("en-US/t.html.hbs", "h");
    let error = folder.load().err().unwrap();
    assert!(
        error.to_string().contains("template \"t\" is incomplete"),
        "{error}"
    );
}

#[test]
fn a_badly_named_template_file_is_refused_but_other_files_are_ignored() {
    let folder = Folder::with_fallback();
    folder.write("en-US/notes.md", "ignored");
    folder.write("en-US/.t.html.hbs.swp", "ignored");
    folder.write("README.md", "ignored");
    folder.load().unwrap();

    folder.write("en-US/t.body.hbs", "h");
    let error = folder.load().err().unwrap();
    assert!(
        error
            .to_string()
            .starts_with(&folder.shown("en-US/t.body.hbs")),
        "{error}"
    );
}

#[test]
fn the_fallback_locale_must_have_every_name() {
    let folder = Folder::with_fallback();
    folder.template("sv-SE", "only-swedish", "s", "h", "t");
    let error = folder.load().err().unwrap();
    assert!(
        error
            .to_string()
            .contains("template \"only-swedish\" has no version in the fallback locale en-US"),
        "{error}"
    );
    let other = Templates::load(folder.path(), &locale("sv-SE"))
        .err()
        .unwrap();
    assert!(
        other.to_string().contains("\"greeting\" has no version"),
        "{other}"
    );
}

#[test]
fn a_syntax_error_names_the_file_line_and_column() {
    let folder = Folder::with_fallback();
    folder.template("en-US", "t", "s", "<p>\n{{#if product.name}}\n</p>", "t");
    let error = folder.load().err().unwrap();
    assert!(matches!(error, TemplateError::Syntax { .. }), "{error:?}");
    let shown = error.to_string();
    assert!(
        shown.starts_with(&format!("{}:", folder.shown("en-US/t.html.hbs"))),
        "{shown}"
    );
    let TemplateError::Syntax { at, .. } = error else {
        unreachable!()
    };
    assert!(at.line.is_some() && at.column.is_some(), "{at}");
}

#[test]
fn a_misspelt_variable_fails_at_load_not_at_send() {
    let folder = Folder::with_fallback();
    folder.template("en-US", "t", "s", "h", "Hi {{contact.frstName}}");
    let error = folder.load().err().unwrap();
    assert_eq!(
        error.to_string(),
        format!(
            "{}:1:4: the variable `contact.frstName` is missing (strict mode: guard optional values with {{{{#if}}}} or {{{{default}}}}) (checked against the sample data for en-US)",
            folder.shown("en-US/t.txt.hbs")
        )
    );
}

#[test]
fn an_unguarded_optional_value_fails_at_load() {
    let folder = Folder::with_fallback();
    folder.template("en-US", "t", "s", "<img src=\"{{product.imageUrl}}\">", "t");
    let error = folder.load().err().unwrap();
    let shown = error.to_string();
    assert!(shown.contains("`product.imageUrl` is missing"), "{shown}");
    assert!(shown.contains("minimal sample data for en-US"), "{shown}");

    folder.template(
        "en-US",
        "t",
        "s",
        "{{#if product.imageUrl}}<img src=\"{{product.imageUrl}}\">{{/if}}",
        "t",
    );
    folder.load().unwrap();
}

#[test]
fn every_problem_is_reported_at_once() {
    let folder = Folder::with_fallback();
    folder.template("en-US", "a", "{{#each}}", "h", "t");
    folder.template("en-US", "b", "s", "{{#if}}", "t");
    folder.template("en-US", "c", "{{nope}}", "h", "t");
    let error = folder.load().err().unwrap();
    let TemplateError::Several(errors) = &error else {
        panic!("{error}")
    };
    assert_eq!(errors.len(), 2, "{error}");
    assert!(
        error.to_string().starts_with("2 template problems: "),
        "{error}"
    );
}

#[test]
fn partials_are_shared_by_all_locales_and_named_in_errors() {
    let folder = Folder::with_fallback();
    folder.write("partials/card.html.hbs", "<b>{{title}}</b>");
    folder.write("partials/card.txt.hbs", "*{{title}}*");
    folder.template(
        "en-US",
        "t",
        "{{> card title=\"S\"}}",
        "{{> card title=\"<H>\"}}",
        "{{> card title=\"T\"}}",
    );
    let templates = folder.load().unwrap();
    let data = crate::templates::sample_data(&locale("en-US"));
    let out = templates.render("t", &locale("sv-SE"), &data).unwrap();
    assert_eq!(
        (out.subject.as_str(), out.html.as_str(), out.text.as_str()),
        ("*S*", "<b>&lt;H&gt;</b>", "*T*")
    );
    assert_eq!(templates.listing().partials.len(), 2);

    folder.write("partials/card.html.hbs", "<b>{{titel}}</b>");
    let error = folder.load().err().unwrap();
    assert!(
        error
            .to_string()
            .starts_with(&format!("{}:1:4:", folder.shown("partials/card.html.hbs"))),
        "{error}"
    );
}

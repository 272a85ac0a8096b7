//! Hot reload: a good edit serves the next render, a broken one is refused.

use super::fixture::{locale, Folder};
use crate::templates::{reloadable, sample_data, templates_status};

#[test]
fn a_good_edit_is_used_and_a_broken_one_keeps_the_last_good_set() {
    let folder = Folder::with_fallback();
    folder.template("en-US", "t", "Version 1", "<p>1</p>", "1");
    let templates = reloadable(folder.path().to_path_buf(), locale("en-US")).unwrap();
    let data = sample_data(&locale("en-US"));
    let subject = || {
        templates
            .current()
            .render("t", &locale("en-US"), &data)
            .unwrap()
            .subject
    };
    assert_eq!(subject(), "Version 1");

    folder.write("en-US/t.subject.hbs", "Version 2 for {{contact.email}}");
    templates.reload_now().unwrap();
    assert_eq!(subject(), "Version 2 for emma.johnson@example.com");

    folder.write("en-US/t.subject.hbs", "Version 3 for {{contact.emial}}");
    let failure = templates.reload_now().err().unwrap();
    assert!(
        failure.message.contains("contact.emial"),
        "{}",
        failure.message
    );
    assert_eq!(
        subject(),
        "Version 2 for emma.johnson@example.com",
        "the last good set keeps serving"
    );

    let status = serde_json::to_value(templates_status(&templates)).unwrap();
    assert_eq!(status["name"], "templates");
    assert_eq!(status["generation"], 2);
    let shown = status["lastError"]["message"].as_str().unwrap();
    assert!(
        shown.contains(&folder.shown("en-US/t.subject.hbs")),
        "{shown}"
    );
    assert_eq!(status["templates"]["fallbackLocale"], "en-US");
    assert_eq!(status["templates"]["templates"][1]["name"], "t");
    assert_eq!(
        status["templates"]["templates"][1]["locales"][0]["locale"],
        "en-US"
    );

    folder.write("en-US/t.subject.hbs", "Version 4");
    templates.reload_now().unwrap();
    assert_eq!(subject(), "Version 4");
    assert!(templates.last_error().is_none());
}

#[test]
fn the_first_load_must_succeed() {
    let folder = Folder::empty();
    folder.template("en-US", "t", "{{nope}}", "h", "t");
    let error = reloadable(folder.path().to_path_buf(), locale("en-US"))
        .err()
        .unwrap();
    assert!(error.to_string().contains("`nope` is missing"), "{error}");
}

//! The unsubscribe pages in the contact's language, with its data escaped, and the
//! fallbacks: the browser's language for a bad link, English when nothing fits, and the
//! built-in page when the templates folder has none.

use restock::unsubscribe::UnsubscribeKey;
use serde_json::json;
use uuid::Uuid;

use crate::binary::own_templates;
use crate::engine_helpers::shop;
use crate::helpers::{Backend, TestApp, UNSUBSCRIBE_SECRET};

const HOSTILE: &str = "<script>alert(1)</script>";

async fn contact(app: &TestApp, email: &str, locale: Option<&str>) -> Uuid {
    let mut body = json!({"email": email, "firstName": HOSTILE});
    if let Some(locale) = locale {
        body["locale"] = json!(locale);
    }
    let response = app.post_contact(body).await;
    assert_eq!(response.status(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().parse().unwrap()
}

fn link(app: &TestApp, contact: Uuid) -> String {
    let token = UnsubscribeKey::new(UNSUBSCRIBE_SECRET).token(contact);
    format!("{}/unsubscribe/{token}", app.address)
}

/// Status, `Content-Language` and body of a page.
async fn open(request: reqwest::RequestBuilder) -> (u16, String, String) {
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let language = response.headers()["content-language"]
        .to_str()
        .unwrap()
        .to_owned();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    (status, language, response.text().await.unwrap())
}

fn assert_escaped(html: &str) {
    assert!(!html.contains(HOSTILE), "the name is not escaped:\n{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
}

#[tokio::test]
async fn the_pages_speak_swedish_and_polish_to_swedish_and_polish_contacts() {
    let app = shop(Backend::sqlite()).spawn().await;
    let cases = [
        (
            "sv-SE",
            "lang=\"sv\"",
            "Avregistrera mig",
            "Du är avregistrerad",
        ),
        (
            "pl-PL",
            "lang=\"pl\"",
            "Wypisz mnie",
            "Wypisano z powiadomień",
        ),
    ];
    for (locale, lang, button, done) in cases {
        let email = format!("{locale}@example.com");
        let id = contact(&app, &email, Some(locale)).await;
        app.subscribe(id, "SKU-1", locale, None).await;
        let url = link(&app, id);
        // The browser asks for English; the contact's own locale wins.
        let (status, language, html) =
            open(app.client.get(&url).header("accept-language", "en-US")).await;
        assert_eq!((status, language.as_str()), (200, locale), "{html}");
        assert!(html.contains(lang) && html.contains(button), "{html}");
        assert!(
            html.contains(
                &format!("action=\"{url}\"").replace(&app.address, "https://shop.example/restock")
            ),
            "{html}"
        );
        assert!(html.contains(&email), "{html}");
        assert!(
            html.contains("max-width:600px"),
            "styled like the emails: {html}"
        );
        assert_escaped(&html);
        assert_eq!(
            app.subscriptions_of(id).await.len(),
            1,
            "GET changes nothing"
        );

        let (status, language, html) = open(app.client.post(&url)).await;
        assert_eq!((status, language.as_str()), (200, locale));
        assert!(html.contains(done), "{html}");
        assert!(!html.contains(HOSTILE), "{html}");
        assert!(app.subscriptions_of(id).await.is_empty());
    }
}

#[tokio::test]
async fn an_unknown_locale_falls_back_to_english() {
    let app = shop(Backend::sqlite()).spawn().await;
    let id = contact(&app, "hans@example.com", Some("de-DE")).await;
    let (status, language, html) = open(app.client.get(link(&app, id))).await;
    assert_eq!((status, language.as_str()), (200, "en-US"));
    assert!(
        html.contains("lang=\"en\"") && html.contains(">Unsubscribe</button>"),
        "{html}"
    );
    assert_escaped(&html);
}

#[tokio::test]
async fn a_bad_link_answers_in_the_browsers_language() {
    let app = shop(Backend::sqlite()).spawn().await;
    let url = format!("{}/unsubscribe/not-a-token", app.address);
    let (status, language, html) = open(
        app.client
            .get(&url)
            .header("accept-language", "pl, en;q=0.5"),
    )
    .await;
    assert_eq!((status, language.as_str()), (400, "pl-PL"));
    assert!(html.contains("Ten link nie działa"), "{html}");
    let (status, language, html) =
        open(app.client.post(&url).header("accept-language", "fi-FI")).await;
    assert_eq!((status, language.as_str()), (400, "fi-FI"));
    assert!(html.contains("Linkki ei toimi"), "{html}");
    let (status, language, html) = open(app.client.get(&url)).await;
    assert_eq!((status, language.as_str()), (400, "en-US"));
    assert!(html.contains("This link does not work"), "{html}");
}

#[tokio::test]
async fn a_templates_folder_without_pages_gets_the_built_in_english_ones() {
    let app = shop(Backend::sqlite())
        .config(|config| {
            let dir = own_templates(config);
            for locale in ["en-US", "sv-SE", "pl-PL", "fi-FI"] {
                let _ = std::fs::remove_file(dir.join(locale).join("unsubscribe.page.hbs"));
            }
        })
        .spawn()
        .await;
    let id = contact(&app, "anna@example.com", Some("sv-SE")).await;
    let (status, _, html) = open(app.client.get(link(&app, id))).await;
    assert_eq!(status, 200);
    assert!(html.contains(">Unsubscribe</button>"), "{html}");
    assert_escaped(&html);
    let (status, _, html) = open(app.client.post(link(&app, id))).await;
    assert_eq!(status, 200);
    assert!(html.contains("You are unsubscribed"), "{html}");
}

//! The page templates: Handlebars files compiled into the binary, rendered with
//! HTML escaping of every `{{value}}` (a SKU like `<script>` shows as text). Each page is
//! rendered into the layout (navigation, sign-out, the stylesheet and script).

use axum::response::Html;
use handlebars::Handlebars;
use serde::Serialize;
use serde_json::{json, Value};

use super::assets::{SCRIPT, STYLESHEET};
use super::ConsoleError;

/// The navigation, in order: (path, label).
const NAV: [(&str, &str); 8] = [
    ("/admin", "Overview"),
    ("/admin/demand", "Demand"),
    ("/admin/log", "Integration log"),
    ("/admin/automations", "Automations"),
    ("/admin/templates", "Templates"),
    ("/admin/feeds", "Feeds"),
    ("/admin/outbox", "Outbox"),
    ("/admin/contacts", "Contacts"),
];

const TEMPLATES: [(&str, &str); 16] = [
    ("layout", include_str!("views/layout.hbs")),
    ("login", include_str!("views/login.hbs")),
    ("overview", include_str!("views/overview.hbs")),
    ("feeds", include_str!("views/feeds.hbs")),
    ("outbox", include_str!("views/outbox.hbs")),
    ("log", include_str!("views/log.hbs")),
    ("automations", include_str!("views/automations.hbs")),
    ("editor", include_str!("views/editor.hbs")),
    ("demand", include_str!("views/demand.hbs")),
    ("contacts", include_str!("views/contacts.hbs")),
    ("templates", include_str!("views/templates.hbs")),
    ("template_editor", include_str!("views/template_editor.hbs")),
    ("history", include_str!("views/history.hbs")),
    // a partial: the kept versions of an edited file (the editors and the history page)
    ("versions", include_str!("views/versions.hbs")),
    // Partials: `{{> pages}}` (a list's newer / older links), `{{> automation_numbers}}`.
    ("pages", include_str!("views/pages.hbs")),
    (
        "automation_numbers",
        include_str!("views/automation_numbers.hbs"),
    ),
];

// `{{url sku}}`: a value put into a link's query, percent-encoded (then HTML-escaped).
handlebars::handlebars_helper!(url: |text: str| {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
});

pub struct Views {
    hbs: Handlebars<'static>,
}

impl Views {
    pub fn new() -> Result<Self, ConsoleError> {
        let mut hbs = Handlebars::new();
        hbs.set_dev_mode(false);
        hbs.register_helper("url", Box::new(url));
        for (name, text) in TEMPLATES {
            hbs.register_template_string(name, text)
                .map_err(|e| ConsoleError::Template(Box::new(e)))?;
        }
        Ok(Self { hbs })
    }

    /// The sign-in form (no navigation).
    pub fn login(&self, data: &Value) -> Result<Html<String>, ConsoleError> {
        let body = self.hbs.render("login", data)?;
        self.layout("Sign in", None, body)
    }

    /// Page `template` with `data`, inside the layout; `path` marks the navigation entry.
    pub fn page(
        &self,
        template: &str,
        title: &str,
        path: &str,
        data: &impl Serialize,
    ) -> Result<Html<String>, ConsoleError> {
        let body = self.hbs.render(template, data)?;
        self.layout(title, Some(path), body)
    }

    fn layout(
        &self,
        title: &str,
        path: Option<&str>,
        body: String,
    ) -> Result<Html<String>, ConsoleError> {
        let nav: Vec<Value> = NAV
            .iter()
            .map(|(href, label)| json!({"href": href, "label": label, "current": Some(*href) == path}))
            .collect();
        let data = json!({
            "title": title,
            "signedIn": path.is_some(),
            "nav": nav,
            "body": body,
            "css": STYLESHEET.url(),
            "js": SCRIPT.url(),
        });
        Ok(Html(self.hbs.render("layout", &data)?))
    }
}

//! The web pages behind the unsubscribe link, in the contact's language: one
//! `templates/<locale>/unsubscribe.page.hbs` per locale, picked like an email's template
//! (the locale, its language, the fallback locale). A templates folder without them still
//! gets English pages built into the binary, so an unsubscribe never fails for want of a
//! translation.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::LazyLock;

use handlebars::Handlebars;
use serde_json::{json, Map, Value};

use super::compile::registry;
use super::layout::Source;
use super::tags::language;
use super::{sample_data, TemplateError, Templates};
use crate::domain::Locale;

/// The page name the unsubscribe pages are looked up by.
pub const UNSUBSCRIBE_PAGE: &str = "unsubscribe";

/// Which of the unsubscribe pages to show; the template sees exactly one of `confirm`,
/// `done`, `invalid` and `failed` as true.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsubscribePage {
    /// `GET /unsubscribe/{token}`: the question and its button.
    Confirm,
    /// After the `POST`: the contact is unsubscribed.
    Done,
    /// A token that does not verify (400).
    Invalid,
    /// The store failed (503): nothing changed, try again.
    Failed,
}

impl UnsubscribePage {
    const ALL: [UnsubscribePage; 4] = [Self::Confirm, Self::Done, Self::Invalid, Self::Failed];
}

/// A rendered page and the locale whose template it came from (`None` for the built-in
/// English page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPage {
    pub html: String,
    pub locale_used: Option<Locale>,
}

/// What a page template sees: the four flags, the contact's attributes (`{}` when the
/// contact is not known) and, on the confirmation page, the link the button posts to.
pub fn page_data(page: UnsubscribePage, contact: Option<&Map<String, Value>>, url: &str) -> Value {
    json!({
        "confirm": page == UnsubscribePage::Confirm,
        "done": page == UnsubscribePage::Done,
        "invalid": page == UnsubscribePage::Invalid,
        "failed": page == UnsubscribePage::Failed,
        "contact": contact.cloned().unwrap_or_default(),
        "unsubscribeUrl": url,
    })
}

/// Renders an unsubscribe page for the first of `wanted` (most preferred first) that
/// the templates serve, else in the fallback locale, else the built-in English page.
/// Never fails: a page that cannot render is logged and the next choice shown.
pub fn unsubscribe_page(
    templates: Option<&Templates>,
    wanted: &[Locale],
    data: &Value,
) -> RenderedPage {
    if let Some(templates) = templates {
        if let Some(locale) = templates.page_locale(UNSUBSCRIBE_PAGE, wanted) {
            match templates.render_page(UNSUBSCRIBE_PAGE, &locale, data) {
                Ok(html) => {
                    let locale_used = Some(locale);
                    return RenderedPage { html, locale_used };
                }
                Err(error) => {
                    tracing::warn!(%error, %locale, "unsubscribe page failed; showing the built-in one");
                }
            }
        }
    }
    let html = BUILTIN
        .as_ref()
        .and_then(|builtin| builtin.render(UNSUBSCRIBE_PAGE, data).ok())
        .unwrap_or_else(|| LAST_RESORT.to_owned());
    RenderedPage {
        html,
        locale_used: None,
    }
}

/// The shipped English page and the layout it uses, compiled into the binary.
static BUILTIN: LazyLock<Option<Handlebars<'static>>> = LazyLock::new(|| {
    let mut html = registry(true);
    let layout = include_str!("../../templates/partials/layout.html.hbs");
    let page = include_str!("../../templates/en-US/unsubscribe.page.hbs");
    html.register_partial("layout", layout).ok()?;
    html.register_template_string(UNSUBSCRIBE_PAGE, page).ok()?;
    Some(html)
});

/// Shown only if the built-in page itself cannot render (a bug, caught by tests).
const LAST_RESORT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
    <title>Unsubscribe</title></head><body><p>Something went wrong. Please try again \
    in a minute.</p></body></html>\n";

impl Templates {
    /// Registers every locale's pages into the HTML registry; returns the syntax errors.
    pub(super) fn compile_pages(
        &mut self,
        pages: BTreeMap<Locale, BTreeMap<String, Source>>,
    ) -> Vec<TemplateError> {
        let mut errors = Vec::new();
        for (locale, set) in pages {
            for (name, source) in set {
                let key = page_key(&locale, &name);
                if let Err(e) = self.html.register_template_string(&key, &source.text) {
                    errors.push(TemplateError::syntax(&source.path, &e));
                    continue;
                }
                self.files.insert((true, key), source.path.clone());
                let versions = self.pages.entry(name).or_default();
                versions.insert(locale.clone(), source.path);
            }
        }
        errors
    }

    /// Renders every page in every state, for a full contact, one with only an email and
    /// an unknown one, so a page cannot fail when a shopper opens it.
    pub(super) fn validate_pages(&self) -> Vec<TemplateError> {
        let mut errors = Vec::new();
        for (name, versions) in &self.pages {
            for locale in versions.keys() {
                let full = sample_data(locale)["contact"].as_object().cloned();
                let email = full.as_ref().and_then(|c| c.get("email")).cloned();
                let minimal = email.map(|e| Map::from_iter([("email".to_owned(), e)]));
                let contacts = [
                    (full, "a contact with every attribute"),
                    (minimal, "a contact with only an email"),
                    (None, "an unknown contact"),
                ];
                let url = "https://shop.example.com/unsubscribe/c2FtcGxlLXRva2Vu";
                let failed = UnsubscribePage::ALL.iter().find_map(|page| {
                    contacts.iter().find_map(|(contact, who)| {
                        let data = page_data(*page, contact.as_ref(), url);
                        let error = self.render_page(name, locale, &data).err()?;
                        let sample = format!("the {page:?} page for {who} in {locale}");
                        let source = Box::new(error);
                        Some(TemplateError::Validation { sample, source })
                    })
                });
                errors.extend(failed);
            }
        }
        errors
    }

    /// The locale whose version of page `name` serves the first of `wanted` that has one
    /// (the locale itself, its language's folder, or — for a bare language such as an
    /// `Accept-Language: pl` — any locale of that language), else the fallback locale.
    pub fn page_locale(&self, name: &str, wanted: &[Locale]) -> Option<Locale> {
        let versions = self.pages.get(name)?;
        let exact = |tag: &str| {
            versions
                .keys()
                .find(|l| l.as_str().eq_ignore_ascii_case(tag))
        };
        for locale in wanted {
            let lang = language(locale);
            let found = exact(locale.as_str()).or_else(|| exact(lang)).or_else(|| {
                let bare = lang.len() == locale.as_str().len();
                let same_language = |l: &&Locale| language(l).eq_ignore_ascii_case(lang);
                versions.keys().find(same_language).filter(|_| bare)
            });
            if let Some(found) = found {
                return Some(found.clone());
            }
        }
        versions
            .contains_key(&self.fallback)
            .then(|| self.fallback.clone())
    }

    /// Renders `locale`'s version of page `name`.
    pub fn render_page(
        &self,
        name: &str,
        locale: &Locale,
        data: &Value,
    ) -> Result<String, TemplateError> {
        let key = page_key(locale, name);
        self.html.render(&key, data).map_err(|error| {
            let file = self.files.get(&(true, key.clone())).cloned();
            TemplateError::render(&file.unwrap_or_else(|| self.dir.clone()), &error)
        })
    }

    /// Page name → locale → file, for the listing.
    pub(super) fn page_files(&self) -> &BTreeMap<String, BTreeMap<Locale, PathBuf>> {
        &self.pages
    }
}

/// The registered name of a page: `sv-SE/unsubscribe.page`.
fn page_key(locale: &Locale, name: &str) -> String {
    format!("{locale}/{name}.page")
}

//! `GET /storefront/demo/{sku}` (with `storefront.demo: true`): a product page of the
//! example shop with the widget on it, so the whole intake can be tried in a browser
//! before a shop adds one line to its own pages. It embeds the widget exactly as a shop
//! would (a script tag and an element), from Restock's own origin.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use handlebars::html_escape;
use serde::Deserialize;

use super::words::words;
use super::StorefrontState;
use crate::domain::Locale;

/// The shop page's own policy: the strict one the widget documents, plus inline styles
/// for the page itself.
const DEMO_POLICY: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
     style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'none'; base-uri 'none'";

#[derive(Debug, Deserialize)]
pub struct DemoQuery {
    locale: Option<String>,
}

pub async fn product(
    State(state): State<StorefrontState>,
    Path(sku): Path<String>,
    Query(q): Query<DemoQuery>,
) -> Response {
    let catalog = state.engine.catalog();
    let asked = q.locale.as_deref().and_then(|l| Locale::parse(l).ok());
    // The asked locale, else the first feed that has the product.
    let found = asked
        .iter()
        .chain(catalog.locales())
        .find_map(|l| catalog.product(l, &sku).map(|p| (l.clone(), p)));
    let Some((locale, product)) = found else {
        let w = words(asked.as_ref().map_or("en", |l| l.as_str()));
        return super::pages::page(
            StatusCode::NOT_FOUND,
            w,
            "Nordkust",
            &format!("<p>{}</p>", html_escape(w.invalid_title)),
        );
    };
    let w = words(locale.as_str());
    let name = product.name().unwrap_or(&sku).to_owned();
    let price = match (product.price(), product.currency()) {
        (Some(price), Some(currency)) => format!("{price:.2} {currency}"),
        _ => String::new(),
    };
    let availability = product.availability().unwrap_or_default().replace('_', " ");
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{name} · Nordkust</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d1d1f}}\
         header{{padding:1rem 2rem;border-bottom:1px solid #e4e4e7;font-weight:700}}\
         main{{max-width:40rem;margin:2rem auto;padding:0 1rem}}\
         .note{{font-size:.85rem;color:#71717a}}\
         [data-restock-sku]{{--restock-accent:#14532d;margin-top:1.5rem}}</style>\
         <script src=\"/storefront/widget.js\" defer></script></head>\
         <body><header>Nordkust</header><main>\
         <p class=\"note\">Restock demo: an example product page (storefront.demo).</p>\
         <h1>{name}</h1><p>{price}</p><p>{availability}</p>\
         <div data-restock-sku=\"{sku}\" data-restock-locale=\"{lang}\"></div>\
         </main></body></html>",
        lang = html_escape(locale.as_str()),
        name = html_escape(&name),
        price = html_escape(&price),
        availability = html_escape(&availability),
        sku = html_escape(&sku),
    );
    let mut response = (StatusCode::OK, Html(html)).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DEMO_POLICY),
    );
    if let Ok(lang) = HeaderValue::from_str(w.lang) {
        h.insert(header::CONTENT_LANGUAGE, lang);
    }
    response
}

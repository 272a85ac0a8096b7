//! The helpers marketers use in templates: `price`, `date`, `urlencode` and `default`.
//!
//! Each returns a value rather than writing output, so Handlebars escapes it in the HTML
//! part like any other value and it can be nested: `{{urlencode (default x "y")}}`.
//! `price` and `date` format for the locale of the template being rendered (a fallback
//! template's locale, since its words are in that language); `locale="de-DE"` overrides.

use handlebars::{
    Context, Handlebars, Helper, HelperDef, PathAndJson, RenderContext, RenderError,
    RenderErrorReason, ScopedJson,
};
use serde_json::Value;

use super::dates::{format_date, parse_date, DateStyle};
use super::money::format_price;
use crate::domain::Locale;

/// Registers every helper on `registry`.
pub(super) fn register(registry: &mut Handlebars<'static>) {
    registry.register_helper("price", Box::new(Price));
    registry.register_helper("date", Box::new(Date));
    registry.register_helper("urlencode", Box::new(UrlEncode));
    registry.register_helper("default", Box::new(Fallback));
}

type Out<'rc> = Result<ScopedJson<'rc>, RenderError>;

/// `{{price product.price product.currency}}` → `1 299,00 kr`.
struct Price;

impl HelperDef for Price {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
    ) -> Out<'rc> {
        let usage = "{{price product.price product.currency}}";
        let amount = required(h, 0, usage)?;
        let amount = match amount.value() {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
        .ok_or_else(|| fail(format!("price: {} is not a number", amount.value())))?;
        let currency = required(h, 1, usage)?;
        let currency = currency
            .value()
            .as_str()
            .ok_or_else(|| fail("price: the currency must be a code such as \"SEK\""))?;
        let text = format_price(amount, currency, &locale(h, rc)?)
            .map_err(|why| fail(format!("price: {why}")))?;
        Ok(ScopedJson::Derived(Value::String(text)))
    }
}

/// `{{date subscription.createdOn}}` → `27 november 2026`; `format="short"` → `2026-11-27`.
struct Date;

impl HelperDef for Date {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
    ) -> Out<'rc> {
        let value = required(h, 0, "{{date subscription.createdOn}}")?;
        let raw = value
            .value()
            .as_str()
            .ok_or_else(|| fail(format!("date: {} is not a date", value.value())))?;
        let date = parse_date(raw).map_err(|why| fail(format!("date: {why}")))?;
        let style = match h.hash_get("format").map(|f| f.value()) {
            None => DateStyle::Long,
            Some(Value::String(s)) => DateStyle::parse(s)
                .ok_or_else(|| fail(format!("date: format={s:?}: use \"long\" or \"short\"")))?,
            Some(other) => {
                return Err(fail(format!(
                    "date: format={other}: use \"long\" or \"short\""
                )))
            }
        };
        let text = format_date(date, &locale(h, rc)?, style);
        Ok(ScopedJson::Derived(Value::String(text)))
    }
}

/// `{{urlencode product.sku}}`: percent-encodes everything but RFC 3986's unreserved
/// characters, for a value inside a URL's path or query.
struct UrlEncode;

impl HelperDef for UrlEncode {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Out<'rc> {
        let value = required(h, 0, "{{urlencode contact.email}}")?;
        let text = match value.value() {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            other => return Err(fail(format!("urlencode: {other} is not text"))),
        };
        Ok(ScopedJson::Derived(Value::String(percent_encode(&text))))
    }
}

/// `{{default contact.firstName "there"}}`: the value when it is there and not empty,
/// else the fallback. A missing value is not an error here, even in strict mode: this
/// helper is how templates say a value is optional.
struct Fallback;

impl HelperDef for Fallback {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Out<'rc> {
        let usage = "{{default contact.firstName \"there\"}}";
        let (Some(value), Some(fallback)) = (h.param(0), h.param(1)) else {
            return Err(fail(format!(
                "default needs a value and a fallback: {usage}"
            )));
        };
        let empty = match value.value() {
            _ if value.is_value_missing() => true,
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            _ => false,
        };
        let chosen = if empty { fallback } else { value };
        Ok(ScopedJson::Derived(chosen.value().clone()))
    }
}

/// Parameter `index`, which must be present and not null.
fn required<'a, 'rc>(
    h: &'a Helper<'rc>,
    index: usize,
    usage: &str,
) -> Result<&'a PathAndJson<'rc>, RenderError> {
    let name = h.name();
    let param = h
        .param(index)
        .ok_or_else(|| fail(format!("{name} needs {} value(s): {usage}", index + 1)))?;
    if param.is_value_missing() || param.value().is_null() {
        let what = param.relative_path().map_or("a value", String::as_str);
        return Err(fail(format!(
            "{name}: `{what}` is missing (guard optional values with {{{{#if}}}})"
        )));
    }
    Ok(param)
}

/// The locale to format for: `locale="…"` if given, else the rendered template's, which
/// is the folder part of its registered name (`sv-SE/back-in-stock.html`).
fn locale(h: &Helper<'_>, rc: &RenderContext<'_, '_>) -> Result<Locale, RenderError> {
    if let Some(given) = h.hash_get("locale") {
        let raw = given.value().as_str().unwrap_or_default();
        return Locale::parse(raw)
            .map_err(|why| fail(format!("{}: locale={raw:?}: {why}", h.name())));
    }
    let root = rc
        .get_root_template_name()
        .map(String::as_str)
        .unwrap_or_default();
    let folder = root.split_once('/').map_or(root, |(folder, _)| folder);
    Locale::parse(folder).map_err(|_| fail(format!("{}: no locale to format for", h.name())))
}

fn fail(message: impl Into<String>) -> RenderError {
    RenderErrorReason::Other(message.into()).into()
}

/// Percent-encodes all but `A-Z a-z 0-9 - . _ ~`, byte by byte of the UTF-8.
pub(super) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

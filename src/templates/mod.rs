//! Email templates: Handlebars, one set per locale, checked when they load.
//!
//! A template has three parts, each its own file: a one-line subject, an HTML body and a
//! plain-text body (`templates/<locale>/<name>.{subject,html,txt}.hbs`; shared partials
//! in `templates/partials/`). `templates/README.md` documents the layout, the helpers and
//! the data a template sees.
//!
//! Handlebars runs in strict mode: a missing variable is an error, and [`Templates::load`]
//! renders every template against [`sample_data`] and [`minimal_sample_data`], so a typo
//! or an unguarded optional value is refused at load, with its file, line and column, not
//! found at send time. Only the HTML part escapes values; a subject must render to one
//! line, so data cannot inject mail headers. [`reloadable`] keeps a set live across edits:
//! a broken edit is rejected and the last good set keeps serving.
//!
//! The same folder holds the web pages behind the unsubscribe link
//! (`<locale>/unsubscribe.page.hbs`), checked the same way; see [`unsubscribe_page`].

mod compile;
mod dates;
mod error;
mod helpers;
mod layout;
mod listing;
mod money;
mod pages;
mod registry;
mod reload;
mod sample;
mod tags;
#[cfg(test)]
mod tests;

pub use dates::{format_date, parse_date, DateStyle};
pub use error::{Location, TemplateError};
pub use listing::{
    templates_status, TemplateEntry, TemplateListing, TemplateVersion, TemplatesStatus,
};
pub use money::format_price;
pub use pages::{page_data, unsubscribe_page, RenderedPage, UnsubscribePage, UNSUBSCRIBE_PAGE};
pub use registry::{Rendered, Templates};
pub use reload::{reloadable, DEFAULT_FALLBACK_LOCALE, RELOADABLE_NAME};
pub use sample::{minimal_sample_data, sample_data};

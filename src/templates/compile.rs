//! Compiling a scanned folder into the two Handlebars registries, and the checks a set
//! must pass before it may serve.

use handlebars::{no_escape, Handlebars};

use super::layout::{Part, Scan, Source};
use super::registry::{key, SubjectBreaks};
use super::{helpers, minimal_sample_data, sample_data, TemplateError, Templates};

impl Templates {
    /// Registers the partials, then every template part; returns the syntax errors.
    pub(super) fn compile(&mut self, scanned: Scan) -> Vec<TemplateError> {
        let mut errors = Vec::new();
        for (name, part, source) in scanned.partials {
            let is_html = part == Part::Html;
            let registry = if is_html {
                &mut self.html
            } else {
                &mut self.plain
            };
            match registry.register_partial(&name, &source.text) {
                Ok(()) => {
                    self.files.insert((is_html, name), source.path.clone());
                    self.partials.push(source.path);
                }
                Err(e) => errors.push(TemplateError::syntax(&source.path, &e)),
            }
        }
        errors.extend(self.compile_pages(scanned.pages));
        for (locale, set) in scanned.locales {
            for (name, parts) in set {
                let paths = parts.each_ref().map(|s| s.path.clone());
                for (part, source) in Part::ALL.into_iter().zip(parts) {
                    errors.extend(self.register(&key(&locale, &name, part), part, source));
                }
                self.index
                    .entry(name)
                    .or_default()
                    .insert(locale.clone(), paths);
            }
        }
        errors
    }

    fn register(&mut self, key: &str, part: Part, source: Source) -> Option<TemplateError> {
        let is_html = part == Part::Html;
        let registry = if is_html {
            &mut self.html
        } else {
            &mut self.plain
        };
        if let Err(e) = registry.register_template_string(key, &source.text) {
            return Some(TemplateError::syntax(&source.path, &e));
        }
        self.files.insert((is_html, key.to_owned()), source.path);
        None
    }

    /// Every name must have a version in the fallback locale.
    pub(super) fn check_fallback(&self) -> Vec<TemplateError> {
        let folder = self.dir.join(self.fallback.as_str());
        self.index
            .iter()
            .filter(|(_, versions)| !versions.contains_key(&self.fallback))
            .map(|(name, _)| {
                let reason = format!(
                    "template {name:?} has no version in the fallback locale {}, which \
                     serves every locale without its own (add {name}.*.hbs here)",
                    self.fallback
                );
                TemplateError::layout(&folder, reason)
            })
            .collect()
    }

    /// Renders every version against full and minimal sample data of its locale.
    pub(super) fn validate(&self) -> Vec<TemplateError> {
        let mut errors = Vec::new();
        for (name, versions) in &self.index {
            for locale in versions.keys() {
                let samples = [
                    (sample_data(locale), format!("the sample data for {locale}")),
                    (
                        minimal_sample_data(locale),
                        format!("the minimal sample data for {locale}, where optional values are missing"),
                    ),
                ];
                for (data, sample) in samples {
                    if let Err(error) =
                        self.render_exact(name, locale, &data, SubjectBreaks::Refuse)
                    {
                        let source = Box::new(error);
                        errors.push(TemplateError::Validation { sample, source });
                        break;
                    }
                }
            }
        }
        errors
    }
}

/// Escapes the five characters that matter in HTML text and quoted attributes. Unlike
/// Handlebars' default it leaves `=` and `` ` `` alone, so links such as
/// `?token=abc` stay as written in the HTML source; attributes must be quoted.
fn escape_html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A strict registry; `escape_html` for the HTML part only.
pub(super) fn registry(escape_html: bool) -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    if escape_html {
        registry.register_escape_fn(escape_html_text);
    } else {
        registry.register_escape_fn(no_escape);
    }
    helpers::register(&mut registry);
    registry
}

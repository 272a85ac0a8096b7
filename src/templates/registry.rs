use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use handlebars::{Context, Handlebars};
use serde_json::Value;

use super::compile::registry;
use super::layout::{scan, Part};
use super::TemplateError;
use crate::domain::Locale;

/// One rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line, trimmed; never contains CR or LF.
    pub subject: String,
    /// The HTML body; values are HTML-escaped unless written `{{{triple}}}`.
    pub html: String,
    /// The plain-text body; nothing is escaped.
    pub text: String,
    /// The locale whose template was rendered: the asked one, its language, or the
    /// fallback. Logs and the outbox record it, so a missing translation is visible.
    pub locale_used: Locale,
}

/// A complete, validated set of email templates, compiled once and rendered many times.
///
/// Built whole by [`Templates::load`] and never changed afterwards: hot reload builds a
/// new set and swaps it in (see [`reloadable`](super::reloadable)).
pub struct Templates {
    pub(super) dir: PathBuf,
    pub(super) fallback: Locale,
    /// The HTML parts and HTML partials, escaping values.
    pub(super) html: Handlebars<'static>,
    /// Subjects, text parts and text partials, escaping nothing.
    pub(super) plain: Handlebars<'static>,
    /// Template name → locale → its files, in [`Part`] order.
    pub(super) index: BTreeMap<String, BTreeMap<Locale, [PathBuf; 3]>>,
    /// The shared partials' files.
    pub(super) partials: Vec<PathBuf>,
    /// Web page name → locale → its file (the unsubscribe pages).
    pub(super) pages: BTreeMap<String, BTreeMap<Locale, PathBuf>>,
    /// Registered name → file, per registry (`true` for the HTML one), to name the file
    /// in render errors.
    pub(super) files: HashMap<(bool, String), PathBuf>,
}

impl Templates {
    /// Loads every template and partial under `dir`, compiles them, and renders each one
    /// against [`sample_data`] and [`minimal_sample_data`] for its locale, so that a typo
    /// or an unguarded optional value fails here rather than when an email is sent.
    /// Every template name must exist in the `fallback` locale, which serves every
    /// locale without a version of its own.
    #[tracing::instrument(skip_all, fields(dir = %dir.display(), fallback = %fallback))]
    pub fn load(dir: &Path, fallback: &Locale) -> Result<Templates, TemplateError> {
        let scanned = scan(dir)?;
        let mut templates = Templates {
            dir: dir.to_path_buf(),
            fallback: fallback.clone(),
            html: registry(true),
            plain: registry(false),
            index: BTreeMap::new(),
            partials: Vec::new(),
            pages: BTreeMap::new(),
            files: HashMap::new(),
        };
        let mut errors = templates.compile(scanned);
        errors.extend(templates.check_fallback());
        TemplateError::collect(errors)?;
        let mut problems = templates.validate();
        problems.extend(templates.validate_pages());
        TemplateError::collect(problems)?;
        tracing::info!(templates = templates.index.len(), "templates loaded");
        Ok(templates)
    }

    /// Renders template `name` for `locale`: that locale's version, else its language's
    /// (`sv` for `sv-FI`), else the fallback locale's. A line break that a value brings
    /// into the subject (a feed's title with CR/LF) becomes a space: the header stays one
    /// line and the product stays notifiable.
    pub fn render(
        &self,
        name: &str,
        locale: &Locale,
        data: &Value,
    ) -> Result<Rendered, TemplateError> {
        let used = self.resolve(name, locale)?;
        self.render_exact(name, &used, data, SubjectBreaks::Fold)
    }

    /// The locale whose version of `name` serves `locale`.
    pub fn resolve(&self, name: &str, locale: &Locale) -> Result<Locale, TemplateError> {
        let not_found = || TemplateError::NotFound {
            name: name.to_owned(),
            locale: locale.clone(),
            fallback: self.fallback.clone(),
        };
        let versions = self.index.get(name).ok_or_else(not_found)?;
        let mut tag = locale.as_str();
        loop {
            if let Some((found, _)) = versions.iter().find(|(l, _)| l.as_str() == tag) {
                return Ok(found.clone());
            }
            match tag.rsplit_once('-') {
                Some((shorter, _)) => tag = shorter,
                None => break,
            }
        }
        versions
            .contains_key(&self.fallback)
            .then(|| self.fallback.clone())
            .ok_or_else(not_found)
    }

    /// Whether a template of this name exists (in the fallback locale, hence for all).
    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// The template names, sorted: what rules may refer to.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
    }

    /// The locale that serves locales without a version of their own.
    pub fn fallback(&self) -> &Locale {
        &self.fallback
    }

    pub(super) fn render_exact(
        &self,
        name: &str,
        locale: &Locale,
        data: &Value,
        breaks: SubjectBreaks,
    ) -> Result<Rendered, TemplateError> {
        let context = Context::from(data.clone());
        let [subject, html, text] =
            Part::ALL.map(|part| self.render_part(name, locale, part, &context));
        let subject = subject?;
        let subject = subject.trim();
        let subject = match breaks {
            _ if !subject.contains(['\r', '\n']) => subject.to_owned(),
            SubjectBreaks::Fold => one_line(subject),
            SubjectBreaks::Refuse => {
                let path = self.file(false, &key(locale, name, Part::Subject));
                return Err(TemplateError::MultilineSubject { path });
            }
        };
        Ok(Rendered {
            subject,
            html: html?,
            text: text?,
            locale_used: locale.clone(),
        })
    }

    fn render_part(
        &self,
        name: &str,
        locale: &Locale,
        part: Part,
        context: &Context,
    ) -> Result<String, TemplateError> {
        let is_html = part == Part::Html;
        let key = key(locale, name, part);
        let registry = if is_html { &self.html } else { &self.plain };
        registry
            .render_with_context(&key, context)
            .map_err(|error| {
                let at = error.template_name.as_deref().unwrap_or(&key);
                TemplateError::render(&self.file(is_html, at), &error)
            })
    }

    /// The file a registered name came from; the templates folder if unknown.
    fn file(&self, is_html: bool, registered: &str) -> PathBuf {
        let found = self.files.get(&(is_html, registered.to_owned()));
        let found = found.or_else(|| self.files.get(&(!is_html, registered.to_owned())));
        found.cloned().unwrap_or_else(|| self.dir.clone())
    }
}

/// The registered name of a part: `sv-SE/back-in-stock.html`. Helpers read the locale
/// back from it, so a fallback template formats prices in its own locale.
pub(super) fn key(locale: &Locale, name: &str, part: Part) -> String {
    format!("{locale}/{name}.{}", part.ext())
}

/// What a line break in a rendered subject means. Checked against the sample data, whose
/// values have none, a break can only come from the template itself: an error to fix.
/// At send time it comes from a value, which the template's author cannot help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SubjectBreaks {
    Refuse,
    Fold,
}

/// `text` with each run of line breaks, and the blanks around it, as one space.
fn one_line(text: &str) -> String {
    let lines: Vec<&str> = text
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    lines.join(" ")
}

//! Reading the templates folder: which files are templates of which locale, which are
//! partials, and what does not belong. See `templates/README.md` for the layout.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::TemplateError;
use crate::domain::Locale;

/// The folder of shared partials, beside the locale folders.
pub(super) const PARTIALS: &str = "partials";
/// The end of a web page's file name (`unsubscribe.page.hbs`): one HTML file, not an
/// email's three parts.
pub(super) const PAGE_SUFFIX: &str = ".page.hbs";

/// One part of an email; each is its own file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Part {
    Subject,
    Html,
    Text,
}

impl Part {
    pub(super) const ALL: [Part; 3] = [Part::Subject, Part::Html, Part::Text];

    /// The middle of the file name: `<name>.<ext>.hbs`.
    pub(super) fn ext(self) -> &'static str {
        match self {
            Part::Subject => "subject",
            Part::Html => "html",
            Part::Text => "txt",
        }
    }

    fn from_ext(ext: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|part| part.ext() == ext)
    }
}

/// A file's path and text.
pub(super) struct Source {
    pub(super) path: PathBuf,
    pub(super) text: String,
}

/// The three parts of one template, indexed by [`Part`] order.
pub(super) type Parts = [Source; 3];

/// What the folder holds, before anything is compiled.
#[derive(Default)]
pub(super) struct Scan {
    /// Locale → template name → parts.
    pub(super) locales: BTreeMap<Locale, BTreeMap<String, Parts>>,
    /// Shared partials: name, the part they serve (HTML, or text for subject and text), file.
    pub(super) partials: Vec<(String, Part, Source)>,
    /// Web pages (the unsubscribe pages): locale → page name → file.
    pub(super) pages: BTreeMap<Locale, BTreeMap<String, Source>>,
}

/// Reads `dir`. Layout problems are collected, so one load reports all of them.
pub(super) fn scan(dir: &Path) -> Result<Scan, TemplateError> {
    let mut scan = Scan::default();
    let mut errors = Vec::new();
    for path in entries(dir)? {
        let Some(file_name) = visible_name(&path) else {
            continue;
        };
        if !path.is_dir() {
            continue; // README.md and other notes beside the folders
        }
        if file_name == PARTIALS {
            scan_partials(&path, &mut scan, &mut errors)?;
            continue;
        }
        let locale = match Locale::parse(file_name) {
            Ok(locale) => locale,
            Err(why) => {
                let reason = format!(
                    "a folder here must be named by a BCP 47 locale such as sv-SE, or be \
                     `{PARTIALS}` ({why})"
                );
                errors.push(TemplateError::layout(&path, reason));
                continue;
            }
        };
        if scan.locales.contains_key(&locale) {
            let reason = format!("a second folder for locale {locale} (names ignore case)");
            errors.push(TemplateError::layout(&path, reason));
            continue;
        }
        let (templates, pages) = scan_locale(&path, &mut errors)?;
        scan.locales.insert(locale.clone(), templates);
        if !pages.is_empty() {
            scan.pages.insert(locale, pages);
        }
    }
    TemplateError::collect(errors)?;
    Ok(scan)
}

/// A locale folder's emails (name → parts) and pages (name → file).
type LocaleFiles = (BTreeMap<String, Parts>, BTreeMap<String, Source>);

fn scan_locale(
    folder: &Path,
    errors: &mut Vec<TemplateError>,
) -> Result<LocaleFiles, TemplateError> {
    let mut found: BTreeMap<String, [Option<Source>; 3]> = BTreeMap::new();
    let mut pages = BTreeMap::new();
    for path in entries(folder)? {
        if let Some(name) = page_file(&path) {
            let text = read(&path)?;
            pages.insert(name.to_owned(), Source { path, text });
            continue;
        }
        let Some((name, part)) = template_file(&path, errors) else {
            continue;
        };
        let text = read(&path)?;
        found.entry(name).or_default()[part as usize] = Some(Source { path, text });
    }
    let mut complete = BTreeMap::new();
    for (name, parts) in found {
        let [subject, html, text] = parts;
        if let (Some(subject), Some(html), Some(text)) = (subject, html, text) {
            complete.insert(name, [subject, html, text]);
            continue;
        }
        let reason = format!(
            "template {name:?} is incomplete: it needs {name}.subject.hbs, {name}.html.hbs \
             and {name}.txt.hbs"
        );
        errors.push(TemplateError::layout(folder, reason));
    }
    Ok((complete, pages))
}

/// The page name of a `<name>.page.hbs` file with a good name.
fn page_file(path: &Path) -> Option<&str> {
    let name = visible_name(path)?.strip_suffix(PAGE_SUFFIX)?;
    (is_name(name) && path.is_file()).then_some(name)
}

fn scan_partials(
    folder: &Path,
    scan: &mut Scan,
    errors: &mut Vec<TemplateError>,
) -> Result<(), TemplateError> {
    for path in entries(folder)? {
        let Some((name, part)) = template_file(&path, errors) else {
            continue;
        };
        if part == Part::Subject {
            let reason = "a partial is <name>.html.hbs or <name>.txt.hbs (text partials \
                          also serve subjects)";
            errors.push(TemplateError::layout(&path, reason));
            continue;
        }
        let text = read(&path)?;
        scan.partials.push((name, part, Source { path, text }));
    }
    Ok(())
}

/// The template name and part of a `.hbs` file; `None` for other files (notes, editor
/// backups), and for bad names, which are recorded in `errors`.
fn template_file(path: &Path, errors: &mut Vec<TemplateError>) -> Option<(String, Part)> {
    let file_name = visible_name(path)?;
    let stem = file_name.strip_suffix(".hbs")?;
    if path.is_dir() {
        errors.push(TemplateError::layout(
            path,
            "expected a file, found a folder",
        ));
        return None;
    }
    let parsed = stem
        .rsplit_once('.')
        .and_then(|(name, ext)| Some((name, Part::from_ext(ext)?)))
        .filter(|(name, _)| is_name(name));
    if parsed.is_none() {
        let reason = "a template file is named <name>.subject.hbs, <name>.html.hbs or \
                      <name>.txt.hbs (a web page <name>.page.hbs), where <name> is letters, \
                      digits, '-' and '_'";
        errors.push(TemplateError::layout(path, reason));
    }
    parsed.map(|(name, part)| (name.to_owned(), part))
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The file name, unless it is hidden (editor swap files, `.git`).
fn visible_name(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    (!name.starts_with('.')).then_some(name)
}

/// The entries of a folder, sorted so that loading and error lists are deterministic.
fn entries(folder: &Path) -> Result<Vec<PathBuf>, TemplateError> {
    let read = fs::read_dir(folder).map_err(|e| TemplateError::io(folder, e))?;
    let mut paths = read
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TemplateError::io(folder, e))?;
    paths.sort();
    Ok(paths)
}

fn read(path: &Path) -> Result<String, TemplateError> {
    fs::read_to_string(path).map_err(|e| TemplateError::io(path, e))
}

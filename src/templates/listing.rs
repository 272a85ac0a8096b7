use serde::Serialize;

use super::{TemplateError, Templates};
use crate::reload::{ReloadStatus, Reloadable};

/// What `GET /api/v3/templates` shows: which templates exist, in which locales, from
/// which files, and whether the last reload worked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplatesStatus {
    /// Generation, load time and the last reload error (the live set is the last good
    /// one when that is set).
    #[serde(flatten)]
    // the error type does not show in the JSON (`lastError` is `{message, on}` whatever it
    // is), so the document names one that has a schema
    #[schema(inline, value_type = ReloadStatus<crate::reload::ReloadFailure>)]
    pub reload: ReloadStatus<TemplateError>,
    /// The live set.
    pub templates: TemplateListing,
}

/// The live set of templates, for admins and previews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateListing {
    /// The folder the set was loaded from.
    pub dir: String,
    /// The locale that serves every locale without its own version.
    pub fallback_locale: String,
    /// One entry per template name, sorted by name.
    pub templates: Vec<TemplateEntry>,
    /// The shared partials' files.
    pub partials: Vec<String>,
    /// The web pages (the unsubscribe pages), one entry per page name.
    pub pages: Vec<PageEntry>,
}

/// One web page and the file of each locale's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageEntry {
    /// `unsubscribe`.
    pub name: String,
    /// Locale → file, sorted by locale.
    pub locales: Vec<PageVersion>,
}

/// One locale's version of a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageVersion {
    pub locale: String,
    pub file: String,
}

/// One template name and its versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateEntry {
    /// The name rules refer to, e.g. `back-in-stock`.
    pub name: String,
    /// One version per locale folder that has it, sorted by locale.
    pub locales: Vec<TemplateVersion>,
}

/// One locale's version of a template and its three files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateVersion {
    /// Canonical BCP 47 tag, e.g. `sv-SE`.
    pub locale: String,
    pub subject_file: String,
    pub html_file: String,
    pub text_file: String,
}

impl Templates {
    /// Lists the set, for an admin endpoint.
    pub fn listing(&self) -> TemplateListing {
        let shown = |path: &std::path::Path| path.display().to_string();
        TemplateListing {
            dir: shown(&self.dir),
            fallback_locale: self.fallback.to_string(),
            templates: self
                .index
                .iter()
                .map(|(name, versions)| TemplateEntry {
                    name: name.clone(),
                    locales: versions
                        .iter()
                        .map(|(locale, [subject, html, text])| TemplateVersion {
                            locale: locale.to_string(),
                            subject_file: shown(subject),
                            html_file: shown(html),
                            text_file: shown(text),
                        })
                        .collect(),
                })
                .collect(),
            partials: self.partials.iter().map(|p| shown(p)).collect(),
            pages: self
                .page_files()
                .iter()
                .map(|(name, versions)| PageEntry {
                    name: name.clone(),
                    locales: versions
                        .iter()
                        .map(|(locale, file)| PageVersion {
                            locale: locale.to_string(),
                            file: shown(file),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The status of a hot-reloaded set: the live listing with its reload state.
pub fn templates_status(templates: &Reloadable<Templates, TemplateError>) -> TemplatesStatus {
    TemplatesStatus {
        reload: templates.status(),
        templates: templates.current().listing(),
    }
}

//! A temporary templates folder that tests write files into.

use std::path::Path;

use crate::domain::Locale;
use crate::templates::{TemplateError, Templates};

pub(super) fn locale(tag: &str) -> Locale {
    Locale::parse(tag).unwrap()
}

pub(super) struct Folder(tempfile::TempDir);

impl Folder {
    /// An empty folder.
    pub(super) fn empty() -> Self {
        Folder(tempfile::tempdir().unwrap())
    }

    /// A folder with a plain `greeting` template in the fallback locale en-US.
    pub(super) fn with_fallback() -> Self {
        let folder = Folder::empty();
        folder.template("en-US", "greeting", "Hello", "<p>Hello</p>", "Hello");
        folder
    }

    pub(super) fn path(&self) -> &Path {
        self.0.path()
    }

    /// Writes `text` to `relative`, creating folders.
    pub(super) fn write(&self, relative: &str, text: &str) {
        let path = self.0.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Writes the three parts of template `name` for `locale`.
    pub(super) fn template(&self, locale: &str, name: &str, subject: &str, html: &str, text: &str) {
        self.write(&format!("{locale}/{name}.subject.hbs"), subject);
        self.write(&format!("{locale}/{name}.html.hbs"), html);
        self.write(&format!("{locale}/{name}.txt.hbs"), text);
    }

    /// Loads with fallback en-US.
    pub(super) fn load(&self) -> Result<Templates, TemplateError> {
        Templates::load(self.path(), &locale("en-US"))
    }

    /// The display form of a file in the folder, as errors name it.
    pub(super) fn shown(&self, relative: &str) -> String {
        self.0.path().join(relative).display().to_string()
    }
}

/// Renders the text part `body` of a one-off template for `locale` with the sample data.
pub(super) fn text_of(tag: &str, body: &str) -> Result<String, TemplateError> {
    let folder = Folder::with_fallback();
    folder.template(tag, "t", "s", "h", body);
    if tag != "en-US" {
        folder.template("en-US", "t", "s", "h", "fallback");
    }
    let templates = folder.load()?;
    let data = crate::templates::sample_data(&locale(tag));
    Ok(templates.render("t", &locale(tag), &data)?.text)
}

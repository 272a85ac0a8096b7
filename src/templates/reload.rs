use std::path::PathBuf;

use super::{TemplateError, Templates};
use crate::domain::Locale;
use crate::reload::Reloadable;

/// The locale whose templates serve every locale without its own, unless configured.
pub const DEFAULT_FALLBACK_LOCALE: &str = "en-US";

/// The name the reloadable set has in logs and status.
pub const RELOADABLE_NAME: &str = "templates";

/// Loads the templates under `dir` and keeps them reloadable: each reload builds and
/// validates a complete new set, and a set that fails keeps the last good one live with
/// the error recorded (see [`Reloadable`]). Fails only if the first load does, since
/// there is then nothing to serve.
///
/// Connect it to the file system with
/// `templates.watch([dir], crate::reload::DEFAULT_DEBOUNCE)`.
pub fn reloadable(
    dir: PathBuf,
    fallback: Locale,
) -> Result<Reloadable<Templates, TemplateError>, TemplateError> {
    Reloadable::new(RELOADABLE_NAME, move || Templates::load(&dir, &fallback))
}

//! The scalar keys of an automation, as serde reads them (with positions); `when` and
//! `split` are read from the YAML node directly, so that their problems are reported even
//! when another key is wrong.

use marked_yaml::Spanned;
use serde::de::IgnoredAny;

use super::Throttle;

/// Every key an automation may have. Unknown keys are errors, so `thresold: 5` is caught
/// instead of silently meaning the default.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Spec {
    pub id: Spanned<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    #[serde(default)]
    pub priority: i64,
    #[serde(default)]
    pub threshold: Option<Spanned<u64>>,
    #[serde(default)]
    pub expires_after: Option<Spanned<String>>,
    #[serde(default)]
    pub throttle: Option<Throttle>,
    #[serde(default)]
    #[allow(dead_code)]
    pub when: Option<IgnoredAny>,
    #[allow(dead_code)]
    pub split: IgnoredAny,
}

fn enabled_by_default() -> bool {
    true
}

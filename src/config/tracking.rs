//! `tracking:` and `attribution:` — what Restock learns about the shoppers its emails
//! bring back (see `docs/email.md`).

use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::load;

/// `tracking:` — tracked product links.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrackingConfig {
    /// Product links in emails go through `{public_url}/r/{token}`, which counts the first
    /// click of each notification. Off: emails carry the products' own links.
    #[serde(deserialize_with = "load::bool_or_string")]
    pub clicks: bool,
    /// Hits on a tracked link this many seconds after delivery or sooner are taken for a
    /// mail scanner's prefetch: redirected, not counted.
    #[serde(deserialize_with = "load::number_or_string")]
    pub prefetch_secs: u64,
}

impl Default for TrackingConfig {
    fn default() -> Self {
        Self {
            clicks: true,
            prefetch_secs: crate::tracking::DEFAULT_PREFETCH_SECS,
        }
    }
}

/// `attribution:` — which receipts are a notification's conversion.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AttributionConfig {
    /// How long after delivery a receipt with the notified SKU still counts as the
    /// notification's conversion (`7d`, `48h`).
    #[serde(deserialize_with = "duration")]
    pub window: Duration,
}

/// Seven days, as most back-in-stock and email tools attribute.
pub const DEFAULT_ATTRIBUTION_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);

impl Default for AttributionConfig {
    fn default() -> Self {
        Self {
            window: DEFAULT_ATTRIBUTION_WINDOW,
        }
    }
}

/// One duration written as rules write them (`7d`, `1h30m`), more than zero.
pub(super) fn duration<'de, D: Deserializer<'de>>(de: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(de)?;
    crate::dsl::Duration::parse(text.trim())
        .and_then(|d| u64::try_from(d.as_millis()).ok())
        .filter(|&ms| ms > 0)
        .map(Duration::from_millis)
        .ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not a duration above zero such as 7d, 48h or 30m"
            ))
        })
}

#[cfg(test)]
mod tests {
    use crate::config::load::load_env;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tracking_is_on_and_the_window_a_week_by_default() {
        let config = load_env(env(&[])).unwrap();
        assert!(config.tracking.clicks);
        assert_eq!(config.tracking.prefetch_secs, 10);
        assert_eq!(config.attribution.window.as_secs(), 7 * 24 * 3600);
    }

    #[test]
    fn both_can_be_set_and_bad_values_are_named() {
        let config = load_env(env(&[
            ("RESTOCK_TRACKING__CLICKS", "false"),
            ("RESTOCK_ATTRIBUTION__WINDOW", "48h"),
        ]))
        .unwrap();
        assert!(!config.tracking.clicks);
        assert_eq!(config.attribution.window.as_secs(), 48 * 3600);
        for bad in ["0s", "soon", "-1d"] {
            let err = load_env(env(&[("RESTOCK_ATTRIBUTION__WINDOW", bad)]))
                .unwrap_err()
                .to_string();
            assert!(err.contains("attribution.window"), "{err}");
        }
    }
}

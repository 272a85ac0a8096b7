//! `insights:` — the day statistics are counted in, and how long personal history is kept.

use serde::{Deserialize, Deserializer};

use crate::domain::StatsZone;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InsightsConfig {
    /// The IANA time zone whose calendar days the statistics count (`Europe/Stockholm`).
    #[serde(deserialize_with = "zone")]
    pub time_zone: StatsZone,
    /// Days a subscription's history (why a shopper got, or did not get, an email) is kept
    /// after the subscription ended; 0 keeps it until the contact is deleted.
    #[serde(deserialize_with = "super::load::number_or_string")]
    pub history_days: u32,
    /// Days a delivered notification stays in the outbox before the retention task
    /// archives it into the history and removes it; 0 keeps them.
    #[serde(deserialize_with = "super::load::number_or_string")]
    pub delivered_days: u32,
    /// Seconds between two runs of the retention task.
    #[serde(deserialize_with = "super::load::number_or_string")]
    pub purge_every_secs: u64,
}

impl Default for InsightsConfig {
    fn default() -> Self {
        Self {
            time_zone: StatsZone::default(),
            history_days: 180,
            delivered_days: 30,
            purge_every_secs: 3_600,
        }
    }
}

fn zone<'de, D: Deserializer<'de>>(de: D) -> Result<StatsZone, D::Error> {
    let name = String::deserialize(de)?;
    StatsZone::parse(&name).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "{name:?} is not an IANA time zone name (like UTC or Europe/Stockholm)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_iana_names_and_ages_have_defaults() {
        let config: InsightsConfig =
            serde_yaml::from_str("time_zone: Europe/Stockholm\nhistory_days: '30'").unwrap();
        assert_eq!(config.time_zone.name(), "Europe/Stockholm");
        assert_eq!((config.history_days, config.delivered_days), (30, 30));
        assert_eq!(InsightsConfig::default().time_zone.name(), "UTC");
        let err = serde_yaml::from_str::<InsightsConfig>("time_zone: CEST")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"CEST\" is not an IANA time zone name"),
            "{err}"
        );
    }
}

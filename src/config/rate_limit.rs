//! `rate_limit:` — how many `/api` requests per second each API key may make.

use std::num::NonZeroU32;

use serde::Deserialize;

/// Requests per second per key that Voyado Engage allows before it answers 429; the
/// default, so an integration tuned against Engage behaves the same here.
pub const ENGAGE_REQUESTS_PER_SECOND: u32 = 200;

/// A token bucket per API key: `burst` requests at once, refilled at
/// `requests_per_second`. Counted per instance: N instances behind a load balancer allow
/// up to N times the rate in total.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitConfig {
    /// `false` turns limiting off (load tests, a gateway that limits already).
    #[serde(deserialize_with = "super::load::bool_or_string")]
    pub enabled: bool,
    /// Sustained requests per second per key; 0 means Engage's 200.
    #[serde(deserialize_with = "super::load::number_or_string")]
    pub requests_per_second: u32,
    /// Requests a key may make at once after being idle; 0 means one second's worth
    /// (`requests_per_second`).
    #[serde(deserialize_with = "super::load::number_or_string")]
    pub burst: u32,
    /// Wrong or missing API keys accepted per minute from one client address; beyond it
    /// the address gets 429 (right key or not) until its oldest failure is a minute old.
    /// 0 turns this off.
    #[serde(deserialize_with = "super::load::number_or_string")]
    pub failed_keys_per_minute: u32,
}

/// Wrong keys per minute per client address unless configured: far above what a
/// misconfigured integration retrying sends, far below what guessing needs.
pub const DEFAULT_FAILED_KEYS_PER_MINUTE: u32 = 30;

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            requests_per_second: 0,
            burst: 0,
            failed_keys_per_minute: DEFAULT_FAILED_KEYS_PER_MINUTE,
        }
    }
}

/// The limit in force, with the defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitQuota {
    /// How fast a key's bucket refills.
    pub requests_per_second: NonZeroU32,
    /// How many requests the bucket holds.
    pub burst: NonZeroU32,
    /// Wrong keys per minute per client address; `None`: not limited.
    pub failed_keys_per_minute: Option<NonZeroU32>,
}

impl RateLimitConfig {
    /// `None` when limiting is off; otherwise the rate and burst, 0 replaced by defaults.
    pub fn quota(&self) -> Option<RateLimitQuota> {
        if !self.enabled {
            return None;
        }
        let engage = NonZeroU32::MIN.saturating_add(ENGAGE_REQUESTS_PER_SECOND - 1);
        let requests_per_second = NonZeroU32::new(self.requests_per_second).unwrap_or(engage);
        let burst = NonZeroU32::new(self.burst).unwrap_or(requests_per_second);
        Some(RateLimitQuota {
            requests_per_second,
            burst,
            failed_keys_per_minute: NonZeroU32::new(self.failed_keys_per_minute),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::config::load;
    use crate::config::load::load_env;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn quota(rate: u32, burst: u32) -> Option<RateLimitQuota> {
        Some(RateLimitQuota {
            requests_per_second: NonZeroU32::new(rate).unwrap(),
            burst: NonZeroU32::new(burst).unwrap(),
            failed_keys_per_minute: NonZeroU32::new(DEFAULT_FAILED_KEYS_PER_MINUTE),
        })
    }

    fn file(yaml: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "{yaml}").unwrap();
        file
    }

    #[test]
    fn absent_or_zero_is_engages_200_per_second() {
        let config = load_env(env(&[])).unwrap();
        assert_eq!(config.rate_limit.quota(), quota(200, 200));
        let zero = file("rate_limit: {requests_per_second: 0, burst: 0}");
        let config = load(Some(zero.path()), env(&[])).unwrap();
        assert_eq!(config.rate_limit.quota(), quota(200, 200));
    }

    #[test]
    fn from_the_file_and_the_environment() {
        let set = file("rate_limit: {requests_per_second: 50, burst: 400}");
        let config = load(Some(set.path()), env(&[])).unwrap();
        assert_eq!(config.rate_limit.quota(), quota(50, 400));
        let config = load(
            Some(set.path()),
            env(&[("RESTOCK_RATE_LIMIT__BURST", " 75 ")]),
        )
        .unwrap();
        assert_eq!(config.rate_limit.quota(), quota(50, 75));
        let rate_only = load_env(env(&[("RESTOCK_RATE_LIMIT__REQUESTS_PER_SECOND", "10")]));
        assert_eq!(rate_only.unwrap().rate_limit.quota(), quota(10, 10));
    }

    #[test]
    fn wrong_keys_per_minute_default_set_or_off() {
        let config = load_env(env(&[])).unwrap();
        let limit =
            |c: &crate::config::Config| c.rate_limit.quota().unwrap().failed_keys_per_minute;
        assert_eq!(limit(&config), NonZeroU32::new(30));
        let set = load_env(env(&[("RESTOCK_RATE_LIMIT__FAILED_KEYS_PER_MINUTE", "5")])).unwrap();
        assert_eq!(limit(&set), NonZeroU32::new(5));
        let off = load(
            Some(file("rate_limit: {failed_keys_per_minute: 0}").path()),
            env(&[]),
        )
        .unwrap();
        assert_eq!(limit(&off), None);
    }

    #[test]
    fn disabled_explicitly() {
        let off = file("rate_limit: {enabled: false}");
        let config = load(Some(off.path()), env(&[])).unwrap();
        assert_eq!(config.rate_limit.quota(), None);
        let config = load_env(env(&[("RESTOCK_RATE_LIMIT__ENABLED", "false")])).unwrap();
        assert_eq!(config.rate_limit.quota(), None);
    }

    #[test]
    fn bad_values_name_the_key() {
        let cases = [
            (
                load_env(env(&[("RESTOCK_RATE_LIMIT__BURST", "-5")])),
                "rate_limit.burst: must not be negative",
            ),
            (
                load(
                    Some(file("rate_limit: {requests_per_second: -1}").path()),
                    env(&[]),
                ),
                "rate_limit.requests_per_second: must not be negative",
            ),
            (
                load(
                    None,
                    env(&[("RESTOCK_RATE_LIMIT__REQUESTS_PER_SECOND", "lots")]),
                ),
                "rate_limit.requests_per_second: `lots` is not a whole number",
            ),
            (
                load(
                    Some(file("rate_limit: {requests_per_second: 2.5}").path()),
                    env(&[]),
                ),
                "rate_limit.requests_per_second: `2.5` is not a whole number",
            ),
            (
                load_env(env(&[("RESTOCK_RATE_LIMIT__ENABLED", "maybe")])),
                "rate_limit.enabled: `maybe` is not true or false",
            ),
            (
                load(Some(file("rate_limit: {rps: 5}").path()), env(&[])),
                "unknown field `rps`",
            ),
        ];
        for (result, expected) in cases {
            let err = result.unwrap_err().to_string();
            assert!(
                err.contains(expected),
                "{err}\n  should contain: {expected}"
            );
        }
    }
}

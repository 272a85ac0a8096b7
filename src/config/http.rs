//! `http:` — how long a client may take, and how much it may send, before the server gives
//! up on its connection. Every limit exists so that a slow or hostile client costs a
//! bounded amount of time and memory.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// The `http:` section; see docs/http.md for what a client sees when a limit is hit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// From the moment a connection can take a request (just opened, or its previous
    /// response sent) until the request's whole head has arrived.
    #[serde(deserialize_with = "duration")]
    pub header_read_timeout: Duration,
    /// From the end of the head until the whole body has arrived.
    #[serde(deserialize_with = "duration")]
    pub body_read_timeout: Duration,
    /// How long a kept-alive connection may sit without sending a byte.
    #[serde(deserialize_with = "duration")]
    pub keep_alive_timeout: Duration,
    /// After a shutdown signal: how long requests in flight may take to finish before the
    /// connections still open are dropped.
    #[serde(deserialize_with = "duration")]
    pub shutdown_timeout: Duration,
    /// Longest request target (path and query) answered; longer gets 414.
    #[serde(deserialize_with = "super::load::number_or_string")]
    pub max_uri_bytes: usize,
    /// Largest request head (all header names and values) answered; larger gets 431.
    #[serde(deserialize_with = "super::load::number_or_string")]
    pub max_header_bytes: usize,
    /// Most header fields in one request; more gets 431.
    #[serde(deserialize_with = "super::load::number_or_string")]
    pub max_headers: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            keep_alive_timeout: Duration::from_secs(60),
            shutdown_timeout: Duration::from_secs(10),
            max_uri_bytes: 8 * 1024,
            max_header_bytes: 32 * 1024,
            max_headers: 100,
        }
    }
}

/// A duration written as the rule language writes them (`10s`, `2m`), at least a second.
fn duration<'de, D: Deserializer<'de>>(de: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(de)?;
    crate::dsl::Duration::parse(text.trim())
        .and_then(|d| u64::try_from(d.as_millis()).ok())
        .filter(|millis| *millis > 0)
        .map(Duration::from_millis)
        .ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not a duration such as 10s or 2m"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_with_units() {
        let config: HttpConfig = serde_yaml::from_str("header_read_timeout: 5s").unwrap();
        assert_eq!(config.header_read_timeout, Duration::from_secs(5));
        assert_eq!(config.body_read_timeout, Duration::from_secs(30));
        let err = serde_yaml::from_str::<HttpConfig>("body_read_timeout: 5").unwrap_err();
        assert!(err.to_string().contains("not a duration"), "{err}");
        assert!(serde_yaml::from_str::<HttpConfig>("shutdown_timeout: 0s").is_err());
    }
}

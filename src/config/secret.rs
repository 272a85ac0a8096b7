use std::fmt;

use serde::{Deserialize, Deserializer};

/// A value that must never reach a log: `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The real value, for the one place that needs it (a comparison, a connection).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A connection URL with its password replaced, fit for a log line.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{user}:***@{host}")
        }
        None => authority.to_owned(),
    };
    format!("{scheme}://{authority}{}", redact_query_password(path))
}

fn redact_query_password(path: &str) -> String {
    let Some((before, query)) = path.split_once('?') else {
        return path.to_owned();
    };
    let params: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => p.to_owned(),
        })
        .collect();
    format!("{before}?{}", params.join("&"))
}

/// `api_keys` comes as a YAML list in the file and as `a,b` in `RESTOCK_API_KEYS`.
pub(super) fn list_or_comma_separated<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<Vec<Secret>, D::Error> {
    Ok(super::load::comma_list(de)?
        .into_iter()
        .map(Secret)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "***");
    }

    #[test]
    fn urls_lose_their_password() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/restock"),
            "postgres://app:***@db:5432/restock"
        );
        assert_eq!(redact_url("sqlite://restock.db"), "sqlite://restock.db");
        assert_eq!(
            redact_url("postgres://db/x?user=a&password=b@c"),
            "postgres://db/x?user=a&password=***"
        );
    }
}

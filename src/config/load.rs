use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};
use serde_yaml::{Mapping, Value};
use thiserror::Error;

use super::Config;

const DEFAULT_FILE: &str = "restock.yaml";
const ENV_PREFIX: &str = "RESTOCK_";
/// Read by the CLI itself, not a configuration key.
const ENV_CONFIG_FILE: &str = "RESTOCK_CONFIG";
/// The top-level configuration keys (the fields of [`Config`]).
const KEYS: &[&str] = &[
    "listen",
    "database_url",
    "database_max_connections",
    "api_keys",
    "api_key_file",
    "rules_dir",
    "templates_dir",
    "templates_fallback_locale",
    "mail",
    "public_url",
    "unsubscribe_secret",
    "unsubscribe_secret_file",
    "feeds",
    "contact_attributes",
    "engine",
    "delivery",
    "webhook",
    "max_body_bytes",
    "http",
    "rate_limit",
    "console",
    "insights",
    "tracking",
    "attribution",
    "storefront",
];

/// Whether `RESTOCK_<key>` names a configuration key (its first `__` segment).
fn is_known(key: &str) -> bool {
    let top = key
        .split("__")
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    KEYS.contains(&top.as_str())
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid YAML: {source}")]
    Yaml {
        path: PathBuf,
        source: serde_yaml::Error,
    },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    /// `key` is the path of the value at fault (`rate_limit.burst`), empty when the
    /// problem is the whole document (an unknown top-level key).
    #[error("invalid configuration ({origin}): {}{source}", key_prefix(.key))]
    Invalid {
        origin: String,
        key: String,
        source: serde_yaml::Error,
    },
}

/// Reads the configuration: defaults, then the file (an explicit `path` must exist;
/// otherwise `restock.yaml` is read when present), then `RESTOCK_*` variables from `env`.
pub fn load(
    path: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Config, ConfigError> {
    let (tree, origin) = match path {
        Some(path) => (read_file(path)?, path.display().to_string()),
        None if Path::new(DEFAULT_FILE).exists() => {
            (read_file(Path::new(DEFAULT_FILE))?, DEFAULT_FILE.to_owned())
        }
        None => (Mapping::new(), "defaults".to_owned()),
    };
    from_tree(tree, origin, env)
}

/// The defaults and `env` only, whatever `restock.yaml` the working directory holds: the
/// tests' starting point (the repository's own `restock.yaml` is the example shop).
#[cfg(test)]
pub(crate) fn load_env(
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Config, ConfigError> {
    from_tree(Mapping::new(), "defaults".to_owned(), env)
}

/// `tree` (the file's contents, or nothing) with the `RESTOCK_*` variables of `env` over it.
fn from_tree(
    mut tree: Mapping,
    origin: String,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Config, ConfigError> {
    let mut overridden = Vec::new();
    for (var, raw) in env {
        let Some(key) = var.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        if var == ENV_CONFIG_FILE || key.is_empty() {
            continue;
        }
        if !is_known(key) {
            // Not ours: Kubernetes, for one, sets RESTOCK_PORT and RESTOCK_SERVICE_HOST for
            // a service named restock. Say so, in case it is a typo.
            tracing::warn!(variable = %var, "ignoring an environment variable that names no configuration key");
            continue;
        }
        set_path(&mut tree, key, env_value(&var, &raw)?, &var)?;
        overridden.push(var);
    }
    let public_url_set = tree.contains_key("public_url");
    let origin = if overridden.is_empty() {
        origin
    } else {
        format!("{origin} with {}", overridden.join(", "))
    };
    let mut config: Config =
        serde_path_to_error::deserialize(Value::Mapping(tree)).map_err(|err| {
            let key = err.path().to_string();
            ConfigError::Invalid {
                origin,
                key: if key == "." { String::new() } else { key },
                source: err.into_inner(),
            }
        })?;
    if !public_url_set {
        config.public_url = super::public_url::from_listen(config.listen);
        config.public_url_from_listen = true;
    }
    Ok(config)
}

fn key_prefix(key: &str) -> String {
    if key.is_empty() {
        String::new()
    } else {
        format!("{key}: ")
    }
}

fn read_file(path: &Path) -> Result<Mapping, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    if text.trim().is_empty() {
        return Ok(Mapping::new());
    }
    serde_yaml::from_str(&text).map_err(|source| ConfigError::Yaml {
        path: path.to_owned(),
        source,
    })
}

/// A variable is taken as a plain string, except a YAML flow list or map (`[a, b]`,
/// `{sv-SE: feeds/sv.xml}`), so a password like `yes` or `0123` is never reinterpreted.
fn env_value(var: &str, raw: &str) -> Result<Value, ConfigError> {
    let trimmed = raw.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        return serde_yaml::from_str(raw).map_err(|e| ConfigError::Env {
            var: var.to_owned(),
            message: format!("not a valid YAML list or map: {e}"),
        });
    }
    Ok(Value::String(raw.to_owned()))
}

/// `MAIL__SMTP_URL` sets `mail.smtp_url`.
fn set_path(tree: &mut Mapping, key: &str, value: Value, var: &str) -> Result<(), ConfigError> {
    let mut parts = key.split("__").map(str::to_ascii_lowercase).peekable();
    let mut node = tree;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            node.insert(Value::String(part), value);
            return Ok(());
        }
        let child = node
            .entry(Value::String(part.clone()))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        node = child.as_mapping_mut().ok_or_else(|| ConfigError::Env {
            var: var.to_owned(),
            message: format!("`{part}` is not a section"),
        })?;
    }
    Ok(())
}

/// Numbers come as YAML numbers from the file and as text from the environment. Every
/// numeric key is a count or a size, so a negative value gets an error that says so rather
/// than a parser's "invalid digit".
pub(super) fn number_or_string<'de, D, T>(de: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Signed(i64),
        Unsigned(u64),
        Float(f64),
        Text(String),
    }
    let text = match Raw::deserialize(de)? {
        Raw::Signed(n) => n.to_string(),
        Raw::Unsigned(n) => n.to_string(),
        Raw::Float(n) => n.to_string(),
        Raw::Text(text) => text,
    };
    let trimmed = text.trim();
    trimmed.parse().map_err(|e| {
        let message = if trimmed.starts_with('-') {
            format!("must not be negative, got `{text}`")
        } else {
            format!("`{text}` is not a whole number: {e}")
        };
        serde::de::Error::custom(message)
    })
}

/// Booleans come as YAML booleans from the file and as `true`/`false` text from the
/// environment.
pub(super) fn bool_or_string<'de, D: Deserializer<'de>>(de: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Text(String),
    }
    match Raw::deserialize(de)? {
        Raw::Bool(b) => Ok(b),
        Raw::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "on" => Ok(true),
            "false" | "no" | "0" | "off" => Ok(false),
            _ => Err(serde::de::Error::custom(format!(
                "`{text}` is not true or false"
            ))),
        },
    }
}

/// A list of durations written as the rule language writes them (`30s`, `5m`, `1h30m`);
/// from the environment, comma-separated.
pub(super) fn durations<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<Vec<std::time::Duration>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        List(Vec<String>),
        Text(String),
    }
    let items = match Raw::deserialize(de)? {
        Raw::List(list) => list,
        Raw::Text(text) => text.split(',').map(|s| s.trim().to_owned()).collect(),
    };
    items
        .iter()
        .map(|item| {
            crate::dsl::Duration::parse(item)
                .and_then(|d| u64::try_from(d.as_millis()).ok())
                .map(std::time::Duration::from_millis)
                .ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "`{item}` is not a duration such as 30s, 5m or 2h"
                    ))
                })
        })
        .collect()
}

/// A list written as a YAML list or as one comma-separated string (as an environment
/// variable can only be), each item trimmed, empty items dropped.
pub(super) fn comma_list<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Items {
        List(Vec<String>),
        Text(String),
    }
    let items = match Items::deserialize(de)? {
        Items::List(list) => list,
        Items::Text(text) => text.split(',').map(str::to_owned).collect(),
    };
    Ok(items
        .into_iter()
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_key_list_is_the_config_struct() {
        // serde lists the expected fields when it meets an unknown one.
        let err = serde_yaml::from_str::<super::Config>("zzz: 1")
            .unwrap_err()
            .to_string();
        let expected = err.split("expected one of ").nth(1).unwrap();
        let mut fields: Vec<&str> = expected
            .split(", ")
            .map(|f| f.trim_matches(|c| c == '`' || c == ' '))
            .collect();
        fields
            .iter_mut()
            .for_each(|f| *f = f.split('`').next().unwrap());
        let mut keys = super::KEYS.to_vec();
        fields.sort_unstable();
        keys.sort_unstable();
        assert_eq!(fields, keys);
    }

    use super::*;
    use std::io::Write;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_without_file_or_env() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.yaml");
        assert!(matches!(
            load(Some(&missing), env(&[])),
            Err(ConfigError::Read { .. })
        ));
    }

    #[test]
    fn file_then_env_overrides() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            file,
            "listen: 0.0.0.0:9000\napi_keys: [a, b]\nmax_body_bytes: 100"
        )
        .unwrap();
        let config = load(
            Some(file.path()),
            env(&[
                ("RESTOCK_MAX_BODY_BYTES", "2048"),
                ("RESTOCK_API_KEYS", "k1, k2"),
                ("RESTOCK_FEEDS", "{sv-SE: feeds/sv.xml}"),
                ("RESTOCK_CONFIG", "ignored.yaml"),
                ("OTHER", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.max_body_bytes, 2048);
        let keys: Vec<&str> = config.api_keys.iter().map(|k| k.expose()).collect();
        assert_eq!(keys, ["k1", "k2"]);
        let sv = crate::domain::Locale::parse("sv-SE").unwrap();
        assert!(config.feeds.sources.contains_key(&sv));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "listn: 127.0.0.1:1").unwrap();
        let err = load(Some(file.path()), env(&[])).unwrap_err().to_string();
        assert!(err.contains("unknown field `listn`"), "{err}");
        // Variables that name no key (Kubernetes' RESTOCK_PORT) are ignored, not fatal.
        let config = load_env(env(&[("RESTOCK_PORT", "tcp://10.0.0.1:80")])).unwrap();
        assert_eq!(config.listen.port(), 8080);
        let err = load_env(env(&[("RESTOCK_MAX_BODY_BYTES", "lots")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("max_body_bytes") || err.contains("not a number"),
            "{err}"
        );
    }

    #[test]
    fn nested_sections_from_the_environment() {
        let config = load(
            None,
            env(&[
                ("RESTOCK_ENGINE__ENABLED", "false"),
                ("RESTOCK_ENGINE__CHUNK_SIZE", "500"),
            ]),
        )
        .unwrap();
        assert!(!config.engine.enabled);
        assert_eq!(config.engine.chunk_size, 500);
    }

    #[test]
    fn secrets_stay_strings() {
        let config = load_env(env(&[("RESTOCK_API_KEYS", "yes")])).unwrap();
        assert_eq!(config.api_keys[0].expose(), "yes");
    }
}

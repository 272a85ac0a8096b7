use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::schema::{normalize, Builtin};
use super::FieldType;
use crate::domain::Locale;

/// The `feeds:` section of the configuration: one product feed per locale.
///
/// ```yaml
/// feeds:
///   sv-SE: feeds/sv.xml                 # format from the extension
///   pl-pl:                              # locale keys are case-insensitive
///     path: feeds/pl.tsv
///     format: tsv                       # xml | csv | tsv | jsonl
///     sku_field: mpn                    # which feed field is the SKU (default: id)
///     currency: PLN                     # for prices written without a currency
///     fields: {rating: number, vip_only: boolean}
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedsConfig {
    /// One source per locale; locales are canonical, so `sv-se` and `sv-SE` are one key.
    pub sources: BTreeMap<Locale, FeedSource>,
}

/// Where one locale's feed comes from and how to read it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSource {
    /// The feed file. Relative paths are taken from the working directory unless the
    /// application calls [`FeedsConfig::relative_to`].
    pub path: PathBuf,
    /// Overrides the format inferred from the extension.
    #[serde(default)]
    pub format: Option<FeedFormat>,
    /// The feed field holding the SKU that stock levels carry, e.g. `mpn`, `item_group_id`
    /// or a CSV column; defaults to Merchant's `id` (or `sku`).
    #[serde(default)]
    pub sku_field: Option<String>,
    /// ISO 4217 code for prices that carry none (`199.00` rather than `199.00 SEK`).
    #[serde(default)]
    pub currency: Option<String>,
    /// Types of custom fields; unlisted custom fields are strings.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldType>,
}

/// A feed's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FeedFormat {
    /// Google Merchant XML: RSS 2.0 `<item>`s or Atom `<entry>`s with the `g:` namespace.
    #[serde(alias = "rss", alias = "atom")]
    Xml,
    /// A header row, then one row per product; the separator (comma, tab or semicolon) is
    /// taken from the header row.
    Csv,
    /// Tab separated, as Merchant's text feeds are.
    Tsv,
    /// One JSON object per line.
    #[serde(alias = "ndjson")]
    Jsonl,
}

impl FeedFormat {
    /// The format a file name implies, if any.
    pub fn infer(path: &Path) -> Option<FeedFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "xml" | "rss" | "atom" => Some(FeedFormat::Xml),
            "csv" | "txt" => Some(FeedFormat::Csv),
            "tsv" => Some(FeedFormat::Tsv),
            "jsonl" | "ndjson" => Some(FeedFormat::Jsonl),
            _ => None,
        }
    }
}

impl fmt::Display for FeedFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FeedFormat::Xml => "xml",
            FeedFormat::Csv => "csv",
            FeedFormat::Tsv => "tsv",
            FeedFormat::Jsonl => "jsonl",
        })
    }
}

impl FeedSource {
    /// A source with everything but the path left to defaults.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            format: None,
            sku_field: None,
            currency: None,
            fields: BTreeMap::new(),
        }
    }

    /// The configured format, or the one the extension implies.
    pub fn resolved_format(&self) -> Option<FeedFormat> {
        self.format.or_else(|| FeedFormat::infer(&self.path))
    }

    /// Checks what serde cannot: a usable currency code and custom field types that do
    /// not redefine built-in fields. Also run by the loader, for sources built in code.
    pub fn validate(&self) -> Result<(), String> {
        if self.resolved_format().is_none() {
            return Err(format!(
                "cannot tell the format of {} from its extension; set `format` to xml, csv, tsv or jsonl",
                self.path.display()
            ));
        }
        if let Some(code) = &self.currency {
            if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(format!(
                    "currency {code:?} is not an ISO 4217 code such as SEK"
                ));
            }
        }
        if self
            .sku_field
            .as_deref()
            .is_some_and(|f| f.trim().is_empty())
        {
            return Err("sku_field must not be blank".to_owned());
        }
        for name in self.fields.keys() {
            crate::dsl::check_product_field_name(super::schema::custom_name(name))
                .map_err(|why| format!("fields.{name:?} cannot be a field: {why}"))?;
            let builtin = Builtin::ALL
                .into_iter()
                .find(|b| normalize(b.name()) == normalize(name));
            if let Some(builtin) = builtin {
                return Err(format!(
                    "fields.{name}: `{}` is a built-in field; only custom fields take a type",
                    builtin.name()
                ));
            }
        }
        Ok(())
    }
}

impl FeedsConfig {
    /// Resolves relative feed paths against `base` (typically the config file's folder).
    pub fn relative_to(mut self, base: &Path) -> Self {
        for source in self.sources.values_mut() {
            if source.path.is_relative() {
                source.path = base.join(&source.path);
            }
        }
        self
    }
}

impl<'de> Deserialize<'de> for FeedsConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SourcesVisitor)
    }
}

struct SourcesVisitor;

impl<'de> Visitor<'de> for SourcesVisitor {
    type Value = FeedsConfig;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map from locale (e.g. sv-SE) to a feed path or {path, format, sku_field, currency, fields}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FeedsConfig, A::Error> {
        let mut sources = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let locale = Locale::parse(&key)
                .map_err(|e| de::Error::custom(format!("locale {key:?} {e}")))?;
            let source: SourceSpec = map.next_value()?;
            if sources.insert(locale.clone(), source.0).is_some() {
                return Err(de::Error::custom(format!(
                    "locale {locale} is configured twice (locales ignore case)"
                )));
            }
        }
        Ok(FeedsConfig { sources })
    }
}

/// A source written either as a bare path or as a table.
struct SourceSpec(FeedSource);

impl<'de> Deserialize<'de> for SourceSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SourceVisitor)
    }
}

struct SourceVisitor;

impl<'de> Visitor<'de> for SourceVisitor {
    type Value = SourceSpec;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a feed path, or a table {path, format, sku_field, currency, fields}")
    }

    fn visit_str<E: de::Error>(self, path: &str) -> Result<SourceSpec, E> {
        let source = FeedSource::new(path);
        source.validate().map_err(E::custom)?;
        Ok(SourceSpec(source))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SourceSpec, A::Error> {
        let source = FeedSource::deserialize(de::value::MapAccessDeserializer::new(map))?;
        source.validate().map_err(de::Error::custom)?;
        Ok(SourceSpec(source))
    }
}

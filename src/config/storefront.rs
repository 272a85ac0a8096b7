//! `storefront:` — sign-ups from the shop's own pages (docs/storefront.md).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::load;
use super::tracking::duration;

/// The public sign-up: who may call it from a browser, how a sign-up is confirmed, and
/// what keeps bots out.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorefrontConfig {
    /// Serves `/storefront/*` (public: no API key). Off unless configured.
    #[serde(deserialize_with = "load::bool_or_string")]
    pub enabled: bool,
    /// Shop origins (`https://shop.example.com`) whose pages may call the sign-up from a
    /// browser; a request from any other origin is refused and gets no CORS headers.
    #[serde(deserialize_with = "load::comma_list")]
    pub allowed_origins: Vec<String>,
    /// Whether a sign-up waits for its confirmation email: `true`/`false` for every locale,
    /// or per locale with `"*"` for the rest (`{"*": true, "en-US": false}`).
    pub double_opt_in: OptIn,
    /// How long a sign-up waits for its confirmation before it is forgotten.
    #[serde(deserialize_with = "duration")]
    pub pending_ttl: Duration,
    /// A repeated sign-up sends its confirmation again only this long after the last one.
    #[serde(deserialize_with = "duration")]
    pub cooldown: Duration,
    /// Leading zero bits the proof of work needs (each one doubles its cost).
    #[serde(deserialize_with = "load::number_or_string")]
    pub difficulty: u8,
    /// How long a challenge may be solved and used.
    #[serde(deserialize_with = "duration")]
    pub challenge_ttl: Duration,
    /// Sign-ups per client address and per email address.
    pub limits: SignupLimits,
    /// Email domains: when `allow` is not empty only those, never those in `deny`.
    pub email_domains: EmailDomains,
    /// How a sign-up's client address is kept in its consent record.
    pub ip: IpKeeping,
    /// The consent wording the form shows, and its version, kept with every consent.
    pub consent: ConsentWording,
    /// Serves the example shop's product page at `/storefront/demo/{sku}`.
    #[serde(deserialize_with = "load::bool_or_string")]
    pub demo: bool,
}

impl Default for StorefrontConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            allowed_origins: Vec::new(),
            double_opt_in: OptIn::Everywhere(true),
            pending_ttl: Duration::from_secs(48 * 3600),
            cooldown: Duration::from_secs(10 * 60),
            difficulty: 14,
            challenge_ttl: Duration::from_secs(5 * 60),
            limits: SignupLimits::default(),
            email_domains: EmailDomains::default(),
            ip: IpKeeping::Truncate,
            consent: ConsentWording::default(),
            demo: false,
        }
    }
}

/// Double opt-in everywhere or per locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptIn {
    Everywhere(bool),
    /// Locale → on; `"*"` for every other locale (on when absent).
    PerLocale(BTreeMap<String, bool>),
}

impl<'de> Deserialize<'de> for OptIn {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Flag(bool),
            Text(String),
            PerLocale(BTreeMap<String, bool>),
        }
        match Written::deserialize(de)? {
            Written::Flag(on) => Ok(Self::Everywhere(on)),
            Written::Text(text) => match text.trim() {
                "true" => Ok(Self::Everywhere(true)),
                "false" => Ok(Self::Everywhere(false)),
                other => Err(serde::de::Error::custom(format!(
                    "`{other}` is not true, false or a map of locale to true/false"
                ))),
            },
            Written::PerLocale(map) => Ok(Self::PerLocale(map)),
        }
    }
}

impl OptIn {
    /// Whether a sign-up in `locale` waits for its confirmation.
    pub fn double_for(&self, locale: &str) -> bool {
        match self {
            Self::Everywhere(on) => *on,
            Self::PerLocale(map) => map
                .get(locale)
                .or_else(|| map.get("*"))
                .copied()
                .unwrap_or(true),
        }
    }
}

/// `storefront.limits`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignupLimits {
    #[serde(deserialize_with = "load::number_or_string")]
    pub per_ip: u32,
    #[serde(deserialize_with = "duration")]
    pub ip_window: Duration,
    #[serde(deserialize_with = "load::number_or_string")]
    pub per_address: u32,
    #[serde(deserialize_with = "duration")]
    pub address_window: Duration,
    /// Sign-ups waiting for their confirmation that one address may have.
    #[serde(deserialize_with = "load::number_or_string")]
    pub pending_per_address: u32,
}

impl Default for SignupLimits {
    fn default() -> Self {
        Self {
            per_ip: 10,
            ip_window: Duration::from_secs(10 * 60),
            per_address: 3,
            address_window: Duration::from_secs(3600),
            pending_per_address: 5,
        }
    }
}

/// `storefront.email_domains`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailDomains {
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

impl EmailDomains {
    /// Whether an address at `domain` may sign up (case-insensitive; a listed domain
    /// covers its subdomains).
    pub fn admits(&self, domain: &str) -> bool {
        let domain = domain.to_ascii_lowercase();
        let covers = |listed: &String| {
            let listed = listed.trim().trim_start_matches('@').to_ascii_lowercase();
            domain == listed || domain.ends_with(&format!(".{listed}"))
        };
        (self.allow.is_empty() || self.allow.iter().any(covers)) && !self.deny.iter().any(covers)
    }
}

/// `storefront.ip`: what of the client address a consent record keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IpKeeping {
    /// The network only: IPv4 /24, IPv6 /48 (the default).
    Truncate,
    /// A keyed hash: the same address gives the same value, which names no one.
    Hash,
    /// The whole address.
    Full,
    /// Nothing.
    None,
}

/// `storefront.consent`: the wording shown beside the checkbox, per locale, and its
/// version (change the version whenever the wording changes).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsentWording {
    pub version: String,
    /// Locale → wording; locales without one get the built-in wording of their language.
    pub text: BTreeMap<String, String>,
}

impl Default for ConsentWording {
    fn default() -> Self {
        Self {
            version: "1".to_owned(),
            text: BTreeMap::new(),
        }
    }
}

//! `storefront:` — sign-ups from the shop's own pages (docs/storefront.md).

use std::collections::BTreeMap;
use std::net::IpAddr;
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
    #[serde(deserialize_with = "origins")]
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
    /// Reverse proxies in front of Restock (`10.0.0.0/8`, `127.0.0.1`): a sign-up that
    /// comes through one is counted and recorded under the address its `X-Forwarded-For`
    /// names, read from the right past every trusted hop. Empty: the TCP peer is the
    /// shopper, and the header is ignored (anyone can write it).
    #[serde(deserialize_with = "networks")]
    pub trusted_proxies: Vec<Network>,
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
            trusted_proxies: Vec::new(),
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

/// An IP network: an address and how many of its leading bits a member shares
/// (`10.0.0.0/8`; a lone address is all of its bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let address: IpAddr = address
            .parse()
            .map_err(|_| format!("`{text}` is not an IP address or network such as 10.0.0.0/8"))?;
        let bits = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| format!("`{text}`: the prefix must be 0 to {bits}"))?,
        };
        Ok(Self { address, prefix })
    }

    /// Whether `ip` is in the network (an IPv4 address in an IPv6 form is its IPv4 self).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let (ours, theirs, bits) = match (self.address, ip) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                (u128::from(u32::from(a)), u128::from(u32::from(b)), 32)
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
            _ => return false,
        };
        let shift = bits - u32::from(self.prefix);
        shift >= bits || (ours >> shift) == (theirs >> shift)
    }
}

/// Origins as a browser sends them: `https://host[:port]`, nothing after (a trailing `/`
/// is dropped); anything else could never match and is refused.
fn origins<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Vec<String>, D::Error> {
    load::comma_list(de)?
        .into_iter()
        .map(|raw| {
            let origin = raw.trim_end_matches('/');
            let host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .unwrap_or_default();
            let valid = !host.is_empty()
                && !host.contains(['/', '?', '#', '@', ' '])
                && !host.chars().any(char::is_control);
            valid.then(|| origin.to_owned()).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "`{raw}` is not an origin such as https://shop.example.com (scheme and host, no path)"
                ))
            })
        })
        .collect()
}

fn networks<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Vec<Network>, D::Error> {
    load::comma_list(de)?
        .iter()
        .map(|text| Network::parse(text).map_err(serde::de::Error::custom))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn origins_are_scheme_and_host_only() {
        let read =
            |yaml: &str| serde_yaml::from_str::<StorefrontConfig>(yaml).map(|c| c.allowed_origins);
        assert_eq!(
            read("allowed_origins: [\"https://shop.example.com/\", \"http://localhost:3000\"]")
                .unwrap(),
            ["https://shop.example.com", "http://localhost:3000"]
        );
        assert_eq!(
            read("allowed_origins: \"https://a.example, https://b.example\"")
                .unwrap()
                .len(),
            2
        );
        for bad in [
            "shop.example.com",
            "https://shop.example.com/p/1",
            "ftp://x",
            "https://",
        ] {
            let err = read(&format!("allowed_origins: [\"{bad}\"]"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("is not an origin"), "{bad}: {err}");
        }
    }

    #[test]
    fn networks_hold_their_members_and_nothing_else() {
        let private = Network::parse("10.0.0.0/8").unwrap();
        assert!(private.contains(ip("10.1.2.3")));
        assert!(!private.contains(ip("11.0.0.1")));
        assert!(private.contains(ip("::ffff:10.9.9.9")), "IPv4 in IPv6 form");
        let one = Network::parse("127.0.0.1").unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let v6 = Network::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:1::1")) && !v6.contains(ip("2001:db9::1")));
        assert!(!v6.contains(ip("10.0.0.1")));
        assert!(Network::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        for bad in ["", "10.0.0.0/33", "example.com", "10.0.0.0/x", "::/129"] {
            assert!(Network::parse(bad).is_err(), "{bad}");
        }
    }
}

//! `GET /storefront/challenge` and `POST /storefront/subscriptions`: the public sign-up.
//!
//! Every check that can refuse a sign-up runs before the store is touched, except the
//! ones that need it (the proof's being unspent, the limits), which run in the sign-up's
//! own transaction. The answer to an accepted sign-up is the same whatever the store
//! found (a new address, a known one, one already waiting for the product, one with too
//! many pending sign-ups), so nobody learns from it who is a shopper of the shop.

use std::net::IpAddr;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::words::words;
use super::{Challenges, ProofError, StorefrontError, StorefrontState};
use crate::config::IpKeeping;
use crate::domain::{EmailAddress, ExternalId, Locale, Sku};
use crate::store::{NewSignup, SignupLimit, SignupOutcome};
use crate::web::throttle::ClientAddress;

/// The largest sign-up body read: a real one is well under 2 KiB.
pub const MAX_SIGNUP_BYTES: usize = 8 * 1024;
/// The longest source page and user agent kept.
const MAX_PAGE: usize = 2048;
const MAX_AGENT: usize = 512;
const MAX_VERSION: usize = 64;

#[derive(Debug, Deserialize)]
pub struct ChallengeQuery {
    locale: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ChallengeBody<'a> {
    challenge: String,
    difficulty: u8,
    expires_on: String,
    consent: ConsentBody<'a>,
}

#[derive(Debug, Serialize)]
struct ConsentBody<'a> {
    version: &'a str,
    text: &'a str,
}

/// A fresh challenge and the consent wording for the locale (the widget shows it beside
/// the checkbox and sends its version back). Never cached: each is single-use.
pub async fn challenge(
    State(state): State<StorefrontState>,
    Query(query): Query<ChallengeQuery>,
) -> Response {
    let now = chrono::Utc::now();
    let issued = state.challenges.issue(now.timestamp_millis());
    let raw = query.locale.unwrap_or_default();
    let locale = Locale::parse(&raw).map_or(raw, |l| l.as_str().to_owned());
    let consent = &state.config.consent;
    let text = consent_text(&consent.text, &locale);
    let expires_on = chrono::DateTime::from_timestamp_millis(issued.expires_ms)
        .unwrap_or(now)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let body = ChallengeBody {
        challenge: issued.text,
        difficulty: issued.difficulty,
        expires_on,
        consent: ConsentBody {
            version: &consent.version,
            text,
        },
    };
    ([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// The shop's wording for `locale` (exact, then its language), else the built-in one.
pub(super) fn consent_text<'a>(
    texts: &'a std::collections::BTreeMap<String, String>,
    locale: &str,
) -> &'a str {
    let language = locale.split('-').next().unwrap_or_default();
    texts
        .get(locale)
        .or_else(|| {
            texts
                .iter()
                .find(|(l, _)| l.split('-').next() == Some(language))
                .map(|(_, t)| t)
        })
        .map_or(words(locale).consent, String::as_str)
}

/// A sign-up as the widget (or any client) sends it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct SignupRequest {
    pub email: String,
    pub sku: String,
    pub locale: String,
    #[serde(default)]
    pub external_id: Option<String>,
    pub consent_version: String,
    #[serde(default)]
    pub source_page: Option<String>,
    /// The honeypot: a field people never see, so never fill.
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub proof: Option<ProofRequest>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProofRequest {
    pub challenge: String,
    pub nonce: String,
}

/// The one answer to every accepted sign-up.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Accepted {
    status: &'static str,
    /// Whether an email asks the shopper to confirm (the locale's setting, not anything
    /// about the address).
    confirmation_required: bool,
}

/// What the checks make of a request: the domain values, nothing raw.
struct Checked {
    email: EmailAddress,
    sku: Sku,
    locale: Locale,
    external_id: Option<ExternalId>,
    consent_version: String,
    source_page: String,
    proof: ProofRequest,
}

pub async fn sign_up(
    State(state): State<StorefrontState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, StorefrontError> {
    let request = read(&headers, body).await?;
    let confirmation_required =
        submit(&state, &state.challenges, client, &headers, request).await?;
    let accepted = Accepted {
        status: "accepted",
        confirmation_required,
    };
    Ok((
        StatusCode::ACCEPTED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(accepted),
    )
        .into_response())
}

/// Checks a sign-up (its proof against `challenges`) and records it, counted under the
/// shopper's address (`peer`, or who a trusted proxy says it forwards); whether the
/// shopper is asked to confirm. Every accepted sign-up gets this same answer, whatever
/// the store found, and a filled honeypot gets it too with nothing stored.
pub(super) async fn submit(
    state: &StorefrontState,
    challenges: &Challenges,
    peer: IpAddr,
    headers: &HeaderMap,
    request: SignupRequest,
) -> Result<bool, StorefrontError> {
    let answer = record(state, challenges, peer, headers, request).await;
    // A store fault is no verdict on the sign-up: it is logged and answered 503.
    let outcome = match &answer {
        Ok((_, true)) => Some("honeypot"),
        Ok((_, false)) => Some("accepted"),
        Err(StorefrontError::Limited(_)) => Some("limited"),
        Err(StorefrontError::Store(_)) => None,
        Err(_) => Some("refused"),
    };
    if let Some(outcome) = outcome {
        state.metrics.signup(outcome);
    }
    answer.map(|(confirm, _)| confirm)
}

/// [`submit`]'s work: whether the shopper is asked to confirm, and whether the honeypot
/// took the sign-up.
async fn record(
    state: &StorefrontState,
    challenges: &Challenges,
    peer: IpAddr,
    headers: &HeaderMap,
    request: SignupRequest,
) -> Result<(bool, bool), StorefrontError> {
    let honeypot = request
        .website
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty());
    let client = super::client::shopper(peer, headers, &state.config.trusted_proxies);
    let checked = check(state, request)?;
    // The canonical locale (`sv-se` is `sv-SE`), as the configuration writes it.
    let double_opt_in = state
        .config
        .double_opt_in
        .double_for(checked.locale.as_str());
    let now_ms = chrono::Utc::now().timestamp_millis();
    let proof_expires_ms =
        challenges.verify(&checked.proof.challenge, &checked.proof.nonce, now_ms)?;
    if honeypot {
        tracing::info!("a sign-up with its honeypot field filled was dropped");
        return Ok((double_opt_in, true));
    }
    let user_agent = headers
        .get(header::USER_AGENT)
        .map(|v| truncate(&String::from_utf8_lossy(v.as_bytes()), MAX_AGENT))
        .unwrap_or_default();
    let limits = &state.config.limits;
    let signup = NewSignup {
        limits: vec![
            SignupLimit {
                bucket: format!("ip:{}", network_of(client)),
                max: limits.per_ip,
                window: limits.ip_window,
            },
            SignupLimit {
                bucket: format!("email:{}", address_digest(&checked.email)),
                max: limits.per_address,
                window: limits.address_window,
            },
        ],
        pending_cap: limits.pending_per_address,
        double_opt_in,
        pending_ttl: state.config.pending_ttl,
        cooldown: state.config.cooldown,
        ip: kept_ip(state.config.ip, &state.ip_key, client),
        user_agent,
        proof: checked.proof.challenge,
        proof_expires_ms,
        email: checked.email,
        sku: checked.sku,
        locale: checked.locale,
        external_id: checked.external_id,
        consent_version: checked.consent_version,
        source_page: checked.source_page,
    };
    match state.store.sign_up(signup).await? {
        SignupOutcome::Replayed => Err(ProofError::Replayed.into()),
        SignupOutcome::Limited { retry_after, .. } => Err(StorefrontError::Limited(retry_after)),
        SignupOutcome::Pending { mail: true, .. } => {
            state.wake_mailer.notify_one();
            Ok((double_opt_in, false))
        }
        SignupOutcome::Pending { .. }
        | SignupOutcome::Subscribed { .. }
        | SignupOutcome::AlreadySubscribed
        | SignupOutcome::Capped => Ok((double_opt_in, false)),
    }
}

/// The body, read only up to [`MAX_SIGNUP_BYTES`]: a bigger one is refused unread.
async fn read(headers: &HeaderMap, body: Body) -> Result<SignupRequest, StorefrontError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(StorefrontError::MediaType);
    }
    let body = axum::body::to_bytes(body, MAX_SIGNUP_BYTES)
        .await
        .map_err(|_| StorefrontError::TooLarge(MAX_SIGNUP_BYTES))?;
    serde_json::from_slice(&body).map_err(|e| {
        if e.is_data() {
            StorefrontError::field("body", e.to_string())
        } else {
            StorefrontError::Malformed(e.to_string())
        }
    })
}

/// Parses every field; all the faults at once.
fn check(state: &StorefrontState, r: SignupRequest) -> Result<Checked, StorefrontError> {
    let mut errors = Vec::new();
    let mut fault = |field: &str, message: String| {
        errors.push(crate::web::problem::FieldError::new(field, message));
    };
    let email = EmailAddress::parse(r.email.trim())
        .map_err(|e| fault("email", e.to_string()))
        .ok();
    if let Some(email) = &email {
        let domain = email.as_str().rsplit_once('@').map_or("", |(_, d)| d);
        if !state.config.email_domains.admits(domain) {
            fault(
                "email",
                "addresses at this domain cannot sign up here".into(),
            );
        }
    }
    let sku = Sku::parse(&r.sku)
        .map_err(|e| fault("sku", e.to_string()))
        .ok();
    let locale = Locale::parse(&r.locale)
        .map_err(|e| fault("locale", e.to_string()))
        .ok();
    let external_id = match r.external_id.as_deref() {
        None | Some("") => Some(None),
        Some(raw) => ExternalId::parse(raw)
            .map(Some)
            .map_err(|e| fault("externalId", e.to_string()))
            .ok(),
    };
    if r.consent_version.is_empty() || r.consent_version.len() > MAX_VERSION {
        fault(
            "consentVersion",
            "must be the version the challenge gave".into(),
        );
    } else if r.consent_version != state.config.consent.version {
        fault(
            "consentVersion",
            format!(
                "the consent wording is now version {:?}: show it again and send its version",
                state.config.consent.version
            ),
        );
    }
    let source_page = r.source_page.unwrap_or_default();
    let page_ok = source_page.is_empty()
        || (source_page.len() <= MAX_PAGE
            && (source_page.starts_with("https://") || source_page.starts_with("http://"))
            && !source_page.chars().any(char::is_control));
    if !page_ok {
        fault(
            "sourcePage",
            "must be the http(s) address of the page, at most 2048 bytes".into(),
        );
    }
    let Some(proof) = r.proof else {
        if errors.is_empty() {
            return Err(ProofError::Missing.into());
        }
        return Err(StorefrontError::Invalid(errors));
    };
    match (email, sku, locale, external_id) {
        (Some(email), Some(sku), Some(locale), Some(external_id)) if errors.is_empty() => {
            Ok(Checked {
                email,
                sku,
                locale,
                external_id,
                consent_version: r.consent_version,
                source_page,
                proof,
            })
        }
        _ => Err(StorefrontError::Invalid(errors)),
    }
}

/// The network a client address is counted under: an IPv6 client has a whole /64 to
/// itself, so counting single addresses would not slow one down.
fn network_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// The client address as `storefront.ip` says to keep it in the consent record.
fn kept_ip(keeping: IpKeeping, key: &[u8], ip: IpAddr) -> String {
    match keeping {
        IpKeeping::Full => ip.to_string(),
        IpKeeping::None => String::new(),
        IpKeeping::Truncate => match ip {
            IpAddr::V4(v4) => {
                let o = v4.octets();
                format!("{}.{}.{}.0/24", o[0], o[1], o[2])
            }
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
            }
        },
        IpKeeping::Hash => {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
                .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
            mac.update(ip.to_string().as_bytes());
            format!("hmac:{}", hex::encode(&mac.finalize().into_bytes()[..12]))
        }
    }
}

/// The address as a limit's bucket names it: a digest, so the limits table holds no
/// address (an erased contact leaves none behind there).
fn address_digest(email: &EmailAddress) -> String {
    use sha2::Digest;
    hex::encode(&Sha256::digest(email.key().as_bytes())[..16])
}

fn truncate(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_addresses_are_kept_as_configured() {
        let v4: IpAddr = "203.0.113.77".parse().unwrap();
        let v6: IpAddr = "2001:db8:1234:5678::1".parse().unwrap();
        assert_eq!(kept_ip(IpKeeping::Truncate, b"k", v4), "203.0.113.0/24");
        assert_eq!(kept_ip(IpKeeping::Truncate, b"k", v6), "2001:db8:1234::/48");
        assert_eq!(kept_ip(IpKeeping::Full, b"k", v4), "203.0.113.77");
        assert_eq!(kept_ip(IpKeeping::None, b"k", v4), "");
        let hashed = kept_ip(IpKeeping::Hash, b"k", v4);
        assert!(hashed.starts_with("hmac:") && !hashed.contains("203"));
        assert_eq!(hashed, kept_ip(IpKeeping::Hash, b"k", v4));
        assert_ne!(hashed, kept_ip(IpKeeping::Hash, b"other", v4));
        assert_eq!(network_of(v6), "2001:db8:1234:5678::/64");
    }

    #[test]
    fn the_shops_wording_wins_then_its_language_then_the_built_in_one() {
        let texts = [("sv-SE".to_owned(), "Butikens text".to_owned())].into();
        assert_eq!(consent_text(&texts, "sv-SE"), "Butikens text");
        assert_eq!(consent_text(&texts, "sv-FI"), "Butikens text");
        assert_eq!(consent_text(&texts, "fi-FI"), words("fi-FI").consent);
        assert_eq!(truncate("åäö", 3), "å");
    }
}

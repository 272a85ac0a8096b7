//! Signed links of the storefront: the confirmation link and the "my alerts" link (in
//! confirmation and back-in-stock emails alike), and the key of its challenges. Like
//! click tokens (`tracking/token.rs`) they are keyed with the unsubscribe secret over a
//! message that starts with their own label, so no token of one kind passes for another.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

/// 128 bits of MAC: forging one takes 2^128 guesses, and links stay short.
const TAG: usize = 16;
const CONFIRM: &[u8] = b"restock confirm\0";
const ALERTS: &[u8] = b"restock alerts\0";
const CHALLENGE: &[u8] = b"restock challenge\0";
const FORM: &[u8] = b"restock form\0";
const CLIENT: &[u8] = b"restock client\0";
/// The longest address key an alerts token carries (an address is at most 254 bytes).
const MAX_KEY: usize = 320;

/// Why a confirmation link does not confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// Not a link this server made (altered, truncated, another kind).
    Invalid,
    /// A genuine link past its time.
    Expired,
}

/// Makes and opens the storefront's links.
#[derive(Clone)]
pub struct LinkKey {
    secret: Vec<u8>,
}

impl std::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkKey(***)")
    }
}

impl LinkKey {
    /// The unsubscribe secret: one secret signs every link Restock sends.
    pub fn new(secret: &str) -> Self {
        Self {
            secret: secret.as_bytes().to_vec(),
        }
    }

    fn mac(&self, label: &[u8], body: &[u8]) -> HmacSha256 {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(label);
        mac.update(body);
        mac
    }

    fn seal(&self, label: &[u8], body: &[u8]) -> String {
        let tag = self.mac(label, body).finalize().into_bytes();
        let mut bytes = body.to_vec();
        bytes.extend_from_slice(&tag[..TAG]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn open(&self, label: &[u8], token: &str) -> Option<Vec<u8>> {
        if token.len() > 1024 {
            return None;
        }
        let mut bytes = URL_SAFE_NO_PAD.decode(token.as_bytes()).ok()?;
        let at = bytes.len().checked_sub(TAG)?;
        let tag = bytes.split_off(at);
        self.mac(label, &bytes).verify_truncated_left(&tag).ok()?;
        Some(bytes)
    }

    /// The key proofs of work are signed with (see `proof.rs`).
    pub fn challenge_key(&self) -> Vec<u8> {
        self.mac(CHALLENGE, b"").finalize().into_bytes().to_vec()
    }

    /// The key of the hosted form's tokens: not the challenges', so a form token (of no
    /// difficulty) is never a proof of work.
    pub fn form_key(&self) -> Vec<u8> {
        self.mac(FORM, b"").finalize().into_bytes().to_vec()
    }

    /// The key client addresses are hashed with where `storefront.ip` is `hash`.
    pub fn client_key(&self) -> Vec<u8> {
        self.mac(CLIENT, b"").finalize().into_bytes().to_vec()
    }

    /// The token confirming pending subscription `id`, valid until `expires`.
    pub fn confirm_token(&self, id: Uuid, expires: DateTime<Utc>) -> String {
        let mut body = id.as_bytes().to_vec();
        body.extend_from_slice(&expires.timestamp().to_be_bytes());
        self.seal(CONFIRM, &body)
    }

    /// The pending subscription a confirmation token names, if it is genuine and not
    /// past its time at `now`.
    pub fn confirm_id(&self, token: &str, now: DateTime<Utc>) -> Result<Uuid, LinkError> {
        let body = self.open(CONFIRM, token).ok_or(LinkError::Invalid)?;
        let (id, expires) = body.split_at_checked(16).ok_or(LinkError::Invalid)?;
        let expires: [u8; 8] = expires.try_into().map_err(|_| LinkError::Invalid)?;
        if i64::from_be_bytes(expires) <= now.timestamp() {
            return Err(LinkError::Expired);
        }
        Uuid::from_slice(id).map_err(|_| LinkError::Invalid)
    }

    /// The "my alerts" token of an address (its key, as contacts are found by).
    pub fn alerts_token(&self, email_key: &str) -> String {
        self.seal(ALERTS, email_key.as_bytes())
    }

    /// `{public_url}/storefront/alerts/{token}`.
    pub fn alerts_url(&self, public_url: &str, email_key: &str) -> String {
        format!(
            "{}/storefront/alerts/{}",
            public_url.trim_end_matches('/'),
            self.alerts_token(email_key)
        )
    }

    /// The address key an alerts token names, if it is genuine.
    pub fn alerts_key(&self, token: &str) -> Option<String> {
        let body = self.open(ALERTS, token)?;
        (body.len() <= MAX_KEY)
            .then(|| String::from_utf8(body).ok())
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmation_tokens_name_their_subscription_until_they_expire() {
        let key = LinkKey::new("secret");
        let (id, now) = (Uuid::now_v7(), Utc::now());
        let token = key.confirm_token(id, now + chrono::Duration::hours(48));
        assert_eq!(key.confirm_id(&token, now), Ok(id));
        assert_eq!(
            key.confirm_id(&token, now + chrono::Duration::hours(49)),
            Err(LinkError::Expired)
        );
        assert_eq!(
            LinkKey::new("other").confirm_id(&token, now),
            Err(LinkError::Invalid)
        );
        let mut altered = URL_SAFE_NO_PAD.decode(&token).unwrap();
        altered[20] ^= 1;
        let altered = URL_SAFE_NO_PAD.encode(altered);
        assert_eq!(key.confirm_id(&altered, now), Err(LinkError::Invalid));
        for junk in ["", "x", "%%%", &"A".repeat(5000)] {
            assert_eq!(key.confirm_id(junk, now), Err(LinkError::Invalid));
        }
    }

    #[test]
    fn one_kind_of_token_never_passes_for_another() {
        let key = LinkKey::new("secret");
        let alerts = key.alerts_token("anna@example.com");
        assert_eq!(key.alerts_key(&alerts).as_deref(), Some("anna@example.com"));
        assert_eq!(key.confirm_id(&alerts, Utc::now()), Err(LinkError::Invalid));
        let confirm = key.confirm_token(Uuid::now_v7(), Utc::now() + chrono::Duration::hours(1));
        assert_eq!(key.alerts_key(&confirm), None);
    }
}

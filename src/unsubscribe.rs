//! Signed unsubscribe tokens. The link in every email names the contact only through a
//! token that Restock alone can make (HMAC-SHA256 over the contact id with
//! `unsubscribe_secret`), so nobody can unsubscribe someone else by guessing an id.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

/// Makes and checks unsubscribe tokens: base64url of the contact id's 16 bytes followed
/// by the 32-byte MAC over them.
#[derive(Clone)]
pub struct UnsubscribeKey {
    secret: Vec<u8>,
}

impl std::fmt::Debug for UnsubscribeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnsubscribeKey(***)")
    }
}

impl UnsubscribeKey {
    pub fn new(secret: &str) -> Self {
        Self {
            secret: secret.as_bytes().to_vec(),
        }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes a key of any length, so this cannot fail.
        <HmacSha256 as Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"))
    }

    /// The token for `contact`: URL-safe, no padding, 64 characters.
    pub fn token(&self, contact: Uuid) -> String {
        let mut mac = self.mac();
        mac.update(contact.as_bytes());
        let mut bytes = contact.as_bytes().to_vec();
        bytes.extend_from_slice(&mac.finalize().into_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The contact a genuine token names; `None` for anything forged, altered or malformed
    /// (compared in constant time).
    pub fn verify(&self, token: &str) -> Option<Uuid> {
        let bytes = URL_SAFE_NO_PAD.decode(token.as_bytes()).ok()?;
        if bytes.len() != 48 {
            return None;
        }
        let (id, tag) = bytes.split_at(16);
        let mut mac = self.mac();
        mac.update(id);
        mac.verify_slice(tag).ok()?;
        Uuid::from_slice(id).ok()
    }

    /// `{public_url}/unsubscribe/{token}`.
    pub fn url(&self, public_url: &str, contact: Uuid) -> String {
        format!(
            "{}/unsubscribe/{}",
            public_url.trim_end_matches('/'),
            self.token(contact)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_forgeries_fail() {
        let key = UnsubscribeKey::new("s3cret");
        let contact = Uuid::now_v7();
        let token = key.token(contact);
        assert_eq!(key.verify(&token), Some(contact));
        assert_eq!(UnsubscribeKey::new("other").verify(&token), None);
        let mut forged = URL_SAFE_NO_PAD.decode(&token).unwrap();
        forged[0] ^= 1;
        assert_eq!(key.verify(&URL_SAFE_NO_PAD.encode(forged)), None);
        assert_eq!(key.verify("not a token"), None);
        assert_eq!(key.verify(""), None);
        assert_eq!(
            key.url("https://shop.example/", contact),
            format!("https://shop.example/unsubscribe/{token}")
        );
    }
}

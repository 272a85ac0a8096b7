//! Signed click tokens: base64url of the notification id (16 bytes), the product
//! snapshot id (16 bytes), the link's field name, and the first 16 bytes of an
//! HMAC-SHA256 over all of it. The MAC is keyed with the unsubscribe secret but over a
//! message that starts with its own label, so a click token is never an unsubscribe token
//! nor the other way round.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

/// What the MAC is taken over first: the purpose of the token.
const LABEL: &[u8] = b"restock click\0";
/// 128 bits of MAC: forging one takes 2^128 guesses, and links stay short.
const TAG: usize = 16;
const IDS: usize = 32;
/// The longest field name a token carries; longer names keep their raw link.
pub const MAX_LINK: usize = 64;

/// What a click token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClickToken {
    pub notification: Uuid,
    /// The product snapshot the email was rendered from, whose field is the target.
    pub product: Uuid,
    /// The product field of the link (`url`).
    pub link: String,
}

/// Makes and checks click tokens.
#[derive(Clone)]
pub struct ClickKey {
    secret: Vec<u8>,
}

impl std::fmt::Debug for ClickKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClickKey(***)")
    }
}

/// Whether `name` can travel in a token: 1 to 64 bytes of letters, digits and `_-.[]`.
pub fn is_token_link(name: &str) -> bool {
    (1..=MAX_LINK).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']'))
}

impl ClickKey {
    /// The key of the unsubscribe links (`unsubscribe_secret`): one secret signs every
    /// link in an email.
    pub fn new(secret: &str) -> Self {
        Self {
            secret: secret.as_bytes().to_vec(),
        }
    }

    fn mac(&self, body: &[u8]) -> HmacSha256 {
        // HMAC takes a key of any length, so this cannot fail.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(LABEL);
        mac.update(body);
        mac
    }

    /// The token for `token`; `None` when its link name cannot travel in one
    /// (see [`is_token_link`]).
    pub fn token(&self, token: &ClickToken) -> Option<String> {
        if !is_token_link(&token.link) {
            return None;
        }
        let mut bytes = Vec::with_capacity(IDS + token.link.len() + TAG);
        bytes.extend_from_slice(token.notification.as_bytes());
        bytes.extend_from_slice(token.product.as_bytes());
        bytes.extend_from_slice(token.link.as_bytes());
        let tag = self.mac(&bytes).finalize().into_bytes();
        bytes.extend_from_slice(&tag[..TAG]);
        Some(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// What a genuine token says; `None` for anything forged, altered or malformed
    /// (the MAC compared in constant time).
    pub fn verify(&self, token: &str) -> Option<ClickToken> {
        let bytes = URL_SAFE_NO_PAD.decode(token.as_bytes()).ok()?;
        let body_len = bytes.len().checked_sub(TAG)?;
        let (body, tag) = bytes.split_at(body_len);
        if body.len() <= IDS {
            return None;
        }
        self.mac(body).verify_truncated_left(tag).ok()?;
        let link = std::str::from_utf8(&body[IDS..]).ok()?;
        if !is_token_link(link) {
            return None;
        }
        Some(ClickToken {
            notification: Uuid::from_slice(&body[..16]).ok()?,
            product: Uuid::from_slice(&body[16..IDS]).ok()?,
            link: link.to_owned(),
        })
    }

    /// `{public_url}/r/{token}`.
    pub fn url(&self, public_url: &str, token: &ClickToken) -> Option<String> {
        let token = self.token(token)?;
        Some(format!("{}/r/{token}", public_url.trim_end_matches('/')))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unsubscribe::UnsubscribeKey;

    fn sample() -> ClickToken {
        ClickToken {
            notification: Uuid::now_v7(),
            product: Uuid::now_v7(),
            link: "url".to_owned(),
        }
    }

    #[test]
    fn tokens_round_trip_and_forgeries_fail() {
        let key = ClickKey::new("s3cret");
        let token = sample();
        let text = key.token(&token).unwrap();
        assert_eq!(key.verify(&text), Some(token.clone()));
        assert_eq!(ClickKey::new("other").verify(&text), None);
        let mut bytes = URL_SAFE_NO_PAD.decode(&text).unwrap();
        for i in [0, 20, 33, bytes.len() - 1] {
            bytes[i] ^= 1;
            assert_eq!(
                key.verify(&URL_SAFE_NO_PAD.encode(&bytes)),
                None,
                "byte {i}"
            );
            bytes[i] ^= 1;
        }
        assert_eq!(key.verify(""), None);
        assert_eq!(key.verify("not a token"), None);
        let url = key.url("https://shop.example/", &token).unwrap();
        assert_eq!(url, format!("https://shop.example/r/{text}"));
    }

    #[test]
    fn click_and_unsubscribe_tokens_never_stand_in_for_each_other() {
        let (click, unsubscribe) = (ClickKey::new("s"), UnsubscribeKey::new("s"));
        let token = sample();
        let text = click.token(&token).unwrap();
        assert_eq!(unsubscribe.verify(&text), None);
        assert_eq!(click.verify(&unsubscribe.token(token.notification)), None);
    }

    #[test]
    fn only_plain_field_names_travel() {
        let key = ClickKey::new("s");
        for bad in ["", "a b", "a/b", &"x".repeat(65), "ünicode"] {
            let token = ClickToken {
                link: bad.to_owned(),
                ..sample()
            };
            assert_eq!(key.token(&token), None, "{bad:?}");
        }
    }
}

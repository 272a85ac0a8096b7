//! The proof of work a sign-up carries instead of a third-party captcha.
//!
//! `GET /storefront/challenge` hands out `v1.<expires ms>.<difficulty>.<nonce>.<mac>`: an
//! expiring, HMAC-signed string only this server can make. The browser finds the smallest
//! `n` whose SHA-256 over `<challenge>:<n>` starts with `difficulty` zero bits (about
//! 2^difficulty hashes: a fraction of a second on a phone, real cost for a bot sending
//! thousands) and sends both with the sign-up. The server checks the signature, the expiry
//! and one hash; the store spends the challenge, so a solution buys one sign-up.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Why a proof is refused; each is a 400 with its own message, and nothing is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("the proof is missing: get a challenge from /storefront/challenge and solve it")]
    Missing,
    #[error("the challenge is not one this server issued")]
    Forged,
    #[error("the challenge has expired: get a new one")]
    Expired,
    #[error("the nonce does not solve the challenge")]
    Unsolved,
    #[error("the challenge was already used: get a new one")]
    Replayed,
}

/// A challenge as the widget receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub text: String,
    pub difficulty: u8,
    pub expires_ms: i64,
}

/// Issues and checks challenges with a key of their own (derived from the server's link
/// secret and a label, so no other signed value can pass for a challenge).
#[derive(Clone)]
pub struct Challenges {
    key: Vec<u8>,
    difficulty: u8,
    ttl: Duration,
}

impl std::fmt::Debug for Challenges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Challenges")
            .field("difficulty", &self.difficulty)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

const VERSION: &str = "v1";
/// The most zero bits a challenge may ask: beyond it no phone solves it in time.
pub const MAX_DIFFICULTY: u8 = 24;

impl Challenges {
    pub fn new(key: Vec<u8>, difficulty: u8, ttl: Duration) -> Self {
        Self {
            key,
            difficulty: difficulty.min(MAX_DIFFICULTY),
            ttl,
        }
    }

    fn mac(&self, signed: &str) -> Vec<u8> {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(signed.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// A fresh challenge, valid from `now_ms` for the configured time.
    pub fn issue(&self, now_ms: i64) -> Challenge {
        let nonce: [u8; 16] = rand::random();
        let ttl = i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX);
        let expires_ms = now_ms.saturating_add(ttl);
        let signed = format!(
            "{VERSION}.{expires_ms}.{}.{}",
            self.difficulty,
            URL_SAFE_NO_PAD.encode(nonce)
        );
        let text = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(self.mac(&signed)));
        Challenge {
            text,
            difficulty: self.difficulty,
            expires_ms,
        }
    }

    /// Checks `nonce` against `challenge` at `now_ms`; when it holds, when the challenge
    /// expires (how long the store must remember it as spent).
    pub fn verify(&self, challenge: &str, nonce: &str, now_ms: i64) -> Result<i64, ProofError> {
        let (signed, tag) = challenge.rsplit_once('.').ok_or(ProofError::Forged)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag.as_bytes())
            .map_err(|_| ProofError::Forged)?;
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(signed.as_bytes());
        mac.verify_slice(&tag).map_err(|_| ProofError::Forged)?;
        let mut parts = signed.split('.');
        let (Some(VERSION), Some(expires), Some(difficulty)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(ProofError::Forged);
        };
        let expires_ms: i64 = expires.parse().map_err(|_| ProofError::Forged)?;
        let difficulty: u8 = difficulty.parse().map_err(|_| ProofError::Forged)?;
        // Only as hard as asked now: a challenge issued before the difficulty was raised
        // (or by an instance asking less) does not pass.
        if difficulty < self.difficulty {
            return Err(ProofError::Forged);
        }
        if expires_ms <= now_ms {
            return Err(ProofError::Expired);
        }
        let digits = !nonce.is_empty()
            && nonce.len() <= 20
            && nonce.bytes().all(|b| b.is_ascii_digit())
            && (nonce == "0" || !nonce.starts_with('0'));
        if !digits || leading_zero_bits(challenge, nonce) < u32::from(difficulty) {
            return Err(ProofError::Unsolved);
        }
        Ok(expires_ms)
    }
}

/// Leading zero bits of SHA-256 over `<challenge>:<nonce>`.
pub fn leading_zero_bits(challenge: &str, nonce: &str) -> u32 {
    let digest = Sha256::new()
        .chain_update(challenge.as_bytes())
        .chain_update(b":")
        .chain_update(nonce.as_bytes())
        .finalize();
    let mut bits = 0;
    for byte in digest {
        if byte == 0 {
            bits += 8;
        } else {
            return bits + byte.leading_zeros();
        }
    }
    bits
}

/// The smallest nonce solving `challenge` (what the widget computes), for tests and the
/// sign-up benchmark.
pub fn solve(challenge: &Challenge) -> String {
    (0u64..)
        .map(|n| n.to_string())
        .find(|n| leading_zero_bits(&challenge.text, n) >= u32::from(challenge.difficulty))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenges(difficulty: u8) -> Challenges {
        Challenges::new(b"key".to_vec(), difficulty, Duration::from_secs(300))
    }

    #[test]
    fn a_solved_challenge_verifies_until_it_expires() {
        let c = challenges(8);
        let challenge = c.issue(1_000);
        let nonce = solve(&challenge);
        assert_eq!(c.verify(&challenge.text, &nonce, 2_000), Ok(301_000));
        assert_eq!(
            c.verify(&challenge.text, &nonce, 301_000),
            Err(ProofError::Expired)
        );
    }

    #[test]
    fn wrong_nonces_forgeries_and_other_keys_are_refused() {
        let c = challenges(12);
        let challenge = c.issue(0);
        let nonce = solve(&challenge);
        let wrong = (0u64..)
            .map(|n| n.to_string())
            .find(|n| leading_zero_bits(&challenge.text, n) < 12)
            .unwrap();
        assert_eq!(
            c.verify(&challenge.text, &wrong, 1),
            Err(ProofError::Unsolved)
        );
        for nonce in ["", "-1", "01", "1e3", " 1", "123456789012345678901"] {
            assert_eq!(
                c.verify(&challenge.text, nonce, 1),
                Err(ProofError::Unsolved)
            );
        }
        // An easier difficulty written into a challenge breaks its signature.
        let easier = challenge.text.replacen(".12.", ".1.", 1);
        assert_eq!(c.verify(&easier, "0", 1), Err(ProofError::Forged));
        let other = Challenges::new(b"other".to_vec(), 12, Duration::from_secs(300));
        assert_eq!(
            other.verify(&challenge.text, &nonce, 1),
            Err(ProofError::Forged)
        );
        for junk in ["", ".", "v1.1.1.x.y", "no dots", "v1.9.1.AA.%%"] {
            assert_eq!(c.verify(junk, &nonce, 1), Err(ProofError::Forged));
        }
    }

    #[test]
    fn difficulty_is_capped() {
        assert_eq!(challenges(99).issue(0).difficulty, MAX_DIFFICULTY);
    }
}

//! The API keys the server accepts: checked by the API on every call and by the console at
//! sign-in, so both read them from here.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Secret;

/// The accepted keys, kept as SHA-256 digests so a comparison takes the same time whatever
/// the key's length or how many leading bytes match.
#[derive(Clone)]
pub struct ApiKeys(Vec<KeyId>);

/// Which key a request authenticated with: the key's SHA-256 digest, so per-key state
/// (rate limits) never holds a raw key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId([u8; 32]);

impl KeyId {
    pub(crate) fn of(key: &str) -> Self {
        Self(Sha256::digest(key.as_bytes()).into())
    }
}

impl ApiKeys {
    pub fn new(keys: &[Secret]) -> Self {
        Self(keys.iter().map(|k| KeyId::of(k.expose())).collect())
    }

    pub fn accepts(&self, presented: &str) -> bool {
        self.identify(presented).is_some()
    }

    /// The identity of `presented` if it is one of the accepted keys.
    pub fn identify(&self, presented: &str) -> Option<KeyId> {
        let presented = KeyId::of(presented);
        // Compare against every key, so timing does not tell which one matched.
        let found: bool = self
            .0
            .iter()
            .fold(subtle::Choice::from(0), |found, key| {
                found | key.0.ct_eq(&presented.0)
            })
            .into();
        found.then_some(presented)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_configured_keys() {
        let keys = ApiKeys::new(&[Secret::new("alpha"), Secret::new("beta")]);
        assert!(keys.accepts("alpha"));
        assert!(keys.accepts("beta"));
        assert!(!keys.accepts("alph"));
        assert!(!keys.accepts(""));
        assert!(!ApiKeys::new(&[]).accepts(""));
    }
}

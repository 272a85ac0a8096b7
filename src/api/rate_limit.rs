//! Requests per second per API key, as Engage limits them: above the limit a key gets
//! 429 with `Retry-After` until its bucket refills; and wrong keys per client address, so
//! a key cannot be guessed at full speed. Limits live in this process's memory, so they
//! apply per instance.

use std::net::IpAddr;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::config::RateLimitQuota;
use crate::web::throttle::FailedAttempts;
use crate::web::KeyId;

/// A GCRA bucket per accepted key (keyed by the key's digest, never the key itself), or
/// nothing when limiting is off. Only accepted keys get a bucket, so the map holds at most
/// as many entries as there are configured keys.
pub struct RateLimit {
    limiter: Option<DefaultKeyedRateLimiter<KeyId>>,
    /// Wrong keys per client address (`rate_limit.failed_keys_per_minute`).
    failed: Option<FailedAttempts>,
}

impl RateLimit {
    /// `None` turns limiting off, the wrong-key limit with it.
    pub fn new(quota: Option<RateLimitQuota>) -> Self {
        let limiter = quota.map(|q| {
            DefaultKeyedRateLimiter::keyed(
                Quota::per_second(q.requests_per_second).allow_burst(q.burst),
            )
        });
        let failed = quota
            .and_then(|q| q.failed_keys_per_minute)
            .map(|n| FailedAttempts::new(n.get()));
        Self { limiter, failed }
    }

    /// How long `client` must wait, when it has sent too many wrong keys.
    pub fn wrong_keys_wait(&self, client: IpAddr) -> Option<Duration> {
        self.failed.as_ref()?.wait(client)
    }

    /// Counts a wrong (or missing) key from `client`.
    pub fn wrong_key(&self, client: IpAddr) {
        if let Some(failed) = &self.failed {
            failed.record(client);
        }
    }

    /// Takes one request from `key`'s bucket; when it is empty, how long until the next
    /// request would be allowed.
    pub fn check(&self, key: &KeyId) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(limiter.clock().now()))
    }
}

/// `Retry-After` in whole seconds, rounded up and at least 1 (the header has no fractions,
/// and 0 would invite an immediate retry that is still refused).
pub fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use super::*;

    fn quota(rate: u32, burst: u32) -> Option<RateLimitQuota> {
        Some(RateLimitQuota {
            requests_per_second: NonZeroU32::new(rate).unwrap(),
            burst: NonZeroU32::new(burst).unwrap(),
            failed_keys_per_minute: NonZeroU32::new(2),
        })
    }

    #[test]
    fn wrong_keys_are_limited_per_address() {
        let limit = RateLimit::new(quota(1, 3));
        let (a, b) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        limit.wrong_key(a);
        assert!(limit.wrong_keys_wait(a).is_none());
        limit.wrong_key(a);
        assert!(limit.wrong_keys_wait(a).is_some());
        assert!(limit.wrong_keys_wait(b).is_none());
        let off = RateLimit::new(None);
        off.wrong_key(a);
        off.wrong_key(a);
        assert!(off.wrong_keys_wait(a).is_none());
    }

    #[test]
    fn a_burst_then_refusal_per_key() {
        let limit = RateLimit::new(quota(1, 3));
        let (a, b) = (KeyId::of("a"), KeyId::of("b"));
        for _ in 0..3 {
            assert!(limit.check(&a).is_ok());
        }
        let wait = limit.check(&a).unwrap_err();
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limit.check(&b).is_ok(), "another key has its own bucket");
    }

    #[test]
    fn off_means_unlimited() {
        let limit = RateLimit::new(None);
        let a = KeyId::of("a");
        assert!((0..10_000).all(|_| limit.check(&a).is_ok()));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(200)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1001)), 2);
    }
}

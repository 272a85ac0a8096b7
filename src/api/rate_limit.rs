//! Requests per second per API key, as Engage limits them: above the limit a key gets
//! 429 with `Retry-After` until its bucket refills. Limits live in this process's memory,
//! so they apply per instance.

use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};

use super::auth::KeyId;
use crate::config::RateLimitQuota;

/// A GCRA bucket per accepted key (keyed by the key's digest, never the key itself), or
/// nothing when limiting is off. Only accepted keys get a bucket, so the map holds at most
/// as many entries as there are configured keys.
pub struct RateLimit {
    limiter: Option<DefaultKeyedRateLimiter<KeyId>>,
}

impl RateLimit {
    /// `None` turns limiting off.
    pub fn new(quota: Option<RateLimitQuota>) -> Self {
        let limiter = quota.map(|q| {
            DefaultKeyedRateLimiter::keyed(
                Quota::per_second(q.requests_per_second).allow_burst(q.burst),
            )
        });
        Self { limiter }
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
        })
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

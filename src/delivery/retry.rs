//! When to try a failed notification again.

use std::time::Duration;

use rand::Rng;

/// Exponential backoff on a fixed schedule, with jitter so that a mail server coming back
/// is not hit by every deferred notification in the same second.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// The wait before the 2nd, 3rd, … attempt; after the last, a notification is dead.
    pub schedule: Vec<Duration>,
    /// ± this fraction of each wait, at random.
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            schedule: crate::config::DEFAULT_RETRY_SCHEDULE.to_vec(),
            jitter: 0.2,
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based), or `None` when the
    /// schedule is exhausted.
    pub fn delay(&self, attempt: u32) -> Option<Duration> {
        let base = *self
            .schedule
            .get(usize::try_from(attempt).ok()?.checked_sub(1)?)?;
        let spread = self.jitter.clamp(0.0, 1.0);
        let factor = if spread > 0.0 {
            rand::thread_rng().gen_range(1.0 - spread..=1.0 + spread)
        } else {
            1.0
        };
        Some(base.mul_f64(factor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_schedule_within_the_jitter_then_gives_up() {
        let policy = RetryPolicy {
            schedule: vec![Duration::from_secs(10), Duration::from_secs(60)],
            jitter: 0.2,
        };
        for _ in 0..100 {
            let first = policy.delay(1).unwrap();
            assert!(
                first >= Duration::from_secs(8) && first <= Duration::from_secs(12),
                "{first:?}"
            );
        }
        let second = policy.delay(2).unwrap();
        assert!(second >= Duration::from_secs(48) && second <= Duration::from_secs(72));
        assert_eq!(policy.delay(3), None);
        assert_eq!(policy.delay(0), None);
    }

    #[test]
    fn no_jitter_is_exact() {
        let policy = RetryPolicy {
            schedule: vec![Duration::from_secs(5)],
            jitter: 0.0,
        };
        assert_eq!(policy.delay(1), Some(Duration::from_secs(5)));
    }
}

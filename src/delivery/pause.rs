//! The worker's back-off while an action's channel is down.
//!
//! A transport fault is the same for every notification, so trying the queue against it
//! only churns claims: after the first [`Outcome::Unavailable`](crate::plugins::Outcome)
//! the worker stops claiming and probes that action instead, 1 s later, then 2, 4, … up
//! to a minute between probes, and claims again once a probe succeeds.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The wait before the first probe after a fault.
pub(super) const FIRST_PROBE: Duration = Duration::from_secs(1);
/// The longest wait between two probes.
pub(super) const LONGEST_WAIT: Duration = Duration::from_secs(60);

#[derive(Default)]
pub(super) struct Pause {
    state: Mutex<Option<Paused>>,
}

struct Paused {
    /// The action whose channel is down (probed to resume).
    action: &'static str,
    /// Why, as that action said: the last error of what is put back untried.
    cause: String,
    wait: Duration,
    next_probe: Instant,
}

/// What the worker may do now.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Due {
    Claim,
    Wait,
    /// Probe this action; [`Pause::probed`] with the result.
    Probe(&'static str),
}

impl Pause {
    /// `action` answered Unavailable; starts the back-off unless it is running already.
    pub(super) fn begin(&self, action: &'static str, cause: &str) {
        if let Ok(mut state) = self.state.lock() {
            if state.is_none() {
                tracing::debug!(action, cause, "delivery paused");
                *state = Some(Paused {
                    action,
                    cause: cause.to_owned(),
                    wait: FIRST_PROBE,
                    next_probe: Instant::now() + FIRST_PROBE,
                });
            }
        }
    }

    /// Why delivery is paused; `None` while it runs.
    pub(super) fn cause(&self) -> Option<String> {
        self.state.lock().ok()?.as_ref().map(|p| p.cause.clone())
    }

    pub(super) fn due(&self) -> Due {
        let Ok(state) = self.state.lock() else {
            return Due::Claim;
        };
        match &*state {
            None => Due::Claim,
            Some(paused) if Instant::now() < paused.next_probe => Due::Wait,
            Some(paused) => Due::Probe(paused.action),
        }
    }

    /// A probe answered: claiming resumes, or the wait doubles (up to [`LONGEST_WAIT`]).
    pub(super) fn probed(&self, ok: bool) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if ok {
            if state.take().is_some() {
                tracing::debug!("delivery resumed");
            }
        } else if let Some(paused) = state.as_mut() {
            paused.wait = (paused.wait * 2).min(LONGEST_WAIT);
            paused.next_probe = Instant::now() + paused.wait;
        }
    }

    #[cfg(test)]
    fn wait(&self) -> Option<Duration> {
        self.state.lock().ok()?.as_ref().map(|p| p.wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_a_minute_and_a_good_probe_resumes() {
        let pause = Pause::default();
        assert_eq!(pause.due(), Due::Claim);
        pause.begin("email", "email: refused");
        assert_eq!(pause.cause().as_deref(), Some("email: refused"));
        assert_eq!(pause.due(), Due::Wait);
        assert_eq!(pause.wait(), Some(FIRST_PROBE));
        // A second fault while paused does not restart the back-off.
        pause.probed(false);
        pause.begin("email", "email: no TLS");
        assert_eq!(pause.wait(), Some(Duration::from_secs(2)));
        assert_eq!(pause.cause().as_deref(), Some("email: refused"));
        for _ in 0..10 {
            pause.probed(false);
        }
        assert_eq!(pause.wait(), Some(LONGEST_WAIT));
        pause.probed(true);
        assert_eq!(pause.cause(), None);
        assert_eq!(pause.due(), Due::Claim);
    }
}

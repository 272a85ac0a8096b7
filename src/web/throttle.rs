//! Failed key attempts per client address. A wrong API key or a wrong console sign-in
//! counts against the address it came from; an address past its limit is refused with
//! 429 until its oldest failure is a minute old — with the right key too, or the limit
//! would not slow guessing. Kept per address so one client cannot lock everyone else out.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The address a request came from, as the server's accept loop recorded it; requests
/// that did not come through it (a router driven in-process) share the unspecified one.
pub fn client_of(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), |info| {
            info.0.ip()
        })
}

/// The client's address as an extractor, for handlers that count failures.
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(client_of(&parts.extensions)))
    }
}

/// How far back failures count.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Addresses tracked at once; past it, addresses whose failures have all aged out are
/// forgotten first, then the address with the oldest newest failure, so the table cannot
/// grow without bound however many addresses a client has.
const MAX_ADDRESSES: usize = 100_000;

/// The failures of the last [`WINDOW`], per client address.
pub struct FailedAttempts {
    per_minute: usize,
    recent: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl FailedAttempts {
    /// `per_minute` failures are allowed per address (at least 1).
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: usize::try_from(per_minute.max(1)).unwrap_or(usize::MAX),
            recent: Mutex::new(HashMap::new()),
        }
    }

    /// How long `client` must wait before its next attempt, when its minute's failures
    /// are used up.
    pub fn wait(&self, client: IpAddr) -> Option<Duration> {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let times = recent.get_mut(&bucket(client))?;
        forget_old(times, now);
        let oldest = *times.front()?;
        (times.len() >= self.per_minute).then(|| WINDOW.saturating_sub(now - oldest))
    }

    /// Counts one failure of `client`.
    pub fn record(&self, client: IpAddr) {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let key = bucket(client);
        if !recent.contains_key(&key) && recent.len() >= MAX_ADDRESSES {
            make_room(&mut recent, now);
        }
        let times = recent.entry(key).or_default();
        forget_old(times, now);
        times.push_back(now);
        // Only the newest `per_minute` decide the wait; older ones need not be kept.
        while times.len() > self.per_minute {
            times.pop_front();
        }
    }
}

/// An IPv6 client usually holds a whole /64, so it counts as one address.
fn bucket(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

fn forget_old(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        times.pop_front();
    }
}

fn make_room(recent: &mut HashMap<IpAddr, VecDeque<Instant>>, now: Instant) {
    recent.retain(|_, times| {
        forget_old(times, now);
        !times.is_empty()
    });
    if recent.len() < MAX_ADDRESSES {
        return;
    }
    let stalest = recent
        .iter()
        .min_by_key(|(_, times)| times.back().copied())
        .map(|(address, _)| *address);
    if let Some(address) = stalest {
        recent.remove(&address);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn failures_beyond_the_limit_wait_for_that_address_only() {
        let failures = FailedAttempts::new(2);
        let (a, b) = (ip("192.0.2.1"), ip("192.0.2.2"));
        assert!(failures.wait(a).is_none());
        failures.record(a);
        assert!(failures.wait(a).is_none());
        failures.record(a);
        let wait = failures.wait(a).expect("limited");
        assert!(wait <= WINDOW && wait > Duration::from_secs(55), "{wait:?}");
        assert!(
            failures.wait(b).is_none(),
            "another address is not locked out"
        );
    }

    #[test]
    fn an_ipv6_slash_64_is_one_client() {
        let failures = FailedAttempts::new(1);
        failures.record(ip("2001:db8:1:2::1"));
        assert!(failures.wait(ip("2001:db8:1:2:ffff::9")).is_some());
        assert!(failures.wait(ip("2001:db8:1:3::1")).is_none());
        failures.record(ip("::ffff:192.0.2.7"));
        assert!(failures.wait(ip("192.0.2.7")).is_some(), "v4-mapped is v4");
    }

    #[test]
    fn the_table_stays_bounded() {
        let failures = FailedAttempts::new(1);
        for n in 0..(MAX_ADDRESSES as u32 + 10) {
            failures.record(IpAddr::from(n.to_be_bytes()));
        }
        let len = failures.recent.lock().unwrap().len();
        assert_eq!(len, MAX_ADDRESSES);
    }
}

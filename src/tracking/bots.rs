//! Which hits on a tracked link are not a shopper: link scanners of mail providers and
//! security gateways fetch every link of a message within seconds of its delivery, and
//! link previews and crawlers announce themselves. Those hits are still redirected (a
//! scanner that got a 404 might flag the email), but they are not counted as clicks.

use chrono::{DateTime, Utc};

/// Hits this soon after delivery are taken for a scanner's prefetch (`tracking.prefetch_secs`).
pub const DEFAULT_PREFETCH_SECS: u64 = 10;

/// What a request on a tracked link shows of its sender.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    /// A `HEAD` request: only a checker asks for the headers alone.
    pub head: bool,
    pub user_agent: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// Words in the `User-Agent` of known scanners, crawlers, link previews and HTTP
/// libraries (compared in lower case). A browser's never contains them.
const AGENTS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "scan",
    "preview",
    "proofpoint",
    "mimecast",
    "barracuda",
    "safelinks",
    "headless",
    "phantomjs",
    "python",
    "curl",
    "wget",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww",
    "httpclient",
    "axios",
    "node-fetch",
    "reqwest",
];

/// Phones whose model name ends in `bot`, which a browser's agent names.
const PHONES: &[&str] = &["cubot"];

/// Whether a `User-Agent` names a known non-browser: one of [`AGENTS`], unless the only
/// match is a phone of [`PHONES`].
fn is_robot(agent: &str) -> bool {
    let mut agent = agent.to_ascii_lowercase();
    for phone in PHONES {
        agent = agent.replace(phone, "");
    }
    AGENTS.iter().any(|word| agent.contains(word))
}

/// Whether `hit` is a prefetch rather than a shopper: a `HEAD` request, no or a known
/// non-browser `User-Agent`, or within `prefetch_secs` of the notification's delivery (or
/// before its delivery was even recorded, `delivered_on` being `None`).
pub fn is_prefetch(hit: &Hit<'_>, delivered_on: Option<DateTime<Utc>>, prefetch_secs: u64) -> bool {
    if hit.head {
        return true;
    }
    let agent = hit.user_agent.map(str::trim).unwrap_or_default();
    if agent.is_empty() {
        return true;
    }
    if is_robot(agent) {
        return true;
    }
    let Some(delivered_on) = delivered_on else {
        return true;
    };
    let grace = chrono::Duration::seconds(i64::try_from(prefetch_secs).unwrap_or(i64::MAX));
    hit.at < delivered_on + grace
}

#[cfg(test)]
mod tests {
    use super::*;

    const BROWSER: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

    fn hit(head: bool, user_agent: Option<&str>, after_secs: i64) -> bool {
        let delivered = Utc::now() - chrono::Duration::hours(1);
        let hit = Hit {
            head,
            user_agent,
            at: delivered + chrono::Duration::seconds(after_secs),
        };
        is_prefetch(&hit, Some(delivered), 10)
    }

    #[test]
    fn shoppers_are_browsers_that_come_later() {
        assert!(!hit(false, Some(BROWSER), 60));
        assert!(hit(false, Some(BROWSER), 3), "seconds after delivery");
        assert!(hit(true, Some(BROWSER), 60), "HEAD");
        assert!(hit(false, None, 60), "no agent");
        assert!(hit(
            false,
            Some("Mozilla/5.0 (compatible; bingbot/2.0)"),
            60
        ));
        assert!(hit(false, Some("python-requests/2.31"), 60));
        let cubot = "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";
        assert!(!hit(false, Some(cubot), 60), "a phone named …bot");
        let undelivered = Hit {
            head: false,
            user_agent: Some(BROWSER),
            at: Utc::now(),
        };
        assert!(is_prefetch(&undelivered, None, 10));
    }
}

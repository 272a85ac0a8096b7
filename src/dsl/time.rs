//! Durations (`30d`) and timestamps (`now`, `2024-05-01T00:00:00Z`) as plain integers,
//! so that comparing them costs one instruction.

use std::fmt;

/// A span of time, in milliseconds; may be negative (`now - later`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(i64);

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;
const UNITS: [(i64, char); 5] = [
    (WEEK, 'w'),
    (DAY, 'd'),
    (HOUR, 'h'),
    (MINUTE, 'm'),
    (SECOND, 's'),
];

impl Duration {
    /// A duration of `millis` milliseconds.
    pub const fn from_millis(millis: i64) -> Self {
        Duration(millis)
    }

    /// A duration of `secs` seconds, saturating at the ends of the range.
    pub const fn from_secs(secs: i64) -> Self {
        Duration(secs.saturating_mul(SECOND))
    }

    /// A duration of `days` days, saturating at the ends of the range.
    pub const fn from_days(days: i64) -> Self {
        Duration(days.saturating_mul(DAY))
    }

    /// The length in milliseconds.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Parses the language's duration literals: one or more `<digits><unit>` with units
    /// `w`, `d`, `h`, `m`, `s` (`30d`, `1h30m`). `None` if malformed or out of range.
    pub fn parse(text: &str) -> Option<Self> {
        let mut total: i64 = 0;
        let mut number: Option<i64> = None;
        for c in text.chars() {
            if let Some(digit) = c.to_digit(10) {
                let n = number
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(i64::from(digit))?;
                number = Some(n);
                continue;
            }
            let unit = match c {
                'w' => WEEK,
                'd' => DAY,
                'h' => HOUR,
                'm' => MINUTE,
                's' => SECOND,
                _ => return None,
            };
            total = total.checked_add(number.take()?.checked_mul(unit)?)?;
        }
        number
            .is_none()
            .then_some(Duration(total))
            .filter(|_| !text.is_empty())
    }

    pub(crate) fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Duration)
    }

    pub(crate) fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Duration)
    }

    pub(crate) fn checked_mul(self, factor: i64) -> Option<Self> {
        self.0.checked_mul(factor).map(Duration)
    }

    pub(crate) fn checked_div(self, divisor: i64) -> Option<Self> {
        self.0.checked_div(divisor).map(Duration)
    }

    pub(crate) fn checked_neg(self) -> Option<Self> {
        self.0.checked_neg().map(Duration)
    }
}

impl fmt::Display for Duration {
    /// The literal that reads back as the same duration: `30d`, `1h30m`, `-2w`, `1500ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        if self.0 < 0 {
            f.write_str("-")?;
        }
        let mut rest = self.0.unsigned_abs();
        if rest % SECOND as u64 != 0 {
            return write!(f, "{rest}ms");
        }
        // Weeks only for a whole number of them: `30d` reads better than `4w2d`.
        let units = if rest % WEEK as u64 == 0 {
            &UNITS[..]
        } else {
            &UNITS[1..]
        };
        for &(unit, name) in units {
            let count = rest / unit as u64;
            if count > 0 {
                write!(f, "{count}{name}")?;
                rest %= unit as u64;
            }
        }
        Ok(())
    }
}

/// An instant, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The instant `millis` milliseconds after the Unix epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Timestamp(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Parses an RFC 3339 timestamp with offset (`2023-12-07T12:21:28+01:00`).
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| Timestamp(t.timestamp_millis()))
    }

    /// The time between `earlier` and this instant; `None` on overflow.
    pub(crate) fn since(self, earlier: Self) -> Option<Duration> {
        self.0.checked_sub(earlier.0).map(Duration)
    }

    pub(crate) fn checked_add(self, d: Duration) -> Option<Self> {
        self.0.checked_add(d.0).map(Timestamp)
    }

    pub(crate) fn checked_sub(self, d: Duration) -> Option<Self> {
        self.0.checked_sub(d.0).map(Timestamp)
    }
}

impl<Tz: chrono::TimeZone> From<chrono::DateTime<Tz>> for Timestamp {
    fn from(t: chrono::DateTime<Tz>) -> Self {
        Timestamp(t.timestamp_millis())
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, with milliseconds only when there are some.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match chrono::DateTime::from_timestamp_millis(self.0) {
            Some(t) => f.write_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            None => write!(f, "@{}ms", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_and_print_the_same() {
        for text in ["30d", "2w", "12h", "15m", "45s", "1h30m", "9d3h4m5s"] {
            let d = Duration::parse(text).expect(text);
            assert_eq!(d.to_string(), text);
        }
        let mixed = Duration::parse("1w2d3h4m5s").expect("valid");
        assert_eq!(Duration::parse(&mixed.to_string()), Some(mixed));
        assert_eq!(Duration::parse("30d"), Some(Duration::from_days(30)));
        assert_eq!(Duration::parse("90m"), Some(Duration::from_secs(5400)));
    }

    #[test]
    fn malformed_durations_are_none() {
        for text in [
            "",
            "d",
            "30",
            "30x",
            "3d4",
            "99999999999999999999w",
            "1000000000000000w",
        ] {
            assert_eq!(Duration::parse(text), None, "{text}");
        }
    }

    #[test]
    fn timestamps_parse_rfc3339_with_offset() {
        let t = Timestamp::parse_rfc3339("2023-12-07T12:21:28+01:00").unwrap();
        assert_eq!(t.to_string(), "2023-12-07T11:21:28Z");
        assert_eq!(Timestamp::parse_rfc3339("2023-12-07T12:21:28"), None);
        let later = t.checked_add(Duration::from_secs(90)).unwrap();
        assert_eq!(later.since(t), Some(Duration::from_secs(90)));
    }
}

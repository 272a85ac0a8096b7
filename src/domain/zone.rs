use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// The time zone days are counted in (`insights.time_zone`): a shop in Stockholm wants
/// its Monday to be Stockholm's Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsZone(Tz);

impl Default for StatsZone {
    fn default() -> Self {
        Self(Tz::UTC)
    }
}

impl StatsZone {
    /// An IANA zone name (`Europe/Stockholm`, `UTC`); `None` if unknown.
    pub fn parse(name: &str) -> Option<Self> {
        name.parse::<Tz>().ok().map(Self)
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The day `at` falls on in this zone.
    pub fn day_of(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.0).date_naive()
    }

    /// Today in this zone.
    pub fn today(&self) -> NaiveDate {
        self.day_of(Utc::now())
    }
}

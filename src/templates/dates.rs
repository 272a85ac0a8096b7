//! Dates for people: `27 november 2026` in Sweden, `November 27, 2026` in the US.
//!
//! The date is the one on the timestamp's own clock (its UTC offset): the engine writes
//! timestamps with the offset of the shop, and there is no time zone database to
//! convert with.

use chrono::{DateTime, Datelike, NaiveDate};

use super::tags::lookup;
use crate::domain::Locale;

/// How long a date is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// With the month's name: `27 november 2026`.
    Long,
    /// Digits only: `2026-11-27` (sv), `11/27/2026` (en-US), `27.11.2026` (de).
    Short,
}

impl DateStyle {
    /// `long` or `short`, as templates write it (`{{date x format="short"}}`).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "long" => Some(DateStyle::Long),
            "short" => Some(DateStyle::Short),
            _ => None,
        }
    }
}

/// Month names, January first, separated by spaces, in the form a date uses.
type Months = &'static str;

const EN: Months = "January February March April May June July August September October \
                    November December";
const SV: Months = "januari februari mars april maj juni juli augusti september oktober \
                    november december";
/// Polish dates use the genitive: `27 listopada`.
const PL: Months = "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września \
                    października listopada grudnia";
const DE: Months = "Januar Februar März April Mai Juni Juli August September Oktober \
                    November Dezember";
/// Finnish dates use the partitive: `27. marraskuuta`.
const FI: Months = "tammikuuta helmikuuta maaliskuuta huhtikuuta toukokuuta kesäkuuta \
                    heinäkuuta elokuuta syyskuuta lokakuuta marraskuuta joulukuuta";
const NB: Months = "januar februar mars april mai juni juli august september oktober \
                    november desember";
const DA: Months = "januar februar marts april maj juni juli august september oktober \
                    november december";
const FR: Months = "janvier février mars avril mai juin juillet août septembre octobre \
                    novembre décembre";
const ES: Months = "enero febrero marzo abril mayo junio julio agosto septiembre octubre \
                    noviembre diciembre";
const IT: Months = "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre \
                    ottobre novembre dicembre";
const NL: Months = "januari februari maart april mei juni juli augustus september oktober \
                    november december";

/// How a locale writes dates: month names, the long pattern, the short pattern
/// (`{dd}`/`{mm}` zero-padded, `{d}`/`{n}` not).
struct Style {
    months: Months,
    long: &'static str,
    short: &'static str,
}

const fn style(months: Months, long: &'static str, short: &'static str) -> Style {
    Style {
        months,
        long,
        short,
    }
}

const TABLE: &[(&str, Style)] = &[
    ("en", style(EN, "{d} {m} {y}", "{dd}/{mm}/{y}")),
    ("en-US", style(EN, "{m} {d}, {y}", "{n}/{d}/{y}")),
    ("sv", style(SV, "{d} {m} {y}", "{y}-{mm}-{dd}")),
    ("pl", style(PL, "{d} {m} {y}", "{dd}.{mm}.{y}")),
    ("de", style(DE, "{d}. {m} {y}", "{dd}.{mm}.{y}")),
    ("fi", style(FI, "{d}. {m} {y}", "{d}.{n}.{y}")),
    ("nb", style(NB, "{d}. {m} {y}", "{dd}.{mm}.{y}")),
    ("nn", style(NB, "{d}. {m} {y}", "{dd}.{mm}.{y}")),
    ("no", style(NB, "{d}. {m} {y}", "{dd}.{mm}.{y}")),
    ("da", style(DA, "{d}. {m} {y}", "{dd}.{mm}.{y}")),
    ("fr", style(FR, "{d} {m} {y}", "{dd}/{mm}/{y}")),
    ("es", style(ES, "{d} de {m} de {y}", "{dd}/{mm}/{y}")),
    ("it", style(IT, "{d} {m} {y}", "{dd}/{mm}/{y}")),
    ("nl", style(NL, "{d} {m} {y}", "{dd}-{mm}-{y}")),
];

/// Reads what templates pass to `date`: an RFC 3339 timestamp
/// (`2026-11-27T10:15:00+01:00`) or a plain date (`2026-11-27`).
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.date_naive())
        .or_else(|_| NaiveDate::parse_from_str(raw, "%Y-%m-%d"))
        .map_err(|_| {
            format!("{raw:?} is not a date: expected 2026-11-27 or 2026-11-27T10:15:00+01:00")
        })
}

/// Writes `date` as `locale` does; locales without an entry get ISO 8601 (`2026-11-27`),
/// which nobody misreads.
pub fn format_date(date: NaiveDate, locale: &Locale, style: DateStyle) -> String {
    let Some(entry) = lookup(locale, TABLE) else {
        return date.format("%Y-%m-%d").to_string();
    };
    let pattern = match style {
        DateStyle::Long => entry.long,
        DateStyle::Short => entry.short,
    };
    let month = entry
        .months
        .split_whitespace()
        .nth(date.month0() as usize)
        .unwrap_or_default();
    pattern
        .replace("{dd}", &format!("{:02}", date.day()))
        .replace("{mm}", &format!("{:02}", date.month()))
        .replace("{d}", &date.day().to_string())
        .replace("{n}", &date.month().to_string())
        .replace("{m}", month)
        .replace("{y}", &date.year().to_string())
}

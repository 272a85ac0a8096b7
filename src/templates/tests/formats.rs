//! The price and date formats, locale by locale.

use chrono::NaiveDate;

use super::fixture::locale;
use crate::templates::{format_date, format_price, parse_date, DateStyle};

fn price(amount: f64, currency: &str, tag: &str) -> String {
    format_price(amount, currency, &locale(tag)).unwrap()
}

#[test]
fn prices_follow_the_locale_conventions() {
    assert_eq!(price(1299.0, "SEK", "sv-SE"), "1 299,00 kr");
    assert_eq!(price(1299.0, "USD", "en-US"), "$1,299.00");
    assert_eq!(price(1299.0, "PLN", "pl-PL"), "1 299,00 zł");
    assert_eq!(price(1299.0, "EUR", "de-DE"), "1.299,00 €");
    assert_eq!(price(1299.0, "EUR", "fi-FI"), "1 299,00 €");
    assert_eq!(price(1299.0, "NOK", "nb-NO"), "1 299,00 kr");
    assert_eq!(price(1299.0, "DKK", "da-DK"), "1.299,00 kr.");
    assert_eq!(price(1299.0, "GBP", "en-GB"), "£1,299.00");
    assert_eq!(price(1299.0, "EUR", "nl-NL"), "€ 1.299,00");
    assert_eq!(price(1299.5, "CHF", "de-CH"), "CHF 1’299.50");
}

#[test]
fn a_local_symbol_is_only_used_at_home() {
    assert_eq!(price(1299.0, "SEK", "en-US"), "SEK 1,299.00");
    assert_eq!(price(1299.0, "SEK", "de-DE"), "1.299,00 SEK");
    assert_eq!(price(49.9, "USD", "sv-SE"), "49,90 USD");
    assert_eq!(price(1299.0, "SEK", "sv"), "1 299,00 kr", "sv means Sweden");
}

#[test]
fn unknown_locales_get_the_iso_code_fallback() {
    assert_eq!(price(1299.0, "SEK", "ja-JP"), "1,299.00 SEK");
    assert_eq!(price(1299.0, "jpy", "ja-JP"), "1,299 JPY");
}

#[test]
fn amounts_are_rounded_grouped_and_signed() {
    assert_eq!(price(0.0, "SEK", "sv-SE"), "0,00 kr");
    assert_eq!(price(9.995, "USD", "en-US"), "$10.00");
    assert_eq!(price(1_234_567.891, "EUR", "de-DE"), "1.234.567,89 €");
    assert_eq!(price(-5.0, "USD", "en-US"), "-$5.00");
    assert_eq!(price(-0.001, "USD", "en-US"), "$0.00", "no negative zero");
    assert_eq!(price(12345.0, "ISK", "is-IS"), "12.345 kr");
}

#[test]
fn bad_money_is_refused() {
    assert!(format_price(1.0, "kronor", &locale("sv-SE")).is_err());
    assert!(format_price(1.0, "S1K", &locale("sv-SE")).is_err());
    assert!(format_price(f64::NAN, "SEK", &locale("sv-SE")).is_err());
}

fn long(tag: &str) -> String {
    let date = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    format_date(date, &locale(tag), DateStyle::Long)
}

fn short(tag: &str) -> String {
    let date = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
    format_date(date, &locale(tag), DateStyle::Short)
}

#[test]
fn long_dates_name_the_month_in_the_language() {
    assert_eq!(long("sv-SE"), "27 november 2026");
    assert_eq!(long("en-US"), "November 27, 2026");
    assert_eq!(long("en-GB"), "27 November 2026");
    assert_eq!(long("pl-PL"), "27 listopada 2026");
    assert_eq!(long("de-DE"), "27. November 2026");
    assert_eq!(long("fi-FI"), "27. marraskuuta 2026");
    assert_eq!(long("nb-NO"), "27. november 2026");
    assert_eq!(long("da-DK"), "27. november 2026");
    assert_eq!(long("es-ES"), "27 de noviembre de 2026");
    assert_eq!(
        long("ja-JP"),
        "2026-11-27",
        "unknown languages get ISO 8601"
    );
}

#[test]
fn every_month_has_a_name() {
    for month in 1..=12 {
        let date = NaiveDate::from_ymd_opt(2026, month, 1).unwrap();
        for tag in [
            "en", "sv", "pl", "de", "fi", "nb", "da", "fr", "es", "it", "nl",
        ] {
            let text = format_date(date, &locale(tag), DateStyle::Long);
            assert!(
                text.chars().any(char::is_alphabetic),
                "{tag} {month}: {text}"
            );
        }
    }
    let may = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
    assert_eq!(
        format_date(may, &locale("pl"), DateStyle::Long),
        "1 maja 2026"
    );
    let dec = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    assert_eq!(
        format_date(dec, &locale("fi"), DateStyle::Long),
        "31. joulukuuta 2026"
    );
}

#[test]
fn short_dates_use_digits() {
    assert_eq!(short("sv-SE"), "2026-03-07");
    assert_eq!(short("en-US"), "3/7/2026");
    assert_eq!(short("en-GB"), "07/03/2026");
    assert_eq!(short("de-DE"), "07.03.2026");
    assert_eq!(short("pl-PL"), "07.03.2026");
}

#[test]
fn dates_are_read_on_their_own_clock() {
    let late = parse_date("2026-11-27T23:30:00-05:00").unwrap();
    assert_eq!(late, NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
    assert_eq!(parse_date("2026-11-27").unwrap(), late);
    assert!(parse_date("27/11/2026").is_err());
}

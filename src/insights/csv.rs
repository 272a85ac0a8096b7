//! Reports and the demand list as CSV for spreadsheets: RFC 4180 (CRLF line ends, quotes
//! where needed), a header row, UTF-8.

use std::collections::BTreeSet;

use super::report::{format_revenue, Report};
use crate::domain::format_time;
use crate::store::DemandRow;

/// Writes `header` and `rows` as one CSV document, every cell [`inert`].
pub fn document(header: &[String], rows: &[Vec<String>]) -> Result<String, csv::Error> {
    records(Some(header), rows)
}

/// [`document`] without a header row when `header` is `None`: a later piece of a
/// document streamed a page at a time.
pub fn records(header: Option<&[String]>, rows: &[Vec<String>]) -> Result<String, csv::Error> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    if let Some(header) = header {
        out.write_record(header.iter().map(|cell| inert(cell).into_owned()))?;
    }
    for row in rows {
        out.write_record(row.iter().map(|cell| inert(cell).into_owned()))?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    // Every field written was a `String`, so the bytes are UTF-8.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `@`, a tab, carriage return or
/// line feed first — or their fullwidth forms `＝ ＋ ＠ －`, which some spreadsheets fold
/// to ASCII — or `-` before anything but a plain decimal) prefixed with `'`, so that a
/// hostile SKU or contact name in a download cannot (OWASP "CSV injection"); numbers
/// such as `-12.50` stay numbers, while `-inf` and `-1e5` become text.
pub fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    let formula = match cell.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r' | '\n') => true,
        Some('\u{FF1D}' | '\u{FF0B}' | '\u{FF20}' | '\u{FF0D}') => true,
        Some('-') => !plain_decimal(&cell[1..]),
        _ => false,
    };
    if formula {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// `12`, `12.50`: digits with at most one point between them, nothing else.
fn plain_decimal(text: &str) -> bool {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && digits(fraction)
}

/// The report's time series, one row per period; revenue gets a column per currency.
pub fn report(report: &Report) -> Result<String, csv::Error> {
    let currencies: BTreeSet<&String> = report
        .series
        .iter()
        .flat_map(|p| p.counts.revenue_e4.keys())
        .collect();
    let mut header: Vec<String> = [
        "period",
        "subscribed",
        "triggered",
        "expired",
        "delivered",
        "dead",
        "unsubscribed",
        "clicked",
        "converted",
        "signed up",
        "confirmed",
    ]
    .map(String::from)
    .to_vec();
    header.extend(currencies.iter().map(|c| format!("revenue {c}")));
    let rows: Vec<Vec<String>> =
        report
            .series
            .iter()
            .map(|p| {
                let c = &p.counts;
                let mut row = vec![p.period.clone()];
                row.extend(
                    [
                        c.subscribed,
                        c.triggered,
                        c.expired,
                        c.delivered,
                        c.dead,
                        c.unsubscribed,
                        c.clicked,
                        c.converted,
                        c.signed_up,
                        c.confirmed,
                    ]
                    .map(|n| n.to_string()),
                );
                row.extend(currencies.iter().map(|cur| {
                    format_revenue(c.revenue_e4.get(*cur).copied().unwrap_or_default())
                }));
                row
            })
            .collect();
    document(&header, &rows)
}

/// One demand row in the CSV's columns (`now` as for [`demand`]); the console's download
/// adds the feed's name and image to it.
pub fn demand_record(r: &DemandRow, now: i64) -> Vec<String> {
    let time =
        |t: &Option<chrono::DateTime<chrono::Utc>>| t.as_ref().map(format_time).unwrap_or_default();
    let level = r.last_level.as_ref();
    vec![
        r.sku.clone(),
        r.locale.clone(),
        r.external_id.clone(),
        r.waiting.to_string(),
        time(&r.oldest),
        time(&r.newest),
        (now - r.mean_created_s).max(0).to_string(),
        level.map(|l| l.quantity.to_string()).unwrap_or_default(),
        level
            .map(|l| format_time(&l.reported_on))
            .unwrap_or_default(),
        level
            .map(|l| {
                l.held_back
                    .iter()
                    .map(|(reason, n)| format!("{reason}:{n}"))
                    .collect::<Vec<_>>()
                    .join(";")
            })
            .unwrap_or_default(),
    ]
}

/// The demand list as shown, `now` being the time the average wait is measured to.
pub fn demand(rows: &[DemandRow], now: i64) -> Result<String, csv::Error> {
    let header = [
        "sku",
        "locale",
        "externalId",
        "waiting",
        "oldestSubscription",
        "newestSubscription",
        "averageWaitSeconds",
        "lastQuantity",
        "lastReportedOn",
        "heldBack",
    ]
    .map(String::from);
    let rows: Vec<Vec<String>> = rows.iter().map(|r| demand_record(r, now)).collect();
    document(&header, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_lines_end_in_crlf() {
        let doc = document(
            &["a".into(), "b".into()],
            &[vec!["x,y".into(), "say \"hi\"".into()]],
        )
        .unwrap();
        assert_eq!(doc, "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n");
    }

    #[test]
    fn formulas_are_made_text_and_numbers_stay_numbers() {
        assert_eq!(inert("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("-cmd|' /C calc'!A0"), "'-cmd|' /C calc'!A0");
        assert_eq!(inert("SKU-1"), "SKU-1");
        assert_eq!(inert("-5"), "-5");
        assert_eq!(inert("-12.50"), "-12.50");
        assert_eq!(inert(""), "");
        for hostile in [
            "-inf",
            "-NaN",
            "-1e5",
            "-.5",
            "-5.",
            "\u{FF1D}1+1",
            "\u{FF0B}1",
            "\u{FF20}A1",
            "\u{FF0D}1",
            "\n=1",
        ] {
            assert_eq!(inert(hostile), format!("'{hostile}"), "{hostile:?}");
        }
    }
}

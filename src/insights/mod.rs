//! Insights: what shoppers are waiting for (the demand list), what the notifications did
//! (reports from the daily statistics), why a shopper got or did not get an email (the
//! per-contact history), and the retention task that keeps personal data only as long as
//! configured. The counting itself happens in the store's transactions (`store::stats`,
//! `store::history`); this module reads and shapes. docs/insights.md says what each number
//! means.

pub mod csv;
pub mod report;
pub mod retention;

pub use report::{Granularity, Report, ReportError, ReportQuery, Summary};

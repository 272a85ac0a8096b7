//! `restock report`: the back-in-stock report's summary in the terminal (the same numbers
//! as `GET /api/v3/reports/back-in-stock`), and its series with `--granularity`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Days;
use clap::Args;

use crate::config::Config;
use crate::insights::report::{self, parse_day, Granularity, Report, ReportQuery};
use crate::startup::connect_store;

#[derive(Args)]
pub struct ReportArgs {
    /// First day (YYYY-MM-DD, in insights.time_zone); default 30 days before --to.
    #[arg(long)]
    from: Option<String>,
    /// Last day, included; default today.
    #[arg(long)]
    to: Option<String>,
    /// Also print the series by day, week or month.
    #[arg(long)]
    granularity: Option<String>,
    #[arg(long)]
    automation: Option<String>,
    #[arg(long)]
    locale: Option<String>,
}

fn query(config: &Config, args: &ReportArgs) -> anyhow::Result<ReportQuery> {
    let day = |name: &str, raw: &Option<String>| {
        raw.as_deref()
            .map(parse_day)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--{name} {e}"))
    };
    let to = day("to", &args.to)?.unwrap_or_else(|| config.insights.time_zone.today());
    let from = day("from", &args.from)?.unwrap_or(to - Days::new(29));
    ReportQuery::check_range(from, to).map_err(|(name, e)| anyhow::anyhow!("--{name} {e}"))?;
    let granularity = args
        .granularity
        .as_deref()
        .map(Granularity::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--granularity {e}"))?;
    let locale = args
        .locale
        .as_deref()
        .map(crate::domain::Locale::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--locale {e}"))?;
    Ok(ReportQuery {
        from,
        to,
        granularity: granularity.unwrap_or(Granularity::Day),
        automation: args.automation.clone(),
        locale: locale.map(|l| l.as_str().to_owned()),
    })
}

pub async fn report(config: &Config, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let query = query(config, args)?;
    let store = connect_store(config).await?;
    let report = report::load(store.as_ref(), &query)
        .await
        .context("cannot read the statistics")?;
    let mut out = std::io::stdout().lock();
    print_summary(&mut out, &report)?;
    if args.granularity.is_some() {
        print_series(&mut out, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    let s = &report.summary;
    let c = &s.counts;
    writeln!(out, "Back-in-stock report {} to {}", report.from, report.to)?;
    let lines: [(&str, String); 9] = [
        ("subscribed", c.subscribed.to_string()),
        ("waiting now", s.waiting_now.to_string()),
        ("triggered", c.triggered.to_string()),
        ("delivered", c.delivered.to_string()),
        ("clicked", c.clicked.to_string()),
        ("converted", c.converted.to_string()),
        (
            "conversion rate",
            s.conversion_rate
                .map_or("-".into(), |r| format!("{:.1} %", r * 100.0)),
        ),
        (
            "average wait",
            s.average_wait_seconds.map_or("-".into(), human_duration),
        ),
        (
            "expired / dead / unsubscribed",
            format!("{} / {} / {}", c.expired, c.dead, c.unsubscribed),
        ),
    ];
    for (name, value) in lines {
        writeln!(out, "  {name:<30} {value}")?;
    }
    for (currency, amount) in &s.revenue {
        writeln!(out, "  {:<30} {amount} {currency}", "revenue")?;
    }
    for (reason, n) in &c.held_back {
        writeln!(out, "  {:<30} {n}", format!("held back: {reason}"))?;
    }
    Ok(())
}

fn print_series(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    writeln!(
        out,
        "\n{:<12} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "period", "subscribed", "triggered", "delivered", "clicked", "converted"
    )?;
    for p in &report.series {
        let c = &p.counts;
        writeln!(
            out,
            "{:<12} {:>10} {:>10} {:>10} {:>10} {:>10}",
            p.period, c.subscribed, c.triggered, c.delivered, c.clicked, c.converted
        )?;
    }
    Ok(())
}

/// Seconds as the largest sensible unit: "3 d 4 h", "5 h 10 min", "42 s".
fn human_duration(seconds: i64) -> String {
    let (d, h, m) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{seconds} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(human_duration(42), "42 s");
        assert_eq!(human_duration(3_600 * 5 + 600), "5 h 10 min");
        assert_eq!(human_duration(86_400 * 3 + 3_600 * 4), "3 d 4 h");
    }
}

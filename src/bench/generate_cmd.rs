//! `restock bench generate`: a dataset to explore or load-test by hand — the rules and
//! feeds in a folder, the contacts and subscriptions in a database — and the
//! configuration that serves it.

use std::path::PathBuf;

use std::io::Write;

use anyhow::Context;
use clap::Args;

use super::data::{write_fixture, DataArgs, Dataset};
use super::db::{is_postgres, BenchDb};

#[derive(Args, Debug)]
pub struct GenerateArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Where the rules, feeds and (on SQLite) the database go.
    #[arg(long, default_value = "bench-data")]
    dir: PathBuf,
    /// postgres://…: an existing, empty database to fill (default: SQLite, restock.db in --dir).
    #[arg(long)]
    database_url: Option<String>,
}

pub async fn generate(args: &GenerateArgs) -> anyhow::Result<()> {
    let data = Dataset::try_from(&args.data)?;
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    let db = match args.database_url.as_deref() {
        Some(url) => {
            anyhow::ensure!(is_postgres(url), "--database-url must be postgres://…");
            BenchDb::existing(url)?
        }
        None => {
            let path = args.dir.join("restock.db");
            anyhow::ensure!(
                !path.exists(),
                "{} exists; remove it or choose another --dir",
                path.display()
            );
            BenchDb::Sqlite(path)
        }
    };
    write_fixture(&args.dir, &data)?;
    let secs = super::generate::generate(&db, &data).await?;
    let mut out = std::io::stdout();
    writeln!(
        out,
        "{} subscriptions over {} SKUs and {} locales in {secs:.1} s; top SKU {} has {}",
        data.subscriptions(),
        data.skus(),
        data.locales().count(),
        Dataset::sku(1),
        data.sku_counts()[0]
    )?;
    writeln!(out, "serve it with a restock.yaml such as:")?;
    writeln!(
        out,
        "database_url: {}",
        crate::config::redact_url(&db.url()?)
    )?;
    writeln!(out, "rules_dir: {}", args.dir.join("rules").display())?;
    writeln!(out, "feeds:")?;
    for locale in data.locales() {
        writeln!(
            out,
            "  {locale}: {}",
            args.dir.join(format!("{locale}.jsonl")).display()
        )?;
    }
    Ok(())
}

//! Waiting for workers with a progress bar that shows what has reached the database.

use std::future::Future;
use std::time::Duration;

use super::db::BenchDb;
use crate::cli::progress;

/// Awaits `work` while a bar shows the number `count_sql` answers, towards `total`. The
/// database is polled only when the bar is visible (stderr a terminal), so a benchmark
/// whose output is piped or logged measures the workers alone.
pub async fn with_progress<T>(
    db: &BenchDb,
    count_sql: &str,
    total: u64,
    message: &str,
    work: impl Future<Output = T>,
) -> anyhow::Result<T> {
    let bar = progress::bar(total, message);
    if bar.is_hidden() {
        return Ok(work.await);
    }
    let pool = db.pool(1).await?;
    let mut work = std::pin::pin!(work);
    let out = loop {
        tokio::select! {
            out = &mut work => break out,
            () = tokio::time::sleep(Duration::from_millis(500)) => {
                if let Ok(n) = pool.count(count_sql).await {
                    bar.set_position(n);
                }
            }
        }
    };
    bar.finish_and_clear();
    pool.close().await;
    Ok(out)
}

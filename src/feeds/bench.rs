//! `restock bench feeds`: how long a large feed takes to load, and how much memory it
//! holds, per format.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::{write_synthetic_feed, Feed, FeedFormat, FeedSource};
use crate::domain::Locale;

const RUNS: usize = 3;
const LOOKUPS: usize = 1_000_000;

/// Generates a synthetic feed of `items` products in each format in a temporary folder,
/// loads each three times and prints the median load time, the heap the feed holds
/// (counted), the growth of the process's resident memory while holding it, its peak
/// resident memory, and the time of one SKU lookup.
pub fn bench(items: usize, out: &mut impl Write) -> anyhow::Result<()> {
    let dir = TempDir::new()?;
    let locale = Locale::parse("sv-SE").context("locale")?;
    writeln!(
        out,
        "feeds bench: {items} products, median of {RUNS} loads, {LOOKUPS} lookups"
    )?;
    writeln!(
        out,
        "{:<6} {:>9} {:>9} {:>12} {:>10} {:>10} {:>10} {:>10} {:>9}",
        "format",
        "file MB",
        "load s",
        "products/s",
        "heap MB",
        "B/product",
        "RSS +MB",
        "peak MB",
        "lookup ns"
    )?;
    for format in [
        FeedFormat::Xml,
        FeedFormat::Csv,
        FeedFormat::Tsv,
        FeedFormat::Jsonl,
    ] {
        let path = dir.0.join(format!("feed.{format}"));
        write_synthetic_feed(&path, format, items)
            .with_context(|| format!("writing {}", path.display()))?;
        let file_mb = mb(std::fs::metadata(&path)?.len() as usize);
        let source = FeedSource::new(&path);
        let rss_before = resident_bytes("VmRSS:");
        let mut times = Vec::with_capacity(RUNS);
        let mut kept: Option<Arc<Feed>> = None;
        let mut rss_held = None;
        for _ in 0..RUNS {
            drop(kept.take());
            let started = Instant::now();
            let feed = Feed::load(&locale, &source)?;
            times.push(started.elapsed());
            anyhow::ensure!(
                feed.len() == items,
                "loaded {} of {items} products",
                feed.len()
            );
            rss_held.get_or_insert_with(|| resident_bytes("VmRSS:"));
            kept = Some(Arc::new(feed));
        }
        let feed = kept.context("no run")?;
        times.sort();
        let median = times[times.len() / 2];
        let lookup = lookup_time(&feed, items);
        let rss_growth = match (rss_before, rss_held.flatten()) {
            (Some(before), Some(after)) => format!("{:.1}", mb(after.saturating_sub(before))),
            _ => "n/a".to_owned(),
        };
        let peak = resident_bytes("VmHWM:").map_or("n/a".to_owned(), |b| format!("{:.1}", mb(b)));
        writeln!(
            out,
            "{:<6} {:>9.1} {:>9.2} {:>12.0} {:>10.1} {:>10.0} {:>10} {:>10} {:>9.0}",
            format.to_string(),
            file_mb,
            median.as_secs_f64(),
            items as f64 / median.as_secs_f64(),
            mb(feed.heap_bytes()),
            feed.heap_bytes() as f64 / items.max(1) as f64,
            rss_growth,
            peak,
            lookup.as_nanos() as f64,
        )?;
        drop(feed);
        std::fs::remove_file(&path).ok();
    }
    writeln!(out, "RSS +MB: resident growth while the first loaded feed is held (includes freed load buffers the allocator kept); peak MB: process high-water mark so far")?;
    Ok(())
}

/// The mean time of one lookup of a present SKU.
fn lookup_time(feed: &Arc<Feed>, items: usize) -> Duration {
    if items == 0 {
        return Duration::ZERO;
    }
    let skus: Vec<String> = (0..1024)
        .map(|i| format!("SKU-{:07}", (i * 7_919) % items))
        .collect();
    let started = Instant::now();
    let mut found = 0usize;
    for i in 0..LOOKUPS {
        found += usize::from(feed.contains(&skus[i % skus.len()]));
    }
    let elapsed = started.elapsed();
    std::hint::black_box(found);
    elapsed / LOOKUPS as u32
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// A `/proc/self/status` memory line (`VmRSS:`, `VmHWM:`) in bytes; `None` off Linux.
fn resident_bytes(key: &str) -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: usize = line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// A folder removed when dropped, also when the bench fails half-way.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> anyhow::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "restock-feeds-bench-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Self(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

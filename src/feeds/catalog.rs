use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::schema::builtin_fields;
use super::{Feed, FeedError, FeedFormat, FeedSource, FeedsConfig, FieldType, LoadReport, Product};
use crate::domain::Locale;
use crate::reload::{watch_paths, Failure, ReloadError, Reloadable, WatchGuard};

/// Every configured locale's feed, each reloaded on its own: a broken `pl-PL` file keeps
/// the last good `pl-PL` products live and leaves `sv-SE` alone.
///
/// Which locales exist is fixed by the configuration at start; file contents reload.
#[derive(Clone, Default)]
pub struct Catalog {
    feeds: BTreeMap<Locale, Reloadable<Feed, FeedError>>,
    declared: Vec<(String, FieldType)>,
}

/// What `GET` on an admin endpoint shows for one feed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedStatus {
    /// Canonical locale, e.g. `sv-SE`.
    pub locale: String,
    /// The feed file, as configured.
    #[schema(value_type = String)]
    pub path: PathBuf,
    pub format: FeedFormat,
    /// Products in the live version.
    pub products: usize,
    /// Memory the live version holds; see [`Feed::heap_bytes`].
    pub heap_bytes: usize,
    /// When the live version was loaded.
    #[serde(serialize_with = "crate::domain::serialize_time")]
    pub loaded_on: DateTime<Utc>,
    /// How long loading the live version took.
    pub load_ms: u64,
    /// 1 for the feed read at start, +1 per successful reload.
    pub generation: u64,
    /// Problems in the live version that did not stop the load (repeated SKUs, ...).
    pub warnings: Vec<String>,
    /// What the live version's load skipped or dropped, counted.
    pub report: LoadReport,
    /// Why the most recent reload failed, if it did; the previous products stay live.
    #[schema(value_type = Option<crate::reload::ReloadFailure>)]
    pub last_error: Option<Failure<FeedError>>,
}

impl Catalog {
    /// Loads every configured feed. Fails if any feed fails (listing all that did), since
    /// there is no earlier version to fall back on at start.
    pub fn load(config: &FeedsConfig) -> Result<Catalog, FeedError> {
        // Feeds are independent: read them side by side.
        let loaded: Vec<_> = std::thread::scope(|scope| {
            let loading: Vec<_> = config
                .sources
                .iter()
                .map(|(locale, source)| {
                    let handle = scope.spawn(move || load_one(locale, source));
                    (locale, source, handle)
                })
                .collect();
            loading
                .into_iter()
                .map(|(locale, source, handle)| {
                    let result = handle.join().unwrap_or_else(|_| {
                        Err(FeedError::Feed {
                            path: source.path.clone(),
                            message: "loading the feed panicked".to_owned(),
                        })
                    });
                    (locale.clone(), result)
                })
                .collect()
        });
        let mut feeds = BTreeMap::new();
        let mut errors = Vec::new();
        for (locale, result) in loaded {
            match result {
                Ok(feed) => {
                    feeds.insert(locale, feed);
                }
                Err(error) => errors.push(error),
            }
        }
        match errors.len() {
            0 => {}
            1 => return Err(errors.remove(0)),
            _ => return Err(FeedError::Several(errors)),
        }
        let mut declared: Vec<(String, FieldType)> = Vec::new();
        for source in config.sources.values() {
            for (name, ty) in &source.fields {
                if !declared.iter().any(|(n, _)| n == name) {
                    declared.push((name.clone(), *ty));
                }
            }
        }
        Ok(Catalog { feeds, declared })
    }

    /// The locales that have a feed configured.
    pub fn locales(&self) -> impl Iterator<Item = &Locale> {
        self.feeds.keys()
    }

    /// Whether a feed is configured for the locale (predefined condition 2).
    pub fn has_feed(&self, locale: &Locale) -> bool {
        self.feeds.contains_key(locale)
    }

    /// The locale's live feed. Hold the `Arc` to look up many SKUs in one snapshot.
    pub fn feed(&self, locale: &Locale) -> Option<Arc<Feed>> {
        self.feeds.get(locale).map(Reloadable::current)
    }

    /// The product with this SKU in the locale's feed (predefined condition 3).
    pub fn product(&self, locale: &Locale, sku: &str) -> Option<Product> {
        self.feed(locale)?.product(sku)
    }

    /// The product fields the rule language may use: built-in fields, then every custom
    /// field that a live feed has or the configuration types, sorted by name. A name with
    /// different types in different feeds is a `string` (a `list` if one of them is a
    /// list and the other text: text reads as a list of one). Reloads can add fields.
    pub fn schema(&self) -> Vec<(String, FieldType)> {
        let builtins = builtin_fields();
        let mut custom: BTreeMap<String, FieldType> = BTreeMap::new();
        let feeds: Vec<Arc<Feed>> = self.feeds.values().map(Reloadable::current).collect();
        let fields = feeds
            .iter()
            .flat_map(|f| f.schema())
            .chain(self.declared.iter().cloned());
        for (name, ty) in fields {
            if builtins.iter().any(|(b, _)| *b == name) {
                continue;
            }
            custom
                .entry(name)
                .and_modify(|known| {
                    *known = match (*known, ty) {
                        (a, b) if a == b => a,
                        (FieldType::List, FieldType::String)
                        | (FieldType::String, FieldType::List) => FieldType::List,
                        _ => FieldType::String,
                    }
                })
                .or_insert(ty);
        }
        builtins.into_iter().chain(custom).collect()
    }

    /// Re-reads one locale's feed now; `None` if the locale has no feed.
    pub fn reload_now(&self, locale: &Locale) -> Option<Result<Arc<Feed>, Failure<FeedError>>> {
        self.feeds.get(locale).map(Reloadable::reload_now)
    }

    /// Per-feed status for admin endpoints.
    pub fn status(&self) -> Vec<FeedStatus> {
        self.feeds
            .iter()
            .map(|(locale, reloadable)| {
                let feed = reloadable.current();
                let status = reloadable.status();
                FeedStatus {
                    locale: locale.to_string(),
                    path: feed.path().to_owned(),
                    format: feed.format(),
                    products: feed.len(),
                    heap_bytes: feed.heap_bytes(),
                    loaded_on: status.loaded_on,
                    load_ms: u64::try_from(feed.load_time().as_millis()).unwrap_or(u64::MAX),
                    generation: status.generation,
                    warnings: feed.warnings().to_vec(),
                    report: feed.report().clone(),
                    last_error: status.last_error,
                }
            })
            .collect()
    }

    /// Reloads a locale's feed whenever its file changes (debounced). One watcher thread
    /// serves all feeds; watching stops when the guard is dropped.
    pub fn watch(&self, debounce: Duration) -> Result<WatchGuard, ReloadError> {
        let feeds = self.by_path();
        let paths: Vec<PathBuf> = feeds.iter().map(|(path, _)| path.clone()).collect();
        watch_paths(paths, debounce, move |changed| {
            reload_changed(&feeds, changed)
        })
    }

    /// Every feed's reloadable, for hooks that watch reloads (metrics).
    pub fn reloadables(&self) -> impl Iterator<Item = &Reloadable<Feed, FeedError>> {
        self.feeds.values()
    }

    /// Each feed's reloadable under the absolute path the watcher reports.
    pub(super) fn by_path(&self) -> Vec<(PathBuf, Reloadable<Feed, FeedError>)> {
        self.feeds
            .values()
            .map(|r| (absolute(r.current().path()), r.clone()))
            .collect()
    }
}

/// Reloads the feeds whose files are among `changed`. The outcome is logged and recorded
/// in each feed's status.
pub(super) fn reload_changed(
    feeds: &[(PathBuf, Reloadable<Feed, FeedError>)],
    changed: &[PathBuf],
) {
    for (path, feed) in feeds {
        if changed.contains(path) {
            let _ = feed.reload_now();
        }
    }
}

/// Loads one feed and wraps it for reloading from the same source.
fn load_one(
    locale: &Locale,
    source: &FeedSource,
) -> Result<Reloadable<Feed, FeedError>, FeedError> {
    let (locale_for_build, source_for_build) = (locale.clone(), source.clone());
    let build = move || Feed::load(&locale_for_build, &source_for_build);
    Reloadable::new(format!("feed {locale}"), build)
}

pub(super) fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

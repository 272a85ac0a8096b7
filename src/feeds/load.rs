use std::fs::File;
use std::io::BufReader;
use std::time::Instant;

use super::feed::Origin;
use super::mapping::Mapper;
use super::raw::RawItem;
use super::{delimited, jsonl, xml, Feed, FeedError, FeedFormat, FeedSource};
use crate::domain::Locale;

/// Large reads: feeds are read front to back once.
const READ_BUFFER: usize = 256 * 1024;

impl Feed {
    /// Reads and indexes one feed file. Fails, naming the file and the line or item, on
    /// anything malformed: a feed is replaced whole or not at all, never half-read.
    #[tracing::instrument(skip_all, fields(locale = %locale, path = %source.path.display()))]
    pub fn load(locale: &Locale, source: &FeedSource) -> Result<Feed, FeedError> {
        let started = Instant::now();
        let path = &source.path;
        let config = |message: String| FeedError::Config {
            path: path.clone(),
            message,
        };
        source.validate().map_err(config)?;
        let format = source
            .resolved_format()
            .ok_or_else(|| config("unknown format".to_owned()))?;
        let io = |source| FeedError::Io {
            path: path.clone(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        let input = BufReader::with_capacity(READ_BUFFER, file);
        let mut mapper = Mapper::new(source, format, usize::try_from(size).unwrap_or(usize::MAX));
        let mut item = RawItem::default();
        let on_item = |item: &RawItem| mapper.map(item);
        match format {
            FeedFormat::Xml => xml::read(input, path, &mut item, on_item)?,
            FeedFormat::Csv => delimited::read(input, None, path, &mut item, on_item)?,
            FeedFormat::Tsv => delimited::read(input, Some(b'\t'), path, &mut item, on_item)?,
            FeedFormat::Jsonl => jsonl::read(input, path, &mut item, on_item)?,
        }
        let origin = Origin {
            locale: locale.clone(),
            path: path.clone(),
            format,
            load_time: started.elapsed(),
        };
        let feed = Feed::new(mapper.builder.finish(), origin);
        for warning in feed.warnings() {
            tracing::warn!(%warning, "feed warning");
        }
        if feed.is_empty() {
            tracing::warn!("the feed has no products");
        }
        tracing::info!(
            products = feed.len(),
            heap_mb = feed.heap_bytes() / (1 << 20),
            elapsed_ms = feed.load_time().as_millis() as u64,
            "feed loaded"
        );
        Ok(feed)
    }
}

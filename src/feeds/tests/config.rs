use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::domain::Locale;
use crate::feeds::{FeedFormat, FeedSource, FeedsConfig, FieldType};

/// The app embeds the section as `feeds:`.
#[derive(Debug, Deserialize)]
struct AppConfig {
    feeds: FeedsConfig,
}

fn parse(yaml: &str) -> Result<FeedsConfig, String> {
    serde_yaml::from_str::<AppConfig>(yaml)
        .map(|c| c.feeds)
        .map_err(|e| e.to_string())
}

fn locale(tag: &str) -> Locale {
    Locale::parse(tag).unwrap()
}

#[test]
fn a_path_or_a_table_per_locale() {
    let config = parse(
        "feeds:\n  sv-se: feeds/sv.xml\n  pl-PL:\n    path: feeds/pl.txt\n    format: tsv\n    sku_field: g:mpn\n    currency: PLN\n    fields: {rating: number, vip_only: boolean}\n",
    )
    .unwrap();

    assert_eq!(
        config.sources[&locale("sv-SE")],
        FeedSource::new("feeds/sv.xml")
    );
    let pl = &config.sources[&locale("pl-PL")];
    assert_eq!(pl.path, PathBuf::from("feeds/pl.txt"));
    assert_eq!(pl.format, Some(FeedFormat::Tsv));
    assert_eq!(pl.sku_field.as_deref(), Some("g:mpn"));
    assert_eq!(pl.currency.as_deref(), Some("PLN"));
    assert_eq!(
        pl.fields,
        BTreeMap::from([
            ("rating".into(), FieldType::Number),
            ("vip_only".into(), FieldType::Boolean)
        ])
    );
}

#[test]
fn formats_and_their_aliases() {
    let config = parse(
        "feeds:\n  sv-SE: {path: a.feed, format: atom}\n  fi-FI: {path: b, format: ndjson}\n",
    )
    .unwrap();
    assert_eq!(
        config.sources[&locale("sv-SE")].resolved_format(),
        Some(FeedFormat::Xml)
    );
    assert_eq!(
        config.sources[&locale("fi-FI")].resolved_format(),
        Some(FeedFormat::Jsonl)
    );
    for (name, format) in [
        ("a.rss", FeedFormat::Xml),
        ("a.TSV", FeedFormat::Tsv),
        ("a.ndjson", FeedFormat::Jsonl),
        ("a.txt", FeedFormat::Csv),
    ] {
        assert_eq!(
            FeedSource::new(name).resolved_format(),
            Some(format),
            "{name}"
        );
    }
}

#[test]
fn mistakes_are_reported_clearly() {
    let cases = [
        ("feeds:\n  sv_SE: a.xml\n", "locale \"sv_SE\" is not a valid BCP 47 locale (subtags are separated by '-', not '_'), e.g. sv-SE"),
        ("feeds:\n  sv-SE: a.xml\n  SV-se: b.xml\n", "locale sv-SE is configured twice (locales ignore case)"),
        ("feeds:\n  sv-SE: {path: a.xml, formt: xml}\n", "unknown field `formt`, expected one of `path`, `format`, `sku_field`, `currency`, `fields`"),
        ("feeds:\n  sv-SE: {path: a.xml, format: excel}\n", "unknown variant `excel`, expected one of `atom`, `rss`, `xml`, `csv`, `tsv`, `jsonl`, `ndjson`"),
        ("feeds:\n  sv-SE: {format: xml}\n", "missing field `path`"),
        ("feeds:\n  sv-SE: feed.dat\n", "cannot tell the format of feed.dat from its extension; set `format` to xml, csv, tsv or jsonl"),
        ("feeds:\n  sv-SE: {path: a.xml, currency: kronor}\n", "currency \"kronor\" is not an ISO 4217 code such as SEK"),
        ("feeds:\n  sv-SE: {path: a.xml, fields: {price: string}}\n", "fields.price: `price` is a built-in field; only custom fields take a type"),
        ("feeds:\n  sv-SE: {path: a.xml, fields: {rating: integer}}\n", "unknown variant `integer`, expected one of `string`, `number`, `boolean`"),
        ("feeds:\n  sv-SE: 12\n", "expected a feed path, or a table {path, format, sku_field, currency, fields}"),
    ];
    for (yaml, expected) in cases {
        let error = parse(yaml).expect_err(yaml);
        assert!(
            error.contains(expected),
            "{yaml:?}\n  gave {error}\n  wanted {expected}"
        );
    }
}

#[test]
fn relative_paths_can_follow_the_config_file() {
    let config = parse("feeds:\n  sv-SE: feeds/sv.xml\n  da-DK: /abs/da.xml\n").unwrap();
    let config = config.relative_to(std::path::Path::new("/etc/restock"));
    assert_eq!(
        config.sources[&locale("sv-SE")].path,
        PathBuf::from("/etc/restock/feeds/sv.xml")
    );
    assert_eq!(
        config.sources[&locale("da-DK")].path,
        PathBuf::from("/abs/da.xml")
    );
}

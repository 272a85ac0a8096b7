use std::collections::BTreeMap;
use std::sync::Arc;

use super::helpers::write;
use crate::domain::Locale;
use crate::feeds::catalog::{absolute, reload_changed};
use crate::feeds::{
    write_synthetic_feed, Catalog, Feed, FeedFormat, FeedSource, FeedsConfig, FieldType,
};

fn locale(tag: &str) -> Locale {
    Locale::parse(tag).unwrap()
}

fn config(entries: &[(&str, FeedSource)]) -> FeedsConfig {
    FeedsConfig {
        sources: entries
            .iter()
            .map(|(tag, source)| (locale(tag), source.clone()))
            .collect(),
    }
}

#[test]
fn lookup_by_locale_and_sku() {
    let dir = tempfile::tempdir().unwrap();
    let sv = write(&dir, "sv.csv", "id,title,price\nSKU-1,Mössa,199 SEK\n");
    let pl = write(
        &dir,
        "pl.jsonl",
        "{\"id\":\"SKU-1\",\"title\":\"Czapka\",\"price\":\"49,00 PLN\"}\n",
    );
    let catalog = Catalog::load(&config(&[
        ("sv-SE", FeedSource::new(sv)),
        ("pl-PL", FeedSource::new(pl)),
    ]))
    .unwrap();

    assert!(catalog.has_feed(&locale("sv-se")));
    assert!(!catalog.has_feed(&locale("da-DK")));
    let product = catalog.product(&locale("sv-se"), "SKU-1").expect("present");
    assert_eq!(product.name(), Some("Mössa"));
    assert_eq!(
        catalog
            .product(&locale("pl-PL"), "SKU-1")
            .unwrap()
            .currency(),
        Some("PLN")
    );
    assert!(catalog.product(&locale("sv-SE"), "SKU-2").is_none());
    assert!(catalog.product(&locale("da-DK"), "SKU-1").is_none());
}

#[test]
fn a_good_change_reloads_and_a_bad_one_keeps_the_last_good_feed() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "sv.csv", "id,price\nA,10 SEK\n");
    let catalog = Catalog::load(&config(&[("sv-SE", FeedSource::new(&path))])).unwrap();
    let sv = locale("sv-SE");

    std::fs::write(&path, "id,price\nA,12 SEK\nB,5 SEK\n").unwrap();
    catalog
        .reload_now(&sv)
        .unwrap()
        .expect("the good file loads");
    assert_eq!(catalog.product(&sv, "A").unwrap().price(), Some(12.0));
    assert!(catalog.product(&sv, "B").is_some());

    std::fs::write(&path, "id,price\nA,12 SEK\nB\n").unwrap();
    let failure = catalog
        .reload_now(&sv)
        .unwrap()
        .expect_err("the bad file is refused");

    assert_eq!(
        catalog.product(&sv, "A").unwrap().price(),
        Some(12.0),
        "the last good feed stays live"
    );
    assert_eq!(catalog.feed(&sv).unwrap().len(), 2);
    let expected = format!(
        "{}:3: row 2 has 1 fields but the header row has 2; column 2 \"price\" is the first missing",
        path.display()
    );
    assert_eq!(failure.message, expected);
    let status = serde_json::to_value(catalog.status()).unwrap();
    assert_eq!(status[0]["locale"], "sv-SE");
    assert_eq!(status[0]["products"], 2);
    assert_eq!(status[0]["generation"], 2);
    assert_eq!(status[0]["lastError"]["message"], expected.as_str());
}

#[test]
fn every_failing_feed_is_listed_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(&dir, "good.csv", "id\nA\n");
    let error = Catalog::load(&config(&[
        ("sv-SE", FeedSource::new(good)),
        ("da-DK", FeedSource::new(dir.path().join("missing.xml"))),
        (
            "fi-FI",
            FeedSource::new(write(&dir, "bad.csv", "id,price\nA,x SEK\n")),
        ),
    ]))
    .err()
    .expect("start-up fails");
    let text = error
        .to_string()
        .replace(&dir.path().display().to_string(), "DIR");
    assert!(
        text.starts_with("2 feeds failed to load:\n  - cannot read feed DIR/missing.xml:"),
        "{text}"
    );
    assert!(
        text.contains(
            "\n  - DIR/bad.csv:2: item 1 (sku \"A\"), column 2 \"price\": price \"x SEK\""
        ),
        "{text}"
    );
}

#[test]
fn the_schema_has_builtin_and_custom_fields() {
    let dir = tempfile::tempdir().unwrap();
    let sv = write(&dir, "sv.csv", "id,color,rating\nA,Grön,4\n");
    let pl = write(&dir, "pl.csv", "id,rating,material\nA,x,wool\n");
    let typed = FeedSource {
        fields: BTreeMap::from([
            ("rating".to_owned(), FieldType::Number),
            ("vip".to_owned(), FieldType::Boolean),
        ]),
        ..FeedSource::new(sv)
    };
    let catalog =
        Catalog::load(&config(&[("sv-SE", typed), ("pl-PL", FeedSource::new(pl))])).unwrap();

    let schema = catalog.schema();

    let names: Vec<&str> = schema.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "sku",
            "name",
            "price",
            "salePrice",
            "currency",
            "brand",
            "category",
            "url",
            "imageUrl",
            "availability",
            "availabilityRaw",
            "color",
            "material",
            "rating",
            "vip"
        ]
    );
    let type_of = |name: &str| schema.iter().find(|(n, _)| n == name).map(|(_, t)| *t);
    assert_eq!(type_of("price"), Some(FieldType::Number));
    assert_eq!(
        type_of("vip"),
        Some(FieldType::Boolean),
        "declared fields appear even if no feed has them yet"
    );
    assert_eq!(
        type_of("rating"),
        Some(FieldType::String),
        "a number in one feed, a string in another"
    );
}

#[test]
fn synthetic_feeds_load_alike_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let feeds: Vec<Arc<Feed>> = [
        FeedFormat::Xml,
        FeedFormat::Csv,
        FeedFormat::Tsv,
        FeedFormat::Jsonl,
    ]
    .into_iter()
    .map(|format| {
        let path = dir.path().join(format!("feed.{format}"));
        write_synthetic_feed(&path, format, 50).unwrap();
        Arc::new(Feed::load(&locale("sv-SE"), &FeedSource::new(path)).unwrap())
    })
    .collect();

    for feed in &feeds {
        assert_eq!(feed.len(), 50, "{:?}", feed.format());
        assert!(feed.warnings().is_empty(), "{:?}", feed.warnings());
    }
    for sku in ["SKU-0000000", "SKU-0000021", "SKU-0000049"] {
        let expected = serde_json::to_value(feeds[0].product(sku).unwrap()).unwrap();
        for feed in &feeds[1..] {
            let shown = serde_json::to_value(feed.product(sku).unwrap()).unwrap();
            assert_eq!(shown, expected, "{sku} in {:?}", feed.format());
        }
    }
    let first = feeds[0].product("SKU-0000000").unwrap();
    assert_eq!(first.brand(), Some("Fjällräven"));
    assert_eq!(first.currency(), Some("SEK"));
    assert!(first.sale_price().is_some());
}

/// What the watcher thread does once a change settles, without the watcher.
#[test]
fn a_change_reloads_only_the_feeds_whose_file_changed() {
    let dir = tempfile::tempdir().unwrap();
    let sv_path = dir.path().join("sv.csv");
    let pl_path = dir.path().join("pl.csv");
    std::fs::write(&sv_path, "id,price\nA,10 SEK\n").unwrap();
    std::fs::write(&pl_path, "id,price\nA,10 PLN\n").unwrap();
    let (sv, pl) = (
        Locale::parse("sv-SE").unwrap(),
        Locale::parse("pl-PL").unwrap(),
    );
    let config = FeedsConfig {
        sources: [
            (sv.clone(), FeedSource::new(&sv_path)),
            (pl.clone(), FeedSource::new(&pl_path)),
        ]
        .into(),
    };
    let catalog = Catalog::load(&config).unwrap();
    std::fs::write(&sv_path, "id,price\nA,20 SEK\n").unwrap();
    std::fs::write(&pl_path, "id,price\nA,20 PLN\n").unwrap();

    reload_changed(&catalog.by_path(), &[absolute(&sv_path)]);

    assert_eq!(catalog.product(&sv, "A").unwrap().price(), Some(20.0));
    assert_eq!(
        catalog.product(&pl, "A").unwrap().price(),
        Some(10.0),
        "pl-PL was not touched"
    );
}

#[test]
fn watching_starts_for_every_feed_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sv.csv");
    std::fs::write(&path, "id\nA\n").unwrap();
    let sources = [(Locale::parse("sv-SE").unwrap(), FeedSource::new(&path))].into();
    let catalog = Catalog::load(&FeedsConfig { sources }).unwrap();
    assert!(catalog.watch(std::time::Duration::from_millis(50)).is_ok());
}

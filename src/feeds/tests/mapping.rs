use std::collections::BTreeMap;

use serde_json::json;

use super::helpers::{load_source, load_text, shown, write};
use crate::feeds::{FeedSource, FieldType, FieldValue};

#[test]
fn the_sku_can_come_from_another_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "feed.tsv", "id\tg:mpn\ttitle\nSE-1\tMPN-1\tMössa\n");
    let source = FeedSource {
        sku_field: Some("g:mpn".into()),
        ..FeedSource::new(&path)
    };

    let feed = load_source(&source).unwrap();

    assert!(feed.product("SE-1").is_none());
    assert_eq!(
        shown(&feed, "MPN-1"),
        json!({"sku": "MPN-1", "name": "Mössa", "id": "SE-1"})
    );
}

#[test]
fn a_sku_column_beside_the_configured_one_is_ignored_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "feed.csv", "sku,item_group_id\nV-1,G-1\nV-2,G-1\n");
    let source = FeedSource {
        sku_field: Some("item_group_id".into()),
        ..FeedSource::new(&path)
    };

    let feed = load_source(&source).unwrap();

    assert_eq!(shown(&feed, "G-1"), json!({"sku": "G-1"}));
    assert_eq!(
        feed.warnings(),
        [
            "1 items repeat the id of an earlier item and were skipped (the first is kept); the first: line 3: item 2 repeats SKU \"G-1\" of line 2",
            "field `sku` is ignored: `sku` is read from `item_group_id`",
        ]
    );
}

#[test]
fn custom_fields_are_typed_as_configured() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "feed.csv",
        "id,rating,vip_only,stock_hint,Color\nA,4.5,yes,1 200,Grön\nB,,no,,\n",
    );
    let fields = BTreeMap::from([
        ("rating".to_owned(), FieldType::Number),
        ("vip_only".to_owned(), FieldType::Boolean),
        ("stock_hint".to_owned(), FieldType::Number),
    ]);
    let source = FeedSource {
        fields,
        ..FeedSource::new(&path)
    };

    let feed = load_source(&source).unwrap();

    assert_eq!(
        shown(&feed, "A"),
        json!({"sku": "A", "rating": 4.5, "vip_only": true, "stock_hint": 1200.0, "Color": "Grön"})
    );
    assert_eq!(shown(&feed, "B"), json!({"sku": "B", "vip_only": false}));
    let schema = feed.schema();
    assert!(schema.contains(&("rating".to_owned(), FieldType::Number)));
    assert!(schema.contains(&("vip_only".to_owned(), FieldType::Boolean)));
    assert!(schema.contains(&("Color".to_owned(), FieldType::String)));
}

#[test]
fn prices_in_many_spellings_and_currencies() {
    let feed = load_text(
        "feed.jsonl",
        concat!(
            r#"{"id":"1","price":"1 299.00 SEK"}"#,
            "\n",
            r#"{"id":"2","price":"1.299,50 EUR","sale_price":"999,00 EUR"}"#,
            "\n",
            r#"{"id":"3","price":"USD 1,299.99"}"#,
            "\n",
            r#"{"id":"4","price":"49 nok"}"#,
            "\n",
            r#"{"id":"5","price":19.5,"currency":"dkk"}"#,
            "\n",
        ),
    )
    .unwrap();
    let price = |sku: &str| {
        let p = feed.product(sku).unwrap();
        (p.price(), p.sale_price(), p.currency().map(str::to_owned))
    };
    assert_eq!(price("1"), (Some(1299.0), None, Some("SEK".into())));
    assert_eq!(price("2"), (Some(1299.5), Some(999.0), Some("EUR".into())));
    assert_eq!(price("3"), (Some(1299.99), None, Some("USD".into())));
    assert_eq!(price("4"), (Some(49.0), None, Some("NOK".into())));
    assert_eq!(price("5"), (Some(19.5), None, Some("DKK".into())));
}

#[test]
fn a_feed_currency_covers_prices_written_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "feed.csv", "id,price\nA,199.00\nB,10 EUR\n");
    let source = FeedSource {
        currency: Some("SEK".into()),
        ..FeedSource::new(&path)
    };

    let feed = load_source(&source).unwrap();

    assert_eq!(feed.product("A").unwrap().currency(), Some("SEK"));
    assert_eq!(
        feed.product("B").unwrap().currency(),
        Some("EUR"),
        "a written code wins"
    );
}

#[test]
fn unicode_skus_and_values_round_trip() {
    let feed = load_text(
        "feed.csv",
        "id,title,brand\nTröja-ÅÄÖ-😀,Ärlig ☃ mössa,Åhléns\n",
    )
    .unwrap();
    let product = feed.product("Tröja-ÅÄÖ-😀").expect("unicode SKU");
    assert_eq!(product.name(), Some("Ärlig ☃ mössa"));
    assert_eq!(product.brand(), Some("Åhléns"));
    assert!(
        feed.product("tröja-åäö-😀").is_none(),
        "SKUs compare exactly"
    );
}

#[test]
fn duplicate_skus_keep_the_first_item_and_warn() {
    let feed = load_text(
        "feed.xml",
        "<rss><channel>\n<item><id>D-1</id><title>First</title></item>\n<item><id>D-1</id><title>Second</title></item>\n</channel></rss>",
    )
    .unwrap();
    assert_eq!(feed.len(), 1);
    assert_eq!(feed.product("D-1").unwrap().name(), Some("First"));
    assert_eq!(
        feed.warnings(),
        ["1 items repeat the id of an earlier item and were skipped (the first is kept); the first: line 3: item 2 repeats SKU \"D-1\" of line 2"]
    );
    assert_eq!(feed.report().duplicate_ids.count, 1);
}

#[test]
fn merchant_sheet_headers_map_like_tsv_names() {
    let feed = load_text(
        "feed.csv",
        "ID,Title,Image link,Sale price,Product type\nX,Hatt,https://i/x.jpg,5 SEK,Hattar\n",
    )
    .unwrap();
    let product = feed.product("X").unwrap();
    assert_eq!(product.image_url(), Some("https://i/x.jpg"));
    assert_eq!(product.sale_price(), Some(5.0));
    assert_eq!(product.category(), Some("Hattar"));
    assert_eq!(
        product.get("imageUrl"),
        Some(FieldValue::Text("https://i/x.jpg"))
    );
}

#[test]
fn a_product_read_before_a_reload_keeps_its_values() {
    let feed = load_text("feed.csv", "id,price\nA,10 SEK\n").unwrap();
    let product = feed.product("A").unwrap();
    drop(feed);
    assert_eq!(product.price(), Some(10.0));
    assert_eq!(product.sku(), "A");
}

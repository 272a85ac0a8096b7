use serde_json::json;

use super::helpers::{fixture, load, shown};
use crate::feeds::{FeedFormat, FieldValue};

#[test]
fn merchant_rss_maps_to_product_fields() {
    let feed = load(&fixture("merchant.xml"));

    assert_eq!(feed.len(), 2);
    assert_eq!(feed.format(), FeedFormat::Xml);
    assert_eq!(
        shown(&feed, "SKU-1"),
        json!({
            "sku": "SKU-1",
            "name": "Fjällräven Kånken, Grön",
            "price": 1299.0,
            "salePrice": 999.0,
            "currency": "SEK",
            "brand": "Fjällräven",
            "category": "Väskor > Ryggsäckar",
            "url": "https://shop.example.com/p/kanken?c=green&s=16",
            "imageUrl": "https://cdn.example.com/kanken.jpg",
            "availability": "out_of_stock",
            "availabilityRaw": "out of stock",
            "description": "Klassisk ryggsäck <b>16 l</b>.",
            "google_product_category": "100",
            "color": "Grön",
            "custom_label_0": "VIP–drop",
            "shipping_country": "SE",
            "shipping_price": "49.00 SEK",
        })
    );
    assert_eq!(
        shown(&feed, "SKU-2"),
        json!({
            "sku": "SKU-2", "name": "Tröja 😀", "price": 199.0, "currency": "SEK",
            "brand": "H&M", "availability": "in_stock", "availabilityRaw": "in stock",
        })
    );
}

#[test]
fn atom_entries_use_g_id_not_the_entry_id_and_link_href() {
    let feed = load(&fixture("merchant-atom.xml"));

    assert_eq!(feed.len(), 1);
    assert!(feed.product("tag:shop.example.com,2024:entry-1").is_none());
    let product = feed.product("PL-SKU-1").expect("found by g:id");
    assert_eq!(product.name(), Some("Plecak Kånken"));
    assert_eq!(product.url(), Some("https://shop.example.com/pl/kanken"));
    assert_eq!(product.price(), Some(449.0));
    assert_eq!(product.currency(), Some("PLN"));
    assert_eq!(
        product.category(),
        Some("Torby > Plecaki"),
        "google_product_category is the fallback"
    );
}

#[test]
fn csv_with_quotes_and_empty_cells() {
    let feed = load(&fixture("products.csv"));

    assert_eq!(feed.len(), 2);
    assert_eq!(
        shown(&feed, "SKU-2"),
        json!({
            "sku": "SKU-2", "name": "Tröja \"Classic\"", "price": 199.0, "salePrice": 149.0,
            "currency": "SEK", "brand": "H&M", "category": "Tröjor",
            "url": "https://shop.example.com/p/2", "availability": "out_of_stock",
            "availabilityRaw": "out of stock", "color": "Svart",
        })
    );
    let kanken = feed.product("SKU-1").unwrap();
    assert_eq!(kanken.name(), Some("Kånken, Grön"));
    assert_eq!(
        kanken.get("rating"),
        Some(FieldValue::Text("4.5")),
        "untyped custom fields are strings"
    );
}

#[test]
fn merchant_tsv_is_tab_separated_even_as_csv() {
    let tsv = load(&fixture("products.tsv"));
    let copy = tempfile::tempdir().unwrap();
    let as_txt = copy.path().join("products.txt");
    std::fs::copy(fixture("products.tsv"), &as_txt).unwrap();
    let sniffed = load(&as_txt);

    for feed in [&tsv, &sniffed] {
        let product = feed.product("SKU-1").unwrap();
        assert_eq!(product.name(), Some("Kånken, Grön"));
        assert_eq!(product.price(), Some(1299.0));
        assert_eq!(product.get("mpn"), Some(FieldValue::Text("F23510")));
    }
    assert_eq!(sniffed.format(), FeedFormat::Csv);
}

#[test]
fn semicolon_csv_from_a_european_spreadsheet() {
    let feed =
        super::helpers::load_text("feed.csv", "id;title;price\nA-1;Mössa;49,90 EUR\n").unwrap();
    let product = feed.product("A-1").unwrap();
    assert_eq!(
        (product.price(), product.currency()),
        (Some(49.9), Some("EUR"))
    );
}

#[test]
fn json_lines_take_numbers_booleans_and_arrays_as_lists() {
    let feed = load(&fixture("products.jsonl"));

    assert_eq!(
        shown(&feed, "SKU-1"),
        json!({
            "sku": "SKU-1", "name": "Kånken, Grön", "price": 1299.0, "currency": "SEK",
            "brand": "Fjällräven", "category": "Väskor",
            "rating": "4.5", "tags": ["vip", "outdoor"], "discontinued": "false",
        })
    );
    assert_eq!(shown(&feed, "SKU-2")["price"], json!(199.0));
    assert!(
        feed.product("SKU-2").unwrap().get("note").is_none(),
        "null is absent"
    );
}

#[test]
fn a_bom_at_the_start_is_ignored() {
    for (name, text) in [
        ("feed.csv", "\u{feff}id,price\nB-1,10 SEK\n"),
        (
            "feed.jsonl",
            "\u{feff}{\"id\":\"B-1\",\"price\":\"10 SEK\"}\n",
        ),
        (
            "feed.xml",
            "\u{feff}<rss><channel><item><id>B-1</id><price>10 SEK</price></item></channel></rss>",
        ),
    ] {
        let feed = super::helpers::load_text(name, text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(feed.contains("B-1"), "{name}");
    }
}

#[test]
fn windows_line_endings_and_blank_lines() {
    for (name, text) in [
        ("feed.csv", "id,title\r\nW-1,Hatt\r\n\r\nW-2,Keps\r\n"),
        ("feed.jsonl", "{\"id\":\"W-1\",\"title\":\"Hatt\"}\r\n\r\n{\"id\":\"W-2\",\"title\":\"Keps\"}\r\n"),
        ("feed.xml", "<rss>\r\n<item><id>W-1</id><title>Hatt</title></item>\r\n<item><id>W-2</id><title>Keps</title></item>\r\n</rss>\r\n"),
    ] {
        let feed = super::helpers::load_text(name, text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(feed.len(), 2, "{name}");
        assert_eq!(feed.product("W-2").unwrap().name(), Some("Keps"), "{name}");
    }
}

#[test]
fn a_feed_without_items_loads_empty() {
    let feed = super::helpers::load_text(
        "feed.xml",
        "<rss><channel><title>Shop</title></channel></rss>",
    )
    .unwrap();
    assert!(feed.is_empty());
    assert!(feed.product("anything").is_none());
}

//! The shapes real feeds have (fixtures written for these tests): Merchant RSS and Atom
//! with CDATA, a BOM, Cyrillic, double-escaped entities and repeated elements; a Merchant
//! sheet exported as TSV; a Meta catalog CSV with bracketed columns.

use serde_json::json;

use super::helpers::{error_text, fixture, load, load_text, shown};
use crate::feeds::{FieldType, FieldValue, Tally};

#[test]
fn merchant_rss_with_bom_cdata_cyrillic_and_repeats() {
    let feed = load(&fixture("merchant-real.xml"));
    let one = shown(&feed, "RU-1");
    assert_eq!(one["name"], "Рюкзак «Канкен» <16 л>");
    assert_eq!(
        one["description"], "Tom &amp; Jerry edition",
        "a double-escaped entity is decoded once, as XML says"
    );
    assert_eq!(
        one["additional_image_link"],
        json!([
            "https://cdn.example.ru/1-a.jpg",
            "https://cdn.example.ru/1-b.jpg"
        ]),
        "every repeat is kept, the javascript: one dropped"
    );
    assert_eq!(
        one["product_highlight"],
        json!(["Водоотталкивающий", "16 литров"])
    );
    assert_eq!(one["shipping_country"], json!(["RU", "KZ"]));
    assert_eq!(one["shipping_price"], json!(["300.00 RUB", "900.00 RUB"]));
    assert_eq!(
        (one["availability"].clone(), one["availabilityRaw"].clone()),
        (json!("in_stock"), json!("in stock"))
    );
    let schema = feed.schema();
    assert!(schema.contains(&("additional_image_link".to_owned(), FieldType::List)));
    assert!(schema.contains(&("description".to_owned(), FieldType::String)));
}

#[test]
fn merchant_rss_counts_what_it_skipped_and_dropped() {
    let feed = load(&fixture("merchant-real.xml"));
    assert_eq!(feed.len(), 3, "RU-1, RU-2, RU-3");
    assert_eq!(
        shown(&feed, "RU-1")["name"],
        "Рюкзак «Канкен» <16 л>",
        "the first RU-1 wins"
    );
    let two = feed.product("RU-2").unwrap();
    assert_eq!(two.url(), None, "the javascript: link is dropped");
    assert_eq!(two.image_url(), Some("https://cdn.example.ru/2.jpg"));
    assert_eq!(two.availability(), Some("preorder"));
    let three = feed.product("RU-3").unwrap();
    assert_eq!(three.availability(), None);
    assert_eq!(three.availability_raw(), Some("когда-нибудь"));

    let report = feed.report();
    assert_eq!(report.without_id.count, 1);
    assert_eq!(report.duplicate_ids.count, 1);
    assert_eq!(report.unsafe_urls.count, 2);
    assert_eq!(report.unknown_availability.count, 1);
    let example = |t: &Tally| t.example.clone().unwrap_or_default();
    assert!(example(&report.without_id).contains("item 4 has no `id` or `sku`"));
    assert!(example(&report.duplicate_ids).contains("repeats SKU \"RU-1\""));
    assert!(
        example(&report.unsafe_urls).contains("additional_image_link \"javascript:alert(2)\""),
        "{report:?}"
    );
    let warnings = feed.warnings().join("\n");
    for expected in [
        "1 items have no id and were skipped",
        "1 items repeat the id of an earlier item",
        "2 links are not http(s) URLs and were dropped",
        "1 availability values are none of",
    ] {
        assert!(warnings.contains(expected), "{expected}\n{warnings}");
    }
}

#[test]
fn merchant_atom_with_cdata_entities_and_repeats() {
    let feed = load(&fixture("merchant-real.atom"));
    assert_eq!(feed.len(), 2);
    let one = shown(&feed, "AT-1");
    assert_eq!(one["name"], "Куртка & «Север»");
    assert_eq!(one["url"], "https://shop.example.ru/p/at-1?c=red&s=m");
    assert_eq!(one["custom_label_0"], "Зима – 2026");
    assert_eq!(one["availability"], "in_stock");
    assert_eq!(
        one["additional_image_link"].as_array().map(Vec::len),
        Some(2)
    );
    let two = feed.product("AT-2").unwrap();
    assert_eq!(two.availability(), Some("out_of_stock"));
    assert_eq!(
        two.get("additional_image_link"),
        None,
        "a product without the list field has none"
    );
    assert_eq!(
        feed.report().unsafe_urls.count,
        0,
        "rel=self is not the link"
    );
}

#[test]
fn merchant_sheet_tsv_keeps_spreadsheet_headers_as_custom_fields() {
    let feed = load(&fixture("merchant-sheet.tsv"));
    let one = feed.product("TS-1").unwrap();
    assert_eq!(one.url(), Some("https://shop.example.se/p/ts-1"));
    assert_eq!(one.image_url(), Some("https://cdn.example.se/ts-1.jpg"));
    assert_eq!(one.category(), Some("Väskor > Ryggsäckar"));
    assert_eq!(
        one.get("Custom label 0"),
        Some(FieldValue::Text("summer-drop"))
    );
    assert_eq!(one.availability(), Some("in_stock"));
    assert_eq!(
        feed.product("TS-2").unwrap().availability(),
        Some("backorder")
    );
}

#[test]
fn meta_catalog_csv_with_bracketed_columns() {
    let feed = load(&fixture("meta-catalog.csv"));
    assert_eq!(feed.len(), 3);
    let one = feed.product("MC-1").unwrap();
    assert_eq!(one.get("product_tags[0]"), Some(FieldValue::Text("summer")));
    assert_eq!(one.get("product_tags[1]"), Some(FieldValue::Text("dress")));
    assert_eq!(
        one.get("video[0].url"),
        Some(FieldValue::Text("https://video.example.se/mc-1.mp4"))
    );
    assert_eq!(one.get("style[0]"), Some(FieldValue::Text("boho")));
    assert_eq!(
        feed.product("MC-2").unwrap().availability(),
        Some("backorder"),
        "Meta's `available for order`"
    );
    assert_eq!(feed.product("MC-3").unwrap().url(), None);
    assert_eq!(feed.report().unsafe_urls.count, 1);
}

#[test]
fn json_arrays_are_lists() {
    let feed = load_text(
        "feed.jsonl",
        "{\"id\":\"J-1\",\"tags\":[\"vip\",\"outdoor\"],\"mixed\":[1,{\"a\":2}]}\n{\"id\":\"J-2\",\"tags\":\"solo\"}\n",
    )
    .unwrap();
    assert_eq!(shown(&feed, "J-1")["tags"], json!(["vip", "outdoor"]));
    assert_eq!(
        shown(&feed, "J-1")["mixed"],
        "[1,{\"a\":2}]",
        "nested stays JSON"
    );
    assert_eq!(
        shown(&feed, "J-2")["tags"],
        json!(["solo"]),
        "a single value of a list field is a list of one"
    );
}

#[test]
fn a_field_name_no_rule_could_use_is_a_feed_error_naming_file_line_and_column() {
    assert_eq!(
        error_text("feed.csv", "id,\"bad\u{1}name\"\nA,1\n"),
        "DIR/feed.csv:2: item 1, column 2 \"bad\\u{1}name\": \"bad\\u{1}name\" cannot be a field: it contains the control character '\\u{1}'"
    );
    assert_eq!(
        error_text("feed.jsonl", "{\"id\":\"A\",\"  \":\"x\"}\n"),
        "DIR/feed.jsonl:1: item 1, key \"  \": \"  \" cannot be a field: the name is empty"
    );
}

#[test]
fn broken_feeds_name_file_line_and_column() {
    assert_eq!(
        error_text("feed.csv", "id,title,price\nA,Hat,10 SEK\nB,Cap,ten\n"),
        "DIR/feed.csv:3: item 2 (sku \"B\"), column 3 \"price\": price \"ten\": no amount; expected an amount and an ISO 4217 currency code, such as \"199.00 SEK\""
    );
    assert_eq!(
        error_text("feed.csv", "id,title,price\nA,Hat\n"),
        "DIR/feed.csv:2: row 1 has 2 fields but the header row has 3; column 3 \"price\" is the first missing"
    );
    assert_eq!(
        error_text("feed.xml", "<rss>\n  <item><id>A</id><title>Hat</titel></item>\n</rss>"),
        "DIR/feed.xml:2:29: malformed XML: ill-formed document: expected `</title>`, but `</titel>` was found"
    );
    assert_eq!(
        error_text(
            "feed.xml",
            "<rss xmlns:g=\"http://base.google.com/ns/1.0\">\n<item><g:id>A</g:id>\n<g:price>ten</g:price></item>\n</rss>"
        ),
        "DIR/feed.xml:3: item 1 (sku \"A\"), element <price>: price \"ten\": no amount; expected an amount and an ISO 4217 currency code, such as \"199.00 SEK\""
    );
    let json = error_text("feed.jsonl", "{\"id\":\"A\"}\n  {\"id\": \"B\",, }\n");
    assert!(
        json.starts_with("DIR/feed.jsonl:2:14: malformed JSON:"),
        "{json}"
    );
}

use super::helpers::{error_text, load_source};
use crate::feeds::FeedSource;

#[test]
fn malformed_xml_names_file_and_line() {
    let text = error_text(
        "feed.xml",
        "<rss>\n<channel>\n<item>\n<g:id>A</g:id>\n<title>Hat</titel>\n</item>\n</channel>\n</rss>",
    );
    assert!(
        text.starts_with("DIR/feed.xml:5:11: malformed XML:"),
        "{text}"
    );
    assert!(text.contains("titel"), "{text}");
}

#[test]
fn a_truncated_xml_feed_is_rejected_not_half_loaded() {
    assert_eq!(
        error_text(
            "feed.xml",
            "<rss><channel>\n<item><id>A</id></item>\n<item>\n<id>B</id>"
        ),
        "DIR/feed.xml:4: the file ends inside item 2 (opened on line 3); is it cut short?"
    );
    assert_eq!(
        error_text("feed.xml", "<rss><channel>\n<item><id>A</id></item>\n"),
        "DIR/feed.xml:3: the file ends before its root element closes; is it cut short?"
    );
    assert_eq!(
        error_text("feed.xml", ""),
        "DIR/feed.xml:1: no XML elements: is this an XML feed?"
    );
}

#[test]
fn unknown_entities_are_errors() {
    let text = error_text("feed.xml", "<rss><item><id>A&nbsp;B</id></item></rss>");
    assert_eq!(
        text,
        "DIR/feed.xml:1: unknown entity &nbsp; (only XML's own entities and &#NNN; are allowed)"
    );
}

#[test]
fn a_csv_row_with_the_wrong_number_of_fields() {
    assert_eq!(
        error_text("feed.csv", "id,title,price\nA,Hat,10 SEK\nB,Cap\n"),
        "DIR/feed.csv:3: row 2 has 2 fields but the header row has 3; column 3 \"price\" is the first missing"
    );
}

#[test]
fn csv_headers_must_name_each_column_once() {
    assert_eq!(
        error_text("feed.csv", "id,title,,price\n"),
        "DIR/feed.csv:1: column 3 has no name in the header row"
    );
    assert_eq!(
        error_text("feed.csv", "id,price,price\n"),
        "DIR/feed.csv:1: column 3 repeats the name \"price\" of column 2"
    );
    assert_eq!(
        error_text("feed.csv", ""),
        "DIR/feed.csv:1: no header row: the first line must name the fields (id, title, price, ...)"
    );
}

#[test]
fn a_bad_price_names_item_sku_and_value() {
    assert_eq!(
        error_text("feed.tsv", "id\tprice\nA\t10 SEK\nB\t€12\n"),
        "DIR/feed.tsv:3: item 2 (sku \"B\"), column 2 \"price\": price \"€12\": unexpected characters; expected an amount and an ISO 4217 currency code, such as \"199.00 SEK\""
    );
    assert_eq!(
        error_text("feed.csv", "id,price\nA,199.00\n"),
        "DIR/feed.csv:2: item 1 (sku \"A\"), column 2 \"price\": price \"199.00\" has no currency: write it as \"199.00 SEK\" (with your currency) or set `currency` for this feed"
    );
    assert_eq!(
        error_text("feed.csv", "id,price,sale_price\nA,199 SEK,150 EUR\n"),
        "DIR/feed.csv:2: item 1 (sku \"A\"), column 3 \"sale_price\": sale_price is in EUR but price is in SEK"
    );
}

#[test]
fn items_without_a_sku_are_skipped_and_counted() {
    let feed = super::helpers::load_text(
        "feed.xml",
        "<rss><channel>\n<item>\n<title>Hat</title>\n</item>\n<item><id>B</id></item>\n</channel></rss>",
    )
    .unwrap();
    assert_eq!(feed.len(), 1);
    assert_eq!(feed.report().without_id.count, 1);
    assert_eq!(
        feed.warnings()[0],
        "1 items have no id and were skipped; the first: line 2: item 1 has no `id` or `sku`"
    );
    let feed =
        super::helpers::load_text("feed.jsonl", "{\"id\": \"A\"}\n{\"id\": \" \"}\n{}\n").unwrap();
    assert_eq!(feed.report().without_id.count, 2);
}

#[test]
fn a_mistyped_custom_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.jsonl");
    std::fs::write(&path, "{\"id\": \"A\", \"rating\": \"five\"}\n").unwrap();
    let mut source = FeedSource::new(&path);
    source
        .fields
        .insert("rating".into(), crate::feeds::FieldType::Number);

    let text = load_source(&source).unwrap_err().to_string();

    assert_eq!(
        text,
        format!(
            "{}:1: item 1 (sku \"A\"), key \"rating\": rating \"five\" is not a number (unexpected characters)",
            path.display()
        )
    );
}

#[test]
fn json_lines_that_are_not_objects() {
    let text = error_text("feed.jsonl", "{\"id\": \"A\"}\n[1, 2]\n");
    assert!(
        text.starts_with("DIR/feed.jsonl:2:1: not a JSON object: invalid type: sequence"),
        "{text}"
    );
    let text = error_text("feed.jsonl", "{\"id\": \"A\"\n");
    assert!(
        text.starts_with("DIR/feed.jsonl:1:10: malformed JSON: EOF while parsing"),
        "{text}"
    );
}

#[test]
fn missing_files_and_unknown_formats() {
    let missing = load_source(&FeedSource::new("/no/such/feed.xml"))
        .unwrap_err()
        .to_string();
    assert!(
        missing.starts_with("cannot read feed /no/such/feed.xml: No such file"),
        "{missing}"
    );
    let unknown = load_source(&FeedSource::new("/tmp/feed.dat"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        unknown,
        "feed /tmp/feed.dat: cannot tell the format of /tmp/feed.dat from its extension; set `format` to xml, csv, tsv or jsonl"
    );
}

#[test]
fn invalid_utf8_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["feed.csv", "feed.jsonl", "feed.xml"] {
        let path = dir.path().join(name);
        let mut bytes = b"id,title\nA,".to_vec();
        if name == "feed.jsonl" {
            bytes = b"{\"id\": \"A\", \"title\": \"".to_vec();
        }
        if name == "feed.xml" {
            bytes = b"<rss><item><id>A</id><title>".to_vec();
        }
        bytes.extend_from_slice(&[0xff, 0xfe, b'x']);
        std::fs::write(&path, &bytes).unwrap();
        assert!(load_source(&FeedSource::new(&path)).is_err(), "{name}");
    }
}

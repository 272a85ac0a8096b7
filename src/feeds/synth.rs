//! Synthetic feeds for tests and benchmarks: Merchant-like products with variants that
//! share titles and descriptions, Swedish text, `&` in brand names and grouped prices.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use quick_xml::escape::escape;

use super::xml::GOOGLE_NS;
use super::FeedFormat;

const BRANDS: [&str; 8] = [
    "Fjällräven",
    "H&M",
    "Åhléns",
    "Acne Studios",
    "Tiger of Sweden",
    "Björn Borg",
    "Houdini",
    "Nudie Jeans",
];
const KINDS: [&str; 6] = ["Tröja", "Jacka", "Byxor", "Skjorta", "Klänning", "Mössa"];
const COLORS: [&str; 5] = ["Svart", "Vit", "Grön", "Blå", "Röd"];
const SIZES: [&str; 4] = ["S", "M", "L", "XL"];
const AVAILABILITY: [&str; 3] = ["in stock", "out of stock", "preorder"];

/// The fields of synthetic item `i`, in Merchant names, in the order written.
pub(super) fn item(i: usize) -> Vec<(&'static str, String)> {
    let group = i / SIZES.len();
    let brand = BRANDS[group % BRANDS.len()];
    let kind = KINDS[group % KINDS.len()];
    let color = COLORS[group % COLORS.len()];
    let size = SIZES[i % SIZES.len()];
    let cents = 9_900 + (group * 7_919) % 290_000;
    let mut fields = vec![
        ("id", format!("SKU-{i:07}")),
        ("item_group_id", format!("GRP-{group:06}")),
        ("title", format!("{brand} {kind} {color}, storlek {size}")),
        ("description", format!(
            "{kind} från {brand} i {color}. Mjuk, slitstark och tillverkad för svenska vintrar; modell {group}. Tvättas i 40 °C, torktumlas ej."
        )),
        ("link", format!("https://shop.example.com/p/{group}?variant={i}")),
        ("image_link", format!("https://cdn.example.com/img/{group}.jpg")),
        ("availability", AVAILABILITY[i % AVAILABILITY.len()].to_owned()),
        ("price", format!("{} SEK", grouped(cents))),
        ("brand", brand.to_owned()),
        ("product_type", format!("Kläder > {kind}")),
        ("google_product_category", "1604".to_owned()),
        ("gtin", format!("{:013}", 7_350_000_000_000u64 + i as u64)),
        ("color", color.to_owned()),
        ("size", size.to_owned()),
        ("condition", "new".to_owned()),
    ];
    if group % 5 == 0 {
        fields.push(("sale_price", format!("{} SEK", grouped(cents * 4 / 5))));
    }
    fields
}

/// `129900` cents → `1 299.00`, the way Engage's feeds write prices.
fn grouped(cents: usize) -> String {
    let whole = (cents / 100).to_string();
    let mut out = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(digit);
    }
    format!("{out}.{:02}", cents % 100)
}

/// Writes a feed of `items` synthetic products in `format` to `path`.
pub fn write_synthetic_feed(path: &Path, format: FeedFormat, items: usize) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    match format {
        FeedFormat::Xml => write_xml(&mut out, items)?,
        FeedFormat::Csv => write_delimited(&mut out, b',', items)?,
        FeedFormat::Tsv => write_delimited(&mut out, b'\t', items)?,
        FeedFormat::Jsonl => write_jsonl(&mut out, items)?,
    }
    out.flush()
}

fn write_xml(out: &mut impl Write, items: usize) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<rss version="2.0" xmlns:g="{GOOGLE_NS}">"#)?;
    writeln!(
        out,
        "<channel>\n<title>Synthetic shop</title>\n<link>https://shop.example.com</link>"
    )?;
    for i in 0..items {
        writeln!(out, "<item>")?;
        for (name, value) in item(i) {
            match name {
                "title" | "link" | "description" => {
                    writeln!(out, "  <{name}>{}</{name}>", escape(value.as_str()))?
                }
                _ => writeln!(out, "  <g:{name}>{}</g:{name}>", escape(value.as_str()))?,
            }
        }
        writeln!(out, "</item>")?;
    }
    writeln!(out, "</channel>\n</rss>")
}

fn write_delimited(out: &mut impl Write, delimiter: u8, items: usize) -> io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_writer(out);
    let mut header: Vec<&str> = item(0).into_iter().map(|(name, _)| name).collect();
    if !header.contains(&"sale_price") {
        header.push("sale_price");
    }
    writer.write_record(&header)?;
    for i in 0..items {
        let fields = item(i);
        let row: Vec<&str> = header
            .iter()
            .map(|column| {
                fields
                    .iter()
                    .find(|(n, _)| n == column)
                    .map_or("", |(_, v)| v.as_str())
            })
            .collect();
        writer.write_record(&row)?;
    }
    writer.flush()
}

fn write_jsonl(out: &mut impl Write, items: usize) -> io::Result<()> {
    for i in 0..items {
        let object: serde_json::Map<String, serde_json::Value> = item(i)
            .into_iter()
            .map(|(name, value)| (name.to_owned(), serde_json::Value::String(value)))
            .collect();
        serde_json::to_writer(&mut *out, &object)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

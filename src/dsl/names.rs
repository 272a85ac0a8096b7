//! How product fields are named in a condition: any name a feed has is a field, written
//! `product.name` when it is a plain name and `product["product_tags[0]"]` otherwise.

/// The longest product field name, in characters; real feeds stay far below it.
pub const MAX_FIELD_NAME_CHARS: usize = 200;

/// Whether `name` can be a product field. Any column or element name a feed has can —
/// `product_tags[0]`, `Custom label 0`, `video[0].url` — written `product["…"]` when it
/// is not a plain name; only empty names, control characters and overlong names cannot.
/// Feeds run this on every field name when they load (at start and on each reload),
/// and [`Schema::add_product_field`] runs it again, so the two never disagree.
pub fn check_product_field_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("the name is empty".to_owned());
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(format!("it contains the control character {c:?}"));
    }
    if name.chars().count() > MAX_FIELD_NAME_CHARS {
        return Err(format!(
            "it is longer than {MAX_FIELD_NAME_CHARS} characters"
        ));
    }
    Ok(())
}

/// Whether `name` can be written after a dot (`product.price`); other names are written
/// in quotes (`product["product_tags[0]"]`).
pub fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// How a condition names a field under `prefix`: `product.price`, or
/// `product["product_tags[0]"]` for a name that is not plain.
pub fn field_path(prefix: &str, name: &str) -> String {
    if is_plain_name(name) {
        return format!("{prefix}.{name}");
    }
    let mut quoted = String::with_capacity(name.len() + 2);
    for c in name.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c => quoted.push(c),
        }
    }
    format!("{prefix}[\"{quoted}\"]")
}

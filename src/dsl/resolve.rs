//! Names → variables, and "did you mean" for the names that resolve to nothing.

use super::ast::Path;
use super::diagnostic::Problem;
use super::ir::Var;
use super::{field_path, is_plain_name, Field, Schema, Type};

/// The variables that exist whatever the schema says.
const FIXED: &[(&str, Var, Type)] = &[
    ("quantity", Var::Quantity, Type::Int),
    ("sku", Var::Sku, Type::String),
    ("locale", Var::Locale, Type::Locale),
    ("externalId", Var::ExternalId, Type::String),
    ("subscription.createdOn", Var::CreatedOn, Type::Timestamp),
    ("subscription.age", Var::Age, Type::Duration),
    ("contact.email", Var::Email, Type::String),
    ("contact.locale", Var::ContactLocale, Type::Locale),
];

/// Resolves a dotted name against the fixed variables and the schema.
pub(crate) fn resolve(path: &Path, schema: &Schema) -> Result<(Var, Type, Field), Problem> {
    if path.unquoted_brackets {
        return Err(unquoted(path, schema));
    }
    let name = path.to_string();
    if let Some(&(_, var, ty)) = FIXED.iter().find(|(n, _, _)| *n == name) {
        return Ok((var, ty, field_of(var, schema)));
    }
    let segments: Vec<&str> = path.segments.iter().map(String::as_str).collect();
    let found = match segments.as_slice() {
        ["product", field] => schema.product(field).map(|(slot, name, ty)| {
            (
                Var::Product(slot),
                ty,
                Field::Product {
                    slot,
                    name: name.clone(),
                },
            )
        }),
        ["contact", "attributes", attr] => schema.attribute(attr).map(|(slot, name, ty)| {
            let field = Field::ContactAttribute {
                slot,
                name: name.clone(),
            };
            (Var::Attribute(slot), ty, field)
        }),
        _ => None,
    };
    found.ok_or_else(|| unknown(path, &segments, schema))
}

fn field_of(var: Var, schema: &Schema) -> Field {
    match var {
        Var::Quantity => Field::Quantity,
        Var::Sku => Field::Sku,
        Var::Locale => Field::Locale,
        Var::ExternalId => Field::ExternalId,
        Var::Now => Field::Now,
        Var::CreatedOn => Field::SubscriptionCreatedOn,
        Var::Age => Field::SubscriptionAge,
        Var::Email => Field::ContactEmail,
        Var::ContactLocale => Field::ContactLocale,
        Var::Product(slot) => {
            let name = schema.product_fields().nth(slot).map_or("?", |(n, _)| n);
            Field::Product {
                slot,
                name: name.into(),
            }
        }
        Var::Attribute(slot) => {
            let name = schema
                .contact_attributes()
                .nth(slot)
                .map_or("?", |(n, _)| n);
            Field::ContactAttribute {
                slot,
                name: name.into(),
            }
        }
    }
}

/// Every name a condition could use with this schema.
fn known_names(schema: &Schema) -> Vec<String> {
    let fixed = FIXED.iter().map(|(n, _, _)| (*n).to_owned());
    let product = schema
        .product_fields()
        .map(|(n, _)| field_path("product", n));
    let attributes = schema
        .contact_attributes()
        .map(|(n, _)| format!("contact.attributes.{n}"));
    fixed.chain(product).chain(attributes).collect()
}

/// The candidate a misspelt `name` most likely meant: the same name in another case, one
/// within two edits, or one with the same last segment (`price` → `product.price`).
/// Used for field names here and for YAML keys and action names in rules files.
pub fn suggest(name: &str, candidates: &[String]) -> Option<String> {
    let lower = name.to_lowercase();
    let last_segment = |c: &str| c.rsplit('.').next().map(str::to_lowercase);
    if let Some(c) = candidates.iter().find(|c| c.to_lowercase() == lower) {
        return Some(c.clone());
    }
    let best = candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|&(d, c)| d <= 2 && d * 3 <= c.chars().count())
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c.clone());
    // `price` for `product.price`, `contact.points` for `contact.attributes.points`: the
    // right field under the wrong prefix.
    let wanted = last_segment(&lower);
    best.or_else(|| {
        candidates
            .iter()
            .find(|c| last_segment(c) == wanted)
            .cloned()
    })
}

/// The product field a name written after `product.` most likely meant, as a condition
/// writes it: `custom_label_0` → `product["Custom label 0"]` (case, spaces and `-` do
/// not matter), else one within two edits.
fn product_suggestion(wanted: &str, schema: &Schema) -> Option<String> {
    let loose = |name: &str| name.to_lowercase().replace([' ', '-'], "_");
    let names: Vec<String> = schema.product_fields().map(|(n, _)| n.to_owned()).collect();
    let found = names
        .iter()
        .find(|n| loose(n) == loose(wanted))
        .cloned()
        .or_else(|| suggest(wanted, &names))?;
    Some(field_path("product", &found))
}

/// `product.product_tags[0]`: brackets belong inside a quoted name.
fn unquoted(path: &Path, schema: &Schema) -> Problem {
    let written = path.to_string();
    let problem = Problem::new(
        path.span,
        format!("{written} is not a field name: brackets in a name need quotes"),
    );
    let (first, rest) = path
        .segments
        .split_first()
        .map_or(("", &[][..]), |(f, r)| (f.as_str(), r));
    if first != "product" {
        return problem.help("only product fields can have brackets in their names");
    }
    let wanted = rest.join(".");
    let base = wanted.split('[').next().unwrap_or("");
    if schema.product(&wanted).is_none()
        && matches!(schema.product(base), Some((_, _, Type::List(_))))
    {
        let list = field_path("product", base);
        return problem.help(format!(
            "{list} is a list, and lists have no positions: test its items with {list} contains …"
        ));
    }
    match product_suggestion(&wanted, schema) {
        Some(better) => problem.help(format!("did you mean {better}?")),
        None => problem.help(format!(
            "write it as {}, if the feeds have such a field",
            field_path("product", &wanted)
        )),
    }
}

fn unknown(path: &Path, segments: &[&str], schema: &Schema) -> Problem {
    let name = path.to_string();
    let problem = Problem::new(path.span, format!("unknown field {name}"));
    if let ["product", rest @ ..] = segments {
        if let Some(better) = (!rest.is_empty())
            .then(|| product_suggestion(&rest.join("."), schema))
            .flatten()
        {
            return problem.help(format!("did you mean {better}?"));
        }
    }
    match name.to_ascii_lowercase().as_str() {
        "yes" | "on" => return problem.help("write true"),
        "no" | "off" => return problem.help("write false"),
        _ => {}
    }
    if let Some(better) = suggest(&name, &known_names(schema)) {
        return problem.help(format!("did you mean {better}?"));
    }
    let list = |names: Vec<&str>, what: &str| match names.len() {
        0 => format!("no {what} are declared"),
        1..=12 => format!("{what}: {}", names.join(", ")),
        n => format!("there are {n} {what}; check the spelling"),
    };
    match segments {
        ["product"] => problem.help("name a product field, such as product.price"),
        ["product", ..] => {
            let names: Vec<String> = schema
                .product_fields()
                .map(|(n, _)| match is_plain_name(n) {
                    true => n.to_owned(),
                    false => format!("{n:?}"),
                })
                .collect();
            problem.help(list(
                names.iter().map(String::as_str).collect(),
                "product fields",
            ))
        }
        ["contact", "attributes", ..] => {
            let names = schema.contact_attributes().map(|(n, _)| n).collect();
            problem.help(list(names, "contact attributes"))
        }
        ["contact"] | ["contact", ..] => {
            problem.help("contact has email, locale and attributes.<name>")
        }
        ["subscription", ..] => problem.help("subscription has createdOn and age"),
        _ => problem.help(
            "a condition can use quantity, sku, locale, externalId, product.*, \
             subscription.*, contact.*, purchased and now",
        ),
    }
}

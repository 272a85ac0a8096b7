//! The rule language against a hand-written closure (the limit) and two peer engines,
//! cel-rust and GoRules' zen-expression, on the same condition over the same 100,000
//! varied records, binding included. Run:
//!
//!     cargo bench -p restock-benches --bench dsl
//!
//! Criterion measures each engine; a summary of its medians as nanoseconds per record is
//! printed at the end and goes into docs/dsl.md.

use std::collections::HashMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration as Elapsed;

use criterion::{Criterion, Throughput};
use restock::dsl::{Condition, Decimal, Duration, Elem, Record, Schema, Timestamp, Type, Value};

const RECORDS: usize = 100_000;
const LOCALES: [&str; 8] = [
    "sv-SE", "en-US", "de-DE", "fi-FI", "nb-NO", "da-DK", "fr-FR", "pl-PL",
];
const NOW_MS: i64 = 1_717_243_200_000;
const DAY_MS: i64 = 86_400_000;

const DSL: &str = r#"quantity >= 5 and locale in ["sv-SE","en-US","de-DE"] and product.price < 1000
    and subscription.age < 30d and contact.attributes.vip == true"#;
const CEL: &str = r#"quantity >= 5 && locale in ["sv-SE","en-US","de-DE"] && product.price < 1000.0
    && subscription.age < duration("720h") && contact.attributes.vip == true"#;
const ZEN: &str = r#"quantity >= 5 and locale in ["sv-SE","en-US","de-DE"] and product.price < 1000
    and subscription.ageSeconds < 2592000 and contact.attributes.vip == true"#;

/// One engine's full pass over the records, returning the number of matches.
type Engine<'a> = Box<dyn FnMut() -> usize + 'a>;

/// One subscription's data as the engine holds it: owned, product and contact values in
/// schema slot order.
struct Input {
    quantity: i64,
    locale: String,
    price_cents: i64,
    created_ms: i64,
    vip: bool,
    product: Box<[Value]>,
    attributes: Box<[Value]>,
}

impl Input {
    fn bind(&self) -> Record<'_> {
        Record {
            quantity: self.quantity,
            sku: "SKU-1",
            locale: &self.locale,
            now: Timestamp::from_millis(NOW_MS),
            subscription_created_on: Timestamp::from_millis(self.created_ms),
            product: &self.product,
            contact_attributes: &self.attributes,
            ..Record::default()
        }
    }
}

/// splitmix64: deterministic, varied records without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % bound
    }
}

fn schema() -> Schema {
    let mut schema = Schema::standard();
    schema
        .add_product_field("tags", Type::List(Elem::String))
        .expect("new field");
    schema
        .add_contact_attribute("vip", Type::Bool)
        .expect("new attribute");
    schema
}

fn inputs(schema: &Schema) -> Vec<Input> {
    let price_slot = schema.product_slot("price").expect("standard field");
    let width = schema.product_fields().count();
    let mut rng = Rng(42);
    (0..RECORDS)
        .map(|_| {
            let price_cents = rng.next(200_000) as i64;
            let mut product = vec![Value::Null; width];
            product[price_slot] = Value::Decimal(Decimal::from_micros(price_cents * 10_000));
            let vip = rng.next(3) > 0;
            Input {
                quantity: rng.next(20) as i64,
                locale: LOCALES[rng.next(LOCALES.len() as u64) as usize].to_owned(),
                price_cents,
                created_ms: NOW_MS - rng.next(60 * DAY_MS as u64) as i64,
                vip,
                product: product.into_boxed_slice(),
                attributes: vec![Value::Bool(vip)].into_boxed_slice(),
            }
        })
        .collect()
}

/// The limit: the same condition written by hand over the same bound record.
fn closure(price_slot: usize, vip_slot: usize) -> impl Fn(&Record<'_>) -> bool {
    let thirty_days = Duration::from_days(30).as_millis();
    move |r| {
        r.quantity >= 5
            && matches!(r.locale, "sv-SE" | "en-US" | "de-DE")
            && matches!(r.product.get(price_slot), Some(Value::Decimal(p)) if p.micros() < 1_000_000_000)
            && r.now.as_millis() - r.subscription_created_on.as_millis() < thirty_days
            && matches!(r.contact_attributes.get(vip_slot), Some(Value::Bool(true)))
    }
}

fn cel_matches(program: &cel::Program, env: &Arc<cel::Env>, i: &Input) -> bool {
    let mut ctx = cel::Context::with_env(Arc::clone(env));
    ctx.add_variable_from_value("quantity", cel::Value::Int(i.quantity));
    ctx.add_variable_from_value("locale", i.locale.as_str());
    let price = cel::Value::Float(i.price_cents as f64 / 100.0);
    ctx.add_variable_from_value("product", HashMap::from([("price", price)]));
    let age = chrono::Duration::milliseconds(NOW_MS - i.created_ms);
    ctx.add_variable_from_value(
        "subscription",
        HashMap::from([("age", cel::Value::Duration(age))]),
    );
    let attributes = cel::Value::from(HashMap::from([("vip", cel::Value::Bool(i.vip))]));
    ctx.add_variable_from_value("contact", HashMap::from([("attributes", attributes)]));
    matches!(program.execute(&ctx), Ok(cel::Value::Bool(true)))
}

fn zen_matches(
    expression: &zen_expression::Expression<zen_expression::expression::Standard>,
    vm: &mut zen_expression::vm::VM,
    i: &Input,
) -> bool {
    let context = serde_json::json!({
        "quantity": i.quantity,
        "locale": i.locale,
        "product": {"price": i.price_cents as f64 / 100.0},
        "subscription": {"ageSeconds": (NOW_MS - i.created_ms) / 1000},
        "contact": {"attributes": {"vip": i.vip}},
    });
    matches!(
        expression.evaluate_with(context.into(), vm),
        Ok(zen_expression::variable::Variable::Bool(true))
    )
}

/// Where criterion writes its results, found the way criterion finds it.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            let output = Command::new(std::env::var_os("CARGO")?)
                .args(["metadata", "--format-version", "1", "--no-deps"])
                .output()
                .ok()?;
            let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
            metadata["target_directory"].as_str().map(PathBuf::from)
        });
    target
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("criterion")
}

/// The median time of one pass (all records) that criterion measured for an engine.
fn median_ns(engine: &str) -> Option<f64> {
    let path = criterion_dir()
        .join("dsl")
        .join(engine)
        .join("new/estimates.json");
    let estimates: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

fn main() {
    let schema = schema();
    let inputs = inputs(&schema);
    let price_slot = schema.product_slot("price").expect("standard field");
    let vip_slot = schema.contact_attribute_slot("vip").expect("declared");

    let condition = Condition::compile(DSL, &schema).unwrap_or_else(|d| panic!("{d}"));
    let hand = closure(price_slot, vip_slot);
    let env = Arc::new(cel::Env::stdlib());
    let program = env.compile(CEL).expect("valid CEL");
    let zen = zen_expression::compile_expression(ZEN).expect("valid zen expression");
    let mut vm = zen_expression::vm::VM::new();

    let inputs = &inputs;
    let mut engines: Vec<(&str, Engine<'_>)> = vec![
        (
            "restock-dsl",
            Box::new(|| {
                inputs
                    .iter()
                    .filter(|i| condition.evaluate(&i.bind()))
                    .count()
            }),
        ),
        (
            "closure",
            Box::new(|| inputs.iter().filter(|i| hand(&i.bind())).count()),
        ),
        (
            "cel",
            Box::new(|| {
                inputs
                    .iter()
                    .filter(|i| cel_matches(&program, &env, i))
                    .count()
            }),
        ),
        (
            "zen-expression",
            Box::new(move || {
                inputs
                    .iter()
                    .filter(|i| zen_matches(&zen, &mut vm, i))
                    .count()
            }),
        ),
    ];

    let counts: Vec<usize> = engines.iter_mut().map(|(_, run)| run()).collect();
    assert!(
        counts.iter().all(|&c| c == counts[0]),
        "engines disagree on the matches: {counts:?}"
    );
    println!("{RECORDS} records, {} match in every engine", counts[0]);

    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Elapsed::from_secs(1))
        .measurement_time(Elapsed::from_secs(4))
        .configure_from_args();
    let mut group = criterion.benchmark_group("dsl");
    group.throughput(Throughput::Elements(RECORDS as u64));
    for (name, run) in engines.iter_mut() {
        group.bench_function(*name, |b| b.iter(|| black_box(run())));
    }
    group.finish();

    // The summary: criterion's median for each engine, as ns per record.
    let names: Vec<&str> = engines.iter().map(|(name, _)| *name).collect();
    drop(engines);
    let medians: Vec<(&str, f64)> = names
        .iter()
        .filter_map(|name| Some((*name, median_ns(name)? / RECORDS as f64)))
        .collect();
    let Some(&(_, ours)) = medians.iter().find(|(name, _)| *name == "restock-dsl") else {
        return;
    };
    println!("\nmedian ns/record (binding included), {RECORDS} records:");
    for (name, ns) in &medians {
        println!(
            "  {name:<15} {ns:>9.1} ns   ({:.2}x restock-dsl)",
            ns / ours
        );
    }
}

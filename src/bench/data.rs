//! What every benchmark starts from: a dataset's shape (how many subscriptions, over how
//! many SKUs and locales, how skewed), the rule and the feeds that match it.

use std::path::Path;

use clap::Args;

use crate::config::{Config, Secret};
use crate::domain::{Locale, Quantity, Sku};
use crate::store::{StockKey, StockLevel};

/// The rule every benchmark runs: a condition over product, contact and subscription
/// data (so the evaluator does real work) and a split on locale.
pub const RULE: &str = "id: bench\npriority: 1\nwhen: product.price < 1000 and contact.attributes.vip == true and subscription.age < 30d\nsplit:\n  by: locale\n  branches:\n    sv-SE:\n      - email: {template: back-in-stock}\n    default:\n      - email: {template: back-in-stock}\n";

/// Locales a dataset draws from, in order (`--locales 2` is sv-SE and en-US), each with a
/// price below the rule's limit in its own currency.
const LOCALES: [(&str, &str); 12] = [
    ("sv-SE", "899.00 SEK"),
    ("en-US", "89.00 USD"),
    ("de-DE", "79.00 EUR"),
    ("pl-PL", "349.00 PLN"),
    ("nb-NO", "899.00 NOK"),
    ("da-DK", "649.00 DKK"),
    ("fi-FI", "79.00 EUR"),
    ("nl-NL", "79.00 EUR"),
    ("fr-FR", "79.00 EUR"),
    ("en-GB", "69.00 GBP"),
    ("es-ES", "79.00 EUR"),
    ("it-IT", "79.00 EUR"),
];

/// The shape of generated data, from the command line.
#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// Subscriptions to generate, one VIP contact each.
    #[arg(long, default_value_t = 1_000_000)]
    pub subscriptions: u64,
    /// SKUs the subscriptions are spread over; SKU rank 1 (BENCH-SKU-1) is the most wanted.
    #[arg(long, default_value_t = 1)]
    pub skus: u32,
    /// Locales the subscriptions are spread over, round robin (at most 12; 2 = sv-SE, en-US).
    #[arg(long, default_value_t = 2)]
    pub locales: usize,
    /// Zipf exponent of the SKU popularity: the SKU of rank r gets a share proportional to
    /// 1/r^skew (0 = uniform; 1 = Zipf, where the top SKU of 100 gets 19 %).
    #[arg(long, default_value_t = 1.0)]
    pub skew: f64,
}

/// A validated dataset shape: the only way to generate data, so that generation never
/// meets a shape it cannot produce.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    subscriptions: u64,
    skus: u32,
    locales: usize,
    skew: f64,
}

impl TryFrom<&DataArgs> for Dataset {
    type Error = anyhow::Error;

    fn try_from(args: &DataArgs) -> anyhow::Result<Self> {
        Dataset::new(args.subscriptions, args.skus, args.locales, args.skew)
    }
}

impl Dataset {
    pub fn new(subscriptions: u64, skus: u32, locales: usize, skew: f64) -> anyhow::Result<Self> {
        anyhow::ensure!(subscriptions >= 1, "--subscriptions must be at least 1");
        // Ids are printed as 12 hex digits; beyond a billion the generator is not the tool.
        anyhow::ensure!(
            subscriptions <= 1_000_000_000,
            "--subscriptions must be at most 1,000,000,000"
        );
        anyhow::ensure!(skus >= 1, "--skus must be at least 1");
        anyhow::ensure!(
            (1..=LOCALES.len()).contains(&locales),
            "--locales must be between 1 and {}",
            LOCALES.len()
        );
        anyhow::ensure!(
            skew.is_finite() && (0.0..=10.0).contains(&skew),
            "--skew must be a number between 0 and 10"
        );
        Ok(Self {
            subscriptions,
            skus,
            locales,
            skew,
        })
    }

    pub fn subscriptions(&self) -> u64 {
        self.subscriptions
    }

    pub fn skus(&self) -> u32 {
        self.skus
    }

    /// One stock level of `quantity`, with no locale or external id, for each of the
    /// first `skus` SKUs: what a bench reports to the engine.
    pub fn stock_levels(skus: u32, quantity: i64) -> anyhow::Result<Vec<StockLevel>> {
        (1..=skus)
            .map(|rank| {
                Ok(StockLevel {
                    key: StockKey {
                        sku: Sku::parse(&Self::sku(rank))?,
                        locale: None,
                        external_id: None,
                    },
                    quantity: Quantity::new(quantity)?,
                })
            })
            .collect()
    }

    /// The SKU of a popularity rank (1 = most wanted).
    pub fn sku(rank: u32) -> String {
        format!("BENCH-SKU-{rank}")
    }

    /// The locales subscriptions are spread over, round robin.
    pub fn locales(&self) -> impl Iterator<Item = &'static str> {
        LOCALES.iter().take(self.locales).map(|(l, _)| *l)
    }

    /// Subscribers per SKU, by rank: Zipf shares rounded by largest remainder, so the
    /// counts add up to exactly `subscriptions` and never increase with the rank.
    pub fn sku_counts(&self) -> Vec<u64> {
        let weights: Vec<f64> = (1..=self.skus)
            .map(|r| f64::from(r).powf(-self.skew))
            .collect();
        let total: f64 = weights.iter().sum();
        let n = self.subscriptions as f64;
        let exact: Vec<f64> = weights.iter().map(|w| n * w / total).collect();
        let mut counts: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
        let mut short = self.subscriptions - counts.iter().sum::<u64>();
        // Hand the remainder to the largest fractions; ties go to the better rank, which
        // keeps the counts non-increasing.
        let mut order: Vec<usize> = (0..counts.len()).collect();
        order.sort_by(|&a, &b| {
            let (fa, fb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
            fb.total_cmp(&fa).then(a.cmp(&b))
        });
        for &i in order.iter().cycle() {
            if short == 0 {
                break;
            }
            counts[i] += 1;
            short -= 1;
        }
        counts
    }
}

/// The rule and one JSON-lines feed per locale in `dir`, each feed holding every SKU of
/// the dataset (so no subscription is held back for want of product data).
pub fn write_fixture(dir: &Path, data: &Dataset) -> anyhow::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir.join("rules"))?;
    std::fs::write(dir.join("rules/bench.yaml"), RULE)?;
    for (locale, price) in LOCALES.iter().take(data.locales) {
        let file = std::fs::File::create(dir.join(format!("{locale}.jsonl")))?;
        let mut out = std::io::BufWriter::new(file);
        for rank in 1..=data.skus {
            let line = serde_json::json!({"id": Dataset::sku(rank), "title": format!("Bench product {rank}"), "price": price, "link": format!("https://shop.example/p/{rank}"), "image_link": format!("https://shop.example/p/{rank}.jpg")});
            writeln!(out, "{line}")?;
        }
        out.flush()?;
    }
    Ok(())
}

/// A configuration for the dataset in `dir` on `database_url`.
pub fn bench_config(
    dir: &Path,
    data: &Dataset,
    database_url: &str,
    chunk_size: usize,
) -> anyhow::Result<Config> {
    let mut config = Config {
        database_url: Secret::new(database_url.to_owned()),
        rules_dir: dir.join("rules"),
        ..Config::default()
    };
    config.engine.chunk_size = chunk_size;
    for locale in data.locales() {
        config.feeds.sources.insert(
            Locale::parse(locale)?,
            crate::feeds::FeedSource::new(dir.join(format!("{locale}.jsonl"))),
        );
    }
    Ok(config)
}

/// [`bench_config`] for a server that only answers requests — no engine, no delivery, no
/// rate limit, no templates — on a free port, accepting `api_key`, its key files in `dir`:
/// what the benches that time pages and API calls start in-process.
pub fn serving_config(
    dir: &Path,
    data: &Dataset,
    database_url: &str,
    api_key: &str,
) -> anyhow::Result<Config> {
    let mut config = bench_config(dir, data, database_url, 2_000)?;
    config.listen = "127.0.0.1:0".parse()?;
    config.api_keys = vec![Secret::new(api_key.to_owned())];
    config.engine.enabled = false;
    config.delivery.enabled = false;
    config.rate_limit.enabled = false;
    config.api_key_file = dir.join("restock.key");
    config.unsubscribe_secret_file = dir.join("restock.unsubscribe.key");
    config.webhook.secret_file = dir.join("restock.webhook.key");
    config.templates_dir = dir.join("no-templates");
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_and_never_increase_with_the_rank() {
        for (n, k, s) in [
            (1_000_000, 100, 1.0),
            (7, 3, 0.0),
            (10, 25, 1.2),
            (999, 7, 2.0),
        ] {
            let counts = Dataset::new(n, k, 2, s).unwrap().sku_counts();
            assert_eq!(counts.len(), k as usize);
            assert_eq!(counts.iter().sum::<u64>(), n, "{n} over {k} at {s}");
            assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
        }
    }

    #[test]
    fn the_top_sku_gets_its_zipf_share() {
        // 1/H(100) = 1/5.187… = 19.28 % of the subscriptions.
        let counts = Dataset::new(1_000_000, 100, 2, 1.0).unwrap().sku_counts();
        assert!((192_700..=192_900).contains(&counts[0]), "{}", counts[0]);
        assert!((counts[0] / 2).abs_diff(counts[1]) <= 1, "rank 2 gets half");
        assert!((counts[0] / 10).abs_diff(counts[9]) <= 1, "rank 10 a tenth");
    }

    #[test]
    fn no_skew_is_uniform_and_one_sku_takes_everything() {
        assert_eq!(
            Dataset::new(10, 4, 2, 0.0).unwrap().sku_counts(),
            [3, 3, 2, 2]
        );
        assert_eq!(
            Dataset::new(1_000_000, 1, 2, 1.0).unwrap().sku_counts(),
            [1_000_000]
        );
    }

    #[test]
    fn impossible_shapes_are_refused() {
        assert!(Dataset::new(0, 1, 2, 1.0).is_err());
        assert!(Dataset::new(10, 0, 2, 1.0).is_err());
        assert!(Dataset::new(10, 1, 0, 1.0).is_err());
        assert!(Dataset::new(10, 1, 13, 1.0).is_err());
        assert!(Dataset::new(10, 1, 2, -1.0).is_err());
        assert!(Dataset::new(10, 1, 2, f64::NAN).is_err());
        assert!(Dataset::new(10, 1, 12, 0.0).is_ok());
    }

    #[test]
    fn locales_are_taken_in_order() {
        let data = Dataset::new(10, 1, 3, 1.0).unwrap();
        assert_eq!(
            data.locales().collect::<Vec<_>>(),
            ["sv-SE", "en-US", "de-DE"]
        );
        for l in LOCALES {
            Locale::parse(l.0).unwrap();
        }
    }
}

//! Per stock level, what the engine looks up once per locale instead of once per
//! subscription: whether the locale has a feed, the product's rule values and snapshot,
//! and the route (branch and actions) of each automation.

use std::collections::HashMap;
use std::sync::Arc;

use uuid::Uuid;

use crate::domain::Locale;
use crate::dsl::Value;
use crate::feeds::Catalog;
use crate::rules::Automation;
use crate::store::{ProductSnapshot, Route};

use super::binding::product_values;
use super::ruleset::RuleSet;

/// The product of one locale for this stock level.
pub struct Bound {
    pub snapshot: ProductSnapshot,
    pub values: Box<[Value]>,
}

/// What is known about one locale.
pub struct LocaleInfo {
    pub has_feed: bool,
    pub product: Option<Bound>,
    /// Whether the snapshot was handed to a commit already (once per fan-out is enough).
    stored: bool,
}

/// A route, and whether a commit has written it yet.
type RouteSlot = (Arc<Route>, bool);

/// Lookups for one stock level, keyed by the subscription's (canonical) locale.
pub struct Lookups<'a> {
    catalog: &'a Catalog,
    rules: &'a RuleSet,
    sku: &'a str,
    quantity: i64,
    locales: HashMap<String, LocaleInfo>,
    /// Per locale, the route of each automation (by index), built on first use, and
    /// whether it was handed to a commit yet.
    routes: HashMap<String, Vec<Option<RouteSlot>>>,
}

impl<'a> Lookups<'a> {
    pub fn new(catalog: &'a Catalog, rules: &'a RuleSet, sku: &'a str, quantity: i64) -> Self {
        Self {
            catalog,
            rules,
            sku,
            quantity,
            locales: HashMap::new(),
            routes: HashMap::new(),
        }
    }

    /// The feed and product facts for `locale`, looked up on first use.
    pub fn locale(&mut self, locale: &str) -> &LocaleInfo {
        if !self.locales.contains_key(locale) {
            let info = self.look_up(locale);
            self.locales.insert(locale.to_owned(), info);
        }
        &self.locales[locale]
    }

    fn look_up(&self, raw: &str) -> LocaleInfo {
        let Ok(locale) = Locale::parse(raw) else {
            return LocaleInfo {
                has_feed: false,
                product: None,
                stored: false,
            };
        };
        let product = self
            .catalog
            .product(&locale, self.sku)
            .map(|product| Bound {
                values: product_values(&self.rules.schema, &product),
                snapshot: ProductSnapshot {
                    id: Uuid::now_v7(),
                    sku: self.sku.to_owned(),
                    locale: locale.to_string(),
                    quantity: self.quantity,
                    data: serde_json::to_value(&product).unwrap_or_default(),
                },
            });
        LocaleInfo {
            has_feed: self.catalog.has_feed(&locale),
            product,
            stored: false,
        }
    }

    /// The snapshot id of the locale's product, pushing the snapshot into `out` the first
    /// time so it is written with the first notification that refers to it.
    pub fn take_snapshot(&mut self, locale: &str, out: &mut Vec<ProductSnapshot>) -> Option<Uuid> {
        let info = self.locales.get_mut(locale)?;
        let bound = info.product.as_ref()?;
        if !info.stored {
            info.stored = true;
            out.push(bound.snapshot.clone());
        }
        Some(bound.snapshot.id)
    }

    /// Where automation `index` sends a subscription of `locale`: its split branch for the
    /// locale, or `default`.
    pub fn route(&mut self, index: usize, locale: &str) -> Arc<Route> {
        self.slot(index, locale).0.clone()
    }

    /// Like [`Lookups::route`], pushing the route into `out` the first time.
    pub fn take_route(
        &mut self,
        index: usize,
        locale: &str,
        out: &mut Vec<Arc<Route>>,
    ) -> Arc<Route> {
        let (route, stored) = self.slot(index, locale);
        if !*stored {
            *stored = true;
            out.push(route.clone());
        }
        route.clone()
    }

    fn slot(&mut self, index: usize, locale: &str) -> &mut RouteSlot {
        let automations = self.rules.all();
        if !self.routes.contains_key(locale) {
            self.routes
                .insert(locale.to_owned(), vec![None; automations.len()]);
        }
        let slots = self.routes.get_mut(locale).expect("inserted above");
        slots[index]
            .get_or_insert_with(|| (Arc::new(route_for(&automations[index], locale)), false))
    }
}

fn route_for(automation: &Automation, locale: &str) -> Route {
    let branch = automation
        .split
        .branches
        .iter()
        .find(|b| b.locale == locale);
    let (name, actions) = match branch {
        Some(b) => (b.locale.as_str(), &b.actions[..]),
        None => ("default", &automation.split.default[..]),
    };
    let actions = actions
        .iter()
        .map(|a| {
            let settings =
                marked_yaml::from_node::<serde_json::Value>(&a.config).unwrap_or_default();
            serde_json::json!({ a.name.as_str(): settings })
        })
        .collect();
    Route {
        id: Uuid::now_v7(),
        automation: Arc::from(automation.id.as_str()),
        branch: Arc::from(name),
        actions: Arc::new(serde_json::Value::Array(actions)),
    }
}

//! The fan-out of one stock level: matched subscriptions in chunks, oldest first, each
//! chunk decided and committed (consumption, notifications, log, progress) in one
//! transaction, so a million matches never sit in memory and a crash loses nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::dsl::{Record, Timestamp};
use crate::store::{Candidate, HeldBack, StockLevel, Store};

use super::binding::{contact_email_and_locale, contact_values};
use super::decide::{Decision, Judge};
use super::products::Lookups;
use super::ruleset::RuleSet;
use super::EngineError;

/// A chunk of matched subscriptions with what was decided for each.
pub struct Judged {
    pub decisions: Vec<(Candidate, Decision)>,
}

/// Everything that stays the same while one stock level fans out.
pub struct FanOut<'a> {
    pub store: &'a dyn Store,
    pub rules: &'a RuleSet,
    pub level: &'a StockLevel,
    pub lookups: Lookups<'a>,
    pub judge: Judge<'a>,
    pub now: DateTime<Utc>,
    pub chunk_size: usize,
    /// The last subscription id walked (inclusive), for a part of a split fan-out.
    pub until: Option<Uuid>,
    attributes: Vec<crate::dsl::Value>,
}

impl<'a> FanOut<'a> {
    pub fn new(
        store: &'a dyn Store,
        rules: &'a RuleSet,
        catalog: &'a crate::feeds::Catalog,
        level: &'a StockLevel,
        already_sent: &HashMap<String, u64>,
        chunk_size: usize,
    ) -> Self {
        Self {
            store,
            rules,
            level,
            lookups: Lookups::new(catalog, rules, level.key.sku.as_str(), level.quantity.get()),
            judge: Judge::new(rules, level.quantity.get(), already_sent),
            now: Utc::now(),
            chunk_size: chunk_size.max(1),
            until: None,
            attributes: Vec::new(),
        }
    }

    /// The next chunk of matches after `cursor`, decided; `None` when there are no more.
    pub async fn next(&mut self, cursor: Option<Uuid>) -> Result<Option<Judged>, EngineError> {
        let key = &self.level.key;
        let chunk = self
            .store
            .match_subscriptions(
                key,
                cursor,
                self.until,
                self.chunk_size,
                self.rules.needs_contact,
            )
            .await?;
        if chunk.is_empty() {
            return Ok(None);
        }
        let purchases = self.purchases(&chunk).await?;
        let decisions = chunk
            .into_iter()
            .map(|candidate| {
                let decision =
                    self.decide(&candidate, purchases.get(&candidate.contact_id).copied());
                (candidate, decision)
            })
            .collect();
        Ok(Some(Judged { decisions }))
    }

    /// The latest purchase of this SKU per contact, when some condition reads `purchased`.
    async fn purchases(
        &self,
        chunk: &[Candidate],
    ) -> Result<HashMap<Uuid, Timestamp>, EngineError> {
        if !self.rules.needs_purchases {
            return Ok(HashMap::new());
        }
        let contacts: Vec<Uuid> = chunk.iter().map(|c| c.contact_id).collect();
        let mut latest: HashMap<Uuid, Timestamp> = HashMap::new();
        for (contact, when) in self
            .store
            .last_purchases(&self.level.key.sku, &contacts)
            .await?
        {
            let when = Timestamp::from(when);
            latest
                .entry(contact)
                .and_modify(|t| *t = (*t).max(when))
                .or_insert(when);
        }
        Ok(latest)
    }

    fn decide(&mut self, candidate: &Candidate, last_purchase: Option<Timestamp>) -> Decision {
        let (email, contact_locale) = match &candidate.attributes {
            Some(attributes) => {
                contact_values(&self.rules.schema, attributes, &mut self.attributes);
                contact_email_and_locale(attributes)
            }
            None => {
                self.attributes.clear();
                (None, None)
            }
        };
        let info = self.lookups.locale(&candidate.locale);
        let (has_feed, product) = (info.has_feed, info.product.as_ref());
        let record = Record {
            quantity: self.level.quantity.get(),
            sku: self.level.key.sku.as_str(),
            locale: &candidate.locale,
            external_id: (!candidate.external_id.is_empty())
                .then_some(candidate.external_id.as_str()),
            now: Timestamp::from(self.now),
            subscription_created_on: Timestamp::from(candidate.created_on),
            contact_email: email,
            contact_locale: contact_locale.as_ref().map(|l| l.as_str()),
            last_purchase,
            product: product.map_or(&[][..], |p| &p.values[..]),
            contact_attributes: &self.attributes,
        };
        self.judge.decide(&record, has_feed, product.is_some())
    }
}

/// Counts of held-back subscriptions, for the integration log.
#[derive(Default)]
pub struct HeldCounts(HashMap<HeldBack, u64>);

impl HeldCounts {
    pub fn add(&mut self, reason: HeldBack) {
        *self.0.entry(reason).or_default() += 1;
    }

    pub fn into_vec(self) -> Vec<(HeldBack, u64)> {
        let mut counts: Vec<_> = self.0.into_iter().collect();
        counts.sort();
        counts
    }
}

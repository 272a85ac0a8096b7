//! What a stock level would do, without changing anything: who would be notified,
//! through which automation and branch, and why each other subscription would not.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use uuid::Uuid;

use crate::store::StockLevel;

use super::decide::Decision;
use super::fanout::FanOut;
use super::{Engine, EngineError};

/// One subscription's fate in a dry run.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub subscription_id: Uuid,
    pub contact_id: Uuid,
    pub locale: String,
    /// `trigger`, `expire` or `hold`.
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Why a held subscription stays (`conditionFalse`, `noProductData`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DryRun {
    pub matched: u64,
    pub would_trigger: u64,
    pub would_expire: u64,
    pub held_back: BTreeMap<&'static str, u64>,
    /// The first `limit` verdicts, oldest subscription first.
    pub subscriptions: Vec<Verdict>,
    /// Whether `subscriptions` stops short of `matched`.
    pub truncated: bool,
}

impl Engine {
    /// Decides every subscription `level` matches, as the worker would now, and writes
    /// nothing. Lists at most `limit` verdicts; the counts cover all.
    pub async fn dry_run(&self, level: &StockLevel, limit: usize) -> Result<DryRun, EngineError> {
        let rules = self.rules.current();
        let mut fan = FanOut::new(
            self.store.as_ref(),
            &rules,
            &self.catalog,
            level,
            &HashMap::new(),
            self.settings.chunk_size,
        );
        let mut report = DryRun::default();
        let mut cursor = None;
        while let Some(judged) = fan.next(cursor).await? {
            cursor = judged.decisions.last().map(|(c, _)| c.id);
            for (candidate, decision) in judged.decisions {
                report.matched += 1;
                let mut verdict = Verdict {
                    subscription_id: candidate.id,
                    contact_id: candidate.contact_id,
                    locale: candidate.locale.clone(),
                    outcome: "hold",
                    automation: None,
                    branch: None,
                    reason: None,
                };
                match decision {
                    Decision::Trigger(index) => {
                        let route = fan.lookups.route(index, &candidate.locale);
                        report.would_trigger += 1;
                        verdict.outcome = "trigger";
                        verdict.automation = Some(route.automation.to_string());
                        verdict.branch = Some(route.branch.to_string());
                    }
                    Decision::Expired(index) => {
                        report.would_expire += 1;
                        verdict.outcome = "expire";
                        verdict.automation = Some(rules.all()[index].id.clone());
                    }
                    Decision::Held(reason) => {
                        *report.held_back.entry(reason.as_str()).or_default() += 1;
                        verdict.reason = Some(reason.as_str());
                    }
                }
                if report.subscriptions.len() < limit {
                    report.subscriptions.push(verdict);
                } else {
                    report.truncated = true;
                }
            }
        }
        Ok(report)
    }
}

//! The fan-out's per-chunk reads on SQLite, each as one row.
//!
//! sqlx hands SQLite rows from its worker thread to the async side one by one; at a
//! million matches that hand-over (a channel send, a wake-up, a thread switch and the row's
//! decoding) cost more than SQLite's own reading. SQLite builds the whole chunk as one
//! JSON array instead, in id order, and it is parsed here in one go: the matching
//! subscriptions, and the ids a chunk commit consumed.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::sql::{matching_subscriptions, DeleteSubscriptions};
use crate::store::{Attributes, Candidate, SqliteStore, StockKey, StoreError};

/// One matching subscription as SQLite's `json_array` writes it.
#[derive(Deserialize)]
struct Match(String, String, String, String, String, Option<Attributes>);

impl SqliteStore {
    pub(in crate::store) async fn match_candidates(
        &self,
        key: &StockKey,
        after: Option<Uuid>,
        until: Option<Uuid>,
        limit: usize,
        with_contact: bool,
    ) -> Result<Vec<Candidate>, StoreError> {
        let mut sql = matching_subscriptions!(
            sqlx::Sqlite,
            "SELECT json_group_array(json_array(hex(id), hex(contact_id), locale, external_id, \
             created_on, json(attributes)) ORDER BY id) FROM (",
            key,
            after,
            until,
            limit,
            with_contact
        );
        sql.push(")");
        let text: Option<String> = sql.build_query_scalar().fetch_one(&self.reader).await?;
        let matches: Vec<Match> = match text {
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| StoreError::Corrupt(format!("matching subscriptions: {e}")))?,
            None => Vec::new(),
        };
        matches.into_iter().map(candidate).collect()
    }
}

fn candidate(m: Match) -> Result<Candidate, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("matching subscription {what}"));
    Ok(Candidate {
        id: Uuid::parse_str(&m.0).map_err(|_| corrupt("id"))?,
        contact_id: Uuid::parse_str(&m.1).map_err(|_| corrupt("contact id"))?,
        locale: m.2,
        external_id: m.3,
        created_on: timestamp(&m.4).ok_or_else(|| corrupt("created_on"))?,
        attributes: m.5,
    })
}

/// sqlx writes RFC 3339; older rows may carry SQLite's own `YYYY-MM-DD HH:MM:SS`.
fn timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

/// On SQLite, `RETURNING` sends each deleted id across sqlx's worker thread on its own:
/// the ids still there are read as one JSON array instead (the writer connection is the
/// only one, so nothing changes between that read and the delete), and the ids go in as
/// one JSON parameter rather than one parameter each.
#[async_trait::async_trait]
impl DeleteSubscriptions for sqlx::SqliteConnection {
    async fn delete_subscriptions(&mut self, ids: &[Uuid]) -> Result<HashSet<Uuid>, sqlx::Error> {
        let list: Vec<String> = ids.iter().map(|id| id.simple().to_string()).collect();
        let list = serde_json::Value::from(list).to_string();
        let present: Option<String> = sqlx::query_scalar(
            "SELECT json_group_array(hex(id)) FROM subscriptions \
             WHERE id IN (SELECT unhex(value) FROM json_each($1))",
        )
        .bind(&list)
        .fetch_one(&mut *self)
        .await?;
        sqlx::query(
            "DELETE FROM subscriptions WHERE id IN (SELECT unhex(value) FROM json_each($1))",
        )
        .bind(&list)
        .execute(&mut *self)
        .await?;
        let present: Vec<String> = match present {
            Some(text) => serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(e.into()))?,
            None => Vec::new(),
        };
        present
            .iter()
            .map(|hex| Uuid::parse_str(hex).map_err(|e| sqlx::Error::Decode(e.into())))
            .collect()
    }
}

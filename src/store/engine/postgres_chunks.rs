//! Matching on PostgreSQL: the rows as they are (SQLite's are read as one JSON text,
//! `sqlite_chunks.rs`).

use uuid::Uuid;

use super::rows::CandidateRow;
use super::sql::matching_subscriptions;
use crate::store::{Candidate, PostgresStore, StockKey, StoreError};

impl PostgresStore {
    pub(in crate::store) async fn match_candidates(
        &self,
        key: &StockKey,
        after: Option<Uuid>,
        until: Option<Uuid>,
        limit: usize,
        with_contact: bool,
    ) -> Result<Vec<Candidate>, StoreError> {
        let mut sql =
            matching_subscriptions!(sqlx::Postgres, "", key, after, until, limit, with_contact);
        let rows: Vec<CandidateRow> = sql.build_query_as().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}

//! Web console sessions (`/admin`): kept in the database rather than in a process's memory,
//! so an administrator can end one (sign-out, or deleting its row) and every instance on a
//! shared PostgreSQL database honours the same sign-in.

use async_trait::async_trait;

use crate::store::StoreError;

/// A stored sign-in. Both digests are SHA-256 in hex: the table never holds a cookie value
/// or an API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    /// Digest of the API key that signed in.
    pub key_digest: String,
    pub created_ms: i64,
    pub last_seen_ms: i64,
}

/// Creating, reading, refreshing and ending console sessions.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// Records a new session, and forgets sessions idle since before `forget_before_ms`
    /// (so the table does not grow with abandoned sign-ins).
    async fn create_session(
        &self,
        id_digest: &str,
        key_digest: &str,
        now_ms: i64,
        forget_before_ms: i64,
    ) -> Result<(), StoreError>;
    /// The session with this id digest, if there is one (expired or not: the caller decides).
    async fn console_session(&self, id_digest: &str) -> Result<Option<ConsoleSession>, StoreError>;
    /// Marks the session as used at `now_ms` (idle expiry counts from here).
    async fn touch_session(&self, id_digest: &str, now_ms: i64) -> Result<(), StoreError>;
    /// Ends one session; false if it did not exist.
    async fn delete_session(&self, id_digest: &str) -> Result<bool, StoreError>;
    /// Ends every session (sign everyone out); how many.
    async fn delete_all_sessions(&self) -> Result<u64, StoreError>;
}

/// Implements [`SessionStore`] for `$store` (see `impl_contact_store!`): reads on `$read`, writes
/// through the backend's `write`.
macro_rules! impl_session_store {
    ($store:ty, read: $read:ident) => {
        const _: () = {
        use $crate::store::StoreError;

        #[async_trait::async_trait]
        impl $crate::store::SessionStore for $store {
            async fn create_session(
                &self,
                id_digest: &str,
                key_digest: &str,
                now_ms: i64,
                forget_before_ms: i64,
            ) -> Result<(), StoreError> {
                let (id, key) = (id_digest.to_owned(), key_digest.to_owned());
                self.write(1, move |conn| Box::pin(async move {
                    sqlx::query("DELETE FROM console_sessions WHERE last_seen_ms < $1")
                        .bind(forget_before_ms)
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query(
                        "INSERT INTO console_sessions (id_digest, key_digest, created_ms, last_seen_ms) \
                         VALUES ($1, $2, $3, $3)",
                    )
                    .bind(&id)
                    .bind(&key)
                    .bind(now_ms)
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                }))
                .await
            }

            async fn console_session(
                &self,
                id_digest: &str,
            ) -> Result<Option<$crate::store::ConsoleSession>, StoreError> {
                let row: Option<(String, i64, i64)> = sqlx::query_as(
                    "SELECT key_digest, created_ms, last_seen_ms FROM console_sessions WHERE id_digest = $1",
                )
                .bind(id_digest)
                .fetch_optional(&self.$read)
                .await?;
                Ok(row.map(|(key_digest, created_ms, last_seen_ms)| $crate::store::ConsoleSession {
                    key_digest,
                    created_ms,
                    last_seen_ms,
                }))
            }

            async fn touch_session(&self, id_digest: &str, now_ms: i64) -> Result<(), StoreError> {
                let id = id_digest.to_owned();
                self.write(1, move |conn| Box::pin(async move {
                    sqlx::query("UPDATE console_sessions SET last_seen_ms = $2 WHERE id_digest = $1")
                        .bind(&id)
                        .bind(now_ms)
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                }))
                .await
            }

            async fn delete_session(&self, id_digest: &str) -> Result<bool, StoreError> {
                let id = id_digest.to_owned();
                self.write(1, move |conn| Box::pin(async move {
                    let done = sqlx::query("DELETE FROM console_sessions WHERE id_digest = $1")
                        .bind(&id)
                        .execute(&mut *conn)
                        .await?;
                    Ok(done.rows_affected() > 0)
                }))
                .await
            }

            async fn delete_all_sessions(&self) -> Result<u64, StoreError> {
                self.write(1, move |conn| Box::pin(async move {
                    let done = sqlx::query("DELETE FROM console_sessions")
                        .execute(&mut *conn)
                        .await?;
                    Ok(done.rows_affected())
                }))
                .await
            }
        }
        };
    };
}

pub(crate) use impl_session_store;

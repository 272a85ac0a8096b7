use thiserror::Error;

/// What can go wrong in the store. The API maps the domain variants to 4xx and everything
/// else to 500 without showing the cause.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("no contact with that id")]
    ContactNotFound,
    #[error("another contact already has this email address")]
    DuplicateEmail,
    #[error("the claim on batch {0} was lost (its lease ran out and another worker took it)")]
    LostClaim(uuid::Uuid),
    #[error("stored data does not parse: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// A failure that the same work, tried again, may not meet: a deadlock or
    /// serialization failure on PostgreSQL, a busy database on SQLite.
    pub fn is_retryable(&self) -> bool {
        let StoreError::Database(sqlx::Error::Database(db)) = self else {
            return matches!(
                self,
                StoreError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_))
            );
        };
        matches!(db.code().as_deref(), Some("40P01" | "40001" | "5" | "6"))
    }

    /// Turns a constraint violation into the domain error it means, once, for every query.
    pub(crate) fn on_constraint(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err {
            if db.is_foreign_key_violation() {
                return Self::ContactNotFound;
            }
            if db.is_unique_violation() && db.message().contains("email") {
                return Self::DuplicateEmail;
            }
        }
        Self::Database(err)
    }
}

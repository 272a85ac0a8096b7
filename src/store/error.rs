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
    /// The write itself succeeded but the COMMIT it shared with other writes (SQLite group
    /// commit) did not, so none of the group is stored. Shared, hence the `Arc`.
    #[error("commit failed: {0}")]
    CommitFailed(std::sync::Arc<sqlx::Error>),
    /// The SQLite writer task never answered: it was shut down, or the write panicked.
    #[error("the write was abandoned (writer shut down or the write panicked)")]
    WriteAbandoned,
}

impl StoreError {
    /// The database refused a statement (a constraint: the contact is gone, the address is
    /// taken): the statement is undone by the database itself and the transaction goes on.
    pub fn is_refusal(&self) -> bool {
        match self {
            StoreError::ContactNotFound | StoreError::DuplicateEmail => true,
            StoreError::Database(sqlx::Error::Database(db)) => {
                !matches!(db.kind(), sqlx::error::ErrorKind::Other)
            }
            _ => false,
        }
    }

    /// A failure that the same work, tried again, may not meet: a deadlock or
    /// serialization failure on PostgreSQL, a busy database on SQLite.
    pub fn is_retryable(&self) -> bool {
        let err = match self {
            StoreError::Database(err) => err,
            StoreError::CommitFailed(err) => &**err,
            _ => return false,
        };
        match err {
            sqlx::Error::Database(db) => {
                matches!(db.code().as_deref(), Some("40P01" | "40001" | "5" | "6"))
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) => true,
            _ => false,
        }
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

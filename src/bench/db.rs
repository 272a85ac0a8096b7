//! Where a benchmark's data lives: a SQLite file, or a database of its own on a
//! PostgreSQL server, created for the run and dropped after it so that a benchmark never
//! touches data it did not make.

use std::path::{Path, PathBuf};

use anyhow::Context;
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use sqlx::{Connection, PgConnection};

/// A bench database, by backend.
#[derive(Debug, Clone)]
pub enum BenchDb {
    Sqlite(PathBuf),
    Postgres {
        /// The server's URL as given (its database is only used to create and drop ours).
        server: String,
        /// The database created for this run.
        name: String,
    },
}

/// A plain pool on a bench database, for the generator, baselines and counting: never
/// the engine's own store.
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl BenchDb {
    /// `postgres://…` selects a fresh database on that server; anything else a new SQLite
    /// file `file_name` in `dir`.
    pub async fn create(
        database_url: Option<&str>,
        dir: &Path,
        file_name: &str,
    ) -> anyhow::Result<Self> {
        match database_url {
            Some(url) if is_postgres(url) => {
                let name = format!("restock_bench_{}", uuid::Uuid::now_v7().simple());
                let db = Self::Postgres {
                    server: url.to_owned(),
                    name,
                };
                db.admin(&format!("CREATE DATABASE {}", db.name()))
                    .await
                    .context("cannot create the bench database (does the user have CREATEDB?)")?;
                Ok(db)
            }
            Some(url) => anyhow::bail!(
                "--database-url must be postgres://… (SQLite benches use a new file in --dir), not {}",
                crate::config::redact_url(url)
            ),
            None => {
                let path = dir.join(file_name);
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
                Ok(Self::Sqlite(path))
            }
        }
    }

    /// An existing PostgreSQL database, which the caller fills and nobody drops.
    pub fn existing(url: &str) -> anyhow::Result<Self> {
        let parsed = url::Url::parse(url).context("--database-url is not a URL")?;
        let name = parsed.path().trim_start_matches('/').to_owned();
        anyhow::ensure!(!name.is_empty(), "--database-url names no database");
        Ok(Self::Postgres {
            server: url.to_owned(),
            name,
        })
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres { .. })
    }

    /// The backend's name, for reports.
    pub fn backend_name(&self) -> &'static str {
        if self.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    /// The URL the engine's store connects to.
    pub fn url(&self) -> anyhow::Result<String> {
        match self {
            Self::Sqlite(path) => Ok(format!("sqlite://{}?mode=rwc", path.display())),
            Self::Postgres { server, name } => {
                let mut url = url::Url::parse(server).context("--database-url is not a URL")?;
                url.set_path(name);
                Ok(url.to_string())
            }
        }
    }

    fn name(&self) -> &str {
        match self {
            Self::Sqlite(_) => "",
            Self::Postgres { name, .. } => name,
        }
    }

    /// A copy of this database (all its connections must be closed), for a baseline that
    /// must not disturb the data the engine will run on.
    pub async fn copy(&self, file_name: &str) -> anyhow::Result<Self> {
        match self {
            Self::Sqlite(path) => {
                let copy = path.with_file_name(file_name);
                std::fs::copy(path, &copy).context("copying the database for the baseline")?;
                Ok(Self::Sqlite(copy))
            }
            Self::Postgres { server, name } => {
                let copy = Self::Postgres {
                    server: server.clone(),
                    name: format!("{name}_copy"),
                };
                self.admin(&format!(
                    "CREATE DATABASE {} TEMPLATE {name} STRATEGY FILE_COPY",
                    copy.name()
                ))
                .await
                .context("copying the database for the baseline")?;
                Ok(copy)
            }
        }
    }

    /// Removes the database (best effort: a leftover is reported, not fatal).
    pub async fn drop_db(&self) {
        let done = match self {
            Self::Sqlite(path) => std::fs::remove_file(path).map_err(anyhow::Error::from),
            Self::Postgres { .. } => {
                self.admin(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name()
                ))
                .await
            }
        };
        if let Err(err) = done {
            eprintln!("note: could not remove the bench database: {err:#}");
        }
    }

    /// A pool of `connections` on this database.
    pub async fn pool(&self, connections: u32) -> anyhow::Result<Pool> {
        let url = self.url()?;
        Ok(match self {
            Self::Sqlite(_) => Pool::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(connections)
                    .connect(&url)
                    .await?,
            ),
            Self::Postgres { .. } => Pool::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(connections)
                    .connect(&url)
                    .await?,
            ),
        })
    }

    /// A statement on the server's own database (CREATE / DROP DATABASE cannot run in the
    /// database they name).
    async fn admin(&self, sql: &str) -> anyhow::Result<()> {
        let Self::Postgres { server, .. } = self else {
            return Ok(());
        };
        let mut conn = PgConnection::connect(server).await?;
        sqlx::query(sql).execute(&mut conn).await?;
        conn.close().await?;
        Ok(())
    }
}

impl Pool {
    /// The single number a `SELECT COUNT(*) …` answers.
    pub async fn count(&self, sql: &str) -> anyhow::Result<u64> {
        let n: i64 = match self {
            Self::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
            Self::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
        };
        Ok(u64::try_from(n)?)
    }

    pub async fn close(self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// `sku IN ('BENCH-SKU-1', …)` for the ranks given: the names are generated, never input.
pub fn sku_list(ranks: impl Iterator<Item = u32>) -> String {
    let names: Vec<String> = ranks
        .map(|r| format!("'{}'", super::data::Dataset::sku(r)))
        .collect();
    format!("({})", names.join(", "))
}

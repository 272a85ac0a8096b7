//! The handle writers hold: a queue into the writer task.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use futures::future::BoxFuture;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use sqlx::Sqlite;
use tokio::sync::{mpsc, oneshot};

use super::job::{Job, Pending};
use super::tally::Tally;
use super::task;
use crate::store::{DailyStats, StoreError};

/// Writes waiting for the writer before callers wait to queue: back-pressure, not a limit.
const QUEUE: usize = 4_096;

/// The sending side of the writer task's queue; the task ends when every handle is gone,
/// after finishing what was queued.
pub(crate) struct GroupWriter {
    queue: mpsc::Sender<Queued>,
    tally: Arc<Tally>,
}

pub(super) enum Queued {
    /// A write to run in a group; `weight` is about how many rows it writes.
    Write { job: Box<dyn Job>, weight: usize },
    /// A caller that wants the connection to itself for a while.
    Lend(oneshot::Sender<Result<Lent, StoreError>>),
}

impl GroupWriter {
    /// Starts the writer task on the current runtime. It takes `pool`'s connection (the
    /// pool should hold one) and keeps it: from then on every write goes through the queue.
    pub(crate) fn start(pool: SqlitePool) -> Self {
        let (queue, jobs) = mpsc::channel(QUEUE);
        let tally = Arc::new(Tally::default());
        tokio::spawn(task::run(pool, jobs, Arc::clone(&tally)));
        Self { queue, tally }
    }

    /// Runs `op` in the next group and answers once that group is durable. `op` runs on the
    /// writer connection, already inside a transaction; it may `begin()` a nested one of its
    /// own (sqlx makes it a savepoint). `weight` is about how many rows it writes.
    pub(crate) async fn write<T, F>(&self, weight: usize, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>>
            + Send
            + 'static,
    {
        self.queue_write(weight, false, op).await
    }

    async fn queue_write<T, F>(
        &self,
        weight: usize,
        one_statement: bool,
        op: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>>
            + Send
            + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Pending {
            op,
            one_statement,
            reply,
        });
        let weight = weight.max(1);
        self.send(Queued::Write { job, weight }).await?;
        // Closed without an answer: the write panicked, or the runtime is shutting down.
        answer.await.map_err(|_| StoreError::WriteAbandoned)?
    }

    /// [`GroupWriter::write`] for a write that counts daily statistics: `op` returns them
    /// with its result, and they are added with the rest of its group's, once, before the
    /// group's COMMIT — only if `op` succeeded, as its rows are kept only then.
    pub(crate) async fn write_counted<T, F>(&self, weight: usize, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(
                &'c mut SqliteConnection,
            ) -> BoxFuture<'c, Result<(T, DailyStats), StoreError>>
            + Send
            + 'static,
    {
        self.counted(weight, false, op).await
    }

    /// [`GroupWriter::write_counted`] for a write that changes the database in one
    /// statement at most (others may read, or change nothing, as an `INSERT … ON CONFLICT
    /// DO NOTHING` that met its twin), and returns once that one has: it runs without
    /// a savepoint of its own, one round trip to SQLite's thread fewer (a subscription's
    /// two become one). A failed statement is undone by SQLite itself; should such a write
    /// fail in any other way than a refusal (a constraint), its whole group is rolled back,
    /// as nothing else can say what it left.
    pub(crate) async fn write_counted_statement<T, F>(
        &self,
        weight: usize,
        op: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(
                &'c mut SqliteConnection,
            ) -> BoxFuture<'c, Result<(T, DailyStats), StoreError>>
            + Send
            + 'static,
    {
        self.counted(weight, true, op).await
    }

    async fn counted<T, F>(
        &self,
        weight: usize,
        one_statement: bool,
        op: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(
                &'c mut SqliteConnection,
            ) -> BoxFuture<'c, Result<(T, DailyStats), StoreError>>
            + Send
            + 'static,
    {
        let tally = Arc::clone(&self.tally);
        self.queue_write(weight, one_statement, move |conn| {
            Box::pin(async move {
                let (value, stats) = op(conn).await?;
                // Nothing after this can fail: a counted write is a kept write.
                tally.add(stats);
                Ok(value)
            })
        })
        .await
    }

    /// The writer connection to the caller alone, between groups, until the [`Lent`] is
    /// dropped: for a large transaction that would hold a group hostage, or for borrowed
    /// data that cannot be queued. Its commit is its own (and its own fsync). Never `write`
    /// while holding a `Lent`: the group would wait for the connection, and it for the group.
    pub(crate) async fn lend(&self) -> Result<Lent, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send(Queued::Lend(reply)).await?;
        answer.await.map_err(|_| StoreError::WriteAbandoned)?
    }

    async fn send(&self, queued: Queued) -> Result<(), StoreError> {
        self.queue
            .send(queued)
            .await
            .map_err(|_| StoreError::WriteAbandoned)
    }
}

/// The writer connection, lent; dropping it (also when its holder is cancelled or panics)
/// gives it back to the writer task. A transaction left open on it is rolled back first
/// (sqlx queues the rollback when the `Transaction` is dropped).
pub(crate) struct Lent {
    conn: Option<PoolConnection<Sqlite>>,
    back: Option<oneshot::Sender<PoolConnection<Sqlite>>>,
}

impl Lent {
    pub(super) fn new(
        conn: PoolConnection<Sqlite>,
        back: oneshot::Sender<PoolConnection<Sqlite>>,
    ) -> Self {
        Self {
            conn: Some(conn),
            back: Some(back),
        }
    }
}

const HELD: &str = "a Lent holds its connection until dropped";

impl Deref for Lent {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        self.conn.as_deref().expect(HELD)
    }
}

impl DerefMut for Lent {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.conn.as_deref_mut().expect(HELD)
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        if let (Some(conn), Some(back)) = (self.conn.take(), self.back.take()) {
            // The writer task gone (shutdown): the connection goes back to its pool instead.
            let _ = back.send(conn);
        }
    }
}

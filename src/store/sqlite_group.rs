//! Group commit for SQLite writes.
//!
//! With `synchronous=FULL` every COMMIT waits for an fsync, and SQLite has one writer, so
//! committing each request's transaction on its own caps throughput at one fsync per write.
//! Here one task takes every write queued meanwhile, runs each in its own SAVEPOINT inside
//! one transaction (a failing write rolls back only itself and gets its own error), commits
//! once, and only then answers the callers: a 2xx still means the write is on disk.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::future::BoxFuture;
use futures::FutureExt;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use sqlx::{Connection, Sqlite, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::StoreError;

/// At most this many writes share one commit: enough to absorb an HTTP burst, few enough
/// that the first caller in the group does not wait long for the last.
const MAX_OPS: usize = 128;
/// At most about this many rows per commit: a 1,000-item stock batch shares its commit with
/// one more such batch or with small writes, and a bigger write runs alone, so it never
/// holds many small writes hostage.
const MAX_WEIGHT: usize = 2_048;
/// Writes waiting for the writer before callers wait to queue (back-pressure, not a limit
/// on correctness).
const QUEUE: usize = 4_096;

/// The sending side of the writer task's queue; the task ends when every handle is gone,
/// after finishing what was queued.
pub(crate) struct GroupWriter {
    queue: mpsc::Sender<Queued>,
}

impl GroupWriter {
    /// Starts the writer task on the current runtime. `pool` is the one-connection writer
    /// pool: the task takes its connection for each group, so writes that do not go through
    /// the queue (the engine's chunks) still wait their turn on the same connection.
    pub(crate) fn start(pool: SqlitePool) -> Self {
        let (queue, jobs) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, jobs));
        Self { queue }
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
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Pending { op, reply });
        self.queue
            .send(Queued {
                job,
                weight: weight.max(1),
            })
            .await
            .map_err(|_| StoreError::WriteAbandoned)?;
        // Closed without an answer: the writer task panicked on this op or was shut down.
        answer.await.map_err(|_| StoreError::WriteAbandoned)?
    }
}

struct Queued {
    job: Box<dyn Job>,
    weight: usize,
}

/// A queued write with its caller's answer channel, its result type erased.
trait Job: Send {
    /// Runs the write; what it returns says whether it succeeded and answers the caller
    /// once the group's commit is known.
    fn run<'c>(self: Box<Self>, conn: &'c mut SqliteConnection) -> BoxFuture<'c, Box<dyn Answer>>;
    /// Answers without running (the group could not start).
    fn fail(self: Box<Self>, err: StoreError);
}

trait Answer: Send {
    fn succeeded(&self) -> bool;
    /// `commit` is the group's COMMIT outcome; a failed write keeps its own error.
    fn send(self: Box<Self>, commit: Result<(), &Arc<sqlx::Error>>);
}

struct Pending<T, F> {
    op: F,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

struct Reply<T> {
    result: Result<T, StoreError>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Job for Pending<T, F>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>>
        + Send
        + 'static,
{
    fn run<'c>(self: Box<Self>, conn: &'c mut SqliteConnection) -> BoxFuture<'c, Box<dyn Answer>> {
        let Pending { op, reply } = *self;
        Box::pin(async move {
            let result = op(conn).await;
            Box::new(Reply { result, reply }) as Box<dyn Answer>
        })
    }

    fn fail(self: Box<Self>, err: StoreError) {
        // The caller may have gone (a dropped HTTP request): nobody to tell.
        let _ = self.reply.send(Err(err));
    }
}

impl<T: Send> Answer for Reply<T> {
    fn succeeded(&self) -> bool {
        self.result.is_ok()
    }

    fn send(self: Box<Self>, commit: Result<(), &Arc<sqlx::Error>>) {
        let result = match (self.result, commit) {
            (Ok(_), Err(err)) => Err(StoreError::CommitFailed(Arc::clone(err))),
            (result, _) => result,
        };
        let _ = self.reply.send(result);
    }
}

/// The writer task: one group at a time, oldest writes first, so none starves.
async fn run(pool: SqlitePool, mut jobs: mpsc::Receiver<Queued>) {
    let mut carry: Option<Queued> = None;
    let mut group = Vec::with_capacity(MAX_OPS);
    loop {
        let first = match carry.take() {
            Some(job) => job,
            None => match jobs.recv().await {
                Some(job) => job,
                None => break, // every handle dropped and the queue drained
            },
        };
        let mut weight = first.weight;
        group.push(first.job);
        while group.len() < MAX_OPS && weight < MAX_WEIGHT {
            let Ok(next) = jobs.try_recv() else { break };
            if weight + next.weight > MAX_WEIGHT {
                carry = Some(next); // first in the next group: order is kept
                break;
            }
            weight += next.weight;
            group.push(next.job);
        }
        commit_group(&pool, group.drain(..)).await;
    }
}

/// Runs one group in one transaction and answers every caller.
#[tracing::instrument(skip_all, fields(ops = group.len()))]
async fn commit_group(pool: &SqlitePool, group: std::vec::Drain<'_, Box<dyn Job>>) {
    let mut conn = match pool.acquire().await {
        Ok(conn) => conn,
        Err(err) => return fail_all(group, &Arc::new(err)),
    };
    // IMMEDIATE: take the write lock now, where busy_timeout applies, rather than at the
    // first write, where a lock held by another process could fail the whole group.
    let mut tx = match conn.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(err) => return fail_all(group, &Arc::new(err)),
    };
    let mut answers = Vec::with_capacity(group.len());
    for job in group {
        if let Some(answer) = in_savepoint(&mut tx, job).await {
            answers.push(answer);
        }
    }
    let committed = tx.commit().await.map_err(Arc::new);
    if let Err(err) = &committed {
        tracing::error!(error = %err, ops = answers.len(), "group commit failed");
    }
    for answer in answers {
        answer.send(committed.as_ref().map(|_| ()));
    }
}

/// Runs one write in its own savepoint: released if it succeeded, rolled back if it failed
/// or panicked. `None` when the caller was already answered (or cannot be).
async fn in_savepoint(
    tx: &mut Transaction<'_, Sqlite>,
    job: Box<dyn Job>,
) -> Option<Box<dyn Answer>> {
    let mut savepoint = match Connection::begin(&mut **tx).await {
        Ok(savepoint) => savepoint,
        Err(err) => {
            job.fail(StoreError::Database(err));
            return None;
        }
    };
    let ran = AssertUnwindSafe(job.run(&mut savepoint))
        .catch_unwind()
        .await
        .ok();
    let Some(answer) = ran else {
        // The op's answer channel went down with it, which tells its caller.
        tracing::error!("a write panicked; rolled back, the rest of its group goes on");
        let _ = savepoint.rollback().await;
        return None;
    };
    let ended = if answer.succeeded() {
        savepoint.commit().await
    } else {
        savepoint.rollback().await
    };
    match ended {
        Ok(()) => Some(answer),
        Err(err) => {
            // Cannot release or roll back a savepoint: the transaction is in trouble and
            // the COMMIT will most likely fail too; this write is not trusted either way.
            tracing::error!(error = %err, "savepoint did not end");
            answer.send(Err(&Arc::new(err)));
            None
        }
    }
}

fn fail_all(group: std::vec::Drain<'_, Box<dyn Job>>, err: &Arc<sqlx::Error>) {
    tracing::error!(error = %err, "a write group could not start");
    for job in group {
        job.fail(StoreError::CommitFailed(Arc::clone(err)));
    }
}

//! The writer task: one group at a time, oldest writes first, so none starves.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::SqlitePool;
use sqlx::{Connection, Sqlite, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::job::{Answer, Job};
use super::tally::Tally;
use super::writer::{Lent, Queued};
use crate::store::StoreError;

/// At most this many writes share one commit: enough to absorb an HTTP burst, few enough
/// that the first caller in the group does not wait long for the last.
const MAX_OPS: usize = 128;
/// At most about this many rows per commit: a 1,000-item stock batch shares its commit with
/// one more such batch or with small writes, and a bigger write runs alone, so it never
/// holds many small writes hostage.
const MAX_WEIGHT: usize = 2_048;

type Conn = Option<PoolConnection<Sqlite>>;

pub(super) async fn run(pool: SqlitePool, mut queue: mpsc::Receiver<Queued>, tally: Arc<Tally>) {
    // Kept between groups; `None` after a failure, to take a fresh one from the pool.
    let mut conn: Conn = None;
    let mut carry: Option<Queued> = None;
    let mut group: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_OPS);
    loop {
        let first = match carry.take() {
            Some(queued) => queued,
            None => match queue.recv().await {
                Some(queued) => queued,
                None => break, // every handle dropped and the queue drained
            },
        };
        let mut weight = match first {
            Queued::Lend(reply) => {
                conn = lend(&pool, conn.take(), reply).await;
                continue;
            }
            Queued::Write { job, weight } => {
                group.push(job);
                weight
            }
        };
        while group.len() < MAX_OPS && weight < MAX_WEIGHT {
            match queue.try_recv() {
                Ok(Queued::Write { job, weight: more }) if weight + more <= MAX_WEIGHT => {
                    weight += more;
                    group.push(job);
                }
                // First in the next round, so the order is kept.
                Ok(next) => {
                    carry = Some(next);
                    break;
                }
                Err(_) => break,
            }
        }
        conn = commit_group(&pool, conn.take(), group.drain(..), &tally).await;
    }
}

async fn connection(pool: &SqlitePool, conn: Conn) -> Result<PoolConnection<Sqlite>, sqlx::Error> {
    match conn {
        Some(conn) => Ok(conn),
        None => pool.acquire().await,
    }
}

/// Lends the connection and waits for it to come back.
async fn lend(
    pool: &SqlitePool,
    conn: Conn,
    reply: oneshot::Sender<Result<Lent, StoreError>>,
) -> Conn {
    let conn = match connection(pool, conn).await {
        Ok(conn) => conn,
        Err(err) => {
            let _ = reply.send(Err(err.into()));
            return None;
        }
    };
    let (back, returned) = oneshot::channel();
    // A caller that has gone drops the Lent right here, which sends the connection back.
    let _ = reply.send(Ok(Lent::new(conn, back)));
    returned.await.ok()
}

/// Runs one group in one transaction and answers every caller.
#[tracing::instrument(skip_all, fields(ops = group.len()))]
async fn commit_group(
    pool: &SqlitePool,
    conn: Conn,
    group: std::vec::Drain<'_, Box<dyn Job>>,
    tally: &Tally,
) -> Conn {
    let mut conn = match connection(pool, conn).await {
        Ok(conn) => conn,
        Err(err) => return fail_all(group, err),
    };
    // IMMEDIATE: take the write lock now, where busy_timeout applies, rather than at the
    // first write, where a lock held by another process could fail the whole group.
    let mut tx = match conn.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(err) => return fail_all(group, err),
    };
    let mut answers = Vec::with_capacity(group.len());
    let mut broken: Option<Arc<sqlx::Error>> = None;
    for job in group {
        if let Some(err) = &broken {
            job.fail(StoreError::CommitFailed(Arc::clone(err)));
            continue;
        }
        match in_savepoint(&mut tx, job).await {
            Ok(answer) => answers.extend(answer),
            Err((answer, err)) => {
                answers.extend(answer);
                broken = Some(Arc::new(err));
            }
        }
    }
    // The group's counts go in last, in its transaction: a failure to add them fails the
    // group like a failed COMMIT would.
    let broken = match broken {
        None => tally.flush(&mut tx).await.err().map(Arc::new),
        Some(err) => {
            tally.discard();
            Some(err)
        }
    };
    let outcome = match broken {
        None => tx.commit().await.map_err(Arc::new),
        Some(err) => {
            let _ = tx.rollback().await;
            Err(err)
        }
    };
    if let Err(err) = &outcome {
        tracing::error!(error = %err, ops = answers.len(), "group commit failed");
    }
    for answer in answers {
        answer.send(outcome.as_ref().map(|_| ()));
    }
    // After a failure the connection goes back to the pool, which tests it on release.
    outcome.ok().map(|()| conn)
}

/// What a write left: its answer, unless it is already answered (it panicked), or an error
/// that leaves the transaction untrustworthy, so the whole group must be rolled back.
type Ran = Result<Option<Box<dyn Answer>>, (Option<Box<dyn Answer>>, sqlx::Error)>;

/// Runs one write after a SAVEPOINT of its own, rolled back to if it fails or panics. A
/// successful write's savepoint is simply left open (the COMMIT ends them all), which
/// saves a round trip to SQLite's thread per write.
async fn in_savepoint(tx: &mut Transaction<'_, Sqlite>, job: Box<dyn Job>) -> Ran {
    if job.one_statement() {
        return alone(tx, job).await;
    }
    if let Err(err) = sqlx::query("SAVEPOINT op").execute(&mut **tx).await {
        job.fail(StoreError::Database(err));
        return Ok(None);
    }
    let ran = AssertUnwindSafe(job.run(tx)).catch_unwind().await.ok();
    let answer = match ran {
        Some(answer) if answer.succeeded() => return Ok(Some(answer)),
        Some(answer) => Some(answer),
        None => {
            // Its answer channel went down with it, which tells its caller.
            tracing::error!("a write panicked; rolled back, the rest of its group goes on");
            None
        }
    };
    match sqlx::query("ROLLBACK TO op").execute(&mut **tx).await {
        Ok(_) => Ok(answer),
        Err(err) => Err((answer, err)),
    }
}

/// Runs a one-statement write without a savepoint: SQLite undoes a refused statement by
/// itself and the transaction goes on. Any other failure (or a panic) may have left a
/// change behind, so it breaks the group, which is then rolled back whole.
async fn alone(tx: &mut Transaction<'_, Sqlite>, job: Box<dyn Job>) -> Ran {
    match AssertUnwindSafe(job.run(tx)).catch_unwind().await {
        Ok(answer) if answer.succeeded() || answer.refused() => Ok(Some(answer)),
        Ok(answer) => Err((Some(answer), group_broken("a one-statement write failed"))),
        Err(_) => {
            tracing::error!("a one-statement write panicked; its group is rolled back");
            Err((None, group_broken("a one-statement write panicked")))
        }
    }
}

fn group_broken(why: &str) -> sqlx::Error {
    sqlx::Error::Protocol(format!("{why}: its group is rolled back"))
}

fn fail_all(group: std::vec::Drain<'_, Box<dyn Job>>, err: sqlx::Error) -> Conn {
    tracing::error!(error = %err, "a write group could not start");
    let err = Arc::new(err);
    for job in group {
        job.fail(StoreError::CommitFailed(Arc::clone(&err)));
    }
    None
}

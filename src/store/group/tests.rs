//! The group writer on its own, on a scratch table. On a current-thread runtime the writer
//! task only runs when the test yields, so writes started together with `join_all` are all
//! queued before it looks: they land in one group, deterministically, without timing.

use futures::future::{join_all, BoxFuture};
use futures::FutureExt;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
};
use sqlx::SqliteExecutor;

use super::GroupWriter;
use crate::store::{DailyStats, StatKey, StoreError};

type Op = Box<
    dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<(), StoreError>> + Send,
>;

/// A scratch database: the writer's one-connection pool (the writer task keeps its
/// connection) and a pool to read back with.
async fn scratch() -> (tempfile::TempDir, SqlitePool, SqlitePool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("group.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true);
    let pool = |n| {
        SqlitePoolOptions::new()
            .max_connections(n)
            .connect_with(options.clone())
    };
    let writer = pool(1).await.expect("open");
    // The deferred foreign key lets a test make the COMMIT itself fail.
    sqlx::raw_sql(
        "CREATE TABLE t (k TEXT PRIMARY KEY); \
         CREATE TABLE child (k TEXT REFERENCES t (k) DEFERRABLE INITIALLY DEFERRED);",
    )
    .execute(&writer)
    .await
    .expect("schema");
    let reader = pool(2).await.expect("open");
    (dir, writer, reader)
}

/// Inserts `k` into `t` (a duplicate key fails).
fn insert(k: &'static str) -> Op {
    Box::new(move |conn| Box::pin(async move { put(&mut *conn, "t", k).await }))
}

async fn put(conn: impl SqliteExecutor<'_>, table: &str, k: &str) -> Result<(), StoreError> {
    sqlx::query(&format!("INSERT INTO {table} (k) VALUES ($1)"))
        .bind(k)
        .execute(conn)
        .await?;
    Ok(())
}

async fn keys(pool: &SqlitePool) -> Vec<String> {
    sqlx::query_scalar("SELECT k FROM t ORDER BY k")
        .fetch_all(pool)
        .await
        .expect("read back")
}

async fn run_together(writer: &GroupWriter, ops: Vec<Op>) -> Vec<Result<(), StoreError>> {
    join_all(ops.into_iter().map(|op| writer.write(1, op))).await
}

#[tokio::test(flavor = "current_thread")]
async fn a_failing_write_fails_alone_and_rolls_back_only_itself() {
    let (_dir, pool, reader) = scratch().await;
    let writer = GroupWriter::start(pool);
    let half_done: Op = Box::new(|conn| {
        Box::pin(async move {
            put(&mut *conn, "t", "half").await?;
            put(&mut *conn, "t", "a").await // a duplicate of the first write: fails
        })
    });
    let panics: Op = Box::new(|conn| {
        Box::pin(async move {
            put(&mut *conn, "t", "panicked").await?;
            panic!("a bug in one write");
        })
    });
    let results = run_together(
        &writer,
        vec![insert("a"), half_done, insert("b"), panics, insert("c")],
    )
    .await;

    assert!(results[0].is_ok() && results[2].is_ok() && results[4].is_ok());
    assert!(matches!(&results[1], Err(StoreError::Database(_))));
    assert!(matches!(&results[3], Err(StoreError::WriteAbandoned)));
    assert_eq!(keys(&reader).await, ["a", "b", "c"]);
}

#[tokio::test(flavor = "current_thread")]
async fn a_failed_commit_fails_every_write_of_the_group_and_the_next_group_is_fine() {
    let (_dir, pool, reader) = scratch().await;
    let writer = GroupWriter::start(pool);
    // Its statement succeeds; the deferred foreign key fails the COMMIT of the group.
    let orphan: Op = Box::new(|conn| Box::pin(async move { put(&mut *conn, "child", "x").await }));
    let results = run_together(&writer, vec![insert("a"), orphan, insert("b")]).await;

    for result in &results {
        assert!(
            matches!(result, Err(StoreError::CommitFailed(_))),
            "{result:?}"
        );
    }
    assert!(keys(&reader).await.is_empty());
    writer.write(1, insert("c")).await.expect("next group");
    assert_eq!(keys(&reader).await, ["c"]);
}

#[tokio::test(flavor = "current_thread")]
async fn a_caller_that_goes_away_does_not_poison_the_group() {
    let (_dir, pool, reader) = scratch().await;
    let writer = GroupWriter::start(pool);
    // Polled once (queued), then dropped, like an HTTP request whose client hung up.
    assert!(writer.write(1, insert("gone")).now_or_never().is_none());
    writer.write(1, insert("kept")).await.expect("write");
    // The abandoned write still ran: it was queued before its caller left.
    assert_eq!(keys(&reader).await, ["gone", "kept"]);
}

#[tokio::test(flavor = "current_thread")]
async fn nested_transactions_in_a_write_become_savepoints() {
    let (_dir, pool, reader) = scratch().await;
    let writer = GroupWriter::start(pool);
    let nested: Op = Box::new(|conn| {
        Box::pin(async move {
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            put(&mut *tx, "t", "inner").await?;
            tx.commit().await?;
            Ok(())
        })
    });
    let gives_up: Op = Box::new(|conn| {
        Box::pin(async move {
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            put(&mut *tx, "t", "dropped").await?;
            Ok(()) // the transaction is dropped, not committed: rolled back
        })
    });
    let results = run_together(&writer, vec![nested, gives_up, insert("z")]).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(keys(&reader).await, ["inner", "z"]);
}

#[tokio::test(flavor = "current_thread")]
async fn a_lent_connection_runs_alone_and_one_dropped_mid_transaction_rolls_back() {
    let (_dir, pool, reader) = scratch().await;
    let writer = GroupWriter::start(pool);
    {
        // Like an engine chunk whose task is cancelled before it commits.
        let mut lent = writer.lend().await.expect("lend");
        let mut tx = sqlx::Connection::begin(&mut *lent).await.expect("begin");
        put(&mut *tx, "t", "abandoned").await.expect("insert");
    }
    // Queued before the next lend: FIFO, it commits first, in a group of its own.
    let mut queued = Box::pin(writer.write(1, insert("after")));
    assert!(futures::poll!(&mut queued).is_pending());
    let mut lent = writer.lend().await.expect("lend");
    let mut tx = sqlx::Connection::begin(&mut *lent).await.expect("begin");
    put(&mut *tx, "t", "alone").await.expect("insert");
    tx.commit().await.expect("commit");
    drop(lent);
    queued.await.expect("write");
    assert_eq!(keys(&reader).await, ["after", "alone"]);
}

/// A write that counts: inserts `k` into `t` and counts `subscribed` once for sv-SE.
fn counted<'w>(
    writer: &'w GroupWriter,
    k: &'static str,
) -> impl std::future::Future<Output = Result<(), StoreError>> + 'w {
    writer.write_counted(1, move |conn| {
        Box::pin(async move {
            put(&mut *conn, "t", k).await?;
            Ok(((), one_subscribed()))
        })
    })
}

/// `subscribed` once, for sv-SE on 2026-01-02: what a counting write returns.
fn one_subscribed() -> DailyStats {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 2).expect("a day");
    let mut stats = DailyStats::new(day);
    stats.add(StatKey::locale("sv-SE"), "subscribed", 1);
    stats
}

/// The counters' table, for the writes that count.
async fn add_daily_stats(pool: &SqlitePool) {
    sqlx::raw_sql(
        "CREATE TABLE daily_stats (day TEXT NOT NULL, automation TEXT NOT NULL, \
         branch TEXT NOT NULL, locale TEXT NOT NULL, metric TEXT NOT NULL, \
         value INTEGER NOT NULL, PRIMARY KEY (day, automation, branch, locale, metric));",
    )
    .execute(pool)
    .await
    .expect("schema");
}

async fn subscribed(reader: &SqlitePool) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT day, value FROM daily_stats WHERE metric = 'subscribed'")
        .fetch_all(reader)
        .await
        .expect("read back")
}

#[tokio::test(flavor = "current_thread")]
async fn counted_writes_add_their_counts_once_per_group_and_only_when_kept() {
    let (_dir, pool, reader) = scratch().await;
    add_daily_stats(&pool).await;
    let writer = GroupWriter::start(pool);
    // One group: two kept writes, one that fails (a duplicate key) and counts nothing.
    let results = join_all([
        counted(&writer, "a"),
        counted(&writer, "a"),
        counted(&writer, "b"),
    ])
    .await;
    assert!(results[0].is_ok() && results[2].is_ok(), "{results:?}");
    assert!(matches!(&results[1], Err(StoreError::Database(_))));
    assert_eq!(subscribed(&reader).await, [("2026-01-02".to_owned(), 2)]);

    // A group whose COMMIT fails keeps neither its rows nor its counts.
    let orphan: Op = Box::new(|conn| Box::pin(async move { put(&mut *conn, "child", "x").await }));
    let (kept, failed) = futures::join!(counted(&writer, "c"), writer.write(1, orphan));
    assert!(matches!(kept, Err(StoreError::CommitFailed(_))), "{kept:?}");
    assert!(matches!(failed, Err(StoreError::CommitFailed(_))));
    assert_eq!(keys(&reader).await, ["a", "b"]);
    assert_eq!(subscribed(&reader).await, [("2026-01-02".to_owned(), 2)]);

    counted(&writer, "d").await.expect("next group");
    assert_eq!(subscribed(&reader).await, [("2026-01-02".to_owned(), 3)]);
}

/// A one-statement write: inserts `k` into `t`, a duplicate key refused as a taken address
/// is (a constraint); with `then_fails`, it fails after its insert has succeeded.
fn statement<'w>(
    writer: &'w GroupWriter,
    k: &'static str,
    then_fails: bool,
) -> impl std::future::Future<Output = Result<(), StoreError>> + 'w {
    writer.write_counted_statement(1, move |conn| {
        Box::pin(async move {
            put(&mut *conn, "t", k)
                .await
                .map_err(|_| StoreError::DuplicateEmail)?;
            if then_fails {
                return Err(StoreError::Corrupt("after its insert".to_owned()));
            }
            Ok(((), one_subscribed()))
        })
    })
}

#[tokio::test(flavor = "current_thread")]
async fn one_statement_writes_share_a_group_without_savepoints_and_a_refusal_fails_alone() {
    let (_dir, pool, reader) = scratch().await;
    add_daily_stats(&pool).await;
    let writer = GroupWriter::start(pool);
    // One group: the second "a" is refused by the key and undone by SQLite alone.
    let results = join_all([
        statement(&writer, "a", false),
        statement(&writer, "a", false),
        statement(&writer, "b", false),
    ])
    .await;
    assert!(results[0].is_ok() && results[2].is_ok(), "{results:?}");
    assert!(matches!(&results[1], Err(StoreError::DuplicateEmail)));
    assert_eq!(keys(&reader).await, ["a", "b"]);
    assert_eq!(subscribed(&reader).await, [("2026-01-02".to_owned(), 2)]);

    // One that fails after its insert cannot be undone alone: its whole group is rolled
    // back, the writes before and after it in the group answered as not stored.
    let (before, failing, after) = futures::join!(
        statement(&writer, "c", false),
        statement(&writer, "d", true),
        writer.write(1, insert("e")),
    );
    assert!(
        matches!(before, Err(StoreError::CommitFailed(_))),
        "{before:?}"
    );
    assert!(
        matches!(failing, Err(StoreError::Corrupt(_))),
        "{failing:?}"
    );
    assert!(
        matches!(after, Err(StoreError::CommitFailed(_))),
        "{after:?}"
    );
    assert_eq!(keys(&reader).await, ["a", "b"]);
    assert_eq!(subscribed(&reader).await, [("2026-01-02".to_owned(), 2)]);

    statement(&writer, "f", false)
        .await
        .expect("the next group");
    assert_eq!(keys(&reader).await, ["a", "b", "f"]);
}

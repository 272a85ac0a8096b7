//! A queued write with its caller's answer channel, its result type erased so one queue
//! carries every kind of write.

use std::sync::Arc;

use futures::future::BoxFuture;
use sqlx::sqlite::SqliteConnection;
use tokio::sync::oneshot;

use crate::store::StoreError;

pub(super) trait Job: Send {
    /// The write is one statement, which SQLite undoes by itself when it fails: it needs no
    /// savepoint of its own (see [`super::GroupWriter::write_counted_statement`]).
    fn one_statement(&self) -> bool;
    /// Runs the write; what it returns says whether it succeeded and answers the caller
    /// once the group's commit is known.
    fn run<'c>(self: Box<Self>, conn: &'c mut SqliteConnection) -> BoxFuture<'c, Box<dyn Answer>>;
    /// Answers without running (the group could not start).
    fn fail(self: Box<Self>, err: StoreError);
}

pub(super) trait Answer: Send {
    fn succeeded(&self) -> bool;
    /// A failure that is the database refusing the write's one statement
    /// ([`StoreError::is_refusal`]), which leaves the transaction as it was; any other
    /// failure of a one-statement write may have written before it failed.
    fn refused(&self) -> bool;
    /// `commit` is the group's COMMIT outcome; a failed write keeps its own error.
    fn send(self: Box<Self>, commit: Result<(), &Arc<sqlx::Error>>);
}

pub(super) struct Pending<T, F> {
    pub(super) op: F,
    pub(super) one_statement: bool,
    pub(super) reply: oneshot::Sender<Result<T, StoreError>>,
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
    fn one_statement(&self) -> bool {
        self.one_statement
    }

    fn run<'c>(self: Box<Self>, conn: &'c mut SqliteConnection) -> BoxFuture<'c, Box<dyn Answer>> {
        let Pending { op, reply, .. } = *self;
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

    fn refused(&self) -> bool {
        self.result.as_ref().is_err_and(StoreError::is_refusal)
    }

    fn send(self: Box<Self>, commit: Result<(), &Arc<sqlx::Error>>) {
        let result = match (self.result, commit) {
            (Ok(_), Err(err)) => Err(StoreError::CommitFailed(Arc::clone(err))),
            (result, _) => result,
        };
        let _ = self.reply.send(result);
    }
}

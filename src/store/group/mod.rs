//! Group commit for SQLite writes.
//!
//! With `synchronous=FULL` every COMMIT waits for an fsync, and SQLite has one writer, so
//! committing each request's transaction on its own caps throughput at one fsync per write.
//! Here one task owns the writer connection. It takes every write queued meanwhile, runs
//! each in its own SAVEPOINT inside one transaction (a failing write rolls back only itself
//! and gets its own error), commits once, and only then answers the callers: a 2xx still
//! means the write is on disk. Large transactions (the engine's chunks, the delivery
//! worker's outcomes) borrow the connection from the same queue and run alone. Daily statistics
//! a write counts are added once per group, before its COMMIT (`tally`).

mod job;
mod tally;
mod task;
#[cfg(test)]
mod tests;
mod writer;

pub(crate) use writer::{GroupWriter, Lent};

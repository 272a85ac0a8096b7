-- A counter of daily_stats is kept in up to 64 rows, one per `shard`, and is their sum.
--
-- Every subscription adds 1 to `subscribed` for its day and locale, every stock-level
-- call to `stock_levels`, in the transaction that does the work; with one row per counter
-- each of those transactions held that row locked until its COMMIT, so concurrent
-- subscriptions queued on it through one another's WAL flush (one at a time, whatever the
-- pool size). A transaction now adds to the row of its connection's shard
-- (pg_backend_pid() % 64): concurrent transactions are on different connections, so they
-- rarely share a row, and a transaction's own rows are still locked in key order. Readers
-- add the shards up (Store::daily_stats); SQLite keeps one row per counter, as its writes
-- are serial anyway.
ALTER TABLE daily_stats ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE daily_stats DROP CONSTRAINT daily_stats_pkey;
ALTER TABLE daily_stats ADD PRIMARY KEY (day, automation, branch, locale, metric, shard);

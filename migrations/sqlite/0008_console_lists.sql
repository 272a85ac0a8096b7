-- The console's integration log, filtered by SKU, pages newest first by stock level
-- (batch, item): with this index a page of one SKU reads that page's rows, where the
-- (sku, logged_on) index made it sort every row of the SKU first (40 ms for a SKU with
-- 50,000 stock levels, growing with it). BENCHMARKS.md, "Console page renders".
CREATE INDEX integration_log_by_sku_level ON integration_log (sku, batch_id, item);

-- The console's outbox lists delivered and dead notifications newest first: this index
-- gives a page straight away, where the (status, next_attempt_ms) index made it sort every
-- notification of the status (2.5 s for a million delivered). Partial, so the fan-out's
-- inserts (always pending) do not maintain it; queries repeat `status <> 'pending'` so the
-- planner may use it.
CREATE INDEX notifications_finished_by_status ON notifications (status, id) WHERE status <> 'pending';

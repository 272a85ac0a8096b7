-- Set-based batch processing (docs/performance.md, "A full-catalog sync").
--
-- `triage`: whether any stock level of a waiting batch matches a subscription, so that
-- batches someone waits for are claimed before the bulk of a full sync: 2 some match, 1 not
-- looked at yet, 0 none match. Only the claim order depends on it: the settle looks again.
ALTER TABLE stock_batches ADD COLUMN triage INTEGER NOT NULL DEFAULT 1;
-- The positions whose matches are walked one by one (a JSON array, ascending), written by
-- the commit that settled every other stock level of the batch at once; NULL until then.
-- A batch taken over after that commit fans out exactly these, from `progress_item` on.
ALTER TABLE stock_batches ADD COLUMN fan_out TEXT;

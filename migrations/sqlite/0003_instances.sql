-- Liveness of the workers that claim batches and notifications: one row per claiming
-- worker (a process's engine worker and its delivery worker, named as in `claimed_by`),
-- its heartbeat refreshed every few seconds. A claim whose worker's heartbeat has gone
-- stale is taken over at once instead of when its lease runs out, so the work of a killed
-- process resumes within seconds; a claim whose worker has no row falls back to its lease.
CREATE TABLE instances (
    worker       TEXT PRIMARY KEY NOT NULL,
    heartbeat_ms INTEGER NOT NULL
);

-- A stock level matching many subscriptions fanned out in parts that any instance claims
-- (docs/crash-safety.md, "A hot SKU's fan-out in parts").
--
-- One row per part: the subscription ids it covers, (after_id, last_id] (last_id NULL: no
-- upper bound, the last part), the notifications each throttled automation may send from
-- it (`budget`, JSON: the throttle is shared by pre-allocation, see the doc), where its
-- walk stands, and the claim, as for batches. `done_by` names the worker that finished it.
CREATE TABLE fan_out_parts (
    batch_id        BLOB NOT NULL,
    item            INTEGER NOT NULL,
    part            INTEGER NOT NULL,
    after_id        BLOB NOT NULL,
    last_id         BLOB,
    budget          TEXT NOT NULL,
    progress_cursor BLOB,
    claimed_by      TEXT,
    lease_until_ms  INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    done_by         TEXT,
    done_on         TEXT,
    failed_reason   TEXT,
    PRIMARY KEY (batch_id, item, part)
) WITHOUT ROWID;
CREATE INDEX fan_out_parts_open ON fan_out_parts (batch_id, item, part) WHERE done_on IS NULL;

-- What each part's chunks counted, per integration-log outcome, until the batch's holder
-- settles the stock level: then these are summed into `integration_log` and deleted.
CREATE TABLE fan_out_part_log (
    batch_id   BLOB NOT NULL,
    item       INTEGER NOT NULL,
    part       INTEGER NOT NULL,
    outcome    TEXT NOT NULL,
    automation TEXT NOT NULL DEFAULT '',
    branch     TEXT NOT NULL DEFAULT '',
    count      INTEGER NOT NULL,
    PRIMARY KEY (batch_id, item, part, outcome, automation, branch)
) WITHOUT ROWID;

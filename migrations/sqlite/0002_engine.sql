-- The automation engine: its progress through a batch, the outbox of notifications it
-- creates, the product data they were triggered with, and the integration log.

-- Where a worker is in a batch, committed with each chunk of work, so a batch taken over
-- after a crash resumes where the last committed chunk ended.
ALTER TABLE stock_batches ADD COLUMN progress_item INTEGER NOT NULL DEFAULT 0;
-- Why a batch was given up after too many failed attempts (it is then processed_on too).
ALTER TABLE stock_batches ADD COLUMN failed_reason TEXT;
ALTER TABLE stock_batches ADD COLUMN progress_cursor BLOB;

-- The product and stock level as the engine saw them, once per stock level and locale,
-- shared by all the notifications it triggered.
CREATE TABLE product_snapshots (
    id         BLOB PRIMARY KEY NOT NULL,
    sku        TEXT NOT NULL,
    locale     TEXT NOT NULL,
    quantity   INTEGER NOT NULL,
    data       TEXT NOT NULL,
    created_on TEXT NOT NULL
) WITHOUT ROWID;

-- Where notifications go: the automation and split branch that took them and the actions
-- to run, copied when triggered so a later rules reload cannot change them. One row per
-- automation, branch and fan-out, shared by its notifications.
CREATE TABLE notification_routes (
    id            BLOB PRIMARY KEY NOT NULL,
    automation_id TEXT NOT NULL,
    branch        TEXT NOT NULL,
    actions       TEXT NOT NULL
) WITHOUT ROWID;

-- The outbox: one row per triggered subscription, written in the transaction that deletes
-- the subscription. The id is stable and becomes the email's Message-ID. Its route and
-- product rows are written in the same transaction (no foreign key: a million-row fan-out
-- should not pay two extra index probes per notification for what one statement before
-- guarantees).
CREATE TABLE notifications (
    id              BLOB PRIMARY KEY NOT NULL,
    batch_id        BLOB NOT NULL,
    subscription_id BLOB NOT NULL UNIQUE,
    contact_id      BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    locale          TEXT NOT NULL,
    external_id     TEXT NOT NULL DEFAULT '',
    subscribed_on   TEXT NOT NULL,
    route_id        BLOB NOT NULL,
    product_id      BLOB NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- How many of the route's actions succeeded: a retry resumes after them.
    actions_done    INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL DEFAULT 0,
    claimed_by      TEXT,
    lease_until_ms  INTEGER,
    last_error      TEXT,
    finished_on     TEXT
) WITHOUT ROWID;
CREATE INDEX notifications_due ON notifications (status, next_attempt_ms);
CREATE INDEX notifications_by_contact ON notifications (contact_id, finished_on);

-- Per stock level in a batch: what happened to the subscriptions it matched. One row per
-- outcome (and automation / branch when sent), counts added chunk by chunk.
CREATE TABLE integration_log (
    batch_id    BLOB NOT NULL,
    item        INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    automation  TEXT NOT NULL DEFAULT '',
    branch      TEXT NOT NULL DEFAULT '',
    sku         TEXT NOT NULL,
    locale      TEXT NOT NULL DEFAULT '',
    external_id TEXT NOT NULL DEFAULT '',
    quantity    INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    logged_on   TEXT NOT NULL,
    PRIMARY KEY (batch_id, item, outcome, automation, branch)
) WITHOUT ROWID;
CREATE INDEX integration_log_by_sku ON integration_log (sku, logged_on);
CREATE INDEX integration_log_by_time ON integration_log (logged_on);

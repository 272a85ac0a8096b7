-- Contacts, subscriptions, stock levels (the engine's input queue) and purchases.
-- Ids are UUIDv7 stored as 16-byte blobs: time-ordered, so every index stays append-only.
-- An absent locale or external id is '' (no valid value is empty), which keeps unique keys
-- and equality free of NULL handling.

CREATE TABLE contacts (
    id            BLOB PRIMARY KEY NOT NULL,
    email_key     TEXT NOT NULL UNIQUE,
    attributes    TEXT NOT NULL,
    source        TEXT,
    accepts_email INTEGER NOT NULL DEFAULT 1,
    created_on    TEXT NOT NULL,
    modified_on   TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE subscriptions (
    id          BLOB PRIMARY KEY NOT NULL,
    contact_id  BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    sku         TEXT NOT NULL,
    locale      TEXT NOT NULL,
    external_id TEXT NOT NULL DEFAULT '',
    created_on  TEXT NOT NULL,
    UNIQUE (contact_id, sku, locale, external_id)
) WITHOUT ROWID;
-- The three matching cases (sku; sku + locale; sku + external id), each walked oldest
-- first in chunks (keyset on id), which is also the fair-queue order for throttling.
CREATE INDEX subscriptions_by_sku ON subscriptions (sku, id);
CREATE INDEX subscriptions_by_sku_locale ON subscriptions (sku, locale, id);
CREATE INDEX subscriptions_by_sku_external ON subscriptions (sku, external_id, id);

CREATE TABLE stock_batches (
    id             BLOB PRIMARY KEY NOT NULL,
    received_on    TEXT NOT NULL,
    item_count     INTEGER NOT NULL,
    claimed_by     TEXT,
    lease_until_ms INTEGER,
    attempts       INTEGER NOT NULL DEFAULT 0,
    processed_on   TEXT
) WITHOUT ROWID;
CREATE INDEX stock_batches_pending ON stock_batches (id) WHERE processed_on IS NULL;

CREATE TABLE stock_batch_items (
    batch_id    BLOB NOT NULL REFERENCES stock_batches (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    locale      TEXT NOT NULL DEFAULT '',
    external_id TEXT NOT NULL DEFAULT '',
    quantity    INTEGER NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (batch_id, position)
) WITHOUT ROWID;

CREATE TABLE stock_levels (
    sku         TEXT NOT NULL,
    locale      TEXT NOT NULL DEFAULT '',
    external_id TEXT NOT NULL DEFAULT '',
    quantity    INTEGER NOT NULL CHECK (quantity >= 0),
    updated_on  TEXT NOT NULL,
    batch_id    BLOB NOT NULL,
    -- The position in that batch of the item that set this level: an older item (a
    -- batch processed late, or an earlier duplicate in the same batch) is outdated.
    item        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sku, locale, external_id)
) WITHOUT ROWID;

CREATE TABLE receipts (
    id           BLOB PRIMARY KEY NOT NULL,
    contact_id   BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    created_date TEXT NOT NULL,
    received_on  TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX receipts_by_contact ON receipts (contact_id);

-- One row per purchased SKU, keyed for "has this contact bought this SKU since …".
CREATE TABLE receipt_items (
    receipt_id   BLOB NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    contact_id   BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    sku          TEXT NOT NULL,
    quantity     INTEGER NOT NULL,
    purchased_on TEXT NOT NULL,
    PRIMARY KEY (receipt_id, position)
) WITHOUT ROWID;
CREATE INDEX receipt_items_by_contact_sku ON receipt_items (contact_id, sku, purchased_on);

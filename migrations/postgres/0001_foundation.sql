-- Contacts, subscriptions, stock levels (the engine's input queue) and purchases.
-- Ids are UUIDv7: time-ordered, so every index stays append-only.
-- An absent locale or external id is '' (no valid value is empty), which keeps unique keys
-- and equality free of NULL handling.

CREATE TABLE contacts (
    id            UUID PRIMARY KEY,
    email_key     TEXT NOT NULL UNIQUE,
    attributes    JSONB NOT NULL,
    source        TEXT,
    accepts_email BOOLEAN NOT NULL DEFAULT TRUE,
    created_on    TIMESTAMPTZ NOT NULL,
    modified_on   TIMESTAMPTZ NOT NULL,
    version       BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE subscriptions (
    id          UUID PRIMARY KEY,
    contact_id  UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    sku         TEXT NOT NULL,
    locale      TEXT NOT NULL,
    external_id TEXT NOT NULL DEFAULT '',
    created_on  TIMESTAMPTZ NOT NULL,
    UNIQUE (contact_id, sku, locale, external_id)
);
-- The three matching cases (sku; sku + locale; sku + external id), each walked oldest
-- first in chunks (keyset on id), which is also the fair-queue order for throttling.
CREATE INDEX subscriptions_by_sku ON subscriptions (sku, id);
CREATE INDEX subscriptions_by_sku_locale ON subscriptions (sku, locale, id);
CREATE INDEX subscriptions_by_sku_external ON subscriptions (sku, external_id, id);

CREATE TABLE stock_batches (
    id             UUID PRIMARY KEY,
    received_on    TIMESTAMPTZ NOT NULL,
    item_count     BIGINT NOT NULL,
    claimed_by     TEXT,
    lease_until_ms BIGINT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    processed_on   TIMESTAMPTZ
);
CREATE INDEX stock_batches_pending ON stock_batches (id) WHERE processed_on IS NULL;

CREATE TABLE stock_batch_items (
    batch_id    UUID NOT NULL REFERENCES stock_batches (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    sku         TEXT NOT NULL,
    locale      TEXT NOT NULL DEFAULT '',
    external_id TEXT NOT NULL DEFAULT '',
    quantity    BIGINT NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (batch_id, position)
);

CREATE TABLE stock_levels (
    sku         TEXT NOT NULL,
    locale      TEXT NOT NULL DEFAULT '',
    external_id TEXT NOT NULL DEFAULT '',
    quantity    BIGINT NOT NULL CHECK (quantity >= 0),
    updated_on  TIMESTAMPTZ NOT NULL,
    batch_id    UUID NOT NULL,
    -- The position in that batch of the item that set this level: an older item (a
    -- batch processed late, or an earlier duplicate in the same batch) is outdated.
    item        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (sku, locale, external_id)
);

CREATE TABLE receipts (
    id           UUID PRIMARY KEY,
    contact_id   UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    created_date TIMESTAMPTZ NOT NULL,
    received_on  TIMESTAMPTZ NOT NULL
);

CREATE INDEX receipts_by_contact ON receipts (contact_id);

-- One row per purchased SKU, keyed for "has this contact bought this SKU since …".
CREATE TABLE receipt_items (
    receipt_id   UUID NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
    position     BIGINT NOT NULL,
    contact_id   UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    sku          TEXT NOT NULL,
    quantity     BIGINT NOT NULL,
    purchased_on TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (receipt_id, position)
);
CREATE INDEX receipt_items_by_contact_sku ON receipt_items (contact_id, sku, purchased_on);

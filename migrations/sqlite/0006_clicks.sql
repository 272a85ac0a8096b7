-- What the notifications earned: the counted click of each notification, its conversion,
-- and the paid price and currency of receipts that revenue is summed from. Neither table
-- references notifications: both outlive a purged outbox (the statistics and the
-- per-contact history read them). A conversion goes with its receipt, hence with the
-- contact.

-- The first shopper click on a tracked link of a notification (prefetching bots are
-- answered but not recorded).
CREATE TABLE clicks (
    notification_id BLOB PRIMARY KEY NOT NULL,
    -- The product field the link came from (`url`).
    link            TEXT NOT NULL,
    clicked_on      TEXT NOT NULL
) WITHOUT ROWID;

-- At most one receipt per notification: the earliest dated one that contains the
-- notified SKU within the attribution window after delivery.
CREATE TABLE conversions (
    notification_id BLOB PRIMARY KEY NOT NULL,
    receipt_id      BLOB NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
    -- The receipt's createdDate: when the shopper bought.
    converted_on    TEXT NOT NULL,
    -- What the notified SKU's lines of the receipt were paid, in 1/10000 of `currency`;
    -- NULL when the receipt gave no price for them.
    revenue_e4      INTEGER,
    currency        TEXT
) WITHOUT ROWID;
CREATE INDEX conversions_by_receipt ON conversions (receipt_id);

-- Engage's receipt `currency` and item `grossPaidPrice` (the line's total, in 1/10000).
ALTER TABLE receipts ADD COLUMN currency TEXT;
ALTER TABLE receipt_items ADD COLUMN paid_e4 INTEGER;

-- What the notifications earned: the counted click of each notification, its conversion,
-- and the paid price and currency of receipts that revenue is summed from. Neither table
-- references notifications: both outlive a purged outbox (the statistics and the
-- per-contact history read them). A conversion goes with its receipt, hence with the
-- contact.

-- The first shopper click on a tracked link of a notification (prefetching bots are
-- answered but not recorded).
CREATE TABLE clicks (
    notification_id UUID PRIMARY KEY,
    -- The product field the link came from (`url`).
    link            TEXT NOT NULL,
    clicked_on      TIMESTAMPTZ NOT NULL
);

-- At most one receipt per notification: the earliest dated one that contains the
-- notified SKU within the attribution window after delivery.
CREATE TABLE conversions (
    notification_id UUID PRIMARY KEY,
    receipt_id      UUID NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
    -- The receipt's createdDate: when the shopper bought.
    converted_on    TIMESTAMPTZ NOT NULL,
    -- What the notified SKU's lines of the receipt were paid, in 1/10000 of `currency`;
    -- NULL when the receipt gave no price for them.
    revenue_e4      BIGINT,
    currency        TEXT
);
CREATE INDEX conversions_by_receipt ON conversions (receipt_id);

-- Engage's receipt `currency` and item `grossPaidPrice` (the line's total, in 1/10000).
ALTER TABLE receipts ADD COLUMN currency TEXT;
ALTER TABLE receipt_items ADD COLUMN paid_e4 BIGINT;

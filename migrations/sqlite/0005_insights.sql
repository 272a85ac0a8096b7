-- Insights: daily statistics that outlive the rows they count, the waiting count per SKU
-- behind the demand list, and the per-contact history of ended subscriptions.

-- Counters per day (in `insights.time_zone`), automation, branch and locale ('' when a
-- count has none), added in the transaction that does the counted work. No personal data:
-- kept for good.
CREATE TABLE daily_stats (
    day        TEXT NOT NULL,
    automation TEXT NOT NULL DEFAULT '',
    branch     TEXT NOT NULL DEFAULT '',
    locale     TEXT NOT NULL DEFAULT '',
    metric     TEXT NOT NULL,
    value      INTEGER NOT NULL,
    PRIMARY KEY (day, automation, branch, locale, metric)
) WITHOUT ROWID;

-- Waiting subscriptions per (sku, locale, external id), with the sum of their creation
-- times (Unix seconds) for the average wait. Kept by the triggers below in the
-- transaction of every insert or delete of a subscription (subscribe, unsubscribe,
-- opt-out, fan-out consumption and expiry, contact deletion's cascade), so the demand
-- list reads counts instead of scanning a million subscriptions. Rows at 0 stay (a key
-- that was wanted once) and are filtered out.
CREATE TABLE demand (
    sku           TEXT NOT NULL,
    locale        TEXT NOT NULL,
    external_id   TEXT NOT NULL DEFAULT '',
    waiting       INTEGER NOT NULL,
    created_sum_s INTEGER NOT NULL,
    PRIMARY KEY (sku, locale, external_id)
) WITHOUT ROWID;

INSERT INTO demand (sku, locale, external_id, waiting, created_sum_s)
SELECT sku, locale, external_id, COUNT(*), SUM(unixepoch(created_on))
FROM subscriptions GROUP BY sku, locale, external_id;

CREATE TRIGGER subscriptions_demand_insert AFTER INSERT ON subscriptions BEGIN
    INSERT INTO demand (sku, locale, external_id, waiting, created_sum_s)
    VALUES (NEW.sku, NEW.locale, NEW.external_id, 1, unixepoch(NEW.created_on))
    ON CONFLICT (sku, locale, external_id) DO UPDATE
    SET waiting = waiting + 1, created_sum_s = created_sum_s + excluded.created_sum_s;
END;

-- A fan-out chunk deletes thousands of subscriptions of one SKU at once; it sets `active`
-- for its delete and subtracts its counts itself, one update per locale and external id,
-- instead of one per subscription here (which would double the delete's cost).
CREATE TABLE demand_bypass (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    active INTEGER NOT NULL
);
INSERT INTO demand_bypass (id, active) VALUES (1, 0);

CREATE TRIGGER subscriptions_demand_delete AFTER DELETE ON subscriptions
WHEN (SELECT active FROM demand_bypass WHERE id = 1) = 0 BEGIN
    UPDATE demand SET waiting = waiting - 1, created_sum_s = created_sum_s - unixepoch(OLD.created_on)
    WHERE sku = OLD.sku AND locale = OLD.locale AND external_id = OLD.external_id;
END;

-- Subscriptions are not updated by Restock itself; an update made by hand (or a test
-- ageing one) moves its count and creation time like a delete and an insert would.
CREATE TRIGGER subscriptions_demand_update AFTER UPDATE OF sku, locale, external_id, created_on
ON subscriptions BEGIN
    UPDATE demand SET waiting = waiting - 1, created_sum_s = created_sum_s - unixepoch(OLD.created_on)
    WHERE sku = OLD.sku AND locale = OLD.locale AND external_id = OLD.external_id;
    INSERT INTO demand (sku, locale, external_id, waiting, created_sum_s)
    VALUES (NEW.sku, NEW.locale, NEW.external_id, 1, unixepoch(NEW.created_on))
    ON CONFLICT (sku, locale, external_id) DO UPDATE
    SET waiting = waiting + 1, created_sum_s = created_sum_s + excluded.created_sum_s;
END;

-- Subscriptions that ended, one row each: expired, deleted through the API, unsubscribed
-- (the link), or triggered (archived from its notification when the outbox row is
-- purged, with the delivery's outcome). Waiting subscriptions and triggered ones whose
-- notification is still in the outbox are read from those tables. Removed with the
-- contact, and after `insights.history_days` by the retention task.
CREATE TABLE backinstock_history (
    subscription_id     BLOB PRIMARY KEY NOT NULL,
    contact_id          BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    sku                 TEXT NOT NULL,
    locale              TEXT NOT NULL,
    external_id         TEXT NOT NULL DEFAULT '',
    subscribed_on       TEXT NOT NULL,
    status              TEXT NOT NULL,
    ended_on            TEXT NOT NULL,
    notification_id     BLOB,
    automation          TEXT NOT NULL DEFAULT '',
    branch              TEXT NOT NULL DEFAULT '',
    notification_status TEXT,
    attempts            INTEGER NOT NULL DEFAULT 0,
    last_error          TEXT,
    finished_on         TEXT
) WITHOUT ROWID;
CREATE INDEX backinstock_history_by_contact ON backinstock_history (contact_id);
CREATE INDEX backinstock_history_by_end ON backinstock_history (ended_on);
-- The retention task removes delivered notifications by age.
CREATE INDEX notifications_finished ON notifications (finished_on) WHERE finished_on IS NOT NULL;

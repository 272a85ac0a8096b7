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
    value      BIGINT NOT NULL,
    PRIMARY KEY (day, automation, branch, locale, metric)
);

-- Waiting subscriptions per (sku, locale, external id), with the sum of their creation
-- times (Unix seconds) for the average wait. Kept by the statement triggers below in the
-- transaction of every insert or delete of a subscription (subscribe, unsubscribe,
-- opt-out, fan-out consumption and expiry, contact deletion's cascade): one grouped
-- update per statement, so a 2,000-row fan-out chunk costs one update per key.
CREATE TABLE demand (
    sku           TEXT NOT NULL,
    locale        TEXT NOT NULL,
    external_id   TEXT NOT NULL DEFAULT '',
    waiting       BIGINT NOT NULL,
    created_sum_s BIGINT NOT NULL,
    PRIMARY KEY (sku, locale, external_id)
);

INSERT INTO demand (sku, locale, external_id, waiting, created_sum_s)
SELECT sku, locale, external_id, COUNT(*), SUM(FLOOR(EXTRACT(EPOCH FROM created_on)))::BIGINT
FROM subscriptions GROUP BY sku, locale, external_id;

-- Rows are added and locked in key order, so two transactions never wait on each other
-- in opposite orders.
CREATE FUNCTION demand_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO demand (sku, locale, external_id, waiting, created_sum_s)
    SELECT sku, locale, external_id, COUNT(*), SUM(FLOOR(EXTRACT(EPOCH FROM created_on)))::BIGINT
    FROM added GROUP BY sku, locale, external_id ORDER BY sku, locale, external_id
    ON CONFLICT (sku, locale, external_id) DO UPDATE
    SET waiting = demand.waiting + excluded.waiting,
        created_sum_s = demand.created_sum_s + excluded.created_sum_s;
    RETURN NULL;
END $$;

CREATE FUNCTION demand_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM demand d
    WHERE (d.sku, d.locale, d.external_id) IN (SELECT sku, locale, external_id FROM removed)
    ORDER BY d.sku, d.locale, d.external_id FOR UPDATE;
    UPDATE demand d SET waiting = d.waiting - g.n, created_sum_s = d.created_sum_s - g.s
    FROM (SELECT sku, locale, external_id, COUNT(*) AS n,
                 SUM(FLOOR(EXTRACT(EPOCH FROM created_on)))::BIGINT AS s
          FROM removed GROUP BY sku, locale, external_id) g
    WHERE d.sku = g.sku AND d.locale = g.locale AND d.external_id = g.external_id;
    RETURN NULL;
END $$;

CREATE TRIGGER subscriptions_demand_insert AFTER INSERT ON subscriptions
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION demand_added();
CREATE TRIGGER subscriptions_demand_delete AFTER DELETE ON subscriptions
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION demand_removed();

-- Subscriptions are not updated by Restock itself; an update made by hand (or a test
-- ageing one) moves its count and creation time like a delete and an insert would.
CREATE FUNCTION demand_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE demand d SET waiting = d.waiting - g.n, created_sum_s = d.created_sum_s - g.s
    FROM (SELECT sku, locale, external_id, COUNT(*) AS n,
                 SUM(FLOOR(EXTRACT(EPOCH FROM created_on)))::BIGINT AS s
          FROM removed GROUP BY sku, locale, external_id) g
    WHERE d.sku = g.sku AND d.locale = g.locale AND d.external_id = g.external_id;
    INSERT INTO demand (sku, locale, external_id, waiting, created_sum_s)
    SELECT sku, locale, external_id, COUNT(*), SUM(FLOOR(EXTRACT(EPOCH FROM created_on)))::BIGINT
    FROM added GROUP BY sku, locale, external_id ORDER BY sku, locale, external_id
    ON CONFLICT (sku, locale, external_id) DO UPDATE
    SET waiting = demand.waiting + excluded.waiting,
        created_sum_s = demand.created_sum_s + excluded.created_sum_s;
    RETURN NULL;
END $$;
CREATE TRIGGER subscriptions_demand_update AFTER UPDATE ON subscriptions
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION demand_changed();

-- Subscriptions that ended, one row each: expired, deleted through the API, unsubscribed
-- (the link), or triggered (archived from its notification when the outbox row is
-- purged, with the delivery's outcome). Waiting subscriptions and triggered ones whose
-- notification is still in the outbox are read from those tables. Removed with the
-- contact, and after `insights.history_days` by the retention task.
CREATE TABLE backinstock_history (
    subscription_id     UUID PRIMARY KEY,
    contact_id          UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    sku                 TEXT NOT NULL,
    locale              TEXT NOT NULL,
    external_id         TEXT NOT NULL DEFAULT '',
    subscribed_on       TIMESTAMPTZ NOT NULL,
    status              TEXT NOT NULL,
    ended_on            TIMESTAMPTZ NOT NULL,
    notification_id     UUID,
    automation          TEXT NOT NULL DEFAULT '',
    branch              TEXT NOT NULL DEFAULT '',
    notification_status TEXT,
    attempts            INTEGER NOT NULL DEFAULT 0,
    last_error          TEXT,
    finished_on         TIMESTAMPTZ
);
CREATE INDEX backinstock_history_by_contact ON backinstock_history (contact_id);
CREATE INDEX backinstock_history_by_end ON backinstock_history (ended_on);
-- The retention task removes delivered notifications by age.
CREATE INDEX notifications_finished ON notifications (finished_on) WHERE finished_on IS NOT NULL;

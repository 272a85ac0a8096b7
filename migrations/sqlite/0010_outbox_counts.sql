-- Notifications per status, so the console's overview and outbox pages and the metrics
-- scrape read three rows instead of counting the outbox (a grouped COUNT over a million
-- notifications took 85-110 ms; BENCHMARKS.md, "Console page renders").
--
-- Status changes and deletes (delivery outcomes, retry, purge, retention, a contact's
-- deletion cascading) are counted by the triggers below, in the transaction that makes
-- them. Inserts are not: the only writer of new notifications, the fan-out, adds its
-- chunk's count in the chunk's transaction (one statement per chunk; a row trigger would
-- cost every one of a million inserts, as the demand trigger did). PostgreSQL has no such
-- table: several instances would all update the same three rows in every delivery
-- transaction, so there the count stays a GROUP BY.
CREATE TABLE outbox_counts (
    status TEXT PRIMARY KEY,
    n      INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO outbox_counts (status, n) VALUES ('pending', 0), ('delivered', 0), ('dead', 0);
UPDATE outbox_counts SET n = (SELECT COUNT(*) FROM notifications WHERE notifications.status = outbox_counts.status);

CREATE TRIGGER notifications_count_status AFTER UPDATE OF status ON notifications
WHEN old.status <> new.status BEGIN
    UPDATE outbox_counts SET n = n - 1 WHERE status = old.status;
    UPDATE outbox_counts SET n = n + 1 WHERE status = new.status;
END;

CREATE TRIGGER notifications_count_delete AFTER DELETE ON notifications BEGIN
    UPDATE outbox_counts SET n = n - 1 WHERE status = old.status;
END;

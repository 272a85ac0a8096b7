-- Statistics counters that keep their type. A sum past the 64-bit range used to turn a
-- row's value into a REAL (SQLite widens an overflowing integer sum to a float), after
-- which every reader of the row failed. Sums now saturate in the upsert; the table is
-- rebuilt STRICT so that no value but an integer can ever be stored, and a row that was
-- already damaged is repaired: a REAL past the range becomes the end of the range it
-- passed, any other value its integer.
CREATE TABLE daily_stats_strict (
    day        TEXT NOT NULL,
    automation TEXT NOT NULL DEFAULT '',
    branch     TEXT NOT NULL DEFAULT '',
    locale     TEXT NOT NULL DEFAULT '',
    metric     TEXT NOT NULL,
    value      INTEGER NOT NULL,
    PRIMARY KEY (day, automation, branch, locale, metric)
) STRICT, WITHOUT ROWID;

INSERT INTO daily_stats_strict (day, automation, branch, locale, metric, value)
SELECT day, automation, branch, locale, metric,
       CASE
           WHEN typeof(value) = 'integer' THEN value
           WHEN CAST(value AS REAL) >= 9223372036854775807.0 THEN 9223372036854775807
           WHEN CAST(value AS REAL) <= -9223372036854775808.0 THEN -9223372036854775807 - 1
           ELSE CAST(value AS INTEGER)
       END
FROM daily_stats;

DROP TABLE daily_stats;
ALTER TABLE daily_stats_strict RENAME TO daily_stats;

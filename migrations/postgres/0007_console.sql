-- Sign-ins to the web console (/admin): one row per session. The cookie holds a random id;
-- the table holds only its SHA-256 digest, so reading the table does not give anyone a
-- usable cookie. Deleting a row ends that session at once, on every instance that shares
-- the database. `key_digest` is the SHA-256 of the API key used to sign in: a session
-- whose key is no longer configured is refused.
CREATE TABLE console_sessions (
    id_digest    TEXT PRIMARY KEY,
    key_digest   TEXT NOT NULL,
    created_ms   BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL
);
CREATE INDEX console_sessions_last_seen ON console_sessions (last_seen_ms);

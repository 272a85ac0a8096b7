-- Sign-ups from the shop's own pages (docs/storefront.md).
--
-- A shopper's request waits in `pending_subscriptions`, apart from `subscriptions`, so no
-- stock level ever matches it, until they confirm it from the email it sends; then it
-- becomes a subscription and a consent record in one transaction and its row goes. It
-- holds the address, not a contact: nobody becomes a contact by having their address
-- typed into a form, and an unconfirmed request leaves no trace after `pending_ttl`.
-- The row is also the confirmation email's outbox entry (`mail_*`, claimed like a
-- notification).
CREATE TABLE pending_subscriptions (
    id              UUID PRIMARY KEY,
    email           TEXT NOT NULL,
    email_key       TEXT NOT NULL,
    sku             TEXT NOT NULL,
    locale          TEXT NOT NULL,
    external_id     TEXT NOT NULL DEFAULT '',
    consent_version TEXT NOT NULL,
    source_page     TEXT NOT NULL DEFAULT '',
    ip              TEXT NOT NULL DEFAULT '',
    user_agent      TEXT NOT NULL DEFAULT '',
    created_on      TIMESTAMPTZ NOT NULL,
    expires_on      TIMESTAMPTZ NOT NULL,
    mail_status     TEXT NOT NULL DEFAULT 'pending',
    mail_due_ms     BIGINT NOT NULL,
    mail_attempts   INTEGER NOT NULL DEFAULT 0,
    mail_error      TEXT,
    mailed_on       TIMESTAMPTZ,
    claimed_by      TEXT,
    lease_until_ms  BIGINT,
    UNIQUE (email_key, sku, locale, external_id)
);
CREATE INDEX pending_subscriptions_mail_due ON pending_subscriptions (mail_due_ms)
    WHERE mail_status = 'pending';
CREATE INDEX pending_subscriptions_expiry ON pending_subscriptions (expires_on);
-- The demand list counts the unconfirmed sign-ups of each of its rows apart.
CREATE INDEX pending_subscriptions_by_product ON pending_subscriptions (sku, locale, external_id);

-- What a shopper agreed to, and how: one row per confirmed sign-up, kept with the contact
-- (and removed with it) after the subscription it allowed has ended.
CREATE TABLE consents (
    id              UUID PRIMARY KEY,
    contact_id      UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    subscription_id UUID NOT NULL,
    sku             TEXT NOT NULL,
    locale          TEXT NOT NULL,
    external_id     TEXT NOT NULL DEFAULT '',
    method          TEXT NOT NULL,
    consent_version TEXT NOT NULL,
    source_page     TEXT NOT NULL DEFAULT '',
    ip              TEXT NOT NULL DEFAULT '',
    user_agent      TEXT NOT NULL DEFAULT '',
    signed_up_on    TIMESTAMPTZ NOT NULL,
    confirmed_on    TIMESTAMPTZ NOT NULL
);
CREATE INDEX consents_by_contact ON consents (contact_id);

-- Proofs of work already used, so that one solved challenge buys one sign-up; kept until
-- the challenge would have expired anyway.
CREATE TABLE spent_proofs (
    challenge  TEXT PRIMARY KEY NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX spent_proofs_expiry ON spent_proofs (expires_ms);

-- Sign-ups per client address and per email address in the current window (fixed
-- windows, the bucket's first sign-up opening one), shared by every instance.
CREATE TABLE signup_limits (
    bucket          TEXT PRIMARY KEY NOT NULL,
    window_start_ms BIGINT NOT NULL,
    count           BIGINT NOT NULL
);

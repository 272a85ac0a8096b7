//! The SQL of storefront sign-ups, written once for both backends (see
//! `contacts/sql.rs`). A sign-up and a confirmation are each one transaction through
//! `write_counted`, so their counts (`signed_up`, `confirmed`, `subscribed`) commit with
//! them.

/// The columns [`PendingRow`] reads.
pub(crate) const PENDING_COLUMNS: &str =
    "id, email, sku, locale, external_id, created_on, expires_on";

pub(crate) type PendingRow = (
    uuid::Uuid,
    String,
    String,
    String,
    String,
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::Utc>,
);

pub(crate) fn pending(row: PendingRow) -> super::PendingSubscription {
    let (id, email, sku, locale, external_id, created_on, expires_on) = row;
    super::PendingSubscription {
        id,
        email,
        sku,
        locale,
        external_id: (!external_id.is_empty()).then_some(external_id),
        created_on,
        expires_on,
    }
}

/// Adds one sign-up to `$1`'s window (`$2` now, `$3` the start a window older than that
/// has), opening a new window when the last one closed; the window's start and count.
pub(crate) const COUNT_SIGNUP: &str =
    "INSERT INTO signup_limits (bucket, window_start_ms, count) VALUES ($1, $2, 1) \
     ON CONFLICT (bucket) DO UPDATE SET \
       count = CASE WHEN signup_limits.window_start_ms <= $3 THEN 1 ELSE signup_limits.count + 1 END, \
       window_start_ms = CASE WHEN signup_limits.window_start_ms <= $3 THEN $2 \
                              ELSE signup_limits.window_start_ms END \
     RETURNING window_start_ms, count";

/// The columns of a consent record, in [`ConsentRow`]'s order.
pub(crate) const CONSENT_COLUMNS: &str =
    "id, subscription_id, sku, locale, external_id, method, consent_version, source_page, \
     ip, user_agent, signed_up_on, confirmed_on";

pub(crate) type ConsentRow = (
    uuid::Uuid,
    uuid::Uuid,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::Utc>,
);

pub(crate) fn consent(row: ConsentRow) -> super::Consent {
    let (id, subscription_id, sku, locale, external_id, method, consent_version) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6);
    super::Consent {
        id,
        subscription_id,
        sku,
        locale,
        external_id: (!external_id.is_empty()).then_some(external_id),
        method,
        consent_version,
        source_page: row.7,
        ip: row.8,
        user_agent: row.9,
        signed_up_on: row.10,
        confirmed_on: row.11,
    }
}

/// What a pending subscription becomes a subscription with: its address, product and
/// how the consent was given.
pub(crate) struct Activation<'a> {
    pub email: &'a str,
    pub email_key: &'a str,
    pub sku: &'a str,
    pub locale: &'a str,
    pub external_id: &'a str,
    pub method: &'a str,
    pub consent_version: &'a str,
    pub source_page: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
    pub signed_up_on: chrono::DateTime<chrono::Utc>,
}

/// Implements [`crate::store::StorefrontStore`] for `$store` (see `impl_contact_store!`).
macro_rules! impl_storefront_store {
    ($store:ty, $db:ty, read: $read:ident) => {
        const _: () = {
        use std::time::Duration;

        use chrono::{DateTime, Utc};
        use uuid::Uuid;
        use $crate::store::insights::stats::{metric, StatKey};
        use $crate::store::row;
        use $crate::store::storefront::model::*;
        use $crate::store::storefront::sql::*;
        use $crate::store::{DailyStats, StoreError};

        type Conn = <$db as sqlx::Database>::Connection;

        fn millis(d: Duration) -> i64 {
            i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
        }

        fn later(now: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
            chrono::Duration::from_std(d)
                .ok()
                .and_then(|d| now.checked_add_signed(d))
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
        }

        /// Counts the sign-up in each limit's window; the first limit it exceeds.
        async fn over_limit(
            conn: &mut Conn,
            limits: &[SignupLimit],
            now_ms: i64,
        ) -> Result<Option<SignupOutcome>, StoreError> {
            for limit in limits {
                let window = millis(limit.window);
                let (start, count): (i64, i64) = sqlx::query_as(COUNT_SIGNUP)
                    .bind(&limit.bucket)
                    .bind(now_ms)
                    .bind(now_ms.saturating_sub(window))
                    .fetch_one(&mut *conn)
                    .await?;
                if count > i64::from(limit.max) {
                    let left = start.saturating_add(window).saturating_sub(now_ms).max(1_000);
                    let retry_after = Duration::from_millis(u64::try_from(left).unwrap_or(1_000));
                    return Ok(Some(SignupOutcome::Limited { bucket: limit.bucket.clone(), retry_after }));
                }
            }
            Ok(None)
        }

        /// The contact with this address (created if there is none, accepting email
        /// again if it had opted out), its subscription to the product (created if it has
        /// none) and the consent record; counts into `stats`.
        async fn activate(
            conn: &mut Conn,
            a: Activation<'_>,
            stats: &mut DailyStats,
        ) -> Result<Confirmed, StoreError> {
            let now = row::now();
            let found: Option<(Uuid, bool)> =
                sqlx::query_as("SELECT id, accepts_email FROM contacts WHERE email_key = $1")
                    .bind(a.email_key)
                    .fetch_optional(&mut *conn)
                    .await?;
            let contact = match found {
                Some((id, true)) => id,
                Some((id, false)) => {
                    sqlx::query(
                        "UPDATE contacts SET accepts_email = $1, modified_on = $2, version = version + 1 \
                         WHERE id = $3",
                    )
                    .bind(true)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                    id
                }
                None => {
                    let id = row::new_id();
                    let attributes = serde_json::json!({ "email": a.email, "locale": a.locale });
                    sqlx::query(
                        "INSERT INTO contacts (id, email_key, attributes, source, created_on, modified_on) \
                         VALUES ($1, $2, $3, $4, $5, $5)",
                    )
                    .bind(id)
                    .bind(a.email_key)
                    .bind(sqlx::types::Json(&attributes))
                    .bind("storefront")
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(StoreError::on_constraint)?;
                    id
                }
            };
            let insert: &str = &$crate::store::contacts::sql::SUBSCRIPTION_INSERT;
            let inserted: Option<$crate::store::contacts::rows::SubscriptionRow> = sqlx::query_as(insert)
                .bind(row::new_id())
                .bind(contact)
                .bind(a.sku)
                .bind(a.locale)
                .bind(a.external_id)
                .bind(now)
                .fetch_optional(&mut *conn)
                .await
                .map_err(StoreError::on_constraint)?;
            let (subscription, created) = match inserted {
                Some(row) => {
                    stats.add(StatKey::locale(a.locale), metric::SUBSCRIBED, 1);
                    (row.id, true)
                }
                None => {
                    let id: Uuid = sqlx::query_scalar(
                        "SELECT id FROM subscriptions \
                         WHERE contact_id = $1 AND sku = $2 AND locale = $3 AND external_id = $4",
                    )
                    .bind(contact)
                    .bind(a.sku)
                    .bind(a.locale)
                    .bind(a.external_id)
                    .fetch_one(&mut *conn)
                    .await?;
                    (id, false)
                }
            };
            sqlx::query(&format!(
                "INSERT INTO consents (contact_id, {CONSENT_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            ))
            .bind(contact)
            .bind(row::new_id())
            .bind(subscription)
            .bind(a.sku)
            .bind(a.locale)
            .bind(a.external_id)
            .bind(a.method)
            .bind(a.consent_version)
            .bind(a.source_page)
            .bind(a.ip)
            .bind(a.user_agent)
            .bind(a.signed_up_on)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            stats.add(StatKey::locale(a.locale), metric::CONFIRMED, 1);
            Ok(Confirmed {
                contact_id: contact,
                subscription_id: subscription,
                created,
                sku: a.sku.to_owned(),
                locale: a.locale.to_owned(),
                email_key: a.email_key.to_owned(),
            })
        }

        /// Records a double opt-in sign-up: a new pending subscription, or the one it
        /// repeats (mailed again once the cool-down has passed).
        async fn pend(
            conn: &mut Conn,
            s: &NewSignup,
            stats: &mut DailyStats,
        ) -> Result<SignupOutcome, StoreError> {
            let (now, now_ms) = (row::now(), Utc::now().timestamp_millis());
            let key = s.email.key();
            let external_id = row::column(&s.external_id);
            let twin: Option<(Uuid, String, Option<DateTime<Utc>>)> = sqlx::query_as(
                "SELECT id, mail_status, mailed_on FROM pending_subscriptions \
                 WHERE email_key = $1 AND sku = $2 AND locale = $3 AND external_id = $4",
            )
            .bind(&key)
            .bind(s.sku.as_str())
            .bind(s.locale.as_str())
            .bind(external_id)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some((id, status, mailed_on)) = twin {
                let cooled = mailed_on.map_or(true, |on| later(on, s.cooldown) <= now);
                if status == "pending" || !cooled {
                    return Ok(SignupOutcome::Pending { id, mail: false });
                }
                sqlx::query(
                    "UPDATE pending_subscriptions SET mail_status = 'pending', mail_due_ms = $1, \
                     mail_attempts = 0, mail_error = NULL, expires_on = $2 WHERE id = $3",
                )
                .bind(now_ms)
                .bind(later(now, s.pending_ttl))
                .bind(id)
                .execute(&mut *conn)
                .await?;
                return Ok(SignupOutcome::Pending { id, mail: true });
            }
            let pending: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM pending_subscriptions WHERE email_key = $1")
                    .bind(&key)
                    .fetch_one(&mut *conn)
                    .await?;
            if pending >= i64::from(s.pending_cap) {
                return Ok(SignupOutcome::Capped);
            }
            let id = row::new_id();
            sqlx::query(
                "INSERT INTO pending_subscriptions (id, email, email_key, sku, locale, external_id, \
                   consent_version, source_page, ip, user_agent, created_on, expires_on, mail_due_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(id)
            .bind(s.email.as_str())
            .bind(&key)
            .bind(s.sku.as_str())
            .bind(s.locale.as_str())
            .bind(external_id)
            .bind(&s.consent_version)
            .bind(&s.source_page)
            .bind(&s.ip)
            .bind(&s.user_agent)
            .bind(now)
            .bind(later(now, s.pending_ttl))
            .bind(now_ms)
            .execute(&mut *conn)
            .await?;
            stats.add(StatKey::locale(s.locale.as_str()), metric::SIGNED_UP, 1);
            Ok(SignupOutcome::Pending { id, mail: true })
        }

        async fn sign_up_in(
            conn: &mut Conn,
            s: &NewSignup,
            stats: &mut DailyStats,
        ) -> Result<SignupOutcome, StoreError> {
            let spent = sqlx::query(
                "INSERT INTO spent_proofs (challenge, expires_ms) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(&s.proof)
            .bind(s.proof_expires_ms)
            .execute(&mut *conn)
            .await?;
            if spent.rows_affected() == 0 {
                return Ok(SignupOutcome::Replayed);
            }
            if let Some(limited) = over_limit(conn, &s.limits, Utc::now().timestamp_millis()).await? {
                return Ok(limited);
            }
            let key = s.email.key();
            let external_id = row::column(&s.external_id);
            let waiting: Option<Uuid> = sqlx::query_scalar(
                "SELECT s.id FROM subscriptions s JOIN contacts c ON c.id = s.contact_id \
                 WHERE c.email_key = $1 AND c.accepts_email = $5 AND s.sku = $2 AND s.locale = $3 \
                   AND s.external_id = $4",
            )
            .bind(&key)
            .bind(s.sku.as_str())
            .bind(s.locale.as_str())
            .bind(external_id)
            .bind(true)
            .fetch_optional(&mut *conn)
            .await?;
            if waiting.is_some() {
                return Ok(SignupOutcome::AlreadySubscribed);
            }
            if s.double_opt_in {
                return pend(conn, s, stats).await;
            }
            stats.add(StatKey::locale(s.locale.as_str()), metric::SIGNED_UP, 1);
            let activation = Activation {
                email: s.email.as_str(),
                email_key: &key,
                sku: s.sku.as_str(),
                locale: s.locale.as_str(),
                external_id,
                method: SINGLE_OPT_IN,
                consent_version: &s.consent_version,
                source_page: &s.source_page,
                ip: &s.ip,
                user_agent: &s.user_agent,
                signed_up_on: row::now(),
            };
            let done = activate(conn, activation, stats).await?;
            Ok(SignupOutcome::Subscribed { subscription: done.subscription_id, created: done.created })
        }

        #[async_trait::async_trait]
        impl $crate::store::StorefrontStore for $store {
            async fn sign_up(&self, signup: NewSignup) -> Result<SignupOutcome, StoreError> {
                let zone = self.zone;
                self.write_counted(1, move |conn| Box::pin(async move {
                    let mut stats = DailyStats::new(zone.today());
                    let outcome = sign_up_in(conn, &signup, &mut stats).await?;
                    Ok((outcome, stats))
                }))
                .await
            }

            async fn pending_subscription(&self, id: Uuid) -> Result<Option<PendingSubscription>, StoreError> {
                let found: Option<PendingRow> = sqlx::query_as(&format!(
                    "SELECT {PENDING_COLUMNS} FROM pending_subscriptions WHERE id = $1 AND expires_on > $2"
                ))
                .bind(id)
                .bind(row::now())
                .fetch_optional(&self.$read)
                .await?;
                Ok(found.map(pending))
            }

            async fn confirm_pending(&self, id: Uuid) -> Result<Option<Confirmed>, StoreError> {
                let zone = self.zone;
                self.write_counted(1, move |conn| Box::pin(async move {
                    let mut stats = DailyStats::new(zone.today());
                    type Taken = (String, String, String, String, String, String, String, String, String, DateTime<Utc>);
                    let taken: Option<Taken> = sqlx::query_as(
                        "DELETE FROM pending_subscriptions WHERE id = $1 AND expires_on > $2 \
                         RETURNING email, email_key, sku, locale, external_id, consent_version, \
                                   source_page, ip, user_agent, created_on",
                    )
                    .bind(id)
                    .bind(row::now())
                    .fetch_optional(&mut *conn)
                    .await?;
                    let Some(t) = taken else { return Ok((None, stats)) };
                    let activation = Activation {
                        email: &t.0,
                        email_key: &t.1,
                        sku: &t.2,
                        locale: &t.3,
                        external_id: &t.4,
                        method: DOUBLE_OPT_IN,
                        consent_version: &t.5,
                        source_page: &t.6,
                        ip: &t.7,
                        user_agent: &t.8,
                        signed_up_on: t.9,
                    };
                    let done = activate(conn, activation, &mut stats).await?;
                    Ok((Some(done), stats))
                }))
                .await
            }

            async fn pending_for(&self, email_key: &str) -> Result<Vec<PendingSubscription>, StoreError> {
                let rows: Vec<PendingRow> = sqlx::query_as(&format!(
                    "SELECT {PENDING_COLUMNS} FROM pending_subscriptions \
                     WHERE email_key = $1 AND expires_on > $2 ORDER BY created_on, id"
                ))
                .bind(email_key)
                .bind(row::now())
                .fetch_all(&self.$read)
                .await?;
                Ok(rows.into_iter().map(pending).collect())
            }

            async fn cancel_pending(&self, email_key: &str, id: Uuid) -> Result<bool, StoreError> {
                let key = email_key.to_owned();
                self.write(1, move |conn| Box::pin(async move {
                    let done = sqlx::query("DELETE FROM pending_subscriptions WHERE id = $1 AND email_key = $2")
                        .bind(id)
                        .bind(&key)
                        .execute(&mut *conn)
                        .await?;
                    Ok(done.rows_affected() > 0)
                }))
                .await
            }

            async fn consents(&self, contact: Uuid) -> Result<Vec<Consent>, StoreError> {
                let rows: Vec<ConsentRow> = sqlx::query_as(&format!(
                    "SELECT {CONSENT_COLUMNS} FROM consents WHERE contact_id = $1 \
                     ORDER BY confirmed_on DESC, id DESC"
                ))
                .bind(contact)
                .fetch_all(&self.$read)
                .await?;
                Ok(rows.into_iter().map(consent).collect())
            }

            async fn claim_confirmation_mails(
                &self,
                worker: &str,
                lease: Duration,
                limit: usize,
            ) -> Result<Vec<ConfirmationMail>, StoreError> {
                let worker = worker.to_owned();
                let limit = i64::try_from(limit).unwrap_or(i64::MAX);
                self.write(1, move |conn| Box::pin(async move {
                    let now_ms = Utc::now().timestamp_millis();
                    type Claimed = (Uuid, String, String, String, String, DateTime<Utc>, i64);
                    // The outer conditions again: on PostgreSQL a row another instance
                    // claimed meanwhile is re-checked and skipped, not claimed twice.
                    let rows: Vec<Claimed> = sqlx::query_as(
                        "UPDATE pending_subscriptions \
                         SET claimed_by = $1, lease_until_ms = $2, mail_attempts = mail_attempts + 1 \
                         WHERE id IN (SELECT id FROM pending_subscriptions \
                                      WHERE mail_status = 'pending' AND mail_due_ms <= $3 \
                                        AND (lease_until_ms IS NULL OR lease_until_ms < $3) \
                                      ORDER BY mail_due_ms LIMIT $4) \
                           AND mail_status = 'pending' AND (lease_until_ms IS NULL OR lease_until_ms < $3) \
                         RETURNING id, email, sku, locale, external_id, expires_on, \
                           CAST(mail_attempts AS BIGINT)",
                    )
                    .bind(&worker)
                    .bind(now_ms.saturating_add(millis(lease)))
                    .bind(now_ms)
                    .bind(limit)
                    .fetch_all(&mut *conn)
                    .await?;
                    Ok(rows
                        .into_iter()
                        .map(|(id, email, sku, locale, external_id, expires_on, attempts)| ConfirmationMail {
                            id,
                            email,
                            sku,
                            locale,
                            external_id: (!external_id.is_empty()).then_some(external_id),
                            expires_on,
                            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                        })
                        .collect())
                }))
                .await
            }

            async fn finish_confirmation_mail(
                &self,
                worker: &str,
                id: Uuid,
                finish: MailFinish,
            ) -> Result<(), StoreError> {
                let worker = worker.to_owned();
                self.write(1, move |conn| Box::pin(async move {
                    let (status, due, error, attempt): (&str, Option<i64>, Option<String>, i64) = match finish {
                        MailFinish::Sent => ("sent", None, None, 0),
                        MailFinish::Retry { at_ms, error } => ("pending", Some(at_ms), Some(error), 0),
                        MailFinish::Dead { error } => ("dead", None, Some(error), 0),
                        MailFinish::Release { error } => ("pending", None, Some(error), 1),
                    };
                    sqlx::query(
                        "UPDATE pending_subscriptions SET mail_status = $1, \
                           mail_due_ms = COALESCE($2, mail_due_ms), mail_error = $3, \
                           mail_attempts = mail_attempts - $4, \
                           mailed_on = CASE WHEN $1 = 'sent' THEN $5 ELSE mailed_on END, \
                           claimed_by = NULL, lease_until_ms = NULL \
                         WHERE id = $6 AND claimed_by = $7",
                    )
                    .bind(status)
                    .bind(due)
                    .bind(error)
                    .bind(attempt)
                    .bind(row::now())
                    .bind(id)
                    .bind(&worker)
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                }))
                .await
            }

            async fn purge_storefront(
                &self,
                now: DateTime<Utc>,
                longest_window: Duration,
            ) -> Result<StorefrontPurge, StoreError> {
                self.write(1, move |conn| Box::pin(async move {
                    let now_ms = now.timestamp_millis();
                    let pending = sqlx::query("DELETE FROM pending_subscriptions WHERE expires_on <= $1")
                        .bind(now)
                        .execute(&mut *conn)
                        .await?
                        .rows_affected();
                    let proofs = sqlx::query("DELETE FROM spent_proofs WHERE expires_ms <= $1")
                        .bind(now_ms)
                        .execute(&mut *conn)
                        .await?
                        .rows_affected();
                    let limits = sqlx::query("DELETE FROM signup_limits WHERE window_start_ms <= $1")
                        .bind(now_ms.saturating_sub(millis(longest_window)))
                        .execute(&mut *conn)
                        .await?
                        .rows_affected();
                    Ok(StorefrontPurge { pending, proofs, limits })
                }))
                .await
            }
        }
        };
    };
}

pub(crate) use impl_storefront_store;

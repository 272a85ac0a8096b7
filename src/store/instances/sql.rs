//! The SQL of worker liveness, written once for both backends.

/// The claim condition both backends share: `$now` is the time, `$stale` the
/// [`stale_before_ms`] cutoff (both bound by the caller).
macro_rules! claimable {
    ($now:literal, $stale:literal) => {
        concat!(
            "(lease_until_ms IS NULL \
              OR claimed_by IN (SELECT worker FROM instances WHERE heartbeat_ms < ",
            $stale,
            ") \
              OR (lease_until_ms < ",
            $now,
            " AND claimed_by NOT IN \
                  (SELECT worker FROM instances WHERE heartbeat_ms >= ",
            $stale,
            ")))"
        )
    };
}

pub(crate) use claimable;

/// Implements [`InstanceStore`] for `$store` (see `impl_contact_store!`).
macro_rules! impl_instance_store {
    ($store:ty) => {
        const _: () = {
        use $crate::store::row;
        use $crate::store::StoreError;

        #[async_trait::async_trait]
        impl $crate::store::InstanceStore for $store {
            async fn heartbeat(&self, workers: &[String]) -> Result<(), StoreError> {
                let workers = workers.to_vec();
                self.write(workers.len(), move |conn| Box::pin(async move {
                    let now_ms = row::now().timestamp_millis();
                    for worker in &workers {
                        sqlx::query(
                            "INSERT INTO instances (worker, heartbeat_ms) VALUES ($1, $2) \
                             ON CONFLICT (worker) DO UPDATE SET heartbeat_ms = excluded.heartbeat_ms",
                        )
                        .bind(worker)
                        .bind(now_ms)
                        .execute(&mut *conn)
                        .await?;
                    }
                    sqlx::query("DELETE FROM instances WHERE heartbeat_ms < $1")
                        .bind($crate::store::instances::forget_before_ms(now_ms))
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                }))
                .await
            }

            async fn retire(&self, workers: &[String]) -> Result<(), StoreError> {
                let workers = workers.to_vec();
                self.write(workers.len(), move |conn| Box::pin(async move {
                    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                    for worker in &workers {
                        sqlx::query(
                            "UPDATE stock_batches SET lease_until_ms = NULL \
                             WHERE claimed_by = $1 AND processed_on IS NULL",
                        )
                        .bind(worker)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "UPDATE fan_out_parts SET lease_until_ms = NULL \
                             WHERE claimed_by = $1 AND done_on IS NULL",
                        )
                        .bind(worker)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "UPDATE notifications SET lease_until_ms = NULL \
                             WHERE claimed_by = $1 AND status = 'pending' AND lease_until_ms IS NOT NULL",
                        )
                        .bind(worker)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query("DELETE FROM instances WHERE worker = $1")
                            .bind(worker)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }))
                .await
            }
        }
        };
    };
}

pub(crate) use impl_instance_store;

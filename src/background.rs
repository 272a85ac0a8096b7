//! The loop every background worker (engine, delivery) runs beside the API.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use tokio::sync::Notify;

/// Runs `work` until `shutdown` completes: again at once when `wake` is signalled,
/// otherwise every `poll`; after a failure it logs and waits at least a second. Shutdown
/// does not wait for the work in flight: it is dropped, which rolls back its open
/// transaction, and the claim it held is resumed by whoever takes it next.
pub async fn run_until<W, F, T, E>(
    name: &str,
    poll: Duration,
    wake: &Notify,
    shutdown: impl Future<Output = ()>,
    mut work: W,
) where
    W: FnMut() -> F,
    F: Future<Output = Result<T, E>>,
    E: Display,
{
    tokio::pin!(shutdown);
    loop {
        let pause = tokio::select! {
            () = &mut shutdown => return,
            result = work() => match result {
                Ok(_) => poll,
                Err(err) => {
                    tracing::error!(worker = name, error = %err, "background work failed; retrying");
                    poll.max(Duration::from_secs(1))
                }
            },
        };
        tokio::select! {
            () = &mut shutdown => return,
            () = wake.notified() => {}
            () = tokio::time::sleep(pause) => {}
        }
    }
}

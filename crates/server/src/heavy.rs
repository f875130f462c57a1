//! Heavy work off the request executor: CPU-bound work (solving a placement batch, parsing a
//! spreadsheet, hashing a password) runs on tokio's blocking threads behind one semaphore
//! sized to the cores, with a time limit, so that one large job never stalls the requests
//! of everyone else and a burst of them queues instead of multiplying.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::Semaphore;

/// How long a job waits for a free core before the request is refused as busy.
const QUEUE_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HeavyError {
    /// Every core was busy with other heavy work for longer than the queue wait.
    #[error("the server is busy with other heavy work; try again shortly")]
    Busy,
    /// The work did not finish within its limit. Its thread runs on to the end, holding
    /// its permit, so at most one job per core runs whatever happens to the requests.
    #[error("the work took too long")]
    TimedOut,
    /// The work panicked (a bug); the panic message may hold data and is not kept.
    #[error("the work failed")]
    Failed,
}

fn permits() -> Arc<Semaphore> {
    static PERMITS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    PERMITS
        .get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            Arc::new(Semaphore::new(cores))
        })
        .clone()
}

/// Runs `work` on a blocking thread once a core is free, for at most `limit`.
pub async fn run<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HeavyError> {
    let permit = tokio::time::timeout(QUEUE_WAIT, permits().acquire_owned())
        .await
        .map_err(|_| HeavyError::Busy)?
        .map_err(|_| HeavyError::Busy)?;
    let handle = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    });
    match tokio::time::timeout(limit, handle).await {
        Err(_) => Err(HeavyError::TimedOut),
        Ok(Err(_)) => {
            tracing::error!("heavy work panicked");
            Err(HeavyError::Failed)
        }
        Ok(Ok(value)) => Ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn the_executor_keeps_answering_while_heavy_work_runs() {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let job = tokio::spawn(run(Duration::from_secs(30), move || {
            // Blocks its thread until told to stop: on the executor this would hang the
            // single-threaded runtime and the timer below would never fire.
            rx.recv().ok();
            7
        }));
        tokio::time::sleep(Duration::from_millis(20)).await;
        tx.send(()).ok();
        assert_eq!(job.await.ok(), Some(Ok(7)));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn work_past_its_limit_is_answered_as_timed_out() {
        let outcome = run(Duration::from_millis(10), || {
            std::thread::sleep(Duration::from_millis(200));
        })
        .await;
        assert_eq!(outcome, Err(HeavyError::TimedOut));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_panic_is_a_failure_without_its_message() {
        let outcome: Result<(), _> = run(Duration::from_secs(5), || panic!("secret name")).await;
        assert_eq!(outcome, Err(HeavyError::Failed));
    }
}

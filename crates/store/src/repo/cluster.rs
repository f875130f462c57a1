//! What several serving processes on one database share beyond their tables: work that
//! must run once at a time across all of them (an advisory lock), and a wake-up when a
//! household changes (PostgreSQL `LISTEN`/`NOTIFY`).
//!
//! SQLite serves one process, so both are trivial there: the lock is always granted and
//! the change feed never wakes (the server polls the audit log instead).

use sqlx::Postgres;
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgListener;

use shanyrak_store_macros::queries;

use super::{Backend, Repo};
use crate::StoreError;

/// The channel migration 0029 (PostgreSQL) notifies after every committed transaction
/// that wrote a household's audit event. The payload is empty: a wake-up, never data.
pub const HOUSEHOLD_CHANNEL: &str = "shanyrak_households";

/// Work that runs in one process at a time across all processes on one database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Recomputing the coordinator figure snapshot.
    FigureSnapshot,
    /// Making a public statistics release.
    PublicRelease,
    /// Applying the retention policy.
    Retention,
}

impl Job {
    /// The advisory lock key: fixed numbers, "SHNR" and a job number.
    pub(super) fn key(self) -> i64 {
        const BASE: i64 = 0x5348_4E52_0000;
        BASE + match self {
            Job::FigureSnapshot => 1,
            Job::PublicRelease => 2,
            Job::Retention => 3,
        }
    }
}

/// A held job lock (PostgreSQL: a session advisory lock on one pooled connection).
/// [`JobLock::release`] unlocks it and returns the connection to the pool; dropped
/// without release (a panic, a cancelled task), the connection is closed instead, which
/// ends the session and so the lock: never a pooled connection still holding it. A
/// process that dies loses its connection, so the lock is never held by the dead.
#[derive(Debug)]
pub struct JobLock {
    pub(super) held: Option<(PoolConnection<Postgres>, i64)>,
}

impl JobLock {
    pub async fn release(mut self) {
        if let Some((mut conn, key)) = self.held.take() {
            let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(key)
                .execute(&mut *conn)
                .await;
            if unlocked.is_err() {
                // Close rather than pool a connection whose lock state is unknown.
                drop(conn.detach());
            }
        }
    }
}

impl Drop for JobLock {
    fn drop(&mut self) {
        if let Some((conn, _)) = self.held.take() {
            drop(conn.detach());
        }
    }
}

/// Wake-ups when households change in another process.
#[derive(Debug)]
pub enum ChangeFeed {
    Postgres(Box<PgListener>),
    /// SQLite: nothing to listen to.
    Never,
}

impl ChangeFeed {
    /// Waits for the next wake-up: a notification on [`HOUSEHOLD_CHANNEL`], or the
    /// listening connection lost and opened again (notifications sent meanwhile are lost,
    /// so the caller catches up from its cursor either way). An error means the database
    /// could not be reached; the caller waits and asks again.
    pub async fn next(&mut self) -> Result<(), StoreError> {
        match self {
            ChangeFeed::Postgres(listener) => {
                // `try_recv`, not `recv`: `recv` reconnects silently, hiding the gap.
                listener.try_recv().await?;
                Ok(())
            }
            ChangeFeed::Never => std::future::pending().await,
        }
    }
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// The lock of `job` if no other process on this database holds it now (never
    /// waits; a PostgreSQL advisory lock, always granted on SQLite). Release it with
    /// [`JobLock::release`].
    pub async fn try_lock_job(&self, job: Job) -> Result<Option<JobLock>, StoreError> {
        DB::try_lock_job(&self.writer, job).await
    }
}

impl Repo<Postgres> {
    pub(crate) async fn change_feed(&self) -> Result<ChangeFeed, StoreError> {
        let mut listener = PgListener::connect_with(&self.writer).await?;
        listener.listen(HOUSEHOLD_CHANNEL).await?;
        Ok(ChangeFeed::Postgres(Box::new(listener)))
    }
}

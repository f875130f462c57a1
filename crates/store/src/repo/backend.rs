//! The two databases the queries run on, and the little that differs between them.
//!
//! Every query is written once, in the SQL both speak (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`). What cannot be written once is a method of [`Backend`], so each
//! difference is spelled out per backend here and nowhere else.

use std::future::Future;

use sqlx::{Pool, Postgres, Sqlite};

use crate::StoreError;

/// A database the queries run on: SQLite or PostgreSQL.
///
/// `#[backend]` states the sqlx bounds the SQL needs (which Rust types the backend binds
/// and reads); `#[queries]` restates them on each `impl<DB: Backend> Repo<DB>` block,
/// since Rust does not carry a trait's `where` clauses to where it is used.
#[shanyrak_store_macros::backend]
pub trait Backend: sqlx::Database {
    /// "sqlite" or "postgres", for logs and health checks.
    const LABEL: &'static str;

    /// How a write transaction begins. SQLite's default (deferred) transaction reads
    /// first and takes the write lock at its first write; if another process (an
    /// operator's command, a backup) holds the lock at that moment, SQLite fails it at
    /// once with "database is locked" instead of waiting. `BEGIN IMMEDIATE` takes the
    /// lock first, so the wait is the busy timeout's.
    const BEGIN_WRITE: &'static str;

    /// A UTC day of a timestamp column as `YYYY-MM-DD` text.
    fn day_sql(column: &str) -> String;

    /// The placeholder of the `n`th bound value (from 1) in a statement built at run time
    /// with many values (multi-row inserts, long `IN` lists); every placeholder of such a
    /// statement comes from here. SQLite's are anonymous (`?`): sqlx looks a named one up
    /// by walking the statement's list of names at each bind, which makes a statement of
    /// thousands of values quadratic.
    fn placeholder(n: usize) -> String;

    /// The placeholders of `count` values from the `first`th, separated by commas: an
    /// `IN (…)` list, or a row of values.
    fn placeholders(first: usize, count: usize) -> String {
        (first..first + count)
            .map(Self::placeholder)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `head` (an `INSERT INTO … (…)`), then `VALUES` and `rows` rows of `columns`
    /// placeholders each, for a multi-row insert whose values are bound row by row in
    /// column order.
    fn values_sql(head: &str, rows: usize, columns: usize) -> String {
        let mut sql = String::with_capacity(head.len() + rows * columns * 6);
        sql.push_str(head);
        sql.push_str(" VALUES ");
        for row in 0..rows {
            if row > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            sql.push_str(&Self::placeholders(row * columns + 1, columns));
            sql.push(')');
        }
        sql
    }

    /// Leaves no old copy of erased content behind in the backend's own files, where the
    /// backend can (see `Repo::checkpoint`).
    fn checkpoint(writer: &Pool<Self>) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Writes a consistent copy of the whole database to a new file at `path`, while
    /// others keep writing, where the backend can.
    fn backup_into(
        reader: &Pool<Self>,
        path: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The lock of `job` if no other process holds it now (see `cluster.rs`).
    fn try_lock_job(
        pool: &Pool<Self>,
        job: super::Job,
    ) -> impl Future<Output = Result<Option<super::JobLock>, StoreError>> + Send;
}

impl Backend for Sqlite {
    const LABEL: &'static str = "sqlite";
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";

    fn day_sql(column: &str) -> String {
        format!("substr({column}, 1, 10)")
    }

    fn placeholder(_: usize) -> String {
        "?".to_owned()
    }

    /// Moves every committed page into the main file and empties the WAL, so erased
    /// content does not linger in old WAL frames (secure_delete zeroes it in the file).
    async fn checkpoint(writer: &Pool<Self>) -> Result<(), StoreError> {
        let mut conn = writer.acquire().await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// `VACUUM INTO` reads one snapshot (WAL readers do not block the writer, nor it
    /// them) and writes a compact copy; under SQLCipher the copy is encrypted with the
    /// same key. It refuses to overwrite an existing file.
    async fn backup_into(reader: &Pool<Self>, path: &str) -> Result<(), StoreError> {
        let mut conn = reader.acquire().await?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// One process serves a SQLite file; commands beside it take turns for the write lock.
    async fn try_lock_job(
        _pool: &Pool<Self>,
        _job: super::Job,
    ) -> Result<Option<super::JobLock>, StoreError> {
        Ok(Some(super::JobLock { held: None }))
    }
}

impl Backend for Postgres {
    const LABEL: &'static str = "postgres";
    const BEGIN_WRITE: &'static str = "BEGIN";

    fn day_sql(column: &str) -> String {
        format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')")
    }

    fn placeholder(n: usize) -> String {
        format!("${n}")
    }

    /// Nothing to do: dead row versions stay until autovacuum (see docs/THREAT_MODEL.md).
    async fn checkpoint(_writer: &Pool<Self>) -> Result<(), StoreError> {
        Ok(())
    }

    /// PostgreSQL has its own tool for this (`pg_dump`), which knows roles, extensions
    /// and large objects; see docs/DEPLOYMENT.md.
    async fn backup_into(_reader: &Pool<Self>, _path: &str) -> Result<(), StoreError> {
        Err(StoreError::BackupUnsupported)
    }

    /// A session advisory lock on a connection of its own, held until released.
    async fn try_lock_job(
        pool: &Pool<Self>,
        job: super::Job,
    ) -> Result<Option<super::JobLock>, StoreError> {
        let mut conn = pool.acquire().await?;
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(job.key())
            .fetch_one(&mut *conn)
            .await?;
        Ok(locked.then(|| super::JobLock {
            held: Some((conn, job.key())),
        }))
    }
}

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

    /// A UTC day of a timestamp column as `YYYY-MM-DD` text.
    fn day_sql(column: &str) -> String;

    /// Leaves no old copy of erased content behind in the backend's own files, where the
    /// backend can (see `Repo::checkpoint`).
    fn checkpoint(writer: &Pool<Self>) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl Backend for Sqlite {
    const LABEL: &'static str = "sqlite";

    fn day_sql(column: &str) -> String {
        format!("substr({column}, 1, 10)")
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
}

impl Backend for Postgres {
    const LABEL: &'static str = "postgres";

    fn day_sql(column: &str) -> String {
        format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')")
    }

    /// Nothing to do: dead row versions stay until autovacuum (see docs/THREAT_MODEL.md).
    async fn checkpoint(_writer: &Pool<Self>) -> Result<(), StoreError> {
        Ok(())
    }
}

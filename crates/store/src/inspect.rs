//! A look at a database without changing it, for `shanyrak doctor`: whether it opens (with
//! its key), which migrations it has against the ones this build knows, and its clock.
//! Unlike [`crate::Store::connect`] nothing is created or migrated.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use crate::{StoreError, StoreOptions, key_literal};

/// What [`inspect`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Migrations this build knows and the database has not applied (version, name).
    pub pending: Vec<(i64, String)>,
    /// Migrations the database has applied that this build does not know: it was
    /// migrated by a newer build.
    pub unknown: Vec<i64>,
    /// Applied migrations whose text differs from this build's.
    pub changed: Vec<i64>,
    /// The database server's clock (PostgreSQL), to compare with this machine's.
    pub database_now: Option<DateTime<Utc>>,
    /// The latest audit event's time: a clock behind it has gone backwards.
    pub latest_event: Option<DateTime<Utc>>,
}

/// Why a database could not be looked at.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("the SQLite file does not exist")]
    Missing,
    /// SQLCipher cannot read the file: encrypted with another key, or without a key while
    /// the file is encrypted.
    #[error("the database file cannot be read with this key")]
    WrongKey,
    #[error("the database cannot be reached: {0}")]
    Unreachable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Looks at the database at `url` without creating or migrating anything.
pub async fn inspect(url: &str, options: &StoreOptions) -> Result<Inspection, InspectError> {
    if url.starts_with("sqlite:") {
        let mut connect = SqliteConnectOptions::from_str(url).map_err(StoreError::from)?;
        if !connect.get_filename().exists() {
            return Err(InspectError::Missing);
        }
        if let Some(key) = &options.encryption_key {
            connect = connect.pragma("key", key_literal(key));
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(connect.create_if_missing(false).read_only(true))
            .await
            .map_err(|e| InspectError::Unreachable(e.to_string()))?;
        // SQLCipher reads the first page only when asked: a wrong or missing key shows here.
        if sqlx::query("SELECT count(*) FROM sqlite_master")
            .fetch_one(&pool)
            .await
            .is_err()
        {
            return Err(InspectError::WrongKey);
        }
        let migrator = sqlx::migrate!("./migrations/sqlite");
        let mut found = compare(&pool, &migrator, "sqlite").await?;
        found.latest_event = latest_event(&pool).await?;
        pool.close().await;
        Ok(found)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|e| InspectError::Unreachable(unreachable_reason(&e)))?;
        let migrator = sqlx::migrate!("./migrations/postgres");
        let mut found = compare(&pool, &migrator, "postgres").await?;
        found.latest_event = latest_event(&pool).await?;
        found.database_now = Some(
            sqlx::query("SELECT now() AS now")
                .fetch_one(&pool)
                .await
                .map_err(StoreError::from)?
                .try_get("now")
                .map_err(StoreError::from)?,
        );
        pool.close().await;
        Ok(found)
    } else {
        Err(StoreError::UnsupportedUrl.into())
    }
}

/// sqlx's message without the URL (which may hold a password).
fn unreachable_reason(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Io(e) => e.to_string(),
        sqlx::Error::Tls(_) => "TLS failed".to_owned(),
        sqlx::Error::PoolTimedOut => "no connection within 10 seconds".to_owned(),
        sqlx::Error::Database(e) => e.message().to_owned(),
        _ => "connection failed".to_owned(),
    }
}

async fn compare<DB>(
    pool: &sqlx::Pool<DB>,
    migrator: &sqlx::migrate::Migrator,
    backend: &'static str,
) -> Result<Inspection, StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    Vec<u8>: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    bool: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
    for<'a> &'a str: sqlx::ColumnIndex<DB::Row>,
{
    // A database never migrated has no table: everything is pending.
    let applied: Vec<(i64, Vec<u8>)> =
        match sqlx::query("SELECT version, checksum FROM _sqlx_migrations WHERE success")
            .fetch_all(pool)
            .await
        {
            Ok(rows) => rows
                .iter()
                .map(|r| Ok((r.try_get("version")?, r.try_get("checksum")?)))
                .collect::<Result<_, sqlx::Error>>()?,
            Err(sqlx::Error::Database(_)) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
    let known = migrator
        .iter()
        .filter(|m| m.migration_type.is_up_migration());
    let mut found = Inspection {
        backend,
        pending: Vec::new(),
        unknown: Vec::new(),
        changed: Vec::new(),
        database_now: None,
        latest_event: None,
    };
    for m in known {
        match applied.iter().find(|(v, _)| *v == m.version) {
            None => found.pending.push((m.version, m.description.to_string())),
            Some((_, checksum)) if checksum.as_slice() != &*m.checksum => {
                found.changed.push(m.version)
            }
            Some(_) => {}
        }
    }
    found.unknown = applied
        .iter()
        .map(|(v, _)| *v)
        .filter(|v| !migrator.iter().any(|m| m.version == *v))
        .collect();
    Ok(found)
}

async fn latest_event<DB>(pool: &sqlx::Pool<DB>) -> Result<Option<DateTime<Utc>>, StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    Option<DateTime<Utc>>: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    for<'a> &'a str: sqlx::ColumnIndex<DB::Row>,
{
    match sqlx::query("SELECT max(at) AS at FROM audit_events")
        .fetch_one(pool)
        .await
    {
        Ok(row) => Ok(row.try_get("at")?),
        // Not migrated yet.
        Err(sqlx::Error::Database(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

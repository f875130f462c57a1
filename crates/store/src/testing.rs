//! Throwaway databases for tests, on either backend.
//!
//! PostgreSQL tests are never skipped: when the server cannot be reached the test fails
//! and says how to start one. Each test gets its own database, dropped afterwards.

use std::path::PathBuf;

use sqlx::Connection;
use uuid::Uuid;

/// Where the PostgreSQL test server is; any database on it that the user may connect to.
pub const POSTGRES_URL_VAR: &str = "SHANYRAK_TEST_POSTGRES_URL";
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database that disappears when dropped.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    File(PathBuf),
    Database { admin_url: String, name: String },
}

fn postgres_admin_url() -> String {
    std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// `postgres://host/db?x` with the database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    format!("{}/{name}{query}", &base[..authority_end])
}

impl TestDatabase {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir()
                    .join(format!("shanyrak-test-{}.db", Uuid::now_v7().simple()));
                Self {
                    url: format!("sqlite://{}", path.display()),
                    cleanup: Cleanup::File(path),
                }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let name = format!("shanyrak_test_{}", Uuid::now_v7().simple());
                let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
                    Ok(conn) => conn,
                    Err(e) => panic!(
                        "PostgreSQL tests need a server: could not connect to {admin_url} ({e}). \
                         Start one (see README.md) or set {POSTGRES_URL_VAR}."
                    ),
                };
                if let Err(e) = sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut admin)
                    .await
                {
                    panic!("could not create test database {name}: {e}");
                }
                let _ = admin.close().await;
                Self {
                    url: with_database(&admin_url, &name),
                    cleanup: Cleanup::Database { admin_url, name },
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::Database { admin_url, name } => {
                let admin_url = admin_url.clone();
                let name = name.clone();
                // Drop runs inside the test's runtime; a separate thread with its own
                // runtime can block on the cleanup without deadlocking it.
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async {
                        if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .execute(&mut admin)
                            .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// Triggers to bypass, and what a careful insider would restore afterwards.
const SQLITE_BYPASS: &str = "DROP TRIGGER IF EXISTS audit_events_sealed";
const POSTGRES_BYPASS: &str = "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only";
const POSTGRES_RESTORE: &str = "ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only";

/// Recomputes `prev_hash` and `hash` of every sealed event from the first, with the
/// formula written in `repo/audit_chain.rs` (not the store's own code), and moves the head.
macro_rules! rechain {
    ($conn:expr) => {{
        use sha2::Digest;
        use sqlx::Row;
        let conn = $conn;
        let rows = sqlx::query(
            "SELECT seq, id, at, actor_user_id, actor_label, organisation_id, entity, entity_id, \
             action, commitment FROM audit_events WHERE seq IS NOT NULL ORDER BY seq",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut prev = vec![0u8; 32];
        let mut last = 0i64;
        for row in &rows {
            let seq: i64 = row.try_get("seq")?;
            let at: chrono::DateTime<chrono::Utc> = row.try_get("at")?;
            let commitment: Vec<u8> = row.try_get("commitment")?;
            let hex: String = commitment.iter().map(|b| format!("{b:02x}")).collect();
            let canonical = serde_json::json!([
                "v2",
                seq,
                row.try_get::<Uuid, _>("id")?,
                at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                row.try_get::<Option<Uuid>, _>("actor_user_id")?,
                row.try_get::<String, _>("actor_label")?,
                row.try_get::<Option<Uuid>, _>("organisation_id")?,
                row.try_get::<String, _>("entity")?,
                row.try_get::<Uuid, _>("entity_id")?,
                row.try_get::<String, _>("action")?,
                hex,
            ]);
            let mut hasher = sha2::Sha256::new();
            hasher.update(&prev);
            hasher.update(canonical.to_string().as_bytes());
            let hash = hasher.finalize().to_vec();
            sqlx::query("UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE seq = $3")
                .bind(prev.clone())
                .bind(hash.clone())
                .bind(seq)
                .execute(&mut *conn)
                .await?;
            prev = hash;
            last = seq;
        }
        sqlx::query("UPDATE audit_chain SET seq = $1, hash = $2 WHERE id = 1")
            .bind(last)
            .bind(prev)
            .execute(&mut *conn)
            .await?;
    }};
}

/// The rows of `table` in `store`, or -1 if the store does not count that table.
pub async fn row_count(store: &crate::Store, table: &str) -> Result<i64, crate::StoreError> {
    Ok(store
        .table_counts()
        .await?
        .into_iter()
        .find(|(t, _)| *t == table)
        .map_or(-1, |(_, n)| n))
}

/// Runs `sql` on the database directly, past the store, as someone holding its file or
/// its credentials could.
pub async fn execute_as_insider(url: &str, sql: &str) -> Result<(), sqlx::Error> {
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        sqlx::raw_sql(sql).execute(&mut conn).await?;
        conn.close().await
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::raw_sql(sql).execute(&mut conn).await?;
        conn.close().await
    }
}

/// What an insider with the database's credentials can do to the audit log: get past the
/// triggers, run `edit` (SQL that changes sealed events), then re-chain every sealed
/// event with the documented formula and move the head, so that the whole chain verifies
/// again. Only a head kept outside the database (`verify-audit --expect`) tells.
pub async fn rewrite_audit_history(url: &str, edit: &str) -> Result<(), sqlx::Error> {
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        sqlx::raw_sql(SQLITE_BYPASS).execute(&mut conn).await?;
        sqlx::raw_sql(edit).execute(&mut conn).await?;
        rechain!(&mut conn);
        conn.close().await
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::raw_sql(POSTGRES_BYPASS).execute(&mut conn).await?;
        sqlx::raw_sql(edit).execute(&mut conn).await?;
        rechain!(&mut conn);
        sqlx::raw_sql(POSTGRES_RESTORE).execute(&mut conn).await?;
        conn.close().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}

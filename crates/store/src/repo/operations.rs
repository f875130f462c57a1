//! What an operator watches and checks: connection pools, the queues that wait for a
//! person, migrations. Counts only, no personal data, and no actor: these serve the
//! metrics endpoint and `shanyrak doctor`, which are for the operator.

use sqlx::Row;

use super::{Backend, Repo};
use crate::StoreError;
use shanyrak_store_macros::queries;

/// Connections of one pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Open connections.
    pub open: u32,
    /// Open and idle.
    pub idle: u32,
    /// The most it opens.
    pub max: u32,
}

/// The store's pools: on PostgreSQL both are one pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub writer: PoolUse,
    pub reader: PoolUse,
}

/// Work waiting for a person, over all organisations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSizes {
    /// Possible duplicates not yet reviewed.
    pub duplicates_pending: i64,
    /// Imported rows held back for correction.
    pub quarantine_pending: i64,
}

fn pool_use<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> PoolUse {
    PoolUse {
        open: pool.size(),
        idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
        max: pool.options().get_max_connections(),
    }
}

#[queries]
impl<DB: Backend> Repo<DB> {
    /// How the connection pools are used right now.
    pub fn pool_stats(&self) -> PoolStats {
        PoolStats {
            writer: pool_use(&self.writer),
            reader: pool_use(&self.reader),
        }
    }

    /// The review queue and the import quarantine, counted over all organisations.
    pub async fn queue_sizes(&self) -> Result<QueueSizes, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let duplicates: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM duplicate_candidates WHERE status = 'pending'")
                .fetch_one(&mut *conn)
                .await?
                .try_get("n")?;
        let quarantine: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM import_quarantine WHERE status = 'pending'")
                .fetch_one(&mut *conn)
                .await?
                .try_get("n")?;
        Ok(QueueSizes {
            duplicates_pending: duplicates,
            quarantine_pending: quarantine,
        })
    }
}

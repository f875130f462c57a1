use shanyrak_core::ValidationErrors;

/// What can go wrong in the store. Variants other than [`StoreError::Database`],
/// [`StoreError::Migration`] and [`StoreError::Corrupt`] are the caller's to fix; those
/// three are internal and their details must not reach a user (they may quote SQL).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL: use sqlite://PATH or postgres://…")]
    UnsupportedUrl,
    #[error(
        "a read replica is for PostgreSQL: both the database and the replica must be postgres:// URLs"
    )]
    ReplicaNeedsPostgres,
    /// A passphrase of nothing but whitespace would leave the file unencrypted.
    #[error("the encryption key is empty: the database would be stored unencrypted")]
    EmptyEncryptionKey,
    #[error("not found")]
    NotFound,
    #[error("not permitted for this user's roles")]
    Forbidden,
    #[error("the Idempotency-Key was already used for a different request body")]
    IdempotencyKeyReused,
    #[error("the record was changed by someone else (version {current}); reload and try again")]
    VersionMismatch { current: i64 },
    #[error("{0}")]
    Invalid(ValidationErrors),
    #[error("an account with this e-mail address already exists")]
    EmailTaken,
    #[error("wrong e-mail address or password")]
    InvalidCredentials,
    #[error("too many failed logins; try again later")]
    LoginLocked {
        until: chrono::DateTime<chrono::Utc>,
    },
    /// A public form's rate limit is reached (per client address, or for everyone):
    /// nothing was stored.
    #[error("too many submissions; try again later")]
    SubmissionsLimited {
        until: chrono::DateTime<chrono::Utc>,
    },
    /// Not enough of the item at the point; nothing was written.
    #[error("not enough stock of this item at this point")]
    InsufficientStock { item_id: uuid::Uuid },
    #[error("{0}")]
    Admission(shanyrak_core::shelter::AdmissionError),
    #[error("{0}")]
    Transition(shanyrak_core::cases::TransitionError),
    #[error("{0}")]
    Pipeline(shanyrak_core::resettlement::PipelineTransitionError),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("migration failed")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    /// The audit chain's head is not its last sealed event, or events are numbered beyond
    /// it: sealing refuses to chain onto it. The text names no personal data.
    #[error("sealing refused at audit event {seq}: {why}")]
    AuditTail { seq: i64, why: String },
    /// Another process on this database is running the same job (a retention run).
    #[error("another process is running {0} on this database now; try again when it is done")]
    JobRunning(&'static str),
    #[error("password hashing failed")]
    PasswordHash,
    /// Every core was busy checking passwords for longer than a short wait.
    #[error("the server is busy checking passwords; try again shortly")]
    Busy,
    /// Backups of a PostgreSQL database are `pg_dump`'s job.
    #[error("back up a PostgreSQL database with pg_dump (see docs/DEPLOYMENT.md)")]
    BackupUnsupported,
}

impl StoreError {
    pub(crate) fn corrupt(what: impl Into<String>) -> Self {
        Self::Corrupt(what.into())
    }
}

/// Whether `error`, or an error it was caused by, is SQLite saying "database is locked":
/// another process (a running server, an import, a backup) held the file's write lock
/// for longer than this one waits ([`crate::StoreOptions::lock_wait`]). The caller can
/// then say so, rather than "database error".
pub fn is_locked(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(sqlx::Error::Database(db)) = e.downcast_ref::<sqlx::Error>()
            && db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some()
            && db
                .code()
                .and_then(|code| code.parse::<i32>().ok())
                // SQLITE_BUSY and SQLITE_LOCKED, with their extended codes.
                .is_some_and(|code| matches!(code & 0xff, 5 | 6))
        {
            return true;
        }
        next = e.source();
    }
    false
}

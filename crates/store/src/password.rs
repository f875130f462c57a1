//! Password hashing, bounded: at most one argon2 computation per core at a time, each on
//! tokio's blocking threads with working memory taken from a small pool that is kept, so a
//! flood of sign-in attempts queues (and, past a short wait, is refused as busy) instead
//! of multiplying 19 MiB buffers over an unbounded thread pool.
//!
//! Verification fills the same pooled buffers whatever the outcome; an unknown account is
//! verified against a dummy hash under the same bound, so it costs the same time.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use argon2::password_hash::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::StoreError;

/// How long an attempt waits for a free core before it is refused as busy.
pub const QUEUE_WAIT: Duration = Duration::from_secs(5);

struct Limiter {
    permits: Arc<Semaphore>,
    /// Working memory of finished computations, reused by the next (never more buffers
    /// than permits, since only a permit holder takes one).
    buffers: Mutex<Vec<Vec<Block>>>,
}

fn limiter() -> &'static Limiter {
    static LIMITER: OnceLock<Limiter> = OnceLock::new();
    LIMITER.get_or_init(|| Limiter {
        permits: Arc::new(Semaphore::new(concurrency())),
        buffers: Mutex::new(Vec::new()),
    })
}

/// Password computations that may run at once: one per core.
pub fn concurrency() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The right to run one password computation now. Taken before an attempt is counted, so
/// that a counted attempt is always checked at once.
#[derive(Debug)]
pub struct HashPermit(OwnedSemaphorePermit);

/// Waits up to [`QUEUE_WAIT`] for a free core; `StoreError::Busy` after that.
pub async fn permit() -> Result<HashPermit, StoreError> {
    let permits = limiter().permits.clone();
    match tokio::time::timeout(QUEUE_WAIT, permits.acquire_owned()).await {
        Ok(Ok(permit)) => Ok(HashPermit(permit)),
        _ => Err(StoreError::Busy),
    }
}

fn take_buffer(blocks: usize) -> Vec<Block> {
    let pooled = limiter()
        .buffers
        .lock()
        .ok()
        .and_then(|mut pool| pool.pop());
    match pooled {
        Some(buffer) if buffer.len() >= blocks => buffer,
        _ => vec![Block::default(); blocks.max(Params::DEFAULT_M_COST as usize)],
    }
}

fn return_buffer(buffer: Vec<Block>) {
    // A buffer grown for an unusually expensive stored hash is not kept.
    if buffer.len() > Params::DEFAULT_M_COST as usize {
        return;
    }
    if let Ok(mut pool) = limiter().buffers.lock()
        && pool.len() < concurrency()
    {
        pool.push(buffer);
    }
}

impl HashPermit {
    /// Whether `password` matches the stored PHC string.
    pub async fn verify(self, password: String, stored: String) -> Result<bool, StoreError> {
        let permit = self.0;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            verify_now(password.as_bytes(), &stored)
        })
        .await
        .map_err(|_| StoreError::PasswordHash)?
    }

    /// A new PHC string for `password`, with a random salt.
    pub async fn hash(self, password: String) -> Result<String, StoreError> {
        let permit = self.0;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            use argon2::password_hash::{PasswordHasher, SaltString};
            let salt_bytes: [u8; 16] = rand::random();
            let salt = SaltString::encode_b64(&salt_bytes).map_err(|_| StoreError::PasswordHash)?;
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|_| StoreError::PasswordHash)
        })
        .await
        .map_err(|_| StoreError::PasswordHash)?
    }
}

/// A hash of no one's password with the default parameters, to verify against when an
/// account does not exist. Computed once per process, outside the bound (its caller
/// already holds a permit).
pub(crate) async fn dummy() -> Result<String, StoreError> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_try_init(|| async {
            tokio::task::spawn_blocking(|| {
                use argon2::password_hash::{PasswordHasher, SaltString};
                let salt_bytes: [u8; 16] = rand::random();
                let salt =
                    SaltString::encode_b64(&salt_bytes).map_err(|_| StoreError::PasswordHash)?;
                Argon2::default()
                    .hash_password(b"not a real password", &salt)
                    .map(|h| h.to_string())
                    .map_err(|_| StoreError::PasswordHash)
            })
            .await
            .map_err(|_| StoreError::PasswordHash)?
        })
        .await
        .cloned()
}

/// Hashes under the bound (waiting for a permit).
pub async fn hash(password: String) -> Result<String, StoreError> {
    permit().await?.hash(password).await
}

fn verify_now(password: &[u8], stored: &str) -> Result<bool, StoreError> {
    let corrupt = || StoreError::corrupt("unreadable password hash");
    let parsed = PasswordHash::new(stored).map_err(|_| corrupt())?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|_| corrupt())?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|_| corrupt())?
        .unwrap_or_default();
    let params = Params::try_from(&parsed).map_err(|_| corrupt())?;
    let expected = parsed.hash.ok_or_else(corrupt)?;
    let salt = parsed.salt.ok_or_else(corrupt)?;
    let mut salt_buffer = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buffer).map_err(|_| corrupt())?;
    let mut out = vec![0u8; expected.len()];
    let mut buffer = take_buffer(params.block_count());
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password,
        salt,
        &mut out,
        &mut buffer[..],
    );
    return_buffer(buffer);
    computed.map_err(|_| StoreError::PasswordHash)?;
    // `Output`'s equality is constant-time.
    Ok(Output::new(&out).map_err(|_| StoreError::PasswordHash)? == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pooled_verification_agrees_with_the_hasher() {
        let stored = hash("correct horse".to_owned())
            .await
            .ok()
            .unwrap_or_default();
        assert!(stored.starts_with("$argon2id$"));
        // The second and third runs reuse the first one's buffer.
        for (password, expected) in [
            ("correct horse", true),
            ("wrong", false),
            ("correct horse", true),
        ] {
            let permit = permit().await.ok();
            let Some(permit) = permit else {
                panic!("no permit")
            };
            let outcome = permit
                .verify(password.to_owned(), stored.clone())
                .await
                .ok();
            assert_eq!(outcome, Some(expected), "{password}");
        }
        let permit = permit().await.ok();
        let Some(permit) = permit else {
            panic!("no permit")
        };
        assert!(
            permit
                .verify("x".into(), "not a hash".into())
                .await
                .is_err()
        );
    }
}

//! `shanyrak admin backup` and `restore`: a laptop that is lost or breaks must not take
//! the registry with it. A backup is a consistent copy taken while the server writes
//! (SQLite's `VACUUM INTO`; an encrypted database stays encrypted with its key), then
//! optionally encrypted for age recipients so the copy on a USB stick or in a mailbox is
//! readable only by them. PostgreSQL is backed up with `pg_dump` (docs/DEPLOYMENT.md).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use shanyrak_store::Store;

use crate::export::{Sink, recipients};

/// The first line of every age file.
const AGE_HEADER: &[u8] = b"age-encryption.org/v1\n";

/// Writes a backup of `store` to `out` (which must not exist), encrypted for `recipients`
/// when there are any; returns its size in bytes.
pub async fn backup(store: &Store, out: &Path, recipient_keys: &[String]) -> Result<u64> {
    if store.backend_name() != "sqlite" {
        bail!(
            "back up PostgreSQL with pg_dump, e.g. `pg_dump --format=custom --file shanyrak.dump DBNAME` (see docs/DEPLOYMENT.md)"
        );
    }
    if out.exists() {
        bail!(
            "{} exists already; a backup never overwrites a file",
            out.display()
        );
    }
    let recipients = recipients(recipient_keys)?;
    let out = absolute(out)?;
    if recipients.is_empty() {
        copy_into(store, &out).await?;
        return Ok(std::fs::metadata(&out)?.len());
    }
    // The copy is made beside the target, encrypted into it, and removed.
    let mut plain_name = out.file_name().unwrap_or_default().to_os_string();
    plain_name.push(format!(".{}.partial", uuid::Uuid::now_v7().simple()));
    let plain = out.with_file_name(plain_name);
    let result = async {
        copy_into(store, &plain).await?;
        let mut sink = Sink::create(&out, &recipients)?;
        let mut source = BufReader::new(
            File::open(&plain).with_context(|| format!("could not read {}", plain.display()))?,
        );
        std::io::copy(&mut source, &mut sink).context("could not encrypt the backup")?;
        sink.finish()
    }
    .await;
    let _ = std::fs::remove_file(&plain);
    if result.is_err() {
        let _ = std::fs::remove_file(&out);
    }
    result?;
    Ok(std::fs::metadata(&out)?.len())
}

async fn copy_into(store: &Store, path: &Path) -> Result<()> {
    let text = path
        .to_str()
        .with_context(|| format!("{} is not a path SQLite can take", path.display()))?;
    store
        .backup_into(text)
        .await
        .with_context(|| format!("could not copy the database to {}", path.display()))
}

fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_owned());
    }
    Ok(std::env::current_dir()
        .context("could not read the current folder")?
        .join(path))
}

/// Backups made by a running server: one at start, then every `every`, into `dir`, the
/// newest `keep` kept.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ScheduleArgs {
    /// Back up the (SQLite) database every this many hours while serving, and once at
    /// start, into `--backup-dir`.
    #[arg(long, value_name = "HOURS", value_parser = clap::value_parser!(u32).range(1..=168), requires = "backup_dir")]
    pub backup_every: Option<u32>,
    /// Where scheduled backups go (`shanyrak-YYYYMMDD-HHMMSS.backup`).
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
    /// How many scheduled backups to keep; older ones are deleted.
    #[arg(long, value_name = "N", default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..))]
    pub backup_keep: u32,
    /// Encrypt scheduled backups for this age recipient (`age1…`); repeat for several.
    #[arg(long = "backup-recipient", value_name = "AGE_RECIPIENT")]
    pub backup_recipients: Vec<String>,
}

impl ScheduleArgs {
    /// Starts the schedule, if one was asked for; refuses what cannot work before the
    /// server starts (PostgreSQL, a bad recipient, a folder that cannot be made).
    pub fn start(&self, store: &Store) -> Result<Option<tokio::task::JoinHandle<()>>> {
        let (Some(hours), Some(dir)) = (self.backup_every, self.backup_dir.clone()) else {
            return Ok(None);
        };
        if store.backend_name() != "sqlite" {
            bail!(
                "--backup-every copies SQLite files; back up PostgreSQL with pg_dump (see docs/DEPLOYMENT.md)"
            );
        }
        recipients(&self.backup_recipients)?;
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("could not create {}", dir.display()))?;
        let (store, keep, recipient_keys) = (
            store.clone(),
            self.backup_keep,
            self.backup_recipients.clone(),
        );
        Ok(Some(tokio::spawn(async move {
            let mut ticks =
                tokio::time::interval(std::time::Duration::from_secs(u64::from(hours) * 3600));
            loop {
                ticks.tick().await;
                let name = format!(
                    "shanyrak-{}.backup",
                    chrono::Utc::now().format("%Y%m%d-%H%M%S")
                );
                match backup(&store, &dir.join(&name), &recipient_keys).await {
                    Ok(bytes) => tracing::info!(file = %name, bytes, "scheduled backup written"),
                    Err(e) => tracing::error!(error = %e, "scheduled backup failed"),
                }
                if let Err(e) = prune(&dir, keep as usize) {
                    tracing::warn!(error = %e, "removing old backups failed");
                }
            }
        })))
    }
}

/// Deletes all but the newest `keep` scheduled backups in `dir` (their names sort by
/// time); other files are left alone.
fn prune(dir: &Path, keep: usize) -> std::io::Result<()> {
    let mut backups: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("shanyrak-") && n.ends_with(".backup"))
        })
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(keep);
    for old in backups.into_iter().take(excess) {
        std::fs::remove_file(old)?;
    }
    Ok(())
}

/// Puts a backup back as the SQLite file of `db_url`, which must not exist yet: decrypted
/// with `identity` (an age identity file) when the backup is encrypted.
pub fn restore(file: &Path, db_url: &str, identity: Option<&Path>) -> Result<PathBuf> {
    let Some(target) = db_url
        .strip_prefix("sqlite://")
        .or_else(|| db_url.strip_prefix("sqlite:"))
    else {
        bail!(
            "restore writes an SQLite file (--db sqlite://PATH); restore PostgreSQL with pg_restore"
        );
    };
    let target = PathBuf::from(target.split('?').next().unwrap_or(target));
    if target.exists() && std::fs::metadata(&target)?.len() > 0 {
        bail!(
            "{} exists already; restore into a new file and point the server at it",
            target.display()
        );
    }
    let mut source =
        File::open(file).with_context(|| format!("could not read {}", file.display()))?;
    let mut head = [0u8; AGE_HEADER.len()];
    let read = source.read(&mut head)?;
    let encrypted = head[..read] == *AGE_HEADER;
    let source = BufReader::new(
        File::open(file).with_context(|| format!("could not read {}", file.display()))?,
    );
    let mut output =
        File::create(&target).with_context(|| format!("could not create {}", target.display()))?;
    let copied = if encrypted {
        let Some(identity) = identity else {
            let _ = std::fs::remove_file(&target);
            bail!(
                "the backup is encrypted: give the age identity file of one of its recipients with --identity"
            );
        };
        let identities = read_identities(identity)?;
        let decrypted = age::Decryptor::new(source)
            .context("the backup is not a readable age file")
            .and_then(|decryptor| {
                decryptor
                    .decrypt(identities.iter().map(|i| i as &dyn age::Identity))
                    .context("none of the identities opens this backup")
            });
        decrypted.and_then(|mut reader| {
            std::io::copy(&mut reader, &mut output).context("could not decrypt the backup")
        })
    } else {
        let mut source = source;
        std::io::copy(&mut source, &mut output).context("could not copy the backup")
    };
    if let Err(e) = copied.and_then(|_| output.sync_all().context("could not write the file")) {
        let _ = std::fs::remove_file(&target);
        return Err(e);
    }
    Ok(target)
}

fn read_identities(path: &Path) -> Result<Vec<age::x25519::Identity>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read the identity file {}", path.display()))?;
    let identities: Vec<age::x25519::Identity> = text
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("AGE-SECRET-KEY-"))
        .filter_map(|line| line.parse().ok())
        .collect();
    if identities.is_empty() {
        bail!(
            "{} holds no age identity (AGE-SECRET-KEY-…)",
            path.display()
        );
    }
    Ok(identities)
}

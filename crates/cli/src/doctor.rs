//! `shanyrak doctor`: checks what a deployment needs before and while it serves, and says
//! what to fix. Each check prints `ok`, `warn` or `FAIL` with its finding; the exit code
//! is 1 when any check failed. Nothing is created, migrated or written.

use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use clap::Args;
use shanyrak_store::StoreOptions;
use shanyrak_store::inspect::{InspectError, inspect};

/// The checks' options beside the database's.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The certificate `serve --tls-cert` uses (PEM, the server's certificate first).
    #[arg(long, value_name = "FILE")]
    tls_cert: Option<PathBuf>,
    /// The folder where `serve --tls-self-signed` keeps its certificate.
    #[arg(long, value_name = "DIR")]
    tls_dir: Option<PathBuf>,
    /// More folders whose disk to check, such as the backup folder (repeatable).
    #[arg(long = "disk", value_name = "DIR")]
    disks: Vec<PathBuf>,
    /// Warn below this much free space, in MiB (fail below a tenth of it).
    #[arg(long, default_value_t = 2048, value_name = "MIB")]
    min_free_mib: u64,
    /// Warn when the certificate expires within this many days (fail when it has).
    #[arg(long, default_value_t = 21, value_name = "DAYS")]
    cert_warn_days: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Default)]
struct Report {
    worst: Option<Level>,
}

impl Report {
    fn say(&mut self, level: Level, check: &str, finding: &str) {
        let tag = match level {
            Level::Ok => "ok  ",
            Level::Warn => "warn",
            Level::Fail => "FAIL",
        };
        println!("{tag} {check}: {finding}");
        self.worst = self.worst.max(Some(level));
    }
}

/// Runs every check; `Ok(false)` when one failed.
pub async fn run(
    url: &str,
    key: Option<String>,
    shown_url: &str,
    args: &DoctorArgs,
) -> Result<bool> {
    let mut report = Report::default();
    let now = Utc::now();
    let options = StoreOptions {
        encryption_key: key.clone(),
        ..StoreOptions::default()
    };
    match inspect(url, &options).await {
        Ok(found) => {
            report.say(Level::Ok, "database", &format!("{} at {shown_url} opens", found.backend));
            if url.starts_with("sqlite:") {
                let finding = if key.is_some() {
                    "the key opens the file"
                } else {
                    "no key given and the file is plain SQLite (not encrypted at rest)"
                };
                let level = if key.is_some() { Level::Ok } else { Level::Warn };
                report.say(level, "database key", finding);
            }
            if !found.unknown.is_empty() {
                report.say(
                    Level::Fail,
                    "migrations",
                    &format!(
                        "the database has migrations this build does not know ({}): it was used by a newer shanyrak; run that version",
                        list(&found.unknown)
                    ),
                );
            } else if !found.changed.is_empty() {
                report.say(
                    Level::Fail,
                    "migrations",
                    &format!(
                        "applied migrations differ from this build's ({}): the database was migrated by another build; restore the matching binary",
                        list(&found.changed)
                    ),
                );
            } else if found.pending.is_empty() {
                report.say(Level::Ok, "migrations", "all applied");
            } else {
                let names: Vec<String> = found
                    .pending
                    .iter()
                    .map(|(v, name)| format!("{v:04} {name}"))
                    .collect();
                report.say(
                    Level::Warn,
                    "migrations",
                    &format!(
                        "{} not applied yet ({}): `shanyrak serve` applies them when it starts; take a backup first",
                        found.pending.len(),
                        names.join(", ")
                    ),
                );
            }
            check_clock(&mut report, now, found.database_now, found.latest_event);
        }
        Err(InspectError::Missing) => report.say(
            Level::Fail,
            "database",
            &format!("no SQLite file at {shown_url}: check --db (SHANYRAK_DB), or let `shanyrak serve` create it"),
        ),
        Err(InspectError::WrongKey) => report.say(
            Level::Fail,
            "database key",
            if key.is_some() {
                "the file cannot be read with this key: it was encrypted with another one, or it is not a Shanyrak database"
            } else {
                "the file cannot be read: it is encrypted; give its key with --key-file (SHANYRAK_DB_KEY_FILE) or SHANYRAK_DB_KEY"
            },
        ),
        Err(InspectError::Unreachable(why)) => report.say(
            Level::Fail,
            "database",
            &format!("{shown_url} cannot be reached ({why}): is the server running, and are the address and credentials right?"),
        ),
        Err(InspectError::Store(e)) => report.say(Level::Fail, "database", &e.to_string()),
    }
    let mut disks: Vec<PathBuf> = Vec::new();
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let path = Path::new(path.split('?').next().unwrap_or(path));
        disks.push(
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf(),
        );
    }
    disks.extend(args.disks.iter().cloned());
    for dir in &disks {
        check_disk(&mut report, dir, args.min_free_mib);
    }
    let mut certificates: Vec<PathBuf> = args.tls_cert.iter().cloned().collect();
    if let Some(dir) = &args.tls_dir {
        certificates.push(dir.join("certificate.pem"));
    }
    for path in &certificates {
        check_certificate(&mut report, path, now, args.cert_warn_days);
    }
    match report.worst {
        Some(Level::Fail) => {
            println!("doctor: problems found; fix the FAIL lines above");
            Ok(false)
        }
        Some(Level::Warn) => {
            println!("doctor: no failure; see the warnings above");
            Ok(true)
        }
        _ => {
            println!("doctor: all checks passed");
            Ok(true)
        }
    }
}

fn list(versions: &[i64]) -> String {
    versions
        .iter()
        .map(|v| format!("{v:04}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// 2026-01-01: no clock that reads earlier is right.
const EARLIEST_SANE: i64 = 1_767_225_600;

/// The clock against the database server's, and against the last audit event written.
fn check_clock(
    report: &mut Report,
    now: DateTime<Utc>,
    database_now: Option<DateTime<Utc>>,
    latest_event: Option<DateTime<Utc>>,
) {
    let mut fine = true;
    if let Some(theirs) = database_now {
        let skew = (now - theirs).num_seconds().abs();
        if skew > 60 {
            fine = false;
            report.say(
                Level::Fail,
                "clock",
                &format!(
                    "this machine's clock and the database server's differ by {skew} s: synchronise both (systemd-timesyncd, chrony)"
                ),
            );
        }
    }
    if let Some(last) = latest_event
        && last > now + Duration::minutes(5)
    {
        fine = false;
        report.say(
            Level::Fail,
            "clock",
            &format!(
                "the last audit event is dated {}, after this machine's time {}: the clock is behind; synchronise it (timedatectl set-ntp true)",
                last.format("%Y-%m-%d %H:%M UTC"),
                now.format("%Y-%m-%d %H:%M UTC")
            ),
        );
    }
    // A clock reset to the firmware's default (no battery, no network time) reads years ago.
    if now.timestamp() < EARLIEST_SANE {
        fine = false;
        report.say(
            Level::Fail,
            "clock",
            &format!(
                "this machine's date {} is before this software was written: set the clock (timedatectl set-ntp true)",
                now.format("%Y-%m-%d")
            ),
        );
    }
    if fine {
        report.say(
            Level::Ok,
            "clock",
            &format!("{}", now.format("%Y-%m-%d %H:%M:%S UTC")),
        );
    }
}

fn check_disk(report: &mut Report, dir: &Path, min_free_mib: u64) {
    let check = format!("disk {}", dir.display());
    match rustix::fs::statvfs(dir) {
        Ok(stats) => {
            let free_mib = stats.f_bavail.saturating_mul(stats.f_frsize) / (1024 * 1024);
            let total_mib = stats.f_blocks.saturating_mul(stats.f_frsize) / (1024 * 1024);
            let finding = format!("{free_mib} MiB free of {total_mib} MiB");
            if free_mib < min_free_mib / 10 {
                report.say(
                    Level::Fail,
                    &check,
                    &format!("{finding}: writes will soon fail; free space or move the database and backups"),
                );
            } else if free_mib < min_free_mib {
                report.say(
                    Level::Warn,
                    &check,
                    &format!("{finding}, under {min_free_mib} MiB: free space (old backups, logs) before it runs out"),
                );
            } else {
                report.say(Level::Ok, &check, &finding);
            }
        }
        Err(e) => report.say(
            Level::Fail,
            &check,
            &format!("cannot be read ({e}): does the folder exist?"),
        ),
    }
}

fn check_certificate(report: &mut Report, path: &Path, now: DateTime<Utc>, warn_days: i64) {
    let check = format!("certificate {}", path.display());
    let pem = match std::fs::read(path) {
        Ok(pem) => pem,
        Err(e) => {
            report.say(Level::Fail, &check, &format!("cannot be read ({e})"));
            return;
        }
    };
    let Ok(certificate) = openssl::x509::X509::from_pem(&pem) else {
        report.say(Level::Fail, &check, "is not a PEM certificate");
        return;
    };
    let Some(expires) = expiry(&certificate) else {
        report.say(Level::Fail, &check, "its expiry date cannot be read");
        return;
    };
    let days = (expires - now).num_days();
    let when = expires.format("%Y-%m-%d");
    if expires <= now {
        report.say(
            Level::Fail,
            &check,
            &format!("expired on {when}: renew it (for --tls-self-signed, delete the folder's certificate.pem and key.pem and restart)"),
        );
    } else if days < warn_days {
        report.say(
            Level::Warn,
            &check,
            &format!("expires on {when}, in {days} days: renew it before then"),
        );
    } else {
        report.say(
            Level::Ok,
            &check,
            &format!("valid until {when} ({days} days)"),
        );
    }
}

/// The certificate's `notAfter` as a time.
fn expiry(certificate: &openssl::x509::X509) -> Option<DateTime<Utc>> {
    let epoch = openssl::asn1::Asn1Time::from_unix(0).ok()?;
    let diff = epoch.diff(certificate.not_after()).ok()?;
    DateTime::from_timestamp(i64::from(diff.days) * 86_400 + i64::from(diff.secs), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_behind_the_last_event_fails() {
        let now = Utc::now();
        let mut report = Report::default();
        check_clock(&mut report, now, None, Some(now - Duration::hours(1)));
        assert_eq!(report.worst, Some(Level::Ok));
        let mut report = Report::default();
        check_clock(&mut report, now, None, Some(now + Duration::hours(1)));
        assert_eq!(report.worst, Some(Level::Fail));
        let mut report = Report::default();
        check_clock(&mut report, now, Some(now + Duration::minutes(3)), None);
        assert_eq!(report.worst, Some(Level::Fail));
    }
}

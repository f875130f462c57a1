//! `shanyrak admin`: organisations, users, keys and the audit chain, for scripts and the
//! first start.

use std::io::BufRead;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::Subcommand;
use shanyrak_core::retention::RetentionPolicy;
use shanyrak_core::{OrgKind, Role};
use shanyrak_store::{AuditHead, Store};
use uuid::Uuid;

use crate::{CLI, DbArgs, backup, export};

#[derive(Debug, Subcommand)]
pub(crate) enum AdminCommand {
    /// Create an organisation and print its id.
    CreateOrg {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        name: String,
        /// government, un_agency, ngo, mutual_aid, volunteer_group or other.
        #[arg(long)]
        kind: String,
    },
    /// Create a user; the password is read from the first line of standard input.
    CreateUser {
        #[command(flatten)]
        db: DbArgs,
        /// Organisation id (from create-org).
        #[arg(long)]
        org: Uuid,
        #[arg(long)]
        email: String,
        /// admin, registrar, site_manager, dispatcher, distributor, caseworker or analyst; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// Issue an API token for a user and print it (it is stored only hashed).
    CreateToken {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        /// Days until the token expires; without it the token lasts until revoked.
        #[arg(long)]
        expires_in_days: Option<u32>,
        /// Let the token act with this one of the user's roles only.
        #[arg(long)]
        role: Option<String>,
    },
    /// Revoke every token of a user at once (a lost phone, a volunteer who left).
    RevokeTokens {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
    },
    /// Disable a user at once: their tokens stop working on the next request.
    DisableUser {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
    },
    /// Check the audit log's hash chain; exits non-zero if an event was changed or removed.
    /// Prints the chain head (SEQ:DIGEST) when it holds.
    VerifyAudit {
        #[command(flatten)]
        db: DbArgs,
        /// Seal events not yet in the chain before checking (a running server does this
        /// every few seconds), then print the chain head to keep outside the database (a
        /// notebook, a ticket). Refused if the head or the events after it were changed by
        /// hand.
        #[arg(long)]
        seal: bool,
        /// A chain head printed earlier (SEQ:DIGEST): fail if the event at SEQ no longer has
        /// that digest, that is if history up to it was changed, even re-chained so that the
        /// log verifies on its own. A chain that has grown since passes.
        #[arg(long, value_name = "SEQ:DIGEST", value_parser = parse_audit_head)]
        expect: Option<AuditHead>,
        /// Print the result as one JSON object (also when the check fails).
        #[arg(long)]
        json: bool,
    },
    /// Write a consistent copy of the SQLite database to a new file while the server
    /// keeps running (an encrypted database stays encrypted with its key), encrypted for
    /// age recipients when given. PostgreSQL: use pg_dump (docs/DEPLOYMENT.md).
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file to create (never overwritten).
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        /// Encrypt the backup for this age recipient (`age1…`); repeat for several.
        #[arg(long = "recipient", value_name = "AGE_RECIPIENT")]
        recipients: Vec<String>,
    },
    /// Put a backup back as a new SQLite database (`--db sqlite://PATH`, a file that does
    /// not exist yet), then check its audit chain.
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
        /// An age identity file (`AGE-SECRET-KEY-…`) of one of the backup's recipients,
        /// for an encrypted backup.
        #[arg(long, value_name = "FILE")]
        identity: Option<std::path::PathBuf>,
    },
    /// Anonymise what is past its retention period (names, documents, phones, notes,
    /// vulnerabilities, case free text; year of birth, sex, group and dates stay for the
    /// figures) and delete rejected import rows past theirs.
    ApplyRetention {
        #[command(flatten)]
        db: DbArgs,
        /// Count what would be anonymised and deleted; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
        /// Identity data: months after the household's last activity (1 to 120).
        #[arg(long, default_value_t = RetentionPolicy::default().identity_months)]
        identity_months: u32,
        /// Rejected import rows: days after they were quarantined (1 to 3650).
        #[arg(long, default_value_t = RetentionPolicy::default().quarantine_days)]
        quarantine_days: u32,
    },
    /// Everything held about one person, as JSON, to give to them (subject access).
    /// Recorded in the audit log.
    SubjectAccess {
        #[command(flatten)]
        db: DbArgs,
        /// The person's id.
        #[arg(long)]
        person: Uuid,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Encrypt the file for this age recipient (age1…); repeat for several. Needs --out.
        #[arg(long = "recipient")]
        recipients: Vec<String>,
    },
    /// Erase one person's personal data everywhere, on their request (irreversible); the
    /// person stays an anonymous count in the figures.
    Erase {
        #[command(flatten)]
        db: DbArgs,
        /// The person's id.
        #[arg(long)]
        person: Uuid,
        /// Why (kept in the audit log; do not name the person).
        #[arg(long)]
        reason: String,
    },
    /// Enable a disabled user again.
    EnableUser {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
    },
}

fn read_password() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("could not read the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        bail!(
            "no password on standard input: pipe it in, e.g. `echo \"$PASSWORD\" | shanyrak admin create-user …`"
        );
    }
    Ok(password)
}

fn parse_roles(names: &[String]) -> Result<Vec<Role>> {
    names
        .iter()
        .map(|n| {
            Role::parse(n).with_context(|| {
                let known: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                format!("unknown role {n:?}; use one of {}", known.join(", "))
            })
        })
        .collect()
}

pub(crate) async fn admin(command: AdminCommand) -> Result<()> {
    match command {
        AdminCommand::CreateOrg { db, name, kind } => {
            let kind = OrgKind::parse(&kind).with_context(|| {
                let known: Vec<&str> = OrgKind::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "unknown organisation kind {kind:?}; use one of {}",
                    known.join(", ")
                )
            })?;
            let store = db.open().await?;
            let org = store
                .create_organisation(&CLI, &name, kind, Utc::now())
                .await
                .map_err(describe)?;
            println!("{}", org.id);
            store.close().await;
        }
        AdminCommand::CreateUser {
            db,
            org,
            email,
            roles,
        } => {
            let roles = parse_roles(&roles)?;
            let password = read_password()?;
            let store = db.open().await?;
            let user = store
                .create_user(&CLI, org, &email, &password, &roles, Utc::now())
                .await
                .map_err(describe)?;
            println!("{}", user.id);
            store.close().await;
        }
        AdminCommand::CreateToken {
            db,
            email,
            expires_in_days,
            role,
        } => {
            let role = role
                .map(|r| parse_roles(&[r]))
                .transpose()?
                .and_then(|r| r.first().copied());
            let store = db.open().await?;
            let now = Utc::now();
            let expires_at = expires_in_days.map(|d| now + chrono::Duration::days(i64::from(d)));
            let token = store
                .create_token_for_role(&CLI, &email, role, expires_at, now)
                .await
                .map_err(describe)?;
            println!("{}", token.secret);
            store.close().await;
        }
        AdminCommand::RevokeTokens { db, email } => {
            let store = db.open().await?;
            let revoked = store
                .revoke_tokens(&CLI, &email, Utc::now())
                .await
                .map_err(describe)?;
            store.close().await;
            println!("{revoked} tokens revoked");
        }
        AdminCommand::Backup {
            db,
            out,
            recipients,
        } => {
            let store = db.open().await?;
            let result = backup::backup(&store, &out, &recipients).await;
            store.close().await;
            let bytes = result?;
            println!(
                "backed up to {} ({bytes} bytes{})",
                out.display(),
                if recipients.is_empty() {
                    ""
                } else {
                    ", encrypted for its recipients"
                }
            );
            if recipients.is_empty() && db.encryption_key()?.is_none() {
                eprintln!(
                    "WARNING: the backup is not encrypted; pass --recipient age1… before it leaves this machine"
                );
            }
        }
        AdminCommand::Restore { file, db, identity } => {
            let path = backup::restore(&file, &db.db, identity.as_deref())?;
            let store = db.open().await?;
            let result = verify_audit(&store, false, None, false).await;
            store.close().await;
            result?;
            println!("restored into {}", path.display());
        }
        AdminCommand::VerifyAudit {
            db,
            seal,
            expect,
            json,
        } => {
            let store = db.open().await?;
            let result = verify_audit(&store, seal, expect.as_ref(), json).await;
            store.close().await;
            result?;
        }
        AdminCommand::ApplyRetention {
            db,
            dry_run,
            json,
            identity_months,
            quarantine_days,
        } => {
            let policy = RetentionPolicy {
                identity_months,
                quarantine_days,
            };
            policy
                .validate()
                .map_err(|e| describe(shanyrak_store::StoreError::Invalid(e)))?;
            let store = db.open().await?;
            let report = store
                .apply_retention(&CLI, &policy, dry_run, Utc::now())
                .await
                .map_err(describe);
            store.close().await;
            let report = report?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                let verb = if dry_run { "would be" } else { "were" };
                println!(
                    "{} households ({} persons) last active before {} {verb} anonymised; \
                     {} quarantined import rows from before {}, {} expired pre-registrations and \
                     {} rejected or withdrawn host offers {verb} deleted",
                    report.households_anonymised,
                    report.persons_anonymised,
                    report.identity_before.date_naive(),
                    report.quarantine_rows_deleted,
                    report.quarantine_before.date_naive(),
                    report.pre_registrations_deleted,
                    report.host_offers_deleted,
                );
            }
        }
        AdminCommand::SubjectAccess {
            db,
            person,
            out,
            recipients,
        } => {
            let recipients = export::recipients(&recipients)?;
            if !recipients.is_empty() && out.is_none() {
                bail!("--recipient needs --out: an encrypted file is not for a terminal");
            }
            let store = db.open().await?;
            let report = store
                .subject_access(&CLI, person, Some("subject access"), Utc::now())
                .await
                .map_err(describe);
            store.close().await;
            let text = serde_json::to_string_pretty(&report?)?;
            match out {
                Some(out) => {
                    let mut sink = export::Sink::create(&out, &recipients)?;
                    std::io::Write::write_all(&mut sink, text.as_bytes())?;
                    sink.finish()?;
                    eprintln!("written to {}", out.display());
                }
                None => println!("{text}"),
            }
        }
        AdminCommand::Erase { db, person, reason } => {
            let reason = shanyrak_core::retention::validate_erasure_reason(Some(&reason))
                .map_err(|e| describe(shanyrak_store::StoreError::Invalid(e)))?;
            let store = db.open().await?;
            let report = store
                .erase_person(&CLI, person, &reason, Utc::now())
                .await
                .map_err(describe);
            store.close().await;
            println!("{}", serde_json::to_string(&report?)?);
        }
        AdminCommand::DisableUser { db, email } => set_disabled(&db, &email, true).await?,
        AdminCommand::EnableUser { db, email } => set_disabled(&db, &email, false).await?,
    }
    Ok(())
}

fn parse_audit_head(text: &str) -> Result<AuditHead, String> {
    text.parse()
        .map_err(|e: shanyrak_store::AuditHeadParseError| e.to_string())
}

/// `admin verify-audit`: seals if asked, checks the chain (against a recorded head if
/// given), and reports for a person or, with `json`, for a script.
async fn verify_audit(
    store: &Store,
    seal: bool,
    expect: Option<&AuditHead>,
    json: bool,
) -> Result<()> {
    let mut newly_sealed = 0;
    if seal {
        loop {
            match store.seal_audit(10_000).await {
                Ok(0) => break,
                Ok(n) => newly_sealed += n,
                Err(shanyrak_store::StoreError::AuditTail { seq, why }) => {
                    if json {
                        let refused = serde_json::json!({
                            "intact": false,
                            "sealing_refused": {"seq": seq, "reason": why},
                        });
                        println!("{refused}");
                    }
                    bail!(
                        "sealing refused at audit event {seq}: {why}; nothing more was sealed. \
                         The chain's head or the events after it were changed outside Shanyrak"
                    );
                }
                Err(e) => return Err(describe(e)),
            }
        }
    }
    let report = match expect {
        Some(recorded) => store.verify_audit_expecting(recorded).await,
        None => store.verify_audit().await,
    }
    .map_err(describe)?;
    if json {
        let summary = serde_json::json!({
            "intact": report.broken_at.is_none(),
            "sealed": report.sealed,
            "unsealed": report.unsealed,
            "erased": report.erased,
            "newly_sealed": newly_sealed,
            "head": report.head,
            "expected": expect,
            "broken_at": report.broken_at.as_ref().map(|(seq, why)| serde_json::json!({"seq": seq, "reason": why})),
        });
        println!("{summary}");
    }
    if let Some((seq, why)) = &report.broken_at {
        match expect {
            Some(recorded) if *seq <= recorded.seq => bail!(
                "audit history up to the recorded head {recorded} was changed: at event {seq}, {why}"
            ),
            _ => bail!(
                "audit log broken at event {seq}: {why} ({} events before it are intact)",
                report.sealed
            ),
        }
    }
    if json {
        return Ok(());
    }
    println!(
        "audit log intact: {} events chained ({} with their personal data erased), {} not yet sealed",
        report.sealed, report.erased, report.unsealed
    );
    if let Some(recorded) = expect {
        println!(
            "history up to the recorded head {} is unchanged",
            recorded.seq
        );
    }
    println!("chain head: {}", report.head);
    if seal {
        eprintln!(
            "keep the chain head outside the database (a notebook, a ticket); \
             `shanyrak admin verify-audit --expect {}` fails if anything up to it is changed",
            report.head
        );
    }
    Ok(())
}

/// Store errors as a person at a terminal should read them.
pub(crate) fn describe(error: shanyrak_store::StoreError) -> anyhow::Error {
    use shanyrak_store::StoreError;
    match error {
        StoreError::Invalid(errors) => {
            let lines: Vec<String> = errors
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.pointer.trim_start_matches("#/"), e.detail))
                .collect();
            anyhow::anyhow!("invalid input: {}", lines.join("; "))
        }
        StoreError::NotFound => {
            anyhow::anyhow!("not found: check the organisation id or e-mail address")
        }
        other => anyhow::Error::new(other),
    }
}

async fn set_disabled(db: &DbArgs, email: &str, disabled: bool) -> Result<()> {
    let store = db.open().await?;
    store
        .set_user_disabled(&CLI, email, disabled, Utc::now())
        .await
        .map_err(describe)?;
    store.close().await;
    Ok(())
}

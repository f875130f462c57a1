//! The `shanyrak` binary: serve the API, run a demo, administer accounts.
//!
//! This is the only crate that reads the environment, parses arguments and talks to the
//! terminal; everything below it receives typed settings.

mod admin;
mod backup;
mod dedup;
mod demo;
mod demo_week;
mod doctor;
mod encoded;
mod export;
mod https;
mod import;
mod place;
mod sheet;

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::{Args, Parser, Subcommand};
use shanyrak_server::AppState;
use shanyrak_store::{Principal, Store, StoreOptions};
use uuid::Uuid;

use crate::admin::{AdminCommand, describe};

#[derive(Debug, Parser)]
#[command(
    name = "shanyrak",
    version,
    about = "Registration and shelter for people displaced in a mass influx"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct DbArgs {
    /// Database URL: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(long, env = "SHANYRAK_DB", default_value = "sqlite://shanyrak.db")]
    db: String,
    /// File holding the passphrase that encrypts the SQLite database (SQLCipher); the
    /// passphrase can also come from the SHANYRAK_DB_KEY environment variable. Keep the
    /// file off the laptop's disk (a USB key, a secrets store), readable by its owner only
    /// (chmod 600); an empty key or a file others may read is refused.
    // Read as OsString, which may be empty, so that an empty SHANYRAK_DB_KEY_FILE gets
    // the key file's own explanation rather than clap's.
    #[arg(long, env = "SHANYRAK_DB_KEY_FILE", value_name = "KEY_FILE")]
    key_file: Option<std::ffi::OsString>,
    /// SQLite: seconds a write waits for another program writing to the same file (a
    /// running server, an import, a backup) before giving up with "the database file is
    /// locked".
    #[arg(long, env = "SHANYRAK_DB_LOCK_WAIT", value_name = "SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    lock_wait: u64,
    /// PostgreSQL: a read replica (hot standby) of the database, postgres://USER@HOST/DB,
    /// for the heavy reads of figures and exports (they may then lag by the replication
    /// delay); every write and every other read stays on --db.
    #[arg(long, env = "SHANYRAK_DB_REPLICA", value_name = "URL")]
    db_replica: Option<String>,
}

impl DbArgs {
    async fn open(&self) -> Result<Store> {
        let key = self.encryption_key()?;
        if key.is_some() && !self.db.starts_with("sqlite:") {
            bail!(
                "--key-file encrypts SQLite files; encrypt PostgreSQL at the storage layer instead"
            );
        }
        open_with(
            &self.db,
            key,
            Duration::from_secs(self.lock_wait),
            self.db_replica.clone(),
        )
        .await
    }

    /// The passphrase from `--key-file` (or `SHANYRAK_DB_KEY_FILE`), else from
    /// `SHANYRAK_DB_KEY`. Whoever sets one means the database to be encrypted, so an empty
    /// one is refused rather than taken as "no encryption", and so is a key file other
    /// users of the computer may read; both before any database is opened or created.
    fn encryption_key(&self) -> Result<Option<String>> {
        if let Some(path) = &self.key_file {
            return read_key_file(std::path::Path::new(path)).map(Some);
        }
        let Some(value) = std::env::var_os("SHANYRAK_DB_KEY") else {
            return Ok(None);
        };
        let Some(key) = value.to_str() else {
            bail!(
                "SHANYRAK_DB_KEY is not valid UTF-8 text; set it to the passphrase as text, or put the passphrase in a file for --key-file"
            );
        };
        if key.trim().is_empty() {
            bail!(
                "SHANYRAK_DB_KEY is set but empty: the database would be opened unencrypted. \
                 Set it to the passphrase, or `unset SHANYRAK_DB_KEY` to use an unencrypted database"
            );
        }
        Ok(Some(key.to_owned()))
    }
}

/// `text` as one word of a shell command, quoted only when it must be.
fn shell_word(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || "/._-+:@%,=".contains(c))
    {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(format!("'{}'", text.replace('\'', r"'\''")))
    }
}

/// A pre-registration's lifetime: a whole number and a unit (`s`, `m`, `h` or `d`), from
/// ten seconds to thirty days.
fn parse_lifetime(text: &str) -> Result<chrono::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{text:?} has no unit: write e.g. 72h, 2d or 90m"))?;
    let (number, unit) = text.split_at(split);
    let number: i64 = number
        .parse()
        .map_err(|_| format!("{text:?} does not start with a whole number: write e.g. 72h"))?;
    let lifetime = match unit.trim() {
        "s" => chrono::Duration::seconds(number),
        "m" => chrono::Duration::minutes(number),
        "h" => chrono::Duration::hours(number),
        "d" => chrono::Duration::days(number),
        other => {
            return Err(format!(
                "unknown unit {other:?}: use s, m, h or d (e.g. 72h)"
            ));
        }
    };
    if lifetime < chrono::Duration::seconds(10) || lifetime > chrono::Duration::days(30) {
        return Err(format!(
            "{text} is outside ten seconds to thirty days (the default is 72h)"
        ));
    }
    Ok(lifetime)
}

/// Reads a passphrase from a key file that only its owner may read.
fn read_key_file(path: &std::path::Path) -> Result<String> {
    if path.as_os_str().is_empty() {
        bail!(
            "the key file's name is empty (--key-file or SHANYRAK_DB_KEY_FILE): \
             name the file that holds the passphrase, or `unset SHANYRAK_DB_KEY_FILE`"
        );
    }
    let shown = path.display();
    let metadata =
        std::fs::metadata(path).with_context(|| format!("could not read the key file {shown}"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            bail!(
                "the key file {shown} may be read or changed by other users of this computer \
                 (mode {mode:03o}), and whoever reads it can open the database. \
                 Run `chmod 600 {}` and try again (on a FAT or exFAT USB stick, where chmod \
                 has no effect, mount it with the option fmask=0177)",
                shell_word(&shown.to_string())
            );
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read the key file {shown}"))?;
    let key = text.trim_end_matches(['\n', '\r']);
    if key.trim().is_empty() {
        bail!(
            "the key file {shown} is empty (or holds only spaces and line breaks): \
             the database would be opened unencrypted. Put the passphrase in it, \
             or leave out --key-file to use an unencrypted database"
        );
    }
    Ok(key.to_owned())
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP API.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, env = "SHANYRAK_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Public figures: cells with fewer people than this are suppressed.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(3..))]
        disclosure_threshold: u64,
        /// Public figures: hours between releases (never live).
        #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(i64).range(1..=168))]
        public_release_hours: i64,
        /// Coordinator figures: shortest time in seconds between two snapshots (never more
        /// often than twenty times a snapshot's own computing time); 0 computes them on
        /// every request, for small databases.
        #[arg(long, default_value_t = shanyrak_server::stats::DEFAULT_FIGURES_EVERY_SECONDS,
              value_parser = clap::value_parser!(i64).range(0..=86_400))]
        figures_every: i64,
        /// Send the web session cookie without `Secure`, for a laptop serving a local
        /// network over plain HTTP (browsers accept `Secure` cookies from localhost anyway).
        #[arg(long)]
        plain_http_cookies: bool,
        /// Behind a reverse proxy: take the client's address for sign-in throttling from
        /// the last `X-Forwarded-For` entry (the one the proxy appends) instead of the
        /// connection. Off by default: without a proxy that sets it, any client could claim
        /// any address.
        #[arg(long)]
        trust_forwarded_for: bool,
        /// Open the public self pre-registration page (`/pre-register`) for this
        /// organisation (its id): its registrars open the entries by code at the desk. Off
        /// without it.
        #[arg(long, value_name = "ORGANISATION_ID")]
        pre_register_org: Option<Uuid>,
        /// The public pre-registration form asks for the code of the day that the
        /// registrars see on their `/pre-registrations` page and show the queue: only
        /// people standing at the desk can submit.
        #[arg(long, requires = "pre_register_org")]
        pre_register_desk_code: bool,
        /// How long an unconfirmed pre-registration is kept before it is deleted: a number
        /// and a unit, `72h` (the default), `2d`, `90m`; seconds (`30s`) are for drills.
        #[arg(long, default_value = "72h", value_parser = parse_lifetime)]
        pre_registration_expiry: chrono::Duration,
        /// Open the public page where locals offer beds (`/offer-a-bed`) for this
        /// organisation (its id): its admins and dispatchers verify the offers at
        /// `/host-offers`. Off without it. Usually the same organisation as
        /// `--pre-register-org`.
        #[arg(long, value_name = "ORGANISATION_ID")]
        host_offers_org: Option<Uuid>,
        /// The deployment's time zone (IANA name): every time shown, and "today" for dates
        /// that must not be in the future.
        #[arg(long, env = "SHANYRAK_TIME_ZONE", default_value = "Asia/Almaty", value_parser = shanyrak_server::local_time::parse)]
        time_zone: chrono_tz::Tz,
        /// A bearer token (16 characters or more) that opens /metrics to a Prometheus on
        /// another machine; without it /metrics answers loopback only. Prefer the
        /// environment variable: a command line is visible to other users of the machine.
        #[arg(long, env = "SHANYRAK_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        #[command(flatten)]
        https: https::HttpsArgs,
        #[command(flatten)]
        backups: backup::ScheduleArgs,
        #[command(flatten)]
        limits: import::LimitArgs,
    },
    /// Start the server on a fresh database filled with demo organisations, users and households.
    Demo {
        /// Database for the demo; must be empty. Defaults to a new file in the temp folder.
        #[arg(long)]
        db: Option<String>,
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// `week`: a week of autumn 2022 in nine cities (about 20,000 people); `small`: a
        /// dozen households, for a quick look or a test.
        #[arg(long, value_enum, default_value = "week")]
        scale: demo::Scale,
        /// How long an unconfirmed pre-registration is kept (as for `serve`).
        #[arg(long, default_value = "72h", value_parser = parse_lifetime)]
        pre_registration_expiry: chrono::Duration,
    },
    /// Check a deployment: the database opens (with its key) and is migrated, free disk
    /// space, the certificate's expiry, the clock. Prints what to fix; exits 1 on a problem.
    Doctor {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        checks: doctor::DoctorArgs,
    },
    /// Propose a bed for every waiting household (all organisations) and reserve them;
    /// writes one CSV row per household: where it goes, or why it stays waiting.
    Place {
        #[command(flatten)]
        db: DbArgs,
        /// Only households waiting in this city.
        #[arg(long)]
        city: Option<String>,
        /// Only write the proposals; reserve nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the proposals here instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Never propose a site farther than this many km from the household's city.
        #[arg(long)]
        max_travel_km: Option<f64>,
        /// Hours the reservations hold (1 to 72, default 6).
        #[arg(long)]
        reservation_hours: Option<i64>,
    },
    /// Find the records of a CSV file that are the same person; writes record_id,cluster_id.
    Dedup {
        /// CSV with columns record_id, surname, given_name, patronymic, sex, birth_date,
        /// citizenship, doc_type, doc_number, phone (others ignored).
        input: std::path::PathBuf,
        #[arg(long)]
        out: std::path::PathBuf,
        /// Also write the scored pairs with their evidence.
        #[arg(long)]
        pairs: Option<std::path::PathBuf>,
        /// Map other column names: field=Header,… (e.g. surname=Фамилия,given_name=Имя).
        #[arg(long)]
        columns: Option<String>,
        /// Keep the guards against relatives (twins, a parent and child of one name,
        /// conflicting documents) even when the file shows no families: by default they
        /// are relaxed for a file in which records sharing a surname and an address or
        /// phone almost never differ in both given name and birth date.
        #[arg(long)]
        keep_guards: bool,
    },
    /// Find the records of two CSV files that are the same person; writes the pairs.
    /// Each file is taken as deduplicated (no person twice in one file), so a record
    /// links to at most one record of the other file.
    Link {
        a: std::path::PathBuf,
        b: std::path::PathBuf,
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long)]
        columns: Option<String>,
        /// The files may hold a person more than once: score every pair on its own
        /// instead of a one-to-one assignment (conflicting documents then always go to
        /// review).
        #[arg(long)]
        many_to_many: bool,
        /// Keep the deduplication guards (twins, a parent and child of one name,
        /// conflicting documents) even when the files show they are not needed: by
        /// default a clear mutual best that the guards hold back is linked if no pair
        /// within either file would be linked that way.
        #[arg(long)]
        keep_guards: bool,
    },
    /// Encode the records of a CSV file (or a registry export) as keyed Bloom filters,
    /// for linkage with a partner organisation without sharing names; writes an
    /// encodings file (id,clk_base64 under a header naming the scheme and the key's
    /// fingerprint, never the key).
    Encode {
        /// CSV with the columns of `dedup` (a registry export: add
        /// --columns record_id=person_id).
        input: std::path::PathBuf,
        /// The agreement's key file: hex digits, readable by its owner only. Held by the
        /// organisations of the agreement, never by the server's operator.
        #[arg(long)]
        key: std::path::PathBuf,
        /// Create a new random key in --key first (an existing file is never overwritten).
        #[arg(long)]
        new_key: bool,
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long)]
        columns: Option<String>,
        /// XOR-fold a filter of twice the length (more hardening, lower similarities:
        /// link at about --threshold 0.7).
        #[arg(long)]
        fold: bool,
        /// Do not balance the encodings (by default every encoding has half its bits set).
        #[arg(long)]
        no_balance: bool,
    },
    /// Link two encodings files made with one agreement key; writes id_a,id_b,similarity.
    /// Each file is taken as deduplicated, so an encoding links to at most one of the
    /// other file.
    LinkEncoded {
        a: std::path::PathBuf,
        b: std::path::PathBuf,
        /// Lowest Dice coefficient of a link (0 to 1).
        #[arg(long, default_value_t = 0.8)]
        threshold: f64,
        #[arg(long)]
        out: std::path::PathBuf,
        /// Keep every pair at or above the threshold instead of a one-to-one assignment.
        #[arg(long)]
        many_to_many: bool,
        /// Compare every pair instead of blocking (slower; for small files or checks).
        #[arg(long)]
        all_pairs: bool,
    },
    /// Export a dataset of every organisation: population (resolved persons by city,
    /// group, sex and children), sites (beds) or distributions (units per day, item and
    /// city, with households served), as CSV, HXL-tagged CSV or XLSX.
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// population, sites, distributions, or registry (every person, csv or xlsx;
        /// recorded in the audit log).
        #[arg(long)]
        dataset: String,
        /// csv, hxl or xlsx.
        #[arg(long, default_value = "csv")]
        format: String,
        #[arg(long)]
        out: std::path::PathBuf,
        /// Encrypt the file for this age recipient (a public key, age1…); repeat for
        /// several. Without it the file is plain (a warning says so for the registry).
        #[arg(long = "recipient")]
        recipients: Vec<String>,
    },
    /// Import a list (CSV in any delimiter, UTF-8 or Windows-1251, or XLSX): every row is
    /// validated like a registration; failures wait in the quarantine with their reasons;
    /// possible duplicates go to the review queue. Importing a file twice creates nothing.
    Import {
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
        /// Organisation id the list belongs to.
        #[arg(long)]
        org: Uuid,
        /// JSON: {"columns": {"Header": "field"}, "defaults": {"city": "Oral"}}.
        #[arg(long)]
        mapping: Option<std::path::PathBuf>,
        /// Country (ISO 3166 code) for rows without one, e.g. KZ.
        #[arg(long)]
        country: Option<String>,
        /// City for rows without one.
        #[arg(long)]
        city: Option<String>,
        /// Validate and count; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the summary as one JSON object (or, for a refused file, why:
        /// `{"refused": CODE, "detail": …}`).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        limits: import::LimitArgs,
    },
    /// Print the coordinator figures for every organisation as JSON.
    Stats {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Administration for scripts and first start.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SHANYRAK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let log = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // One JSON object a line for log collectors (journald's, Loki, Elasticsearch).
    if std::env::var("SHANYRAK_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        log.json().init();
    } else {
        log.init();
    }
}

async fn open_with(
    url: &str,
    encryption_key: Option<String>,
    lock_wait: Duration,
    replica_url: Option<String>,
) -> Result<Store> {
    let options = StoreOptions {
        encryption_key,
        lock_wait,
        replica_url,
        ..StoreOptions::default()
    };
    Store::connect(url, &options).await.map_err(|e| {
        let hint = if shanyrak_store::is_locked(&e) {
            ""
        } else {
            " (a wrong or missing --key-file gives this too)"
        };
        anyhow::Error::new(e).context(format!(
            "could not open the database at {}{hint}",
            redact_url(url)
        ))
    })
}

/// The URL without a password, for messages.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

/// How public figures are released (see docs/DISCLOSURE.md), and what the server trusts.
#[derive(Debug, Clone)]
struct PublicSettings {
    disclosure_threshold: u64,
    public_release_hours: i64,
    figures_every: i64,
    plain_http_cookies: bool,
    trust_forwarded_for: bool,
    metrics_token: Option<String>,
    pre_register_org: Option<Uuid>,
    pre_register_desk_code: bool,
    pre_registration_expiry: chrono::Duration,
    host_offers_org: Option<Uuid>,
}

impl Default for PublicSettings {
    fn default() -> Self {
        Self {
            disclosure_threshold: shanyrak_server::stats::DEFAULT_THRESHOLD,
            public_release_hours: shanyrak_server::stats::DEFAULT_RELEASE_HOURS,
            figures_every: shanyrak_server::stats::DEFAULT_FIGURES_EVERY_SECONDS,
            plain_http_cookies: false,
            trust_forwarded_for: false,
            metrics_token: None,
            pre_register_org: None,
            pre_register_desk_code: false,
            pre_registration_expiry: chrono::Duration::hours(
                shanyrak_store::PRE_REGISTRATION_HOURS,
            ),
            host_offers_org: None,
        }
    }
}

async fn serve(
    store: Store,
    bind: SocketAddr,
    settings: PublicSettings,
    tls: Option<shanyrak_server::tls::TlsConfig>,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("could not listen on {bind}"))?;
    let local = listener.local_addr()?;
    // The identity index loads in the background: the listener answers `/healthz/live`
    // at once and `/healthz/ready` says 503 until the index is loaded.
    let mut state = AppState::start(store.clone());
    state.disclosure_threshold = settings.disclosure_threshold;
    state.release_interval = chrono::Duration::hours(settings.public_release_hours);
    state.plain_http_cookies = settings.plain_http_cookies;
    state.trust_forwarded_for = settings.trust_forwarded_for;
    state.metrics_token = settings.metrics_token;
    if let Some(org) = settings.pre_register_org {
        if store.find_organisation(org).await?.is_none() {
            bail!("--pre-register-org: no organisation {org}");
        }
        state.pre_register_org = Some(org);
        state.pre_register_desk_code = settings.pre_register_desk_code;
        state.pre_registration_lifetime = settings.pre_registration_expiry;
    }
    if let Some(org) = settings.host_offers_org {
        if store.find_organisation(org).await?.is_none() {
            bail!("--host-offers-org: no organisation {org}");
        }
        state.host_offers_org = Some(org);
    }
    state.figures_every = chrono::Duration::seconds(settings.figures_every);
    tracing::info!(address = %local, database = store.backend_name(), "listening");
    on_ready(local);
    match tls {
        Some(tls) => {
            shanyrak_server::tls::serve_tls(listener, state, tls, shutdown_signal()).await?
        }
        None => shanyrak_server::serve(listener, state, shutdown_signal()).await?,
    }
    store.close().await;
    Ok(())
}

const CLI: Principal = Principal::System("cli");

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve {
            db,
            bind,
            disclosure_threshold,
            public_release_hours,
            figures_every,
            plain_http_cookies,
            trust_forwarded_for,
            pre_register_org,
            pre_register_desk_code,
            pre_registration_expiry,
            host_offers_org,
            time_zone,
            metrics_token,
            https,
            backups,
            limits,
        } => {
            if metrics_token
                .as_deref()
                .is_some_and(|t| t.trim().len() < 16)
            {
                bail!(
                    "the metrics token (--metrics-token or SHANYRAK_METRICS_TOKEN) is shorter than 16 characters: \
                     make a long random one, e.g. `openssl rand -hex 24`"
                );
            }
            shanyrak_server::import::configure(limits.settings());
            shanyrak_server::local_time::configure(time_zone);
            let tls = https.config(bind)?;
            if tls.is_some() && plain_http_cookies {
                bail!(
                    "--plain-http-cookies is for plain HTTP; over HTTPS the cookie is always Secure"
                );
            }
            let store = db.open().await?;
            let scheduled = backups.start(&store)?;
            let settings = PublicSettings {
                disclosure_threshold,
                public_release_hours,
                figures_every,
                plain_http_cookies,
                trust_forwarded_for,
                metrics_token,
                pre_register_org,
                pre_register_desk_code,
                pre_registration_expiry,
                host_offers_org,
            };
            let announced = tls.clone();
            let result = serve(
                store,
                bind,
                settings,
                tls,
                move |address| match &announced {
                    Some(tls) => https::announce(address, tls),
                    None => println!("Shanyrak is listening on http://{address}"),
                },
            )
            .await;
            if let Some(task) = scheduled {
                task.abort();
            }
            result
        }
        Command::Doctor { db, checks } => {
            let key = db.encryption_key()?;
            if doctor::run(&db.db, key, &redact_url(&db.db), &checks).await? {
                Ok(())
            } else {
                bail!("the checks above found problems")
            }
        }
        Command::Demo {
            db,
            bind,
            scale,
            pre_registration_expiry,
        } => {
            let url = match db {
                Some(url) => url,
                None => {
                    let path = std::env::temp_dir()
                        .join(format!("shanyrak-demo-{}.db", Uuid::now_v7().simple()));
                    format!("sqlite://{}", path.display())
                }
            };
            // A throwaway database: commits are not forced to disk one by one, so a week
            // of registrations is seeded in seconds (WAL keeps it consistent on a crash).
            let store = Store::connect(
                &url,
                &StoreOptions {
                    durable_commits: false,
                    ..StoreOptions::default()
                },
            )
            .await
            .with_context(|| format!("could not open the database at {}", redact_url(&url)))?;
            let demo = demo::seed(&store, scale).await?;
            if !bind.ip().is_loopback() {
                eprintln!(
                    "WARNING: the demo serves plain HTTP on {bind}; use `shanyrak serve --tls-self-signed` for real data"
                );
            }
            // The demo's first organisation runs the public pages, so they can be tried.
            let settings = PublicSettings {
                pre_register_org: demo.public_pages_org,
                host_offers_org: demo.public_pages_org,
                pre_registration_expiry,
                ..PublicSettings::default()
            };
            serve(store, bind, settings, None, |address| {
                demo.print_welcome(address, &redact_url(&url))
            })
            .await
        }
        Command::Place {
            db,
            city,
            dry_run,
            out,
            max_travel_km,
            reservation_hours,
        } => {
            let store = db.open().await?;
            let result = place::run(
                &store,
                place::PlaceArgs {
                    city,
                    dry_run,
                    out,
                    max_travel_km,
                    reservation_hours,
                },
            )
            .await;
            store.close().await;
            result
        }
        Command::Dedup {
            input,
            out,
            pairs,
            columns,
            keep_guards,
        } => {
            tokio::task::spawn_blocking(move || {
                dedup::dedup(
                    &input,
                    &out,
                    pairs.as_ref(),
                    columns.as_deref(),
                    !keep_guards,
                )
            })
            .await?
        }
        Command::Link {
            a,
            b,
            out,
            columns,
            many_to_many,
            keep_guards,
        } => {
            tokio::task::spawn_blocking(move || {
                let mode = dedup::LinkMode {
                    one_to_one: !many_to_many,
                    relax_guards: !keep_guards,
                };
                dedup::link(&a, &b, &out, columns.as_deref(), mode)
            })
            .await?
        }
        Command::Encode {
            input,
            key,
            new_key,
            out,
            columns,
            fold,
            no_balance,
        } => tokio::task::spawn_blocking(move || {
            if new_key {
                encoded::new_key(&key)?;
                eprintln!(
                    "new agreement key in {}: give a copy to the partner organisation only, never to the server's operator",
                    key.display()
                );
            }
            let secret = encoded::read_key(&key)?;
            let hardening = encoded::Hardening {
                fold,
                balance: !no_balance,
            };
            encoded::encode(&input, &secret, &out, columns.as_deref(), hardening)
        })
        .await?,
        Command::LinkEncoded {
            a,
            b,
            threshold,
            out,
            many_to_many,
            all_pairs,
        } => tokio::task::spawn_blocking(move || {
            let args = encoded::LinkEncodedArgs {
                threshold,
                one_to_one: !many_to_many,
                exhaustive: all_pairs,
            };
            encoded::link(&a, &b, &out, args)
        })
        .await?,
        Command::Export {
            db,
            dataset,
            format,
            out,
            recipients,
        } => {
            if !matches!(format.as_str(), "csv" | "hxl" | "xlsx") {
                bail!("unknown format {format:?}; use csv, hxl or xlsx");
            }
            let recipients = export::recipients(&recipients)?;
            let store = db.open().await?;
            if dataset == "registry" {
                if recipients.is_empty() {
                    eprintln!(
                        "warning: {} will hold every person's name and documents UNENCRYPTED; \
                         pass --recipient age1… to encrypt it for its reader",
                        out.display()
                    );
                }
                let written = export::registry(&store, &format, &out, &recipients).await;
                store.close().await;
                let sealed = if recipients.is_empty() {
                    ""
                } else {
                    " (encrypted)"
                };
                eprintln!("{} persons written to {}{sealed}", written?, out.display());
                return Ok(());
            }
            let data = shanyrak_server::exports::dataset(
                &store,
                &Principal::System("cli"),
                &dataset,
                Utc::now(),
            )
            .await;
            store.close().await;
            let data = data.map_err(|e| anyhow::anyhow!("{e}"))?;
            export::write(&data, &format, &out, &recipients)?;
            eprintln!("{} rows written to {}", data.rows.len(), out.display());
            Ok(())
        }
        Command::Stats { db } => {
            let store = db.open().await?;
            let figures =
                // Live: the command recomputes the snapshot rather than read an old one.
                shanyrak_server::stats::coordinator(
                    &store,
                    &Principal::System("cli"),
                    Utc::now(),
                    chrono::Duration::zero(),
                )
                .await
                .map_err(describe)?;
            store.close().await;
            println!("{}", serde_json::to_string_pretty(&figures)?);
            Ok(())
        }
        Command::Import {
            file,
            db,
            org,
            mapping,
            country,
            city,
            dry_run,
            json,
            limits,
        } => {
            shanyrak_server::import::configure(limits.settings());
            let store = db.open().await?;
            let result = import::import(
                store.clone(),
                import::Options {
                    file: &file,
                    org,
                    mapping: mapping.as_deref(),
                    country: country.as_deref(),
                    city: city.as_deref(),
                    dry_run,
                    json,
                },
            )
            .await;
            store.close().await;
            result.map(|_| ())
        }
        Command::Admin { command } => admin::admin(command).await,
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", error_message(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// What went wrong, for the operator: the chain of contexts, except that SQLite's "database
/// is locked" (reported by the store as a bare "database error") becomes what is locked,
/// by whom, and what to do.
fn error_message(error: &anyhow::Error) -> String {
    if !error.chain().any(shanyrak_store::is_locked) {
        return format!("{error:#}");
    }
    let mut parts: Vec<String> = error
        .chain()
        .take_while(|e| {
            e.downcast_ref::<shanyrak_store::StoreError>().is_none()
                && e.downcast_ref::<shanyrak_server::import::ImportRunError>()
                    .is_none()
        })
        .map(ToString::to_string)
        .collect();
    parts.push(LOCKED.to_owned());
    parts.join(": ")
}

const LOCKED: &str = "the database file is locked: another program writing to it (a running \
`shanyrak serve`, an import, a backup) held its write lock for longer than this command \
waits. What was committed before stays; the write that waited was not made. Run the \
command again when the other program is less busy, or let it wait longer with \
--lock-wait SECONDS (30 by default)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_take_a_number_and_a_unit_within_bounds() {
        assert_eq!(parse_lifetime("72h"), Ok(chrono::Duration::hours(72)));
        assert_eq!(parse_lifetime(" 2d "), Ok(chrono::Duration::days(2)));
        assert_eq!(parse_lifetime("90m"), Ok(chrono::Duration::minutes(90)));
        assert_eq!(parse_lifetime("10s"), Ok(chrono::Duration::seconds(10)));
        for bad in ["72", "h", "9s", "31d", "1w", "-5h", "", "1.5h"] {
            assert!(parse_lifetime(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db.local/shanyrak"),
            "postgres://app:***@db.local/shanyrak"
        );
        assert_eq!(
            redact_url("postgres://app@db.local/shanyrak"),
            "postgres://app@db.local/shanyrak"
        );
        assert_eq!(redact_url("sqlite://shanyrak.db"), "sqlite://shanyrak.db");
    }

    #[test]
    fn paths_in_advice_can_be_pasted_into_a_shell() {
        assert_eq!(
            shell_word("/media/usb/shanyrak.key"),
            "/media/usb/shanyrak.key"
        );
        assert_eq!(shell_word("/media/My USB/key"), "'/media/My USB/key'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }

    #[test]
    fn command_line_parses() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}

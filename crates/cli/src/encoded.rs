//! `shanyrak encode` and `shanyrak link-encoded`: linkage across organisations without
//! sharing names. Each organisation encodes its own records with the agreement's key
//! (keyed Bloom filters, `shanyrak_linkage::encoded`); whoever links the two encodings
//! files needs neither the key nor the records.

use std::io::{Read, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use rand::RngCore;
use shanyrak_linkage::encoded::{
    ClkEncoder, ClkKey, ClkOptions, ClkSet, EncodedLinkOptions, LshOptions, file, link_encoded,
};

use crate::dedup;

/// Bytes of a new agreement key.
const KEY_BYTES: usize = 32;
/// The most encodings one file may hold.
const MAX_ENCODINGS: usize = 5_000_000;
/// The largest encodings file read (a 1,024-bit encoding takes about 190 bytes a line).
const MAX_FILE_BYTES: u64 = 2 << 30;

/// Writes a new random agreement key (64 hex digits) to `path`, readable by its owner
/// only; refuses to overwrite a file.
pub fn new_key(path: &Path) -> Result<()> {
    let mut secret = [0u8; KEY_BYTES];
    rand::rng().fill_bytes(&mut secret);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).with_context(|| {
        format!(
            "could not create the key file {} (an existing key is never overwritten)",
            path.display()
        )
    })?;
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    writeln!(f, "{hex}").with_context(|| format!("could not write {}", path.display()))?;
    Ok(())
}

/// Reads an agreement key file: hex digits of at least 16 bytes, in a file only its owner
/// may read.
pub fn read_key(path: &Path) -> Result<ClkKey> {
    let text = crate::read_key_file(path)?;
    let text = text.trim();
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!(
            "the key file {} must hold the key as hex digits (create one with `shanyrak encode --new-key`)",
            path.display()
        );
    }
    let secret: Vec<u8> = (0..text.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect();
    ClkKey::from_secret(&secret).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// How `shanyrak encode` hardens the encodings.
#[derive(Debug, Clone, Copy)]
pub struct Hardening {
    /// `--fold`.
    pub fold: bool,
    /// Not `--no-balance`.
    pub balance: bool,
}

/// Encodes the records of a CSV file (or registry export) into an encodings file.
pub fn encode(
    input: &Path,
    key: &ClkKey,
    out: &Path,
    columns: Option<&str>,
    hardening: Hardening,
) -> Result<()> {
    let started = Instant::now();
    let map = dedup::column_map(columns)?;
    let bar = dedup::spinner("reading");
    let (records, report) = dedup::read_records(input, &map)?;
    bar.set_message(format!("encoding {} records", records.len()));
    let options = ClkOptions {
        fold: hardening.fold,
        balance: hardening.balance,
        ..ClkOptions::default()
    };
    let mut encoder = ClkEncoder::new(key, options).map_err(|e| anyhow::anyhow!("{e}"))?;
    let header = file::Header {
        options,
        key_fingerprint: encoder.fingerprint().to_owned(),
    };
    let f =
        std::fs::File::create(out).with_context(|| format!("could not write {}", out.display()))?;
    let mut w = std::io::BufWriter::new(f);
    w.write_all(header.lines().as_bytes())?;
    for (i, r) in records.iter().enumerate() {
        let row = file::row(&r.record_id, &encoder.encode(r))
            .map_err(|e| anyhow::anyhow!("{}: row {}: record_id: {e}", input.display(), i + 2))?;
        w.write_all(row.as_bytes())?;
    }
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("could not write {}: {}", out.display(), e.error()))?
        .sync_all()?;
    bar.finish_and_clear();
    dedup::report_dates(input, &report);
    eprintln!(
        "{} records encoded ({}, key {}); {:.2} s",
        records.len(),
        options.describe(),
        header.key_fingerprint,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Reads an encodings file.
fn read_encodings(
    path: &Path,
) -> Result<(file::Header, Vec<(String, shanyrak_linkage::encoded::Clk)>)> {
    let f =
        std::fs::File::open(path).with_context(|| format!("could not open {}", path.display()))?;
    let mut text = String::new();
    f.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .with_context(|| {
            format!(
                "{} is not an encodings file (not UTF-8 text)",
                path.display()
            )
        })?;
    if text.len() as u64 > MAX_FILE_BYTES {
        bail!("{} is larger than {} bytes", path.display(), MAX_FILE_BYTES);
    }
    file::parse(&text, MAX_ENCODINGS).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// How `shanyrak link-encoded` links.
#[derive(Debug, Clone, Copy)]
pub struct LinkEncodedArgs {
    /// `--threshold`.
    pub threshold: f64,
    /// Not `--many-to-many`.
    pub one_to_one: bool,
    /// `--all-pairs`.
    pub exhaustive: bool,
}

/// Links two encodings files made with one key and the same options; writes
/// `id_a,id_b,similarity`.
pub fn link(a: &Path, b: &Path, out: &Path, args: LinkEncodedArgs) -> Result<()> {
    let started = Instant::now();
    let (ha, left) = read_encodings(a)?;
    let (hb, right) = read_encodings(b)?;
    if ha.key_fingerprint != hb.key_fingerprint {
        bail!(
            "{} and {} were encoded with different keys (fingerprints {} and {}): \
             encodings link only under one agreement key",
            a.display(),
            b.display(),
            ha.key_fingerprint,
            hb.key_fingerprint
        );
    }
    if ha.options != hb.options {
        bail!(
            "{} ({}) and {} ({}) were encoded with different options",
            a.display(),
            ha.options.describe(),
            b.display(),
            hb.options.describe()
        );
    }
    let set = |rows: &[(String, shanyrak_linkage::encoded::Clk)]| -> Result<ClkSet> {
        let mut s = ClkSet::new(ha.options.bits);
        for (_, c) in rows {
            s.push(c).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        Ok(s)
    };
    let options = EncodedLinkOptions {
        threshold: args.threshold,
        lsh: LshOptions {
            exhaustive: args.exhaustive,
            ..LshOptions::default()
        },
        one_to_one: args.one_to_one,
    };
    let result =
        link_encoded(&set(&left)?, &set(&right)?, &options).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut w = dedup::writer(out)?;
    w.text_row(["id_a", "id_b", "similarity"])?;
    for p in &result.pairs {
        w.text(&left[p.left as usize].0)
            .text(&right[p.right as usize].0)
            .decimal(p.similarity, 4)
            .end_row()?;
    }
    w.into_inner()?;
    eprintln!(
        "{} × {} encodings; {} candidate pairs compared, {} at Dice ≥ {}; {} pairs linked; {:.2} s",
        left.len(),
        right.len(),
        result.candidates,
        result.above_threshold,
        args.threshold,
        result.pairs.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

//! `numo key new` and how the trading commands get a signing key.
//!
//! A key file is deliberately simple: one line, the private key as `0x` + 64 hex digits,
//! **unencrypted**, created with mode 0600 (never overwriting a file). It is what `--key-file`
//! reads. Keys are taken from `--key 0xHEX`, else `--key-file FILE`, else the environment
//! variable `NUMO_KEY` (preferable to `--key`: command lines are visible to other users).

use crate::failure::{finish, Failure};
use alloy_primitives::hex;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use numo_stf::signature::secret_key_address;
use secp256k1::SecretKey;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum KeyCommand {
    /// Generate a secp256k1 key from OS randomness; print it, or write it to a key file.
    New {
        /// Write the key to this file (unencrypted hex, mode 0600, never overwritten) and print
        /// only the address.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print {"address", "privateKey"} (or {"address", "keyFile"} with --out).
        #[arg(long)]
        json: bool,
    },
}

/// The signing key of a trading command.
#[derive(Args, Clone)]
pub(crate) struct KeyOpts {
    /// Private key, 0x + 64 hex digits (visible in the process list: prefer --key-file or NUMO_KEY).
    #[arg(long)]
    key: Option<String>,
    /// File holding the private key as 0x hex (see `numo key new --out`).
    #[arg(long, conflicts_with = "key")]
    key_file: Option<PathBuf>,
}

impl KeyOpts {
    /// The key from `--key`, `--key-file` or `NUMO_KEY`, in that order.
    pub(crate) fn secret(&self) -> Result<SecretKey> {
        if let Some(text) = &self.key {
            return parse_secret(text).context("--key");
        }
        if let Some(path) = &self.key_file {
            return read_key_file(path);
        }
        match std::env::var("NUMO_KEY") {
            Ok(text) => parse_secret(&text).context("NUMO_KEY"),
            Err(_) => Err(Failure::error(
                "no_key",
                "no signing key: pass --key 0xHEX or --key-file FILE, or set NUMO_KEY (dev keys: `numo dev accounts`; a new one: `numo key new`)",
            )),
        }
    }
}

/// A private key from `0x` + 64 hex digits (the `0x` is optional).
pub(crate) fn parse_secret(text: &str) -> Result<SecretKey> {
    let bytes = hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| Failure::error("bad_key", "a private key is 32 bytes of hex (0x + 64 hex digits)"))?;
    SecretKey::from_secret_bytes(bytes)
        .map_err(|_| Failure::error("bad_key", "not a valid secp256k1 private key (zero or above the group order)"))
}

fn read_key_file(path: &Path) -> Result<SecretKey> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading key file {}", path.display()))?;
    parse_secret(&text).with_context(|| format!("key file {}", path.display()))
}

pub(crate) fn run(command: KeyCommand) -> ExitCode {
    match command {
        KeyCommand::New { out, json } => finish(json, new_key(out.as_deref(), json)),
    }
}

/// A uniformly random valid key: 32 bytes from the OS, drawn again in the ≈2^-128 case that
/// they are not a valid secret.
fn random_secret() -> Result<SecretKey> {
    loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("OS randomness unavailable: {e}"))?;
        if let Ok(secret) = SecretKey::from_secret_bytes(bytes) {
            return Ok(secret);
        }
    }
}

fn new_key(out: Option<&Path>, as_json: bool) -> Result<()> {
    let secret = random_secret()?;
    let address = secret_key_address(&secret);
    let key_hex = hex::encode_prefixed(secret.to_secret_bytes());
    let Some(path) = out else {
        if as_json {
            println!("{}", json!({ "address": address, "privateKey": key_hex }));
        } else {
            println!("address     {address}");
            println!("private key {key_hex}");
            println!("keep the private key secret; sign with --key-file FILE or NUMO_KEY");
        }
        return Ok(());
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file =
        options.open(path).with_context(|| format!("creating key file {} (it must not exist)", path.display()))?;
    writeln!(file, "{key_hex}")
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    if as_json {
        println!("{}", json!({ "address": address, "keyFile": path }));
    } else {
        println!("address  {address}");
        println!("key file {} (unencrypted, mode 0600): sign with --key-file {}", path.display(), path.display());
    }
    Ok(())
}

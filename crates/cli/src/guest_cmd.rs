//! `numo guest run|inspect`.

use crate::render;
use alloy_primitives::hex;
use anyhow::{Context, Result};
use clap::Subcommand;
use numo_guest::GuestInput;
use std::io::Read;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum GuestCommand {
    /// Re-execute a blob and print its PublicInputs as one 0x-hex line.
    /// Exit 1 with `invalid: <reason>` if the batch is invalid, 2 on other failures.
    Run {
        /// Blob file, raw bytes or 0x-hex text; `-` reads stdin.
        file: String,
    },
    /// Decode a blob and print it as JSON (header, rules, messages, hints, proof keys).
    Inspect {
        /// Blob file, raw bytes or 0x-hex text; `-` reads stdin.
        file: String,
    },
}

pub(crate) fn run(command: GuestCommand) -> ExitCode {
    let (file, inspect) = match &command {
        GuestCommand::Run { file } => (file, false),
        GuestCommand::Inspect { file } => (file, true),
    };
    let blob = match read_blob(file) {
        Ok(blob) => blob,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    if inspect {
        return inspect_blob(&blob);
    }
    match numo_guest::run(&blob) {
        Ok(output) => {
            println!("{}", hex::encode_prefixed(output.public_inputs.encode()));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("invalid: {error}");
            ExitCode::from(1)
        }
    }
}

fn inspect_blob(blob: &[u8]) -> ExitCode {
    match GuestInput::decode(blob) {
        Ok(input) => {
            println!("{}", serde_json::to_string_pretty(&render::guest_input(&input)).expect("JSON values serialize"));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("invalid: {error}");
            ExitCode::from(1)
        }
    }
}

/// Reads a blob from a file or stdin. Text that is `0x`-prefixed, or only hex digits, is
/// decoded as hex (the vectors store blobs that way); anything else is taken as raw bytes.
pub(crate) fn read_blob(file: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if file == "-" {
        std::io::stdin().read_to_end(&mut bytes).context("reading stdin")?;
    } else {
        bytes = std::fs::read(file).with_context(|| format!("reading {file}"))?;
    }
    let text = bytes.trim_ascii();
    let is_hex_text = text.starts_with(b"0x") || (!text.is_empty() && text.iter().all(u8::is_ascii_hexdigit));
    if is_hex_text {
        return hex::decode(text).context("decoding hex");
    }
    Ok(bytes)
}

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
        /// Print one JSON object on stdout instead: `{"publicInputs", "touchedKeysDigest",
        /// "touchedKeyCount"}`, or `{"invalid": CODE, "message"}` (exit 1) for an invalid batch.
        #[arg(long)]
        json: bool,
    },
    /// Decode a blob and print it as JSON (header, rules, messages, hints, proof keys).
    Inspect {
        /// Blob file, raw bytes or 0x-hex text; `-` reads stdin.
        file: String,
    },
}

pub(crate) fn run(command: GuestCommand) -> ExitCode {
    let (file, inspect, json) = match &command {
        GuestCommand::Run { file, json } => (file, false, *json),
        GuestCommand::Inspect { file } => (file, true, false),
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
    if json {
        return run_json(&blob);
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

/// `guest run --json`: the conformance values of C23 (PublicInputs, and the touched-keys
/// digest and access count of the C25 sequence) as one JSON object, so a tool can compare
/// guests without parsing text. An invalid batch is reported on stdout too, with the stable
/// `BatchError::code`, and exits 1 like the plain form.
fn run_json(blob: &[u8]) -> ExitCode {
    let (report, code) = match numo_guest::run(blob) {
        Ok(output) => (
            serde_json::json!({
                "publicInputs": hex::encode_prefixed(output.public_inputs.encode()),
                "touchedKeysDigest": hex::encode_prefixed(output.report.touched.digest()),
                "touchedKeyCount": output.report.touched.count(),
            }),
            ExitCode::SUCCESS,
        ),
        Err(error) => (serde_json::json!({"invalid": error.code(), "message": error.to_string()}), ExitCode::from(1)),
    };
    println!("{report}");
    code
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

//! `numo guest run|inspect`.

use crate::render;
use alloy_primitives::hex;
use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use numo_guest::kind::{AnyBatchError, BatchKind};
use numo_guest::GuestInput;
use std::io::Read;
use std::process::ExitCode;

/// `--kind` of `numo guest run` and `numo prove`: which guest reads the blob (F12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum KindArg {
    /// A trading batch: C22 blob, 272-byte PublicInputs.
    Trading,
    /// A funding batch: F12 blob, 400-byte funding public inputs (F11).
    Funding,
    /// An EVM batch (system batch or EVM block): E11 blob, 225-byte public inputs (E10).
    Evm,
}

impl From<KindArg> for BatchKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Trading => BatchKind::Trading,
            KindArg::Funding => BatchKind::Funding,
            KindArg::Evm => BatchKind::Evm,
        }
    }
}

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
        /// Which guest: a trading (C22), a funding (F12) or an EVM (E11) blob.
        #[arg(long, value_enum, default_value_t = KindArg::Trading)]
        kind: KindArg,
    },
    /// Decode a blob and print it as JSON (header, rules, messages, hints, proof keys).
    Inspect {
        /// Blob file, raw bytes or 0x-hex text; `-` reads stdin.
        file: String,
    },
}

pub(crate) fn run(command: GuestCommand) -> ExitCode {
    let (file, inspect, json, kind) = match &command {
        GuestCommand::Run { file, json, kind } => (file, false, *json, BatchKind::from(*kind)),
        GuestCommand::Inspect { file } => (file, true, false, BatchKind::Trading),
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
        return run_json(kind, &blob);
    }
    match run_guest(kind, &blob) {
        Ok(output) => {
            println!("{}", hex::encode_prefixed(output.public_inputs));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("invalid: {error}");
            ExitCode::from(1)
        }
    }
}

/// What either guest outputs, as `guest run` prints it.
struct RunOutput {
    /// 272 (trading) or 400 (funding) bytes.
    public_inputs: Vec<u8>,
    /// The touched log's digest and access count (C23, F7).
    touched: numo_stf::TouchLog,
}

/// Runs the guest of `kind` on `blob`.
fn run_guest(kind: BatchKind, blob: &[u8]) -> Result<RunOutput, AnyBatchError> {
    Ok(match kind {
        BatchKind::Trading => {
            let output = numo_guest::run(blob)?;
            RunOutput { public_inputs: output.public_inputs.encode().to_vec(), touched: output.report.touched }
        }
        BatchKind::Funding => {
            let output = numo_guest::funding::run_funding(blob)?;
            RunOutput { public_inputs: output.public_inputs.to_vec(), touched: output.report.touched }
        }
        BatchKind::Evm => {
            let output = numo_guest::evm::run_evm(blob)?;
            RunOutput { public_inputs: output.public_inputs.to_vec(), touched: output.report.touched().clone() }
        }
    })
}

/// `guest run --json`: the conformance values of C23 (PublicInputs, and the touched-keys
/// digest and access count of the C25 sequence) as one JSON object, so a tool can compare
/// guests without parsing text. An invalid batch is reported on stdout too, with the stable
/// error code, and exits 1 like the plain form.
fn run_json(kind: BatchKind, blob: &[u8]) -> ExitCode {
    let (report, code) = match run_guest(kind, blob) {
        Ok(output) => (
            serde_json::json!({
                "publicInputs": hex::encode_prefixed(output.public_inputs),
                "touchedKeysDigest": hex::encode_prefixed(output.touched.digest()),
                "touchedKeyCount": output.touched.count(),
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

//! `numo batch build`: genesis JSON + messages JSON → guest inputs and expected outputs.

use crate::render;
use alloy_primitives::hex;
use anyhow::{Context, Result};
use clap::Subcommand;
use numo_host::{build_batch, json};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum BatchCommand {
    /// Execute batches on a genesis state and print, per batch, one JSON line with the blob
    /// (`guestInput`), `expectedPublicInputs`, outcomes, trades and the new root.
    Build {
        /// Genesis file (shape of shared/spec/vectors/batches/genesis.json).
        #[arg(long)]
        genesis: PathBuf,
        /// Messages file: an array of messages (one batch) or an array of arrays (consecutive
        /// batches). See docs/PROTOCOL.md for the message shapes.
        #[arg(long)]
        messages: PathBuf,
        /// `batchSeq` of the first batch; later ones count up (C19).
        #[arg(long, default_value_t = 1)]
        seq: u64,
        /// `batchTimestamp` (Unix ms) of the first batch; later ones add 100 ms.
        #[arg(long, default_value_t = 0)]
        timestamp: u64,
        /// Also write the last batch's blob (raw bytes) to this file.
        #[arg(long)]
        blob_out: Option<PathBuf>,
    },
}

pub(crate) fn run(command: BatchCommand) -> ExitCode {
    match build(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn read_json(path: &PathBuf) -> Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn build(command: BatchCommand) -> Result<()> {
    let BatchCommand::Build { genesis, messages, seq, timestamp, blob_out } = command;
    let genesis = json::genesis(&read_json(&genesis)?)?;
    let ctx = genesis.context;
    let mut state = genesis.state;
    let messages = read_json(&messages)?;
    let batches: Vec<Value> = match messages.as_array() {
        Some(list) if list.iter().all(Value::is_array) && !list.is_empty() => list.clone(),
        _ => vec![messages],
    };
    let mut last_blob = Vec::new();
    for (offset, batch) in batches.iter().enumerate() {
        let signed = json::signed_messages(batch, &ctx.domain_separator())?;
        let batch_seq = seq + offset as u64;
        let built = build_batch(&mut state, &ctx, batch_seq, timestamp + 100 * offset as u64, signed)
            .with_context(|| format!("batch {batch_seq} is invalid"))?;
        let line = json!({
            "batchSeq": batch_seq,
            "guestInput": hex::encode_prefixed(&built.blob),
            "expectedPublicInputs": hex::encode_prefixed(built.public_inputs.encode()),
            "publicInputsDecoded": json::public_inputs(&built.public_inputs),
            "outcomes": built.report.outcomes.iter().map(render::outcome).collect::<Vec<_>>(),
            "trades": built.report.trades.iter().map(render::trade).collect::<Vec<_>>(),
            "newRoot": built.public_inputs.new_root,
            "stateKeys": state.len(),
        });
        println!("{line}");
        last_blob = built.blob;
    }
    if let Some(path) = blob_out {
        std::fs::write(&path, &last_blob).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

//! Background SP1 proving of committed batches (`numo node --prover sp1`, default off).
//!
//! One thread proves batches in commit order, each from its stored witness, and stores the
//! proof (or why it failed) per batch. `GET /v1/batches/{seq}` shows the status, `GET
//! /v1/batches/{seq}/proof` serves the proof file. A core proof takes minutes and ~10 GB here
//! (docs/PROVING.md), so on this kind of machine the queue only drains when traffic pauses;
//! statuses say where it is. After a restart the thread resumes after the last batch with an
//! outcome.

use crate::node::Node;
use crate::store::{ProofRecord, StoreError};
use crate::witness;
use numo_prover::ProofMode;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

/// How often the idle prover looks for newly committed batches.
const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// Where a batch stands with the prover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofStatus {
    /// No prover runs and no proof is stored.
    None,
    /// Committed, waiting for the prover.
    Queued,
    /// Being proven now.
    Proving,
    /// A proof is stored.
    Proved,
    /// Proving failed (the reason is stored).
    Failed,
}

impl ProofStatus {
    /// The API's name for the status.
    pub fn as_str(self) -> &'static str {
        match self {
            ProofStatus::None => "none",
            ProofStatus::Queued => "queued",
            ProofStatus::Proving => "proving",
            ProofStatus::Proved => "proved",
            ProofStatus::Failed => "failed",
        }
    }
}

/// The prover's live state, shared with the API.
#[derive(Debug, Default)]
pub struct ProverState {
    running: AtomicBool,
    /// The batch being proven, 0 when idle (batch numbers start at 1).
    proving: AtomicU64,
}

/// What `--prover sp1` runs with.
#[derive(Debug, Clone)]
pub struct ProverSettings {
    /// The SP1 program.
    pub elf: Vec<u8>,
    /// Core or compressed.
    pub mode: ProofMode,
    /// Scratch file the prover writes each proof to before storing it.
    pub scratch: PathBuf,
}

/// Starts the prover thread for `node`.
pub fn start_prover(node: &Arc<Node>, settings: ProverSettings) {
    node.prover.running.store(true, Relaxed);
    let node = node.clone();
    std::thread::Builder::new()
        .name("numo-prover".into())
        .spawn(move || run_prover(&node, &settings))
        .expect("spawn the prover");
}

fn run_prover(node: &Node, settings: &ProverSettings) {
    loop {
        let next = match node.store.last_proof_batch() {
            Ok(last) => last.unwrap_or(0) + 1,
            Err(error) => {
                tracing::error!(%error, "prover cannot read its progress, stopping");
                return;
            }
        };
        let committed = node.chain.read().expect("chain lock").counters.next_batch_seq;
        if next >= committed {
            std::thread::sleep(POLL_INTERVAL);
            continue;
        }
        node.prover.proving.store(next, Relaxed);
        let started = std::time::Instant::now();
        let record = prove(node, settings, next);
        match &record {
            ProofRecord::Proved(proof) => {
                tracing::info!(
                    batch_seq = next,
                    bytes = proof.len(),
                    seconds = started.elapsed().as_secs(),
                    "batch proved"
                );
            }
            ProofRecord::Failed(reason) => tracing::warn!(batch_seq = next, %reason, "batch proving failed"),
        }
        let stored = node.store.set_proof(next, &record);
        node.prover.proving.store(0, Relaxed);
        if let Err(error) = stored {
            tracing::error!(batch_seq = next, %error, "cannot store the proof, stopping");
            return;
        }
    }
}

fn prove(node: &Node, settings: &ProverSettings, batch_seq: u64) -> ProofRecord {
    let (kind, blob) = match witness::stored_blob(node.store.as_ref(), batch_seq) {
        Ok(Some(found)) => found,
        Ok(None) => return ProofRecord::Failed("witness not stored".into()),
        Err(error) => return ProofRecord::Failed(error.to_string()),
    };
    let proved = numo_prover::prove_kind(&settings.elf, kind, &blob, settings.mode, &settings.scratch)
        .map_err(|error| error.to_string())
        .and_then(|_| std::fs::read(&settings.scratch).map_err(|error| format!("reading the proof: {error}")));
    match proved {
        Ok(proof) => ProofRecord::Proved(proof),
        Err(reason) => ProofRecord::Failed(reason),
    }
}

/// The status of a committed batch: stored outcomes first, then the live queue.
pub fn status(node: &Node, batch_seq: u64) -> Result<(ProofStatus, Option<String>), StoreError> {
    match node.store.proof(batch_seq)? {
        Some(ProofRecord::Proved(_)) => return Ok((ProofStatus::Proved, None)),
        Some(ProofRecord::Failed(reason)) => return Ok((ProofStatus::Failed, Some(reason))),
        None => {}
    }
    if !node.prover.running.load(Relaxed) {
        return Ok((ProofStatus::None, None));
    }
    if node.prover.proving.load(Relaxed) == batch_seq {
        return Ok((ProofStatus::Proving, None));
    }
    Ok((ProofStatus::Queued, None))
}

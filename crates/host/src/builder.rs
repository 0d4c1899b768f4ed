//! The host batch builder: from the full state and signed messages, execute with the one
//! transition, discover the tick hints (C17), collect a proof for every touched key against
//! `prevRoot`, and emit the C22 blob and the expected PublicInputs.

use crate::full_state::FullState;
use alloy_primitives::B256;
use numo_guest::{run::public_inputs, BatchHeader, GuestInput, ProofEntry};
use numo_stf::{
    commitments_of_verified, execute_messages, validate_batch, BatchCommitments, BatchError, BatchReport,
    DiscoveredHints, MarketContext, Overlay, PublicInputs, SignedMessage, TickHints, TouchLog,
};
use std::collections::BTreeMap;

/// A built batch, already applied to the state it was built on.
#[derive(Debug, Clone)]
pub struct BuiltBatch {
    /// The C22 guest input.
    pub blob: Vec<u8>,
    /// What the guest must output for `blob`.
    pub public_inputs: PublicInputs,
    /// Outcomes, trades, fees, touched keys.
    pub report: BatchReport,
    /// The hints placed in the blob, per message.
    pub hints: Vec<TickHints>,
    /// Every state write of the batch (`None` = delete), in key order.
    pub writes: BTreeMap<B256, Option<Vec<u8>>>,
}

/// Builds batch `batch_seq` of `ctx`'s market and applies it to `state`.
/// On error (C11: the batch is invalid) `state` is unchanged.
pub fn build_batch(
    state: &mut FullState,
    ctx: &MarketContext,
    batch_seq: u64,
    batch_timestamp: u64,
    messages: Vec<SignedMessage>,
) -> Result<BuiltBatch, BatchError> {
    let commitments = validate_batch(ctx, batch_seq, &messages)?;
    build_from_commitments(state, ctx, batch_seq, batch_timestamp, messages, commitments)
}

/// [`build_batch`] for messages whose signatures the caller already verified under this
/// market's domain (the node's admission does, for every message it sequences), so they are
/// not recovered a second time. The guest still recovers every one when it re-executes the blob.
pub fn build_batch_verified(
    state: &mut FullState,
    ctx: &MarketContext,
    batch_seq: u64,
    batch_timestamp: u64,
    messages: Vec<SignedMessage>,
) -> Result<BuiltBatch, BatchError> {
    let commitments = commitments_of_verified(ctx, batch_seq, &messages)?;
    build_from_commitments(state, ctx, batch_seq, batch_timestamp, messages, commitments)
}

fn build_from_commitments(
    state: &mut FullState,
    ctx: &MarketContext,
    batch_seq: u64,
    batch_timestamp: u64,
    messages: Vec<SignedMessage>,
    commitments: BatchCommitments,
) -> Result<BuiltBatch, BatchError> {
    let mut discovered = DiscoveredHints::default();
    let mut overlay = Overlay::new(&mut *state);
    let report = execute_messages(ctx, &mut overlay, &messages, &mut discovered, TouchLog::collecting())?;
    let (_, writes) = overlay.into_parts();

    let header = BatchHeader {
        prev_root: state.root(),
        batch_digest: commitments.batch_digest,
        rules_hash: commitments.rules_hash,
        domain_separator: commitments.domain_separator,
        batch_seq,
        batch_timestamp,
        da_commitment: commitments.da_commitment,
    };
    let hints: Vec<TickHints> =
        (0..messages.len()).map(|i| discovered.used.get(&i).copied().unwrap_or_default()).collect();
    let blob = encode_blob(state, header, ctx, messages, hints.clone(), &report);

    state.apply(writes.clone());
    let public_inputs = public_inputs(&header, state.root(), &report);
    Ok(BuiltBatch { blob, public_inputs, report, hints, writes })
}

/// Proves every touched key against the pre-batch state and lays out the blob.
fn encode_blob(
    state: &FullState,
    header: BatchHeader,
    ctx: &MarketContext,
    messages: Vec<SignedMessage>,
    hints: Vec<TickHints>,
    report: &BatchReport,
) -> Vec<u8> {
    let touched = report.touched.keys().expect("the builder collects touched keys");
    let siblings: Vec<Vec<u8>> = touched.iter().map(|key| state.prove(key).to_bytes()).collect();
    let entries = touched
        .iter()
        .zip(&siblings)
        .map(|(key, siblings)| ProofEntry { key: *key, value: state.value(key), siblings })
        .collect();
    GuestInput { header, context: *ctx, messages, hints, proofs: entries }.encode()
}

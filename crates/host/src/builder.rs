//! The host batch builder: from the full state and signed messages, execute with the one
//! transition, discover the tick hints (C17), collect a proof for every touched key against
//! `prevRoot`, and emit the C22 blob and the expected PublicInputs.

use crate::full_state::FullState;
use crate::witness;
use alloy_primitives::B256;
use numo_guest::{run::public_inputs, BatchHeader, GuestInput, ProofEntry};
use numo_stf::{
    commitments_of_verified, execute_messages, validate_batch, BatchError, BatchReport, DiscoveredHints, MarketContext,
    Overlay, PublicInputs, SignedMessage, TickHints, TouchLog,
};
use std::collections::{BTreeMap, BTreeSet};

/// A built batch, already applied to the state it was built on.
#[derive(Debug, Clone)]
pub struct BuiltBatch {
    /// The C22 guest input, or its compact form ([`WitnessForm`]).
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

/// Layout of [`BuiltBatch::blob`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WitnessForm {
    /// The C22 blob the guest reads: 8 KiB of siblings per touched key.
    Full,
    /// [`crate::witness`]'s compact form (non-default siblings only), written straight from
    /// the tree; `witness::expand` gives the exact C22 blob. What the node stores.
    Compact,
}

/// Whether the builder checks signatures itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signatures {
    /// Recover and check every signature (C11), as the guest will.
    Check,
    /// The caller already verified every signature under this market's domain (the node's
    /// admission does, for every message it sequences); the guest still recovers them all.
    AlreadyVerified,
}

/// How [`build_batch_with`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildOptions {
    /// Signature checks.
    pub signatures: Signatures,
    /// Layout of the witness.
    pub witness: WitnessForm,
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
    let options = BuildOptions { signatures: Signatures::Check, witness: WitnessForm::Full };
    build_batch_with(state, ctx, batch_seq, batch_timestamp, messages, options)
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
    let options = BuildOptions { signatures: Signatures::AlreadyVerified, witness: WitnessForm::Full };
    build_batch_with(state, ctx, batch_seq, batch_timestamp, messages, options)
}

/// [`build_batch`] with the signature checks and the witness layout chosen by `options`.
pub fn build_batch_with(
    state: &mut FullState,
    ctx: &MarketContext,
    batch_seq: u64,
    batch_timestamp: u64,
    messages: Vec<SignedMessage>,
    options: BuildOptions,
) -> Result<BuiltBatch, BatchError> {
    let commitments = match options.signatures {
        Signatures::Check => validate_batch(ctx, batch_seq, &messages)?,
        Signatures::AlreadyVerified => commitments_of_verified(ctx, batch_seq, &messages)?,
    };
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
    // Parts 1–4 of the blob; the proofs of part 5 are laid out by the chosen witness form.
    let parts = GuestInput { header, context: *ctx, messages, hints: hints.clone(), proofs: Vec::new() };
    let touched = report.touched.keys().expect("the builder collects touched keys");
    let blob = match options.witness {
        WitnessForm::Full => encode_blob(state, parts, touched),
        WitnessForm::Compact => encode_compact(state, parts, touched),
    };

    state.apply(writes.clone());
    let public_inputs = public_inputs(&header, state.root(), &report);
    Ok(BuiltBatch { blob, public_inputs, report, hints, writes })
}

/// Proves every touched key against the pre-batch state and lays out the blob (C22).
fn encode_blob(state: &FullState, parts: GuestInput<'_>, touched: &BTreeSet<B256>) -> Vec<u8> {
    let siblings: Vec<Vec<u8>> = touched.iter().map(|key| state.prove(key).to_bytes()).collect();
    let entries = touched
        .iter()
        .zip(&siblings)
        .map(|(key, siblings)| ProofEntry { key: *key, value: state.value(key), siblings })
        .collect();
    let GuestInput { header, context, messages, hints, .. } = parts;
    GuestInput { header, context, messages, hints, proofs: entries }.encode()
}

/// [`encode_blob`] in the compact form, straight from the tree's non-default siblings.
fn encode_compact(state: &FullState, parts: GuestInput<'_>, touched: &BTreeSet<B256>) -> Vec<u8> {
    let parts = parts.encode();
    // Parts 1–4, without the `U32 proofCount` (zero here) that ends the encoding.
    let prefix = &parts[..parts.len() - 4];
    let proofs = touched.iter().map(|key| (*key, state.value(key), state.tree().prove_sparse(key)));
    witness::compact_from_parts(prefix, proofs)
}

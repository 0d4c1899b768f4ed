//! The host funding-batch builder: execute a block's funding messages with the one funding
//! engine (numo-funding), prove every touched key against `prevRoot`, and emit the F12 blob
//! and the F11 public inputs the funding guest must reproduce.

use crate::builder::{Signatures, WitnessForm};
use crate::full_state::FullState;
use crate::witness;
use alloy_primitives::B256;
use numo_core::{Overlay, TouchLog};
use numo_funding::commitments::SignatureCheck;
use numo_funding::{
    execute_funding, validate_funding_batch, FundingContext, FundingError, FundingMessage, FundingPublicInputs,
    FundingReport,
};
use numo_guest::funding::{funding_public_inputs, FundingHeader, FundingInput};
use numo_guest::ProofEntry;
use std::collections::{BTreeMap, BTreeSet};

/// A built funding batch, already applied to the state it was built on.
#[derive(Debug, Clone)]
pub struct BuiltFundingBatch {
    /// The F12 blob (or its compact form).
    pub blob: Vec<u8>,
    /// What the funding guest must output for `blob`.
    pub public_inputs: FundingPublicInputs,
    /// Outcomes, withdrawal records, queue heads, touched keys.
    pub report: FundingReport,
    /// Every state write (`None` = delete), in key order.
    pub writes: BTreeMap<B256, Option<Vec<u8>>>,
}

/// Builds funding batch `batch_seq` and applies it to `state`. On error (the batch is invalid)
/// `state` is unchanged.
pub fn build_funding_batch(
    state: &mut FullState,
    ctx: &FundingContext,
    batch_seq: u64,
    batch_timestamp: u64,
    messages: Vec<FundingMessage>,
    signatures: Signatures,
    form: WitnessForm,
) -> Result<BuiltFundingBatch, FundingError> {
    let check = match signatures {
        Signatures::Check => SignatureCheck::Check,
        Signatures::AlreadyVerified => SignatureCheck::AlreadyVerified,
    };
    let commitments = validate_funding_batch(ctx, batch_seq, &messages, check)?;
    let mut overlay = Overlay::new(&mut *state);
    let report = execute_funding(ctx, &mut overlay, &messages, TouchLog::collecting())?;
    let (_, writes) = overlay.into_parts();

    let header = FundingHeader {
        prev_root: state.root(),
        batch_digest: commitments.batch_digest,
        rules_hash: commitments.rules_hash,
        domain_separator: commitments.domain_separator,
        batch_seq,
        batch_timestamp,
        da_commitment: commitments.da_commitment,
    };
    let touched = report.touched.keys().expect("the builder collects touched keys");
    let parts = FundingInput { header, context: ctx.clone(), messages, proofs: Vec::new() };
    let blob = match form {
        WitnessForm::Full => encode_full(state, parts, touched),
        WitnessForm::Compact => {
            let encoded = parts.encode();
            // Parts 1–4, without the `U32 proofCount` (zero here) that ends the encoding.
            let prefix = &encoded[..encoded.len() - 4];
            let proofs = touched.iter().map(|key| (*key, state.value(key), state.tree().prove_sparse(key)));
            witness::compact_from_parts(prefix, proofs)
        }
    };
    state.apply(writes.clone());
    let public_inputs = funding_public_inputs(&header, state.root(), &report);
    Ok(BuiltFundingBatch { blob, public_inputs, report, writes })
}

fn encode_full(state: &FullState, parts: FundingInput<'_>, touched: &BTreeSet<B256>) -> Vec<u8> {
    let siblings: Vec<Vec<u8>> = touched.iter().map(|key| state.prove(key).to_bytes()).collect();
    let proofs = touched
        .iter()
        .zip(&siblings)
        .map(|(key, siblings)| ProofEntry { key: *key, value: state.value(key), siblings })
        .collect();
    FundingInput { proofs, ..parts }.encode()
}

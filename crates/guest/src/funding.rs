//! The funding guest (F12): re-executes one funding batch from its witness blob and outputs its
//! [`FundingPublicInputs`] (F11). Same proof layout and proven state as a trading batch
//! (C22 part 5, [`WitnessState`]); the execution is numo-funding's one implementation.
//!
//! Layout:
//! 1. `prevRoot ‖ batchDigest ‖ fundingRulesHash ‖ fundingDomainSeparator ‖ U64 batchSeq ‖
//!    U64 batchTimestamp ‖ daCommitment`
//! 2. `U64 chainId ‖ B32 venueId`
//! 3. the asset table (F6)
//! 4. `U32 n`, then per message its bytes ‖ sig65 for a Withdraw or a Transfer
//! 5. `U32 proofCount`, then proofs as C22 part 5

use crate::input::{read_proof, ProofEntry, MIN_PROOF_LEN};
use crate::witness::WitnessState;
use alloc::vec::Vec;
use alloy_primitives::B256;
use numo_core::codec::{DecodeError, Reader, Writer};
use numo_core::TouchLog;
use numo_funding::commitments::SignatureCheck;
use numo_funding::limits::MIN_FUNDING_MESSAGE_LEN;
use numo_funding::{
    execute_funding, validate_funding_batch, FundingContext, FundingError, FundingMessage, FundingPublicInputs,
    FundingReport,
};

/// Part 1: what is known before execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FundingHeader {
    /// Root the proofs are checked against.
    pub prev_root: B256,
    /// Claimed `batchDigest` (F9).
    pub batch_digest: B256,
    /// Claimed `fundingRulesHash` (F6).
    pub rules_hash: B256,
    /// Claimed `fundingDomainSeparator` (F1).
    pub domain_separator: B256,
    /// Venue-global batch number.
    pub batch_seq: u64,
    /// Unix milliseconds.
    pub batch_timestamp: u64,
    /// Claimed `daCommitment` (F9).
    pub da_commitment: B256,
}

/// A decoded funding guest input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingInput<'a> {
    /// Part 1.
    pub header: FundingHeader,
    /// Parts 2 and 3.
    pub context: FundingContext,
    /// Part 4.
    pub messages: Vec<FundingMessage>,
    /// Part 5.
    pub proofs: Vec<ProofEntry<'a>>,
}

/// Parts 1–4 of a funding input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingPrefix {
    /// Part 1.
    pub header: FundingHeader,
    /// Parts 2 and 3.
    pub context: FundingContext,
    /// Part 4.
    pub messages: Vec<FundingMessage>,
}

/// Reads parts 1–4 and leaves `r` at `U32 proofCount`: the one parser of those parts (the
/// guest's decoder and the host's compact witness form both use it).
pub fn read_funding_prefix(r: &mut Reader<'_>) -> Result<FundingPrefix, DecodeError> {
    let header = FundingHeader {
        prev_root: r.b32()?,
        batch_digest: r.b32()?,
        rules_hash: r.b32()?,
        domain_separator: r.b32()?,
        batch_seq: r.u64()?,
        batch_timestamp: r.u64()?,
        da_commitment: r.b32()?,
    };
    let chain_id = r.u64()?;
    let venue_id = r.b32()?;
    let assets = FundingContext::read_assets(r)?;
    let count = r.u32()? as usize;
    let mut messages = Vec::with_capacity(count.min(r.remaining() / MIN_FUNDING_MESSAGE_LEN));
    for _ in 0..count {
        messages.push(FundingMessage::read(r)?);
    }
    Ok(FundingPrefix { header, context: FundingContext { chain_id, venue_id, assets }, messages })
}

impl<'a> FundingInput<'a> {
    /// Strict decode of a whole blob.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let FundingPrefix { header, context, messages } = read_funding_prefix(&mut r)?;
        let proof_count = r.u32()? as usize;
        let mut proofs = Vec::with_capacity(proof_count.min(r.remaining() / MIN_PROOF_LEN));
        for _ in 0..proof_count {
            proofs.push(read_proof(&mut r)?);
        }
        r.finish()?;
        Ok(Self { header, context, messages, proofs })
    }

    /// Encodes the blob; `decode(encode(x)) == x`.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        let h = &self.header;
        w.b32(&h.prev_root).b32(&h.batch_digest).b32(&h.rules_hash).b32(&h.domain_separator);
        w.u64(h.batch_seq).u64(h.batch_timestamp).b32(&h.da_commitment);
        w.u64(self.context.chain_id).b32(&self.context.venue_id);
        self.context.write_assets(&mut w);
        w.u32(self.messages.len() as u32);
        for message in &self.messages {
            message.write(&mut w);
        }
        w.u32(self.proofs.len() as u32);
        for proof in &self.proofs {
            let value = proof.value.unwrap_or_default();
            w.b32(&proof.key).u32(value.len() as u32).bytes(value).bytes(proof.siblings);
        }
        w.into_bytes()
    }
}

/// The funding guest's result.
#[derive(Debug, Clone)]
pub struct FundingOutput {
    /// F11 public inputs.
    pub public_inputs: FundingPublicInputs,
    /// Outcomes, withdrawal records, queue heads, touched keys.
    pub report: FundingReport,
}

/// Runs the funding guest on an F12 blob.
pub fn run_funding(blob: &[u8]) -> Result<FundingOutput, FundingError> {
    run_funding_input(&FundingInput::decode(blob)?)
}

/// Runs the funding guest on a decoded input: commitments, proofs, F7, new root.
pub fn run_funding_input(input: &FundingInput<'_>) -> Result<FundingOutput, FundingError> {
    let header = &input.header;
    let computed = validate_funding_batch(&input.context, header.batch_seq, &input.messages, SignatureCheck::Check)?;
    for (field, given, computed) in [
        ("domainSeparator", header.domain_separator, computed.domain_separator),
        ("rulesHash", header.rules_hash, computed.rules_hash),
        ("batchDigest", header.batch_digest, computed.batch_digest),
        ("daCommitment", header.da_commitment, computed.da_commitment),
    ] {
        if given != computed {
            return Err(FundingError::CommitmentMismatch { field, given, computed });
        }
    }
    let mut witness = WitnessState::from_proofs(header.prev_root, &input.proofs).map_err(FundingError::Witness)?;
    let report = execute_funding(&input.context, &mut witness, &input.messages, TouchLog::digest_only())?;
    let new_root = witness.root().map_err(FundingError::Witness)?;
    Ok(FundingOutput { public_inputs: funding_public_inputs(header, new_root, &report), report })
}

/// F11 from the header, the new root and the report.
pub fn funding_public_inputs(header: &FundingHeader, new_root: B256, report: &FundingReport) -> FundingPublicInputs {
    FundingPublicInputs {
        prev_root: header.prev_root,
        new_root,
        batch_digest: header.batch_digest,
        rules_hash: header.rules_hash,
        domain_separator: header.domain_separator,
        batch_seq: header.batch_seq,
        batch_timestamp: header.batch_timestamp,
        da_commitment: header.da_commitment,
        deposits_before: report.deposits.0,
        deposits_after: report.deposits.1,
        forced_before: report.forced.0,
        forced_after: report.forced.1,
        withdrawals_root: report.withdrawals_root(),
    }
}

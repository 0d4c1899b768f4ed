//! F9 commitments of a funding batch and its state-free checks: count, asset table,
//! signatures.

use crate::context::FundingContext;
use crate::error::FundingError;
use crate::limits::MAX_FUNDING_PER_BATCH;
use crate::message::FundingMessage;
use alloc::vec::Vec;
use alloy_primitives::B256;
use numo_core::codec::Writer;
use numo_core::hash::{keccak_concat, Keccak256};
use numo_core::signature::verify_signer;

/// ASCII tag of the funding batch digest (F9).
pub const FUNDING_BATCH_TAG: &[u8] = b"FUNDING_V1";

/// The commitments of a funding batch, recomputed from its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingCommitments {
    /// `fundingDomainSeparator` (F1).
    pub domain_separator: B256,
    /// `fundingRulesHash` (F6).
    pub rules_hash: B256,
    /// `msgHash` of each message.
    pub message_hashes: Vec<B256>,
    /// `batchDigest` (F9).
    pub batch_digest: B256,
    /// `daCommitment` (F9).
    pub da_commitment: B256,
}

/// Whether [`validate_funding_batch`] recovers the Withdraw and Transfer signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Recover and compare every signature (the guest, replay, a validator).
    Check,
    /// The caller's admission already verified each one under this funding domain.
    AlreadyVerified,
}

/// The asset table, the count (1..=128) and, if asked, every signature; then the commitments.
/// The first failing message decides the error.
pub fn validate_funding_batch(
    ctx: &FundingContext,
    batch_seq: u64,
    messages: &[FundingMessage],
    signatures: SignatureCheck,
) -> Result<FundingCommitments, FundingError> {
    ctx.validate()?;
    if messages.is_empty() {
        return Err(FundingError::EmptyBatch);
    }
    if messages.len() > MAX_FUNDING_PER_BATCH {
        return Err(FundingError::TooManyMessages { count: messages.len(), max: MAX_FUNDING_PER_BATCH });
    }
    let domain_separator = ctx.domain_separator();
    let message_hashes: Vec<B256> = messages.iter().map(|m| m.hash(&domain_separator)).collect();
    if signatures == SignatureCheck::Check {
        for (index, (message, hash)) in messages.iter().zip(&message_hashes).enumerate() {
            if let (Some(signature), Some(signer)) = (message.signature(), message.signer()) {
                verify_signer(hash, signature, signer).map_err(|error| FundingError::Signature { index, error })?;
            }
        }
    }
    Ok(FundingCommitments {
        domain_separator,
        rules_hash: ctx.rules_hash(),
        batch_digest: funding_batch_digest(&domain_separator, batch_seq, &message_hashes),
        da_commitment: funding_da_commitment(messages),
        message_hashes,
    })
}

/// `keccak256("FUNDING_V1" ‖ fundingDomainSeparator ‖ U64 batchSeq ‖ keccak256(msgHash_0 ‖ …))`.
pub fn funding_batch_digest(domain_separator: &B256, batch_seq: u64, message_hashes: &[B256]) -> B256 {
    let mut inner = Keccak256::new();
    for hash in message_hashes {
        inner.update(hash);
    }
    let inner = inner.finalize();
    keccak_concat(&[FUNDING_BATCH_TAG, domain_separator.as_slice(), &batch_seq.to_be_bytes(), inner.as_slice()])
}

/// `keccak256(U32 n ‖ for each: messageBytes ‖ sig65 for a Withdraw or a Transfer)` (F9).
pub fn funding_da_commitment(messages: &[FundingMessage]) -> B256 {
    let mut hasher = Keccak256::new();
    hasher.update((messages.len() as u32).to_be_bytes());
    for message in messages {
        let mut w = Writer::with_capacity(message.message_len() + 65);
        message.write(&mut w);
        hasher.update(w.into_bytes());
    }
    hasher.finalize()
}

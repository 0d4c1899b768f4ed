//! The state-free checks of C11 and the commitments they produce: Rules, message count,
//! signatures, `domainSeparator`, `rulesHash`, `batchDigest`, `daCommitment`.

use crate::commitments::{batch_digest, da_commitment};
use crate::error::BatchError;
use crate::message::SignedMessage;
use crate::rules::MarketContext;
use crate::signature::verify_signer;
use alloc::vec::Vec;
use alloy_primitives::B256;

/// Commitments of a batch, recomputed from its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchCommitments {
    /// `domainSeparator` of the market.
    pub domain_separator: B256,
    /// `rulesHash` of the market.
    pub rules_hash: B256,
    /// `msgHash` of each message, in order.
    pub message_hashes: Vec<B256>,
    /// `batchDigest` over those hashes.
    pub batch_digest: B256,
    /// `daCommitment` (C20).
    pub da_commitment: B256,
}

/// Checks Rules, message count and every signature, and computes the commitments.
/// The first failing message decides the error, so the result is deterministic.
pub fn validate_batch(
    ctx: &MarketContext,
    batch_seq: u64,
    messages: &[SignedMessage],
) -> Result<BatchCommitments, BatchError> {
    let commitments = commitments_of_verified(ctx, batch_seq, messages)?;
    for (index, (signed, hash)) in messages.iter().zip(&commitments.message_hashes).enumerate() {
        verify_signer(hash, &signed.signature, &signed.message.trader())
            .map_err(|error| BatchError::Signature { index, error })?;
    }
    Ok(commitments)
}

/// [`validate_batch`] without signature recovery, for a caller that has already verified
/// every signature under this market's domain (the node's admission). Rules and the message
/// count are still checked. The guest never uses this: it always recovers every signature.
pub fn commitments_of_verified(
    ctx: &MarketContext,
    batch_seq: u64,
    messages: &[SignedMessage],
) -> Result<BatchCommitments, BatchError> {
    ctx.rules.validate()?;
    if messages.is_empty() {
        return Err(BatchError::EmptyBatch);
    }
    if messages.len() > ctx.rules.max_orders_per_batch as usize {
        return Err(BatchError::TooManyMessages { count: messages.len(), max: ctx.rules.max_orders_per_batch });
    }
    let domain_separator = ctx.domain_separator();
    let message_hashes: Vec<B256> = messages.iter().map(|signed| signed.message.hash(&domain_separator)).collect();
    Ok(BatchCommitments {
        domain_separator,
        rules_hash: ctx.rules.hash(),
        batch_digest: batch_digest(&domain_separator, batch_seq, &message_hashes),
        da_commitment: da_commitment(messages),
        message_hashes,
    })
}

//! The 272-byte PublicInputs of section B (C23): what a proof of one batch attests.

use crate::codec::{DecodeError, Reader, Writer};
use crate::limits::PUBLIC_INPUTS_LEN;
use alloc::vec::Vec;
use alloy_primitives::B256;

/// Fields in encoding order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PublicInputs {
    /// State root before the batch.
    pub prev_root: B256,
    /// State root after the batch.
    pub new_root: B256,
    /// Commits to the ordered message hashes (section C).
    pub batch_digest: B256,
    /// Commits to the market Rules.
    pub rules_hash: B256,
    /// Commits to chain, venue and market.
    pub domain_separator: B256,
    /// Venue-global batch number (C19).
    pub batch_seq: u64,
    /// Unix milliseconds (C19).
    pub batch_timestamp: u64,
    /// Commits to the published message bytes and signatures (C20).
    pub da_commitment: B256,
    /// Root of the batch's trades (C21).
    pub trades_root: B256,
    /// Root of the batch's fee totals (C21).
    pub fees_root: B256,
}

impl PublicInputs {
    /// `prevRoot ‖ newRoot ‖ batchDigest ‖ rulesHash ‖ domainSeparator ‖ U64 batchSeq ‖
    /// U64 batchTimestamp ‖ daCommitment ‖ tradesRoot ‖ feesRoot`.
    pub fn encode(&self) -> [u8; PUBLIC_INPUTS_LEN] {
        let mut w = Writer::with_capacity(PUBLIC_INPUTS_LEN);
        w.b32(&self.prev_root).b32(&self.new_root).b32(&self.batch_digest).b32(&self.rules_hash);
        w.b32(&self.domain_separator).u64(self.batch_seq).u64(self.batch_timestamp);
        w.b32(&self.da_commitment).b32(&self.trades_root).b32(&self.fees_root);
        let mut out = [0u8; PUBLIC_INPUTS_LEN];
        out.copy_from_slice(&w.into_bytes());
        out
    }

    /// Strict decode of exactly 272 bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let out = Self {
            prev_root: r.b32()?,
            new_root: r.b32()?,
            batch_digest: r.b32()?,
            rules_hash: r.b32()?,
            domain_separator: r.b32()?,
            batch_seq: r.u64()?,
            batch_timestamp: r.u64()?,
            da_commitment: r.b32()?,
            trades_root: r.b32()?,
            fees_root: r.b32()?,
        };
        r.finish()?;
        Ok(out)
    }

    /// The encoding as a vector, for callers that store it.
    pub fn to_vec(&self) -> Vec<u8> {
        self.encode().to_vec()
    }
}

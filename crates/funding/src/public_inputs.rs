//! The 400-byte public inputs of a funding batch (F11): what its proof attests and what the
//! bridge checks against its own queues when the batch is settled (F13).

use crate::keys::QueueHead;
use crate::limits::FUNDING_PUBLIC_INPUTS_LEN;
use alloc::vec::Vec;
use alloy_primitives::B256;
use numo_core::codec::{DecodeError, Reader, Writer};

/// Fields in encoding order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FundingPublicInputs {
    /// State root before the batch.
    pub prev_root: B256,
    /// State root after the batch.
    pub new_root: B256,
    /// F9 digest of the ordered message hashes.
    pub batch_digest: B256,
    /// F6 hash of the asset table.
    pub rules_hash: B256,
    /// F1 funding domain.
    pub domain_separator: B256,
    /// Venue-global batch number (one sequence with trading batches).
    pub batch_seq: u64,
    /// Unix milliseconds.
    pub batch_timestamp: u64,
    /// F9 DA commitment.
    pub da_commitment: B256,
    /// Deposit queue head before the batch.
    pub deposits_before: QueueHead,
    /// Deposit queue head after the batch.
    pub deposits_after: QueueHead,
    /// Forced queue head before the batch.
    pub forced_before: QueueHead,
    /// Forced queue head after the batch.
    pub forced_after: QueueHead,
    /// F10 root of the batch's withdrawal records.
    pub withdrawals_root: B256,
}

impl FundingPublicInputs {
    /// The F11 encoding.
    pub fn encode(&self) -> [u8; FUNDING_PUBLIC_INPUTS_LEN] {
        let mut w = Writer::with_capacity(FUNDING_PUBLIC_INPUTS_LEN);
        w.b32(&self.prev_root).b32(&self.new_root).b32(&self.batch_digest).b32(&self.rules_hash);
        w.b32(&self.domain_separator).u64(self.batch_seq).u64(self.batch_timestamp).b32(&self.da_commitment);
        for head in [&self.deposits_before, &self.deposits_after, &self.forced_before, &self.forced_after] {
            w.u64(head.next_index).b32(&head.acc);
        }
        w.b32(&self.withdrawals_root);
        let mut out = [0u8; FUNDING_PUBLIC_INPUTS_LEN];
        out.copy_from_slice(&w.into_bytes());
        out
    }

    /// Strict decode of exactly 400 bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let head = |r: &mut Reader<'_>| -> Result<QueueHead, DecodeError> {
            Ok(QueueHead { next_index: r.u64()?, acc: r.b32()? })
        };
        let out = Self {
            prev_root: r.b32()?,
            new_root: r.b32()?,
            batch_digest: r.b32()?,
            rules_hash: r.b32()?,
            domain_separator: r.b32()?,
            batch_seq: r.u64()?,
            batch_timestamp: r.u64()?,
            da_commitment: r.b32()?,
            deposits_before: head(&mut r)?,
            deposits_after: head(&mut r)?,
            forced_before: head(&mut r)?,
            forced_after: head(&mut r)?,
            withdrawals_root: r.b32()?,
        };
        r.finish()?;
        Ok(out)
    }

    /// The encoding as a vector.
    pub fn to_vec(&self) -> Vec<u8> {
        self.encode().to_vec()
    }
}

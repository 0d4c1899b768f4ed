//! The block header (docs/PROTOCOL.md §10.3): what a block commits to, its hash, and the
//! versioned binary record the node stores.

use alloy_primitives::{keccak256, B256};
use numo_core::codec::{DecodeError, Reader, Writer};
use numo_core::merkle::merkle_root;
use serde::{Deserialize, Serialize};

/// Version byte of [`BlockHeader::encode_record`]. A reader refuses any other.
pub const HEADER_RECORD_VERSION: u8 = 1;

/// A block header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockHeader {
    /// 1 for the first block.
    pub height: u64,
    /// Hash of the previous header (the genesis root for block 1).
    pub parent_hash: B256,
    /// Block time, Unix ms, chosen by the proposer; it is also every batch's `batchTimestamp`.
    pub timestamp_ms: u64,
    /// State root after the block.
    pub state_root: B256,
    /// Binary Merkle root (C21 rules) of `keccak256(PublicInputs)` of the block's batches.
    pub batches_root: B256,
    /// `batchSeq` of each batch, in execution order.
    pub batch_seqs: Vec<u64>,
    /// `keccak256(U64 height ‖ parentHash ‖ U64 timestampMs ‖ stateRoot ‖ batchesRoot)`.
    pub hash: B256,
}

/// Why a stored header record was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HeaderDecodeError {
    /// The record was written by another format version.
    #[error("header record version {found}, this numo reads version {expected}")]
    Version {
        /// Version byte found.
        found: u8,
        /// [`HEADER_RECORD_VERSION`].
        expected: u8,
    },
    /// The bytes do not follow the layout.
    #[error("malformed header record: {0}")]
    Malformed(#[from] DecodeError),
}

impl BlockHeader {
    /// Builds a header from the encoded PublicInputs of its batches, and hashes it.
    pub fn new(
        height: u64,
        parent_hash: B256,
        timestamp_ms: u64,
        state_root: B256,
        public_inputs: &[Vec<u8>],
        batch_seqs: Vec<u64>,
    ) -> Self {
        let leaves: Vec<B256> = public_inputs.iter().map(keccak256).collect();
        let batches_root = merkle_root(&leaves);
        let hash = header_hash(height, &parent_hash, timestamp_ms, &state_root, &batches_root);
        Self { height, parent_hash, timestamp_ms, state_root, batches_root, batch_seqs, hash }
    }

    /// `U8 version ‖ U64 height ‖ B32 parentHash ‖ U64 timestampMs ‖ B32 stateRoot ‖
    /// B32 batchesRoot ‖ U32 n ‖ n × U64 batchSeq`. The hash is not stored: it is recomputed
    /// on decode, so a stored header cannot disagree with its own hash.
    pub fn encode_record(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(1 + 8 + 32 + 8 + 32 + 32 + 4 + 8 * self.batch_seqs.len());
        w.u8(HEADER_RECORD_VERSION).u64(self.height).b32(&self.parent_hash).u64(self.timestamp_ms);
        w.b32(&self.state_root).b32(&self.batches_root).u32(self.batch_seqs.len() as u32);
        for seq in &self.batch_seqs {
            w.u64(*seq);
        }
        w.into_bytes()
    }

    /// Strict inverse of [`BlockHeader::encode_record`].
    pub fn decode_record(bytes: &[u8]) -> Result<Self, HeaderDecodeError> {
        let mut r = Reader::new(bytes);
        let version = r.u8()?;
        if version != HEADER_RECORD_VERSION {
            return Err(HeaderDecodeError::Version { found: version, expected: HEADER_RECORD_VERSION });
        }
        let (height, parent_hash, timestamp_ms) = (r.u64()?, r.b32()?, r.u64()?);
        let (state_root, batches_root) = (r.b32()?, r.b32()?);
        let count = r.u32()? as usize;
        let mut batch_seqs = Vec::with_capacity(count.min(r.remaining() / 8));
        for _ in 0..count {
            batch_seqs.push(r.u64()?);
        }
        r.finish()?;
        let hash = header_hash(height, &parent_hash, timestamp_ms, &state_root, &batches_root);
        Ok(Self { height, parent_hash, timestamp_ms, state_root, batches_root, batch_seqs, hash })
    }
}

fn header_hash(height: u64, parent: &B256, timestamp_ms: u64, state_root: &B256, batches_root: &B256) -> B256 {
    let mut w = Writer::with_capacity(8 + 32 + 8 + 32 + 32);
    w.u64(height).b32(parent).u64(timestamp_ms).b32(state_root).b32(batches_root);
    keccak256(w.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_records_round_trip_and_name_a_foreign_version() {
        let header = BlockHeader::new(7, B256::repeat_byte(1), 99, B256::repeat_byte(2), &[vec![1, 2]], vec![11]);
        let bytes = header.encode_record();
        assert_eq!(BlockHeader::decode_record(&bytes), Ok(header.clone()));
        let mut foreign = bytes.clone();
        foreign[0] = 9;
        assert_eq!(
            BlockHeader::decode_record(&foreign).unwrap_err().to_string(),
            "header record version 9, this numo reads version 1"
        );
        for cut in 0..bytes.len() {
            assert!(BlockHeader::decode_record(&bytes[..cut]).is_err());
        }
        // The hash covers the timestamp (N5): one millisecond later is another header.
        let later = BlockHeader::new(7, header.parent_hash, 100, header.state_root, &[vec![1, 2]], vec![11]);
        assert_ne!(later.hash, header.hash);
    }
}

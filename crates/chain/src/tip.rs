//! The parent a block builds on: the last header's identity plus the venue-global counters
//! that continue across blocks (C19 `batchSeq`, the global message index).

use crate::header::BlockHeader;
use alloy_primitives::B256;

/// Where the chain stands after a block (or at genesis).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainTip {
    /// Height of the last block (0 at genesis).
    pub height: u64,
    /// Hash of the last header (the genesis root at genesis).
    pub hash: B256,
    /// Timestamp of the last block (0 at genesis): the next must not be earlier.
    pub timestamp_ms: u64,
    /// State root after the last block.
    pub state_root: B256,
    /// `batchSeq` the next batch gets (C19: venue-global, from 1).
    pub next_batch_seq: u64,
    /// Global index the next executed message gets (from 0).
    pub next_global_index: u64,
}

impl ChainTip {
    /// The tip of a fresh chain whose genesis state has root `genesis_root`.
    pub const fn genesis(genesis_root: B256) -> Self {
        Self {
            height: 0,
            hash: genesis_root,
            timestamp_ms: 0,
            state_root: genesis_root,
            next_batch_seq: 1,
            next_global_index: 0,
        }
    }

    /// The tip after `header`, with the counters that followed it.
    pub fn after(header: &BlockHeader, next_batch_seq: u64, next_global_index: u64) -> Self {
        Self {
            height: header.height,
            hash: header.hash,
            timestamp_ms: header.timestamp_ms,
            state_root: header.state_root,
            next_batch_seq,
            next_global_index,
        }
    }
}

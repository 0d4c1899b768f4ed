//! A proposal: what a proposer offers as the next block — its height, its time and its ordered
//! entries (docs/PROTOCOL.md §10.2). The block function turns it into a block; the node stores it
//! so anyone can replay the chain from genesis.

use crate::entry::{Entry, EntryError};
use numo_core::codec::{DecodeError, Reader, Writer};

/// Version byte of [`Proposal::encode`].
pub const PROPOSAL_RECORD_VERSION: u8 = 1;

/// The input of one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// Height of the block to make (parent height + 1).
    pub height: u64,
    /// Block time, Unix ms, chosen by the proposer (validators will bound its drift); never
    /// earlier than the parent's. It is every batch's `batchTimestamp` (C19).
    pub timestamp_ms: u64,
    /// The entries, in the order the proposer fixed.
    pub entries: Vec<Entry>,
}

/// Why proposal bytes were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProposalDecodeError {
    /// Written by another format version.
    #[error("proposal record version {found}, this numo reads version {expected}")]
    Version {
        /// Version byte found.
        found: u8,
        /// [`PROPOSAL_RECORD_VERSION`].
        expected: u8,
    },
    /// The framing around the entries is malformed.
    #[error("malformed proposal: {0}")]
    Malformed(#[from] DecodeError),
    /// Entry `index` does not decode.
    #[error("entry {index}: {error}")]
    Entry {
        /// Position in the proposal.
        index: usize,
        /// Why.
        error: EntryError,
    },
}

impl Proposal {
    /// `U8 version ‖ U64 height ‖ U64 timestampMs ‖ U32 n ‖ n × (U32 len ‖ entry)`. Each entry
    /// is length-prefixed so a reader can frame entries of kinds it does not execute.
    pub fn encode(&self) -> Vec<u8> {
        let len: usize = self.entries.iter().map(|e| 4 + e.encoded_len()).sum();
        let mut w = Writer::with_capacity(1 + 8 + 8 + 4 + len);
        w.u8(PROPOSAL_RECORD_VERSION).u64(self.height).u64(self.timestamp_ms).u32(self.entries.len() as u32);
        for entry in &self.entries {
            w.u32(entry.encoded_len() as u32);
            entry.write(&mut w);
        }
        w.into_bytes()
    }

    /// Strict inverse of [`Proposal::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, ProposalDecodeError> {
        let mut r = Reader::new(bytes);
        let version = r.u8()?;
        if version != PROPOSAL_RECORD_VERSION {
            return Err(ProposalDecodeError::Version { found: version, expected: PROPOSAL_RECORD_VERSION });
        }
        let (height, timestamp_ms) = (r.u64()?, r.u64()?);
        let count = r.u32()? as usize;
        let mut entries = Vec::with_capacity(count.min(r.remaining() / 4));
        for index in 0..count {
            let len = r.u32()? as usize;
            let entry = Entry::decode(r.take(len)?).map_err(|error| ProposalDecodeError::Entry { index, error })?;
            entries.push(entry);
        }
        r.finish()?;
        Ok(Self { height, timestamp_ms, entries })
    }
}

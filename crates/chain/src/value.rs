//! The block value consensus decides (docs/PROTOCOL.md K1): the parent's hash and a proposal.
//! Binding the parent makes a value meaningful on one chain only, and carries the parent's
//! state root into the next height without executing anything at proposal time.

use crate::proposal::{Proposal, ProposalDecodeError};
use alloy_primitives::{keccak256, B256};
use numo_core::codec::{DecodeError, Reader, Writer};

/// Version byte of [`BlockValue::encode`].
pub const BLOCK_VALUE_VERSION: u8 = 1;

/// What validators agree on for one height.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockValue {
    /// Hash of the parent header (the genesis root for block 1).
    pub parent_hash: B256,
    /// Height, timestamp and ordered entries.
    pub proposal: Proposal,
}

/// Why value bytes were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ValueDecodeError {
    /// Written by another format version.
    #[error("block value version {found}, this numo reads version {expected}")]
    Version {
        /// Version byte found.
        found: u8,
        /// [`BLOCK_VALUE_VERSION`].
        expected: u8,
    },
    /// The framing is malformed.
    #[error("malformed block value: {0}")]
    Malformed(#[from] DecodeError),
    /// The proposal inside does not decode.
    #[error(transparent)]
    Proposal(#[from] ProposalDecodeError),
}

impl BlockValue {
    /// `U8 version ‖ B32 parentHash ‖ proposal (N2)`.
    pub fn encode(&self) -> Vec<u8> {
        let proposal = self.proposal.encode();
        let mut w = Writer::with_capacity(1 + 32 + proposal.len());
        w.u8(BLOCK_VALUE_VERSION).b32(&self.parent_hash).bytes(&proposal);
        w.into_bytes()
    }

    /// Strict inverse of [`BlockValue::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, ValueDecodeError> {
        let mut r = Reader::new(bytes);
        let version = r.u8()?;
        if version != BLOCK_VALUE_VERSION {
            return Err(ValueDecodeError::Version { found: version, expected: BLOCK_VALUE_VERSION });
        }
        let parent_hash = r.b32()?;
        let proposal = Proposal::decode(r.take(r.remaining())?)?;
        Ok(Self { parent_hash, proposal })
    }

    /// `keccak256(value)`: the id validators vote for (K1).
    pub fn id(bytes: &[u8]) -> B256 {
        keccak256(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_refuse_other_versions_and_cuts() {
        let value = BlockValue {
            parent_hash: B256::repeat_byte(7),
            proposal: Proposal { height: 3, timestamp_ms: 1_000, entries: vec![] },
        };
        let bytes = value.encode();
        assert_eq!(bytes.len(), 1 + 32 + 1 + 8 + 8 + 4);
        assert_eq!(BlockValue::decode(&bytes), Ok(value));
        let mut foreign = bytes.clone();
        foreign[0] = 2;
        assert_eq!(BlockValue::decode(&foreign), Err(ValueDecodeError::Version { found: 2, expected: 1 }));
        for cut in 0..bytes.len() {
            assert!(BlockValue::decode(&bytes[..cut]).is_err(), "a {cut}-byte prefix must not decode");
        }
        let mut long = bytes;
        long.push(0);
        assert!(BlockValue::decode(&long).is_err());
    }
}

//! E10: the 225-byte public inputs of an EVM batch (kind 3), a system batch (phase 1) or an EVM
//! block (phase 2).

use crate::limits::EVM_PUBLIC_INPUTS_LEN;
use alloc::vec::Vec;
use alloy_primitives::B256;
use numo_core::codec::{DecodeError, Reader, Writer};

/// Which EVM batch (E10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum EvmPhase {
    /// The outbox of the previous EVM block, executed at the start of an exchange block (E7).
    System = 1,
    /// An EVM block (E5).
    Block = 2,
}

impl EvmPhase {
    /// The phase of a phase byte.
    pub const fn from_u8(byte: u8) -> Option<Self> {
        match byte {
            1 => Some(EvmPhase::System),
            2 => Some(EvmPhase::Block),
            _ => None,
        }
    }

    /// Short stable name.
    pub const fn name(self) -> &'static str {
        match self {
            EvmPhase::System => "system",
            EvmPhase::Block => "block",
        }
    }
}

/// `U8 phase ‖ U64 chainId ‖ U64 height ‖ U64 batchSeq ‖ prevRoot ‖ newRoot ‖ inputDigest ‖
/// outputDigest ‖ contextDigest ‖ touchedKeysDigest ‖ U64 count` (E10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvmPublicInputs {
    /// System batch or block.
    pub phase: EvmPhase,
    /// The venue's chain id.
    pub chain_id: u64,
    /// The exchange block's height.
    pub height: u64,
    /// Venue-global batch number (one sequence with trading and funding batches).
    pub batch_seq: u64,
    /// Root before the batch.
    pub prev_root: B256,
    /// Root after every write of the batch (for a block, after the head writes, E9).
    pub new_root: B256,
    /// Block: `keccak256(concat(txHash))` of the entries in proposal order, skipped included.
    /// System: `keccak256(outbox value)`.
    pub input_digest: B256,
    /// Block: the EVM block hash. System: the C21 `tradesRoot` of its trades.
    pub output_digest: B256,
    /// `keccak256(U64 chainId ‖ B32 venueId ‖ markets' ids and rulesHash)`.
    pub context_digest: B256,
    /// C23 digest of the batch's accesses.
    pub touched_keys_digest: B256,
    /// Block: executed transactions. System: messages.
    pub count: u64,
}

impl EvmPublicInputs {
    /// The 225-byte encoding.
    pub fn encode(&self) -> [u8; EVM_PUBLIC_INPUTS_LEN] {
        let mut w = Writer::with_capacity(EVM_PUBLIC_INPUTS_LEN);
        w.u8(self.phase as u8).u64(self.chain_id).u64(self.height).u64(self.batch_seq);
        w.b32(&self.prev_root).b32(&self.new_root).b32(&self.input_digest).b32(&self.output_digest);
        w.b32(&self.context_digest).b32(&self.touched_keys_digest).u64(self.count);
        let mut out = [0u8; EVM_PUBLIC_INPUTS_LEN];
        out.copy_from_slice(&w.into_bytes());
        out
    }

    /// The encoding as a vector.
    pub fn to_vec(&self) -> Vec<u8> {
        self.encode().to_vec()
    }

    /// Strict decode of exactly 225 bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let phase_byte = r.u8()?;
        let phase = EvmPhase::from_u8(phase_byte).ok_or(DecodeError::UnknownMessageType(phase_byte))?;
        let out = Self {
            phase,
            chain_id: r.u64()?,
            height: r.u64()?,
            batch_seq: r.u64()?,
            prev_root: r.b32()?,
            new_root: r.b32()?,
            input_digest: r.b32()?,
            output_digest: r.b32()?,
            context_digest: r.b32()?,
            touched_keys_digest: r.b32()?,
            count: r.u64()?,
        };
        r.finish()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_in_225_bytes() {
        let pi = EvmPublicInputs {
            phase: EvmPhase::Block,
            chain_id: 7357,
            height: 10,
            batch_seq: 4,
            prev_root: B256::repeat_byte(1),
            new_root: B256::repeat_byte(2),
            input_digest: B256::repeat_byte(3),
            output_digest: B256::repeat_byte(4),
            context_digest: B256::repeat_byte(5),
            touched_keys_digest: B256::repeat_byte(6),
            count: 7,
        };
        let bytes = pi.encode();
        assert_eq!(bytes.len(), 225);
        assert_eq!(EvmPublicInputs::decode(&bytes), Ok(pi));
        let mut bad = bytes;
        bad[0] = 3;
        assert!(EvmPublicInputs::decode(&bad).is_err());
        assert!(EvmPublicInputs::decode(&bytes[..224]).is_err());
    }
}

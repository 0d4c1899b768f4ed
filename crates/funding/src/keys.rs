//! Funding state (F4): the two L1 queues' heads, the withdrawal id counter and the per-owner
//! funding nonce, under their own namespaces.

use alloy_primitives::{Address, B256};
use numo_core::codec::{DecodeError, Reader, Writer};
use numo_stf::keys::namespaced_key;
use numo_stf::values::StateValue;

/// Namespace of the queue heads and the withdrawal counter (F4).
pub const NS_FUNDING: &str = "NS_FUNDING";
/// Namespace of the funding nonces (F4).
pub const NS_FNONCE: &str = "NS_FNONCE";

/// Material of the deposit queue's head.
pub const DEPOSIT_QUEUE: u8 = 0x01;
/// Material of the forced queue's head.
pub const FORCED_QUEUE: u8 = 0x02;
/// Material of the withdrawal id counter.
pub const WITHDRAWAL_IDS: u8 = 0x03;

/// Key of the deposit queue's head.
pub fn deposit_queue_key() -> B256 {
    namespaced_key(NS_FUNDING, &[DEPOSIT_QUEUE])
}

/// Key of the forced queue's head.
pub fn forced_queue_key() -> B256 {
    namespaced_key(NS_FUNDING, &[FORCED_QUEUE])
}

/// Key of the withdrawal id counter.
pub fn withdrawal_ids_key() -> B256 {
    namespaced_key(NS_FUNDING, &[WITHDRAWAL_IDS])
}

/// Key of `owner`'s funding nonce.
pub fn funding_nonce_key(owner: &Address) -> B256 {
    namespaced_key(NS_FNONCE, owner.as_slice())
}

/// Head of an L1 queue as numo has consumed it: `U64 nextIndex ‖ B32 acc` (40 B, F4, F5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueHead {
    /// Index of the next record to execute (= records consumed).
    pub next_index: u64,
    /// Accumulator after the consumed records (F5).
    pub acc: B256,
}

impl StateValue for QueueHead {
    const LEN: usize = 40;
    fn write(&self, w: &mut Writer) {
        w.u64(self.next_index).b32(&self.acc);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { next_index: r.u64()?, acc: r.b32()? })
    }
}

/// A `U64` counter value (8 B): the next withdrawal id, or an owner's next funding nonce.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counter(pub u64);

impl StateValue for Counter {
    const LEN: usize = 8;
    fn write(&self, w: &mut Writer) {
        w.u64(self.0);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self(r.u64()?))
    }
}

//! The execution engines behind the block function's one dispatch on the entry kind
//! ([`crate::entry::EntryKind`]). Each engine gets its entries in proposal order and returns
//! the batches it made; the block function assigns nothing itself but the header.
//!
//! [`funding`] (deposits, withdrawals, forced withdrawals: F8) runs first, then [`clob`]
//! (Place/Cancel, per-market batches of C19), then [`evm`]'s block at every 10th height; the
//! system batch of the EVM outbox (E7) runs before all of them.

pub mod clob;
pub mod evm;
pub mod funding;

use crate::block::DroppedBatch;
use alloy_primitives::B256;
use std::collections::BTreeMap;

/// What an engine did with a block's entries of its kind.
#[derive(Debug)]
pub struct EngineResult<B> {
    /// Its batches in execution order.
    pub batches: Vec<B>,
    /// Entries that did not execute.
    pub dropped: Vec<DroppedBatch>,
    /// Every state write (`None` deletes), the last write of a key winning.
    pub writes: BTreeMap<B256, Option<Vec<u8>>>,
}

impl<B> Default for EngineResult<B> {
    fn default() -> Self {
        Self { batches: Vec::new(), dropped: Vec::new(), writes: BTreeMap::new() }
    }
}

//! Withdrawal records and their tree (F10): what a settled funding batch lets the bridge pay.
//!
//! The tree hashes pairs commutatively (`keccak256(min ‖ max)`), OpenZeppelin's
//! `MerkleProof` convention, so the bridge verifies a claim with the audited library instead of
//! a hand-written verifier; the shape (level by level, an odd level duplicating its last node)
//! is C21's.

use crate::limits::WITHDRAWAL_RECORD_LEN;
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};
use numo_core::codec::Writer;
use numo_core::hash::{keccak256, keccak_concat};

/// One withdrawal the bridge will pay once its batch is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WithdrawalRecord {
    /// Venue-global withdrawal id (the bridge's claimed-bitmap index).
    pub id: u64,
    /// L1 address paid.
    pub recipient: Address,
    /// Asset.
    pub asset_id: B256,
    /// Base units.
    pub amount: U256,
}

impl WithdrawalRecord {
    /// `U64 id ‖ ADDR recipient ‖ B32 assetId ‖ U256 amount` (92 B).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(WITHDRAWAL_RECORD_LEN);
        w.u64(self.id).address(&self.recipient).b32(&self.asset_id).u256(&self.amount);
        w.into_bytes()
    }

    /// `leaf = keccak256(record)`.
    pub fn leaf(&self) -> B256 {
        keccak256(self.encode())
    }
}

/// OpenZeppelin's commutative pair hash.
fn pair(a: &B256, b: &B256) -> B256 {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    keccak_concat(&[low.as_slice(), high.as_slice()])
}

fn next_level(level: &[B256]) -> Vec<B256> {
    level.chunks(2).map(|chunk| pair(&chunk[0], chunk.get(1).unwrap_or(&chunk[0]))).collect()
}

/// `withdrawalsRoot` of `records` in order (F10): zero when empty.
pub fn withdrawals_root(records: &[WithdrawalRecord]) -> B256 {
    let leaves: Vec<B256> = records.iter().map(WithdrawalRecord::leaf).collect();
    root_of_leaves(&leaves)
}

/// The F10 root of `leaves`.
pub fn root_of_leaves(leaves: &[B256]) -> B256 {
    if leaves.is_empty() {
        return B256::ZERO;
    }
    let mut level = leaves.to_vec();
    while level.len() > 1 {
        level = next_level(&level);
    }
    level[0]
}

/// The proof of leaf `position` (bottom-up siblings), or `None` if out of range.
pub fn withdrawal_proof(leaves: &[B256], position: usize) -> Option<Vec<B256>> {
    if position >= leaves.len() {
        return None;
    }
    let mut proof = Vec::new();
    let mut level = leaves.to_vec();
    let mut at = position;
    while level.len() > 1 {
        let sibling = at ^ 1;
        proof.push(*level.get(sibling).unwrap_or(&level[at]));
        level = next_level(&level);
        at /= 2;
    }
    Some(proof)
}

/// Folds `proof` from `leaf` as OpenZeppelin's `MerkleProof.processProof` does.
pub fn process_proof(leaf: B256, proof: &[B256]) -> B256 {
    proof.iter().fold(leaf, |node, sibling| pair(&node, sibling))
}

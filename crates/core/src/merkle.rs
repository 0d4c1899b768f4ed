//! The binary Merkle root of records (section F, C21), shared by every engine that commits to
//! a list of records (trades and fees today).

use crate::hash::{keccak256, keccak_concat};
use alloc::vec::Vec;
use alloy_primitives::B256;

/// Binary Merkle root of C21: parent `= keccak256(left ‖ right)` without prefix, an odd level
/// duplicates its last node, one leaf is its own root, no leaves give `bytes32(0)`.
pub fn merkle_root(leaves: &[B256]) -> B256 {
    if leaves.is_empty() {
        return B256::ZERO;
    }
    let mut level: Vec<B256> = leaves.to_vec();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| {
                let right = pair.get(1).unwrap_or(&pair[0]);
                keccak_concat(&[pair[0].as_slice(), right.as_slice()])
            })
            .collect();
    }
    level[0]
}

/// Leaf of a record: `keccak256(record)` (section F).
pub fn record_leaf(record: &[u8]) -> B256 {
    keccak256(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// C21's parent, spelled out over a concatenated buffer.
    fn parent(left: B256, right: B256) -> B256 {
        let mut both = left.to_vec();
        both.extend_from_slice(right.as_slice());
        keccak256(both)
    }

    fn leaves(n: u8) -> Vec<B256> {
        (1..=n).map(|i| record_leaf(&[i])).collect()
    }

    #[test]
    fn empty_and_single_leaf() {
        assert_eq!(merkle_root(&[]), B256::ZERO);
        let one = leaves(1);
        assert_eq!(merkle_root(&one), one[0]);
    }

    #[test]
    fn odd_levels_duplicate_their_last_node() {
        let l = leaves(5);
        assert_eq!(merkle_root(&l[..2]), parent(l[0], l[1]));
        let (ab, cc) = (parent(l[0], l[1]), parent(l[2], l[2]));
        assert_eq!(merkle_root(&l[..3]), parent(ab, cc));
        // Five leaves: level 1 has three nodes, so its last one is duplicated too.
        let (cd, ee) = (parent(l[2], l[3]), parent(l[4], l[4]));
        let (abcd, eeee) = (parent(ab, cd), parent(ee, ee));
        assert_eq!(merkle_root(&l), parent(abcd, eeee));
    }
}

//! A key as a path from the root (C6), and hashing up that path past empty siblings.
//!
//! Depth counts edges from the root: the root is at depth 0, leaves at depth 256. The node at
//! depth `d` chooses its child with path bit `d`, and a subtree whose top is at depth `d` has
//! height `256 - d`.

use alloy_primitives::{B256, U256};

use crate::defaults::defaults;
#[cfg(not(target_os = "zkvm"))]
use crate::node_hash;
use crate::TREE_DEPTH;

/// Bit `index` of the path: bit `index` of `key` counted from the MSB of byte 0 (C6).
/// `true` means "go right".
///
/// `index` must be below 256; callers derive it from depths of inner nodes, which are.
#[inline]
pub(crate) fn path_bit(key: &B256, index: usize) -> bool {
    debug_assert!(index < TREE_DEPTH);
    (key.0[index / 8] >> (7 - index % 8)) & 1 == 1
}

/// Number of leading path bits `a` and `b` share; 256 when they are equal.
///
/// This is the depth of the deepest node whose subtree holds both keys.
#[inline]
pub(crate) fn common_prefix_len(a: &B256, b: &B256) -> usize {
    // Keys are big-endian words; the first differing bit is the first set bit of the XOR.
    let difference = U256::from_be_bytes(a.0) ^ U256::from_be_bytes(b.0);
    difference.leading_zeros()
}

/// Hashes `hash`, the subtree hash at depth `from` on `key`'s path, up to depth `to`, taking
/// the sibling of height `h` from `sibling(h)`.
///
/// Where both children are the same default `D_h`, their parent is `D_(h+1)` by definition (C4),
/// so the hash is skipped: an absent key's path in a sparse region costs nothing.
#[inline]
#[cfg(not(target_os = "zkvm"))]
pub(crate) fn lift_with<'s>(
    mut hash: B256,
    key: &B256,
    (from, to): (usize, usize),
    sibling: impl Fn(usize) -> &'s B256,
) -> B256 {
    debug_assert!(from <= TREE_DEPTH);
    let table = defaults();
    for depth in (to + 1..=from.min(TREE_DEPTH)).rev() {
        let height = TREE_DEPTH - depth;
        let sibling = sibling(height);
        // The running hash is tested first: on a present key's path it is never a default, so
        // the sibling is not compared at all (a 32-byte compare is dear in a zkVM).
        hash = if hash == table[height] && *sibling == table[height] {
            table[height + 1]
        } else if path_bit(key, depth - 1) {
            node_hash(sibling, &hash)
        } else {
            node_hash(&hash, sibling)
        };
    }
    hash
}

/// [`lift_with`] inside the SP1 zkVM: the same function on 64-bit lanes with the keccak-f
/// precompile ([`crate::lanes`]), which the tests check against the byte-level version.
#[cfg(target_os = "zkvm")]
#[inline]
pub(crate) fn lift_with<'s>(
    hash: B256,
    key: &B256,
    range: (usize, usize),
    sibling: impl Fn(usize) -> &'s B256,
) -> B256 {
    crate::lanes::lift_with(hash, key, range, sibling, crate::lanes::sp1_permute)
}

/// [`lift_with`] past empty siblings only: how a path-compressed node turns the hash at the
/// bottom of its edge into the hash at the top, one node hash per level.
pub(crate) fn lift(hash: B256, key: &B256, from: usize, to: usize) -> B256 {
    let table = defaults();
    lift_with(hash, key, (from, to), |height| &table[height])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_bit_reads_msb_first() {
        let mut key = B256::ZERO;
        key.0[0] = 0b1000_0000;
        key.0[31] = 0b0000_0001;
        assert!(path_bit(&key, 0));
        assert!(!path_bit(&key, 1));
        assert!(path_bit(&key, 255));
        assert!(!path_bit(&key, 254));
    }

    #[test]
    fn common_prefix_len_counts_shared_bits() {
        let a = B256::ZERO;
        let mut b = B256::ZERO;
        assert_eq!(common_prefix_len(&a, &b), 256);
        b.0[31] = 1;
        assert_eq!(common_prefix_len(&a, &b), 255);
        b.0[16] = 0x40;
        assert_eq!(common_prefix_len(&a, &b), 129);
        b.0[0] = 0x80;
        assert_eq!(common_prefix_len(&a, &b), 0);
    }

    #[test]
    fn lift_of_empty_leaf_gives_defaults() {
        let key = B256::repeat_byte(0xa5);
        assert_eq!(lift(B256::ZERO, &key, 256, 0), crate::empty_root());
        assert_eq!(lift(B256::ZERO, &key, 256, 254), crate::default_hash(2));
    }
}

//! Up to eight proofs' paths hashed in lockstep, for the guest's checks on the host.
//!
//! Checking a proof (C7) lifts its leaf through 256 levels, each hash waiting for the one below.
//! Different proofs do not wait for each other, so [`lift_x8`] walks up to eight of them level by
//! level and hashes the levels that need it with one eight-lane keccak ([`node_hash_x8`]). It
//! takes the same steps as [`crate::path::lift_with`]: the same skips where both children are
//! empty defaults (C4), the same hashes, bit-for-bit the same result (tests below).
//!
//! Where eight lanes are not faster ([`worth_lanes`]: no AVX-512, `no_std`, the zkVM), callers
//! keep lifting one path at a time.

use alloy_primitives::B256;

use crate::defaults::defaults;
use crate::keccak_x8::{node_hash_x8, worth_lanes, LANES};
use crate::path::path_bit;
use crate::proof::Siblings;
use crate::{node_hash, TREE_DEPTH};

/// Whether callers should batch their lifts through [`lift_x8`] on this machine.
pub(crate) fn lockstep_pays() -> bool {
    worth_lanes(LANES)
}

/// One path to lift: the hash at depth 256 on `key`'s path (a leaf hash, or `bytes32(0)` for an
/// absent key, C3), lifted with `siblings` up to depth `to`.
#[derive(Clone, Copy)]
pub(crate) struct Climb<'c, 's> {
    /// The leaf at depth 256.
    pub(crate) leaf: B256,
    /// The key whose path bits pick the sides (C6).
    pub(crate) key: &'c B256,
    /// The proof's siblings, leaf-first (C7).
    pub(crate) siblings: &'c Siblings<'s>,
    /// The depth to stop at: the result is the subtree hash at this depth.
    pub(crate) to: usize,
}

/// The hashes at depth `climb.to` of up to eight climbs, in their order; entries past
/// `climbs.len()` are zero.
pub(crate) fn lift_x8(climbs: &[Climb<'_, '_>]) -> [B256; LANES] {
    debug_assert!(climbs.len() <= LANES);
    let climbs = &climbs[..climbs.len().min(LANES)];
    let table = defaults();
    let mut hash = [B256::ZERO; LANES];
    for (lane, climb) in climbs.iter().enumerate() {
        hash[lane] = climb.leaf;
    }
    let top = climbs.iter().map(|climb| climb.to).min().unwrap_or(TREE_DEPTH);
    let (mut left, mut right) = ([B256::ZERO; LANES], [B256::ZERO; LANES]);
    for depth in (top + 1..=TREE_DEPTH).rev() {
        let height = TREE_DEPTH - depth;
        let mut active = 0u8;
        for (lane, climb) in climbs.iter().enumerate() {
            if depth <= climb.to {
                continue;
            }
            let sibling = climb.siblings.get_ref(height);
            if hash[lane] == table[height] && *sibling == table[height] {
                hash[lane] = table[height + 1];
                continue;
            }
            (left[lane], right[lane]) =
                if path_bit(climb.key, depth - 1) { (*sibling, hash[lane]) } else { (hash[lane], *sibling) };
            active |= 1 << lane;
        }
        if worth_lanes(active.count_ones() as usize) {
            let out = node_hash_x8(&left, &right, active);
            for lane in (0..LANES).filter(|lane| active & (1 << lane) != 0) {
                hash[lane] = out[lane];
            }
        } else {
            for lane in (0..LANES).filter(|lane| active & (1 << lane) != 0) {
                hash[lane] = node_hash(&left[lane], &right[lane]);
            }
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use proptest::prelude::*;

    use super::*;
    use crate::default_hash;
    use crate::proof::lift_with_siblings;

    /// Siblings that are defaults but for a few random ones, the shape of real proofs.
    fn siblings() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec((0usize..TREE_DEPTH, any::<[u8; 32]>()), 0..12).prop_map(|filled| {
            let mut words: Vec<B256> = (0..TREE_DEPTH).map(default_hash).collect();
            for (height, word) in filled {
                words[height] = B256::new(word);
            }
            words.iter().flat_map(|word| word.0).collect()
        })
    }

    fn climb() -> impl Strategy<Value = ([u8; 32], [u8; 32], Vec<u8>, usize)> {
        let leaf = prop_oneof![Just([0u8; 32]), any::<[u8; 32]>()];
        (any::<[u8; 32]>(), leaf, siblings(), 0usize..=TREE_DEPTH)
    }

    proptest! {
        /// Each lane gives what lifting its path alone gives, whatever the other lanes hold and
        /// wherever they stop.
        #[test]
        fn lanes_equal_single_lifts(climbs in proptest::collection::vec(climb(), 0..=LANES)) {
            let keys: Vec<B256> = climbs.iter().map(|c| B256::new(c.0)).collect();
            let lists: Vec<Siblings<'_>> = climbs.iter().map(|c| Siblings::from_bytes(&c.2).unwrap()).collect();
            let input: Vec<Climb<'_, '_>> = climbs
                .iter()
                .enumerate()
                .map(|(i, c)| Climb { leaf: B256::new(c.1), key: &keys[i], siblings: &lists[i], to: c.3 })
                .collect();
            let lifted = lift_x8(&input);
            for (lane, climb) in input.iter().enumerate() {
                let alone = lift_with_siblings(climb.leaf, climb.key, climb.siblings, TREE_DEPTH, climb.to);
                prop_assert_eq!(lifted[lane], alone, "lane {}", lane);
            }
            prop_assert!(lifted[input.len()..].iter().all(|hash| *hash == B256::ZERO));
        }
    }
}

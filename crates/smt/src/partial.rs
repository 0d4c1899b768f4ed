//! The guest's view of the state: only the proven keys, re-rootable after writes.
//!
//! Each proven key keeps its current leaf and its proof's siblings, borrowed from the input
//! blob (C22). The root is recomputed as a multiproof over the sorted keys: where keys part ways
//! their two subtree hashes are combined, and above that the shared path is hashed once with
//! siblings from any of their proofs. Those siblings hold no proven key, so writes never change
//! them, and every proof verified against one root agrees on them.
//!
//! Proofs of keys that were only read (or written back unchanged) cost nothing at re-rooting:
//! a subtree without a changed leaf still has its proven hash, which is the sibling that the
//! keys on the other side of the split carry. So `root` hashes only the paths of changed keys.

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use alloy_primitives::B256;

use crate::keccak_x8::LANES;
use crate::lift_x8::{lift_x8, lockstep_pays, Climb};
use crate::path::{common_prefix_len, path_bit};
use crate::proof::lift_with_siblings;
use crate::{compute_root, default_hash, leaf_hash, node_hash, Siblings, TREE_DEPTH};

/// Why a [`PartialTree`] refused a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartialTreeError {
    /// The proof does not lead to the tree's proven root for this key and value: a wrong value,
    /// a wrong absence claim (C3), or tampered siblings.
    ProofMismatch {
        /// The key whose proof failed.
        key: B256,
    },
    /// The key was already proven; a second proof could only repeat or contradict the first.
    DuplicateKey {
        /// The key proven twice.
        key: B256,
    },
    /// A write to a key with no proof: its siblings are unknown, so the root cannot follow.
    UnprovenKey {
        /// The key written.
        key: B256,
    },
}

impl fmt::Display for PartialTreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ProofMismatch { key } => write!(f, "proof for key {key} does not match the root"),
            Self::DuplicateKey { key } => write!(f, "key {key} is already proven"),
            Self::UnprovenKey { key } => write!(f, "key {key} was written without a proof"),
        }
    }
}

impl core::error::Error for PartialTreeError {}

/// One proven key: its current leaf (`bytes32(0)` when absent, C3) and its proof's siblings.
#[derive(Clone, Copy, Debug)]
struct ProvenLeaf<'a> {
    key: B256,
    leaf: B256,
    siblings: Siblings<'a>,
    /// Whether `leaf` may differ from the proven leaf; `false` guarantees it does not.
    changed: bool,
}

/// Partial tree for the guest: built from proofs against a known root, writable only at
/// proven keys, and re-rootable.
///
/// A key proven absent can be inserted, a present one deleted (C3). Nothing here panics on
/// any input, and nothing needs std.
#[derive(Clone, Debug)]
pub struct PartialTree<'a> {
    /// The root every added proof must lead to: the state before any write.
    proven_root: B256,
    /// Sorted by key, keys unique.
    leaves: Vec<ProvenLeaf<'a>>,
}

impl<'a> PartialTree<'a> {
    /// A partial tree of the state with root `root`, with no key proven yet.
    pub fn new(root: B256) -> Self {
        Self { proven_root: root, leaves: Vec::new() }
    }

    /// Adds `key`'s proof: `value_hash` (C5) or `None` for absence (C3), and its siblings (C7),
    /// checked against the root given to [`PartialTree::new`], even after writes.
    ///
    /// Proofs added in key order (as the guest input has them, C22) are appended in O(1).
    pub fn add_proof(
        &mut self,
        key: B256,
        value_hash: Option<B256>,
        siblings: Siblings<'a>,
    ) -> Result<(), PartialTreeError> {
        let leaf = value_hash.map_or(B256::ZERO, |value_hash| leaf_hash(&key, &value_hash));
        let root = compute_root(&key, &leaf, &siblings);
        self.insert_checked(key, leaf, siblings, root)
    }

    /// Adds proofs as [`PartialTree::add_proof`] would, one after the other: all of them, or up
    /// to the first one refused, with that refusal.
    ///
    /// On a host with AVX-512 the proofs are checked eight at a time (`lift_x8.rs`): the
    /// same hashes, several times faster. Elsewhere (and in the zkVM) this is the plain loop,
    /// with nothing buffered.
    pub fn add_proofs(
        &mut self,
        proofs: impl IntoIterator<Item = (B256, Option<B256>, Siblings<'a>)>,
    ) -> Result<(), PartialTreeError> {
        let mut proofs = proofs.into_iter();
        if !lockstep_pays() {
            return proofs.try_for_each(|(key, value_hash, siblings)| self.add_proof(key, value_hash, siblings));
        }
        let mut chunk: Vec<(B256, B256, Siblings<'a>)> = Vec::with_capacity(LANES);
        loop {
            chunk.clear();
            chunk.extend(proofs.by_ref().take(LANES).map(|(key, value_hash, siblings)| {
                (key, value_hash.map_or(B256::ZERO, |value_hash| leaf_hash(&key, &value_hash)), siblings)
            }));
            if chunk.is_empty() {
                return Ok(());
            }
            let climbs: Vec<Climb<'_, 'a>> =
                chunk.iter().map(|(key, leaf, siblings)| Climb { leaf: *leaf, key, siblings, to: 0 }).collect();
            let roots = lift_x8(&climbs);
            for ((key, leaf, siblings), root) in chunk.iter().zip(roots) {
                self.insert_checked(*key, *leaf, *siblings, root)?;
            }
        }
    }

    /// Keeps `key`'s proof, whose leaf `leaf` lifts to `root`, if the key is new and `root` is
    /// the proven root.
    fn insert_checked(
        &mut self,
        key: B256,
        leaf: B256,
        siblings: Siblings<'a>,
        root: B256,
    ) -> Result<(), PartialTreeError> {
        let Err(position) = self.position(&key) else {
            return Err(PartialTreeError::DuplicateKey { key });
        };
        if root != self.proven_root {
            return Err(PartialTreeError::ProofMismatch { key });
        }
        let proven = ProvenLeaf { key, leaf, siblings, changed: false };
        self.leaves.insert(position, proven);
        Ok(())
    }

    /// Whether `key` has a proof, so [`PartialTree::set`] accepts it.
    pub fn is_proven(&self, key: &B256) -> bool {
        self.position(key).is_ok()
    }

    /// Number of proven keys.
    pub fn len(&self) -> usize {
        self.leaves.len()
    }

    /// Whether no key is proven yet.
    pub fn is_empty(&self) -> bool {
        self.leaves.is_empty()
    }

    /// Writes `key`'s value hash (C5), or deletes it with `None` (C3). The key must be proven.
    pub fn set(&mut self, key: &B256, value_hash: Option<B256>) -> Result<(), PartialTreeError> {
        let Ok(position) = self.position(key) else {
            return Err(PartialTreeError::UnprovenKey { key: *key });
        };
        let leaf = value_hash.map_or(B256::ZERO, |value_hash| leaf_hash(key, &value_hash));
        if let Some(proven) = self.leaves.get_mut(position) {
            proven.changed |= proven.leaf != leaf;
            proven.leaf = leaf;
        }
        Ok(())
    }

    /// The root after the writes so far: the proven root until a leaf changes.
    ///
    /// Hashes each level of each changed key's path once, levels shared by several changed keys
    /// once for all; unchanged proven keys cost nothing.
    pub fn root(&self) -> B256 {
        if !any_changed(&self.leaves) {
            return self.proven_root;
        }
        let lone = lockstep_pays().then(|| self.lone_paths());
        changed_subtree_hash(0, &self.leaves, lone.as_deref())
    }

    /// For each changed leaf, its lone path lifted in lockstep eight at a time: the hash at the
    /// depth just below where it parts from its nearest proven neighbour, which is where the
    /// re-rooting recursion finds it alone. Unchanged leaves get an entry that is never used.
    fn lone_paths(&self) -> Vec<Lone> {
        let leaves = &self.leaves;
        // Keys are sorted and unique: the longest prefix a key shares with another is with a
        // neighbour, and it is below 256.
        let shared = |i: usize, j: usize| common_prefix_len(&leaves[i].key, &leaves[j].key).min(TREE_DEPTH - 1);
        let depth = |i: usize| {
            let before = i.checked_sub(1).map(|j| shared(j, i) + 1);
            let after = (i + 1 < leaves.len()).then(|| shared(i, i + 1) + 1);
            before.max(after).unwrap_or(0)
        };
        let changed: Vec<usize> = (0..leaves.len()).filter(|&i| leaves[i].changed).collect();
        let mut lone = vec![Lone { hash: B256::ZERO, depth: usize::MAX }; leaves.len()];
        for chunk in changed.chunks(LANES) {
            let climbs: Vec<Climb<'_, 'a>> = chunk
                .iter()
                .map(|&i| Climb {
                    leaf: leaves[i].leaf,
                    key: &leaves[i].key,
                    siblings: &leaves[i].siblings,
                    to: depth(i),
                })
                .collect();
            for (climb, (&i, hash)) in climbs.iter().zip(chunk.iter().zip(lift_x8(&climbs))) {
                lone[i] = Lone { hash, depth: climb.to };
            }
        }
        lone
    }

    /// Where `key` is, or would go, in the sorted leaves.
    fn position(&self, key: &B256) -> Result<usize, usize> {
        // Appending in key order is the common case: check the end before searching.
        match self.leaves.last() {
            Some(last) if last.key < *key => Err(self.leaves.len()),
            _ => self.leaves.binary_search_by(|proven| proven.key.cmp(key)),
        }
    }
}

/// Whether some leaf of `leaves` changed since it was proven.
fn any_changed(leaves: &[ProvenLeaf<'_>]) -> bool {
    leaves.iter().any(|proven| proven.changed)
}

/// A changed leaf's path lifted ahead of the recursion: the subtree hash at `depth`.
#[derive(Clone, Copy)]
struct Lone {
    hash: B256,
    depth: usize,
}

/// Hash at `depth` of the subtree holding `leaves`, which share path bits `0..depth` and
/// include a changed leaf. `lone`, when given, runs alongside `leaves` with their paths lifted
/// ahead ([`PartialTree::lone_paths`]); one is used only where it stops at the depth asked.
///
/// Never called with no leaves; answers the empty default then rather than panic.
fn changed_subtree_hash(depth: usize, leaves: &[ProvenLeaf<'_>], lone: Option<&[Lone]>) -> B256 {
    let (first, last) = match leaves {
        [] => return default_hash(TREE_DEPTH.saturating_sub(depth)),
        [only] => {
            return match lone {
                Some([ahead]) if ahead.depth == depth => ahead.hash,
                _ => lift_with_siblings(only.leaf, &only.key, &only.siblings, TREE_DEPTH, depth),
            }
        }
        [first, .., last] => (first, last),
    };
    // Keys are unique, so they differ before bit 256; `min` keeps the index in range.
    let split = common_prefix_len(&first.key, &last.key).min(TREE_DEPTH - 1);
    let middle = leaves.partition_point(|l| !path_bit(&l.key, split));
    let (left, right) = leaves.split_at(middle);
    let (lone_left, lone_right) = match lone {
        Some(lone) if lone.len() == leaves.len() => {
            let (l, r) = lone.split_at(middle);
            (Some(l), Some(r))
        }
        _ => (None, None),
    };
    let hash = node_hash(&side_hash(split, left, right, lone_left), &side_hash(split, right, left, lone_right));
    lift_with_siblings(hash, &first.key, &first.siblings, split, depth)
}

/// Hash at `split + 1` of the side holding `leaves`: recomputed when one of them changed,
/// else read from the proof of a key on the `other` side, whose sibling it is (C7).
fn side_hash(split: usize, leaves: &[ProvenLeaf<'_>], other: &[ProvenLeaf<'_>], lone: Option<&[Lone]>) -> B256 {
    match other.first() {
        Some(other) if !any_changed(leaves) => other.siblings.get(TREE_DEPTH - 1 - split),
        _ => changed_subtree_hash(split + 1, leaves, lone),
    }
}

#[cfg(all(test, feature = "std"))]
mod cost_tests {
    use alloc::vec::Vec;

    use alloy_primitives::keccak256;

    use super::*;
    use crate::hash::counter::hashes_in;
    use crate::{Proof, SparseMerkleTree};

    /// 300 present keys, 100 of them proven, plus 10 absent keys proven.
    fn proven() -> (SparseMerkleTree, Vec<(B256, Option<B256>, Proof)>) {
        let key = |i: u32| keccak256(i.to_be_bytes());
        let tree: SparseMerkleTree = (0..300).map(|i| (key(i), key(i))).collect();
        let present = (0..100).map(|i| (key(i), Some(key(i))));
        let absent = (1000..1010).map(|i| (key(i), None));
        let proofs = present.chain(absent).map(|(k, v)| (k, v, tree.prove(&k))).collect();
        (tree, proofs)
    }

    fn partial<'a>(root: B256, proofs: &'a [(B256, Option<B256>, Proof)]) -> PartialTree<'a> {
        let mut partial = PartialTree::new(root);
        for (key, value, proof) in proofs {
            partial.add_proof(*key, *value, proof.siblings()).unwrap();
        }
        partial
    }

    #[test]
    fn unchanged_proofs_cost_nothing_at_rerooting() {
        let (tree, proofs) = proven();
        let mut partial = partial(tree.root(), &proofs);
        for (key, value, _) in &proofs[..50] {
            partial.set(key, *value).unwrap();
        }
        assert_eq!(hashes_in(|| assert_eq!(partial.root(), tree.root())), 0);
    }

    #[test]
    fn rerooting_hashes_only_changed_paths() {
        let (mut tree, proofs) = proven();
        let mut partial = partial(tree.root(), &proofs);
        let (changed, _, _) = &proofs[7];
        partial.set(changed, None).unwrap();
        tree.insert(*changed, None);
        let cost = hashes_in(|| assert_eq!(partial.root(), tree.root()));
        assert!(cost <= 256, "{cost}");
        let (inserted, _, _) = &proofs[105];
        partial.set(inserted, Some(B256::ZERO)).unwrap();
        tree.insert(*inserted, Some(B256::ZERO));
        let cost = hashes_in(|| assert_eq!(partial.root(), tree.root()));
        assert!(cost <= 2 * 256, "{cost}");
    }
}

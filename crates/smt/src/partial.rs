//! The guest's view of the state: only the proven keys, re-rootable after writes.
//!
//! Each proven key keeps its current leaf and its proof's siblings, borrowed from the input
//! blob (C22). The root is recomputed as a multiproof over the sorted keys: where keys part ways
//! their two subtree hashes are combined, and above that the shared path is hashed once with
//! siblings from any of their proofs. Those siblings hold no proven key, so writes never change
//! them, and every proof verified against one root agrees on them.

use alloc::vec::Vec;
use core::fmt;

use alloy_primitives::B256;

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
        Self {
            proven_root: root,
            leaves: Vec::new(),
        }
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
        let Err(position) = self.position(&key) else {
            return Err(PartialTreeError::DuplicateKey { key });
        };
        let leaf = value_hash.map_or(B256::ZERO, |value_hash| leaf_hash(&key, &value_hash));
        if compute_root(&key, &leaf, &siblings) != self.proven_root {
            return Err(PartialTreeError::ProofMismatch { key });
        }
        self.leaves.insert(
            position,
            ProvenLeaf {
                key,
                leaf,
                siblings,
            },
        );
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
            proven.leaf = leaf;
        }
        Ok(())
    }

    /// The root after the writes so far; the proven root when no key is proven.
    ///
    /// Hashes each level of each proven key's path once, shared levels once for all.
    pub fn root(&self) -> B256 {
        if self.leaves.is_empty() {
            return self.proven_root;
        }
        subtree_hash(0, &self.leaves)
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

/// Hash at `depth` of the subtree holding `leaves`, which share path bits `0..depth`.
///
/// Never called with no leaves; answers the empty default then rather than panic.
fn subtree_hash(depth: usize, leaves: &[ProvenLeaf<'_>]) -> B256 {
    match leaves {
        [] => default_hash(TREE_DEPTH.saturating_sub(depth)),
        [only] => lift_with_siblings(only.leaf, &only.key, &only.siblings, TREE_DEPTH, depth),
        [first, .., last] => {
            // Keys are unique, so they differ before bit 256; `min` keeps the index in range.
            let split = common_prefix_len(&first.key, &last.key).min(TREE_DEPTH - 1);
            let (left, right) =
                leaves.split_at(leaves.partition_point(|l| !path_bit(&l.key, split)));
            let hash = node_hash(
                &subtree_hash(split + 1, left),
                &subtree_hash(split + 1, right),
            );
            lift_with_siblings(hash, &first.key, &first.siblings, split, depth)
        }
    }
}

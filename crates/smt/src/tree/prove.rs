//! Proofs out of the full tree, for present and absent keys alike (C7).

use alloc::vec::Vec;

use alloy_primitives::B256;

use super::node::Node;
use super::SparseMerkleTree;
use crate::defaults::defaults;
use crate::path::{common_prefix_len, path_bit};
use crate::{Proof, TREE_DEPTH};

impl SparseMerkleTree {
    /// Proof for `key`: its 256 leaf-first siblings (C7). For an absent key it proves absence
    /// (leaf `bytes32(0)`, C3).
    ///
    /// Branches above the point where `key` leaves the tree give their cached tops; the subtree
    /// it leaves gives its hash at that point (a few hashes); every other sibling is a default.
    pub fn prove(&self, key: &B256) -> Proof {
        let mut siblings = [B256::ZERO; TREE_DEPTH];
        siblings.copy_from_slice(&defaults()[..TREE_DEPTH]);
        for (height, sibling) in self.prove_sparse(key) {
            siblings[usize::from(height)] = sibling;
        }
        Proof::from_siblings(&siblings)
    }

    /// The siblings of [`SparseMerkleTree::prove`] that are not the default of their height, as
    /// `(height, sibling)` in ascending height (leaf-first, C7); every other sibling is
    /// [`crate::default_hash`]`(height)`. About log2(keys) entries instead of 256 words, for
    /// writers of compact witnesses.
    pub fn prove_sparse(&self, key: &B256) -> Vec<(u16, B256)> {
        let mut siblings = Vec::new();
        // Where `key` leaves the stored paths; 256 when present.
        let exit = self.root.walk(key).map_or(0, |leaf| common_prefix_len(key, &leaf.key));
        let mut node = &self.root;
        while let Node::Branch(branch) = node {
            let depth = usize::from(branch.depth);
            if depth >= exit {
                break;
            }
            let right = path_bit(key, depth);
            let (next, other) = if right { (&branch.right, &branch.left) } else { (&branch.left, &branch.right) };
            siblings.push(((TREE_DEPTH - 1 - depth) as u16, other.top(depth + 1)));
            node = next;
        }
        if exit < TREE_DEPTH && !node.is_empty() {
            siblings.push(((TREE_DEPTH - 1 - exit) as u16, node.hash_at(exit + 1)));
        }
        siblings.reverse();
        siblings
    }
}

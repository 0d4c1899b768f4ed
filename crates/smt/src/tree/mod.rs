//! The full tree (host side): every present key, path-compressed, with its root cached.

#[cfg(all(test, feature = "std"))]
mod cost_tests;
mod node;
mod prove;
mod refresh;
mod snapshot;
mod update;

use alloy_primitives::B256;

use self::node::Node;
pub use self::snapshot::SnapshotError;
pub use self::update::Update;
use crate::TREE_DEPTH;

/// The full depth-256 sparse Merkle tree of section A, as the host keeps it.
///
/// It maps each present key to its leaf hash; values are not stored. Storage is
/// path-compressed (Patricia): only leaves and the branch points between them exist, each with
/// its subtree hash cached, so memory is O(keys) (≈202 bytes per key, 224 with malloc's
/// rounding, at a million keys) while the root is that of the full 2^256-leaf tree with empty
/// subtrees at their defaults (C4).
///
/// Writing a key costs its leaf hash plus one node hash per level (257), the spec's floor;
/// [`SparseMerkleTree::update_batch`] hashes levels shared by several keys once.
#[derive(Default)]
pub struct SparseMerkleTree {
    root: Node,
    len: usize,
}

impl SparseMerkleTree {
    /// The empty tree, whose root is [`crate::empty_root`] (C4).
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of present keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no key is present (the root is then [`crate::empty_root`]).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The state root, cached: O(1).
    pub fn root(&self) -> B256 {
        self.root.top(0)
    }

    /// Sets `key`'s value hash (C5), or deletes the key with `None` (C3). Costs 257 hashes for
    /// an existing key; a new key may cost a few more to split an existing edge.
    pub fn insert(&mut self, key: B256, value_hash: Option<B256>) {
        self.update_batch(&mut [(key, value_hash)]);
    }

    /// Applies many writes at once; `None` deletes (C3). When a key appears more than once the
    /// last write wins, as if the writes were inserted in order.
    ///
    /// Sorts `updates` in place (their order afterwards is unspecified). Nodes above several
    /// updated keys are hashed once, and the written leaves' paths eight at a time where the
    /// CPU has AVX-512 (`keccak_x8`); with feature `parallel`, on two rayon threads.
    pub fn update_batch(&mut self, updates: &mut [Update]) {
        let kept = update::sort_and_dedup(updates);
        let delta = update::apply(&mut self.root, (0, 0), &updates[..kept], None);
        refresh::refresh(&mut self.root);
        self.len = self.len.checked_add_signed(delta).expect("a batch removes only present keys");
        debug_assert_eq!(self.root.is_empty(), self.len == 0);
    }

    /// Whether `key` is present.
    pub fn contains(&self, key: &B256) -> bool {
        self.leaf_hash(key).is_some()
    }

    /// The leaf hash stored for `key` (section A), `None` when absent (C3).
    pub fn leaf_hash(&self, key: &B256) -> Option<B256> {
        self.root.walk(key).filter(|leaf| leaf.key == *key).map(|leaf| leaf.hash)
    }
}

impl core::fmt::Debug for SparseMerkleTree {
    /// Summary only: a full dump of a million keys helps nobody.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SparseMerkleTree").field("len", &self.len).field("root", &self.root()).finish()
    }
}

impl FromIterator<(B256, B256)> for SparseMerkleTree {
    /// Builds a tree from `(key, value hash)` pairs in one batch; later duplicates win.
    fn from_iter<I: IntoIterator<Item = (B256, B256)>>(pairs: I) -> Self {
        let mut updates: alloc::vec::Vec<Update> =
            pairs.into_iter().map(|(key, value_hash)| (key, Some(value_hash))).collect();
        let mut tree = Self::new();
        tree.update_batch(&mut updates);
        tree
    }
}

/// Keeps `TREE_DEPTH` in sync with what a `u8` branch depth can hold.
const _: () = assert!(TREE_DEPTH - 1 <= u8::MAX as usize);

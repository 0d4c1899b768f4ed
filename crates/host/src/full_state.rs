//! The complete state of a venue on the host: every value by key plus the path-compressed
//! tree over them, so roots and proofs are always at hand.

use alloy_primitives::{keccak256, B256};
use numo_core::{State, StateError};
use numo_smt::{leaf_hash, Proof, SparseMerkleTree};
use std::collections::BTreeMap;

/// All key-value pairs (C3: absent keys are not stored) and their sparse Merkle tree.
#[derive(Default)]
pub struct FullState {
    values: BTreeMap<B256, Vec<u8>>,
    tree: SparseMerkleTree,
}

impl FullState {
    /// The empty state (root `D256`).
    pub fn new() -> Self {
        Self::default()
    }

    /// A state holding `entries`; empty values are skipped (C3).
    pub fn from_entries(entries: impl IntoIterator<Item = (B256, Vec<u8>)>) -> Self {
        let mut state = Self::new();
        state.apply(entries.into_iter().map(|(key, value)| (key, Some(value))).collect());
        state
    }

    /// A state from stored leaves and a tree snapshot taken before `dirty` keys were written:
    /// the dirty keys are re-applied, then every leaf hash of the tree is checked against its
    /// value (one keccak per key instead of 257), so a stale or foreign snapshot is refused.
    pub fn restore(
        entries: impl IntoIterator<Item = (B256, Vec<u8>)>,
        mut tree: SparseMerkleTree,
        dirty: &[B256],
    ) -> Result<Self, String> {
        let values: BTreeMap<B256, Vec<u8>> = entries.into_iter().collect();
        let mut updates: Vec<_> = dirty.iter().map(|key| (*key, values.get(key).map(keccak256))).collect();
        tree.update_batch(&mut updates);
        if tree.len() != values.len() {
            return Err(format!("tree has {} keys, state has {}", tree.len(), values.len()));
        }
        for ((key, leaf), (value_key, value)) in tree.leaves().zip(&values) {
            if key != *value_key || leaf != leaf_hash(&key, &keccak256(value)) {
                return Err(format!("tree leaf {key} does not match the stored value"));
            }
        }
        Ok(Self { values, tree })
    }

    /// The tree, for snapshots.
    pub fn tree(&self) -> &SparseMerkleTree {
        &self.tree
    }

    /// The state root (section A).
    pub fn root(&self) -> B256 {
        self.tree.root()
    }

    /// Number of stored keys.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no key is stored.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value of `key`.
    pub fn value(&self, key: &B256) -> Option<&[u8]> {
        self.values.get(key).map(Vec::as_slice)
    }

    /// Every entry in key order.
    pub fn entries(&self) -> impl Iterator<Item = (&B256, &Vec<u8>)> {
        self.values.iter()
    }

    /// Proof of `key` (present or absent) against the current root.
    pub fn prove(&self, key: &B256) -> Proof {
        self.tree.prove(key)
    }

    /// Applies a batch of writes (`None` or an empty value deletes, C3) and updates the tree
    /// once, so shared upper levels are hashed once per batch.
    pub fn apply(&mut self, writes: BTreeMap<B256, Option<Vec<u8>>>) {
        let mut updates = Vec::with_capacity(writes.len());
        for (key, value) in writes {
            match value.filter(|v| !v.is_empty()) {
                Some(value) => {
                    updates.push((key, Some(keccak256(&value))));
                    self.values.insert(key, value);
                }
                None => {
                    updates.push((key, None));
                    self.values.remove(&key);
                }
            }
        }
        self.tree.update_batch(&mut updates);
    }
}

impl State for FullState {
    fn get(&mut self, key: &B256) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.values.get(key).cloned())
    }

    fn put(&mut self, key: B256, value: Option<Vec<u8>>) -> Result<(), StateError> {
        self.apply(BTreeMap::from([(key, value)]));
        Ok(())
    }
}

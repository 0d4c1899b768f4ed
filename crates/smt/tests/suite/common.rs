//! Shared helpers: a naive reference root, key and update generators, vector loading.

use std::collections::BTreeMap;
use std::path::PathBuf;

use numo_smt::{leaf_hash, node_hash, SparseMerkleTree, Update, B256};
use proptest::prelude::*;

/// A logical state: key -> value hash (C5). Absent keys are simply not in the map (C3).
pub(crate) type State = BTreeMap<B256, B256>;

/// Empty-subtree hashes computed here from the spec text (C4), not taken from the crate.
fn reference_defaults() -> Vec<B256> {
    let mut table = vec![B256::ZERO];
    for height in 0..256 {
        table.push(node_hash(&table[height], &table[height]));
    }
    table
}

/// Bit `index` of `key`, MSB of byte 0 first (C6).
fn bit(key: &B256, index: usize) -> bool {
    key[index / 8] & (0x80 >> (index % 8)) != 0
}

/// Root of `state` by plain recursion over every level of the full tree (section A).
pub(crate) fn reference_root(state: &State) -> B256 {
    let leaves: Vec<(B256, B256)> = state.iter().map(|(key, value)| (*key, leaf_hash(key, value))).collect();
    reference_subtree(&reference_defaults(), 0, &leaves)
}

fn reference_subtree(defaults: &[B256], depth: usize, leaves: &[(B256, B256)]) -> B256 {
    match leaves {
        [] => defaults[256 - depth],
        [(_, leaf)] if depth == 256 => *leaf,
        _ => {
            let cut = leaves.iter().take_while(|(key, _)| !bit(key, depth)).count();
            let (left, right) = leaves.split_at(cut);
            node_hash(&reference_subtree(defaults, depth + 1, left), &reference_subtree(defaults, depth + 1, right))
        }
    }
}

/// Applies writes to a logical state in order (C3: `None` deletes).
pub(crate) fn apply_to_state(state: &mut State, updates: &[Update]) {
    for (key, value) in updates {
        match value {
            Some(value) => state.insert(*key, *value),
            None => state.remove(key),
        };
    }
}

/// A tree holding exactly `state`, built by single inserts.
pub(crate) fn tree_of(state: &State) -> SparseMerkleTree {
    let mut tree = SparseMerkleTree::new();
    for (key, value) in state {
        tree.insert(*key, Some(*value));
    }
    tree
}

/// Keys with a random number of leading zero bytes, so that paths split anywhere from the root
/// down to bit 255, not only near the root as uniform keys do.
pub(crate) fn key() -> impl Strategy<Value = B256> {
    (any::<[u8; 32]>(), 0usize..=32).prop_map(|(mut bytes, zeros)| {
        bytes[..zeros].fill(0);
        B256::from(bytes)
    })
}

/// A value hash; any 32 bytes will do, the tree never looks inside.
pub(crate) fn value_hash() -> impl Strategy<Value = B256> {
    any::<[u8; 32]>().prop_map(B256::from)
}

/// Uniform keys, as real keys (keccak outputs, C2) are: balanced splits near the root, which
/// is where the parallel path of `update_batch` kicks in.
pub(crate) fn uniform_key() -> impl Strategy<Value = B256> {
    any::<[u8; 32]>().prop_map(B256::from)
}

/// A state of up to `max` keys.
pub(crate) fn state(max: usize) -> impl Strategy<Value = State> {
    prop::collection::btree_map(key(), value_hash(), 0..=max)
}

/// Up to `max` writes, a quarter of them deletes, half to keys of `state` so that updates and
/// deletes of present keys are common.
pub(crate) fn updates_for<K>(state: &State, keys: K, max: usize) -> BoxedStrategy<Vec<Update>>
where
    K: Strategy<Value = B256> + 'static,
{
    let present: Vec<B256> = state.keys().copied().collect();
    let target =
        if present.is_empty() { keys.boxed() } else { prop_oneof![keys, prop::sample::select(present)].boxed() };
    let write = prop::option::weighted(0.75, value_hash());
    prop::collection::vec((target, write), 0..=max).boxed()
}

/// A state of up to `max_keys` keys and up to `max_updates` writes to apply to it.
pub(crate) fn state_and_updates(max_keys: usize, max_updates: usize) -> impl Strategy<Value = (State, Vec<Update>)> {
    state(max_keys).prop_flat_map(move |state| {
        let updates = updates_for(&state, key(), max_updates);
        (Just(state), updates)
    })
}

/// As [`state_and_updates`], with uniform keys.
pub(crate) fn uniform_state_and_updates(
    max_keys: usize,
    max_updates: usize,
) -> impl Strategy<Value = (State, Vec<Update>)> {
    prop::collection::btree_map(uniform_key(), value_hash(), 0..=max_keys).prop_flat_map(move |state| {
        let updates = updates_for(&state, uniform_key(), max_updates);
        (Just(state), updates)
    })
}

/// `shared/spec/vectors`, next to the repository (`/work/shared` beside `/work/<checkout>`).
pub(crate) fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/vectors")
}

/// A vector file, parsed.
pub(crate) fn load_json(relative: &str) -> serde_json::Value {
    let path = vectors_dir().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text).expect("vector files are JSON")
}

/// A `0x`-hex field as bytes.
pub(crate) fn hex_bytes(value: &serde_json::Value) -> Vec<u8> {
    let text = value.as_str().expect("hex fields are strings");
    alloy_primitives::hex::decode(text).expect("hex fields are valid hex")
}

/// A `0x`-hex field as 32 bytes.
pub(crate) fn hex_b256(value: &serde_json::Value) -> B256 {
    B256::from_slice(&hex_bytes(value))
}

//! The spec vectors: `encodings.json` field `smt`, and the roots of the batch states.

use numo_smt::{
    default_hash, empty_root, keccak256, leaf_hash, verify, PartialTree, Proof, SparseMerkleTree, B256, TREE_DEPTH,
};
use serde_json::Value;

use crate::common::{hex_b256, hex_bytes, load_json, reference_root, State};

fn smt_vectors() -> Value {
    load_json("encodings.json")["smt"].clone()
}

/// `entries` of a vector as a state: value hash = keccak256(value bytes) (C5).
fn state_of(entries: &Value) -> State {
    let entries = entries.as_array().expect("entries is a list");
    entries.iter().map(|entry| (hex_b256(&entry["key"]), keccak256(hex_bytes(&entry["value"])))).collect()
}

/// A vector's `siblingsLeafFirst` as a proof (C7).
fn proof_of(vector: &Value) -> Proof {
    let words = vector["siblingsLeafFirst"].as_array().expect("siblings list");
    let siblings: Vec<B256> = words.iter().map(hex_b256).collect();
    Proof::from_siblings(&siblings.try_into().expect("256 siblings"))
}

#[test]
fn default_hashes_match() {
    let vectors = smt_vectors();
    assert_eq!(default_hash(0), B256::ZERO);
    assert_eq!(default_hash(1), hex_b256(&vectors["D1"]));
    assert_eq!(default_hash(2), hex_b256(&vectors["D2"]));
    assert_eq!(default_hash(256), hex_b256(&vectors["D256"]));
    assert_eq!(empty_root(), hex_b256(&vectors["emptyRoot"]));
    assert_eq!(SparseMerkleTree::new().root(), empty_root());
}

#[test]
fn one_key_tree_matches() {
    let vector = &smt_vectors()["oneKeyTree"];
    let state = state_of(&vector["entries"]);
    let (key, value_hash) = state.iter().next().expect("one entry");
    assert_eq!(leaf_hash(key, value_hash), hex_b256(&vector["leafHash"]));
    let mut tree = SparseMerkleTree::new();
    tree.insert(*key, Some(*value_hash));
    assert_eq!(tree.root(), hex_b256(&vector["root"]));
}

#[test]
fn three_key_tree_root_and_proofs_match() {
    let vector = &smt_vectors()["threeKeyTree"];
    let state = state_of(&vector["entries"]);
    let root = hex_b256(&vector["root"]);
    let tree: SparseMerkleTree = state.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(tree.root(), root);
    assert_eq!(reference_root(&state), root);

    let presence = &vector["proofOfPresence"];
    let key = hex_b256(&presence["key"]);
    let value_hash = keccak256(hex_bytes(&presence["value"]));
    assert_eq!(tree.prove(&key), proof_of(presence));
    assert!(verify(&root, &key, Some(&value_hash), &proof_of(presence).siblings()));

    let absence = &vector["proofOfAbsence"];
    let key = hex_b256(&absence["key"]);
    assert_eq!(tree.prove(&key), proof_of(absence));
    assert!(verify(&root, &key, None, &proof_of(absence).siblings()));
}

const BATCHES: [&str; 3] = [
    "batches/batch_1_plain_cross.json",
    "batches/batch_2_rejects_and_cancel.json",
    "batches/batch_3_multifill_fees_hints.json",
];

#[test]
fn batch_state_roots_match() {
    for file in BATCHES {
        let batch = load_json(file);
        for side in ["preState", "postState"] {
            let state = state_of(&batch[side]["entries"]);
            let tree: SparseMerkleTree = state.iter().map(|(k, v)| (*k, *v)).collect();
            assert_eq!(tree.root(), hex_b256(&batch[side]["root"]), "{file} {side}");
        }
    }
}

/// The guest's path: prove every key of pre and post state against the pre root, write the
/// post values (deleting what disappeared), and land on the post root.
#[test]
fn batch_transitions_replay_in_a_partial_tree() {
    for file in BATCHES {
        let batch = load_json(file);
        let pre = state_of(&batch["preState"]["entries"]);
        let post = state_of(&batch["postState"]["entries"]);
        let tree: SparseMerkleTree = pre.iter().map(|(k, v)| (*k, *v)).collect();
        let keys: Vec<B256> = pre.keys().chain(post.keys()).copied().collect();
        let proofs: Vec<(B256, Proof)> = keys.iter().map(|key| (*key, tree.prove(key))).collect();

        let mut partial = PartialTree::new(tree.root());
        for (key, proof) in &proofs {
            if !partial.is_proven(key) {
                partial.add_proof(*key, pre.get(key).copied(), proof.siblings()).expect(file);
            }
        }
        for key in &keys {
            partial.set(key, post.get(key).copied()).expect(file);
        }
        assert_eq!(partial.root(), hex_b256(&batch["postState"]["root"]), "{file}");
        assert_eq!(partial.len(), keys.len() - pre.keys().filter(|k| post.contains_key(*k)).count());
    }
}

#[test]
fn tree_depth_is_key_bits() {
    assert_eq!(TREE_DEPTH, 8 * B256::len_bytes());
}

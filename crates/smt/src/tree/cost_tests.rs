//! Costs in hashes, counted: the spec's floor for a write is 257 (1 leaf + 256 node hashes).
//! Run with `--nocapture` to see the averages.

use alloc::vec::Vec;

use alloy_primitives::{keccak256, B256};

use super::SparseMerkleTree;
use crate::hash::counter::hashes_in;

const KEYS: u64 = 2_000;
const PROBES: u64 = 200;

/// Distinct uniform keys, as keccak outputs are (C2).
fn keys(salt: u64, count: u64) -> Vec<B256> {
    (0..count).map(|i| keccak256([salt.to_be_bytes(), i.to_be_bytes()].concat())).collect()
}

fn tree() -> SparseMerkleTree {
    keys(0, KEYS).into_iter().map(|key| (key, key)).collect()
}

/// Average hashes of `operation` over `probes` keys.
fn average(probes: &[B256], mut operation: impl FnMut(B256)) -> f64 {
    let total: u64 = probes.iter().map(|key| hashes_in(|| operation(*key))).sum();
    total as f64 / probes.len() as f64
}

#[test]
fn updating_a_present_key_costs_exactly_the_floor() {
    let mut tree = tree();
    for key in keys(0, PROBES) {
        assert_eq!(hashes_in(|| tree.insert(key, Some(B256::ZERO))), 257);
    }
}

#[test]
fn inserting_a_new_key_costs_little_more_than_the_floor() {
    let mut tree = tree();
    let cost = average(&keys(1, PROBES), |key| tree.insert(key, Some(key)));
    std::println!("new key insert: {cost:.1} hashes on average ({KEYS} keys)");
    assert!((257.0..257.0 + 16.0).contains(&cost), "{cost}");
}

/// The deleted leaf's path turns into defaults, its sibling's edge grows upward (usually one
/// hash), and only the levels above the old branch are rehashed: about log2(keys), not 257.
#[test]
fn deleting_a_key_costs_the_levels_above_it() {
    let mut tree = tree();
    let cost = average(&keys(0, PROBES), |key| tree.insert(key, None));
    std::println!("delete: {cost:.1} hashes on average ({KEYS} keys)");
    assert!(cost < 11.0 + 8.0, "{cost}");
}

#[test]
fn proofs_of_absent_keys_cost_a_few_hashes() {
    let tree = tree();
    let cost = average(&keys(1, PROBES), |key| drop(tree.prove(&key)));
    std::println!("absence proof: {cost:.1} hashes on average ({KEYS} keys)");
    assert!(cost < 16.0, "{cost}");
    assert_eq!(average(&keys(0, PROBES), |key| drop(tree.prove(&key))), 0.0);
}

/// A batch hashes the levels its keys share once: fewer hashes per key than single inserts.
#[test]
fn batches_share_upper_levels() {
    let mut tree = tree();
    let mut updates: Vec<_> = keys(0, 500).into_iter().map(|key| (key, Some(B256::ZERO))).collect();
    // One worker thread, so that every hash is counted on the thread that counts.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let cost = pool.install(|| hashes_in(|| tree.update_batch(&mut updates))) as f64 / 500.0;
    std::println!("batch of 500 present keys: {cost:.1} hashes per key ({KEYS} keys)");
    assert!(cost < 257.0 - 7.0, "{cost}");
}

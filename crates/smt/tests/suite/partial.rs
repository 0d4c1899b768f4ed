//! `PartialTree`: proofs in, writes at proven keys, the same root as the full tree.

use std::collections::BTreeSet;

use numo_smt::{PartialTree, PartialTreeError, Proof, SparseMerkleTree, Update, B256};
use proptest::prelude::*;

use crate::common::{key, state, tree_of, updates_for, value_hash, State};

/// A state, writes to it, and extra keys to prove without writing them.
fn scenario() -> impl Strategy<Value = (State, Vec<Update>, Vec<B256>)> {
    state(30).prop_flat_map(|state| {
        let updates = updates_for(&state, key(), 30);
        let bystanders = prop::collection::vec(key(), 0..8);
        (Just(state), updates, bystanders)
    })
}

/// Proofs for `keys` out of `tree`, in the order given.
fn proofs(tree: &SparseMerkleTree, keys: &BTreeSet<B256>) -> Vec<(B256, Proof)> {
    keys.iter().map(|key| (*key, tree.prove(key))).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Inserts of keys proven absent, deletes of present ones, overwrites: the partial tree
    /// follows the full tree.
    #[test]
    fn matches_full_tree(
        (state, updates, bystanders) in scenario(),
        reversed in any::<bool>(),
        batched in any::<bool>(),
    ) {
        let mut tree = tree_of(&state);
        let keys: BTreeSet<B256> = updates.iter().map(|u| u.0).chain(bystanders).collect();
        let mut proofs = proofs(&tree, &keys);
        if reversed {
            proofs.reverse();
        }
        let mut partial = PartialTree::new(tree.root());
        if batched {
            let all: Vec<_> = proofs.iter().map(|(key, proof)| (*key, state.get(key).copied(), proof.siblings())).collect();
            partial.add_proofs(all).unwrap();
        } else {
            for (key, proof) in &proofs {
                partial.add_proof(*key, state.get(key).copied(), proof.siblings()).unwrap();
            }
        }
        prop_assert_eq!(partial.root(), tree.root());
        for (key, value) in &updates {
            partial.set(key, *value).unwrap();
            tree.insert(*key, *value);
        }
        prop_assert_eq!(partial.root(), tree.root());
        prop_assert_eq!(partial.len(), keys.len());
    }

    #[test]
    fn rejects_a_tampered_sibling(
        state in state(20),
        target in key(),
        index in 0usize..256,
        flip in 1u8..=255,
    ) {
        let tree = tree_of(&state);
        let mut bytes = tree.prove(&target).to_bytes();
        bytes[index * 32] ^= flip;
        let siblings = numo_smt::Siblings::from_bytes(&bytes).unwrap();
        let mut partial = PartialTree::new(tree.root());
        let result = partial.add_proof(target, state.get(&target).copied(), siblings);
        prop_assert_eq!(result, Err(PartialTreeError::ProofMismatch { key: target }));
        prop_assert!(!partial.is_proven(&target));
    }

    #[test]
    fn rejects_a_wrong_value(state in state(20), target in key(), wrong in value_hash()) {
        let tree = tree_of(&state);
        let proof = tree.prove(&target);
        let claimed = match state.get(&target) {
            Some(value) if *value == wrong => None,
            Some(_) | None => Some(wrong),
        };
        let mut partial = PartialTree::new(tree.root());
        let result = partial.add_proof(target, claimed, proof.siblings());
        prop_assert_eq!(result, Err(PartialTreeError::ProofMismatch { key: target }));
    }
}

#[test]
fn rejects_duplicate_and_unproven_keys() {
    let (key, value) = (B256::repeat_byte(1), B256::repeat_byte(2));
    let tree = tree_of(&[(key, value)].into());
    let proof = tree.prove(&key);
    let mut partial = PartialTree::new(tree.root());
    partial.add_proof(key, Some(value), proof.siblings()).unwrap();
    assert_eq!(partial.add_proof(key, Some(value), proof.siblings()), Err(PartialTreeError::DuplicateKey { key }));
    let other = B256::repeat_byte(3);
    assert_eq!(partial.set(&other, None), Err(PartialTreeError::UnprovenKey { key: other }));
    assert!(partial.is_proven(&key) && !partial.is_proven(&other));
    assert_eq!(partial.root(), tree.root());
}

/// Proofs are checked against the root given to `new`, even after writes.
#[test]
fn proofs_added_after_writes_check_the_original_root() {
    let state: State =
        [(B256::repeat_byte(1), B256::repeat_byte(2)), (B256::repeat_byte(0x81), B256::repeat_byte(3))].into();
    let mut tree = tree_of(&state);
    let (first, second) = (B256::repeat_byte(1), B256::repeat_byte(0x81));
    let (first_proof, second_proof) = (tree.prove(&first), tree.prove(&second));
    let mut partial = PartialTree::new(tree.root());
    partial.add_proof(first, state.get(&first).copied(), first_proof.siblings()).unwrap();
    partial.set(&first, None).unwrap();
    partial.add_proof(second, state.get(&second).copied(), second_proof.siblings()).unwrap();
    tree.insert(first, None);
    assert_eq!(partial.root(), tree.root());
}

#[test]
fn no_proofs_keeps_the_root() {
    let root = B256::repeat_byte(0x42);
    let partial = PartialTree::new(root);
    assert!(partial.is_empty());
    assert_eq!(partial.root(), root);
}

#[test]
fn errors_name_the_key() {
    let key = B256::repeat_byte(0xab);
    let message = PartialTreeError::UnprovenKey { key }.to_string();
    assert!(message.contains(&key.to_string()), "{message}");
    let _: &dyn std::error::Error = &PartialTreeError::DuplicateKey { key };
}

/// 8192 arbitrary bytes, from a short seed: proofs no tree produced.
fn arbitrary_siblings() -> impl Strategy<Value = Vec<u8>> {
    any::<[u8; 32]>().prop_map(|seed| {
        (0u16..256).flat_map(|i| numo_smt::keccak256([&seed[..], &i.to_be_bytes()].concat()).0).collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the input, calls answer (never panic), and one accepted proof re-roots like
    /// `compute_root` with its siblings.
    #[test]
    fn arbitrary_proofs_never_panic(
        key in key(),
        other in key(),
        siblings in arbitrary_siblings(),
        bad in arbitrary_siblings(),
        value in prop::option::of(value_hash()),
        written in prop::option::of(value_hash()),
    ) {
        let siblings = numo_smt::Siblings::from_bytes(&siblings).unwrap();
        let leaf = |value: Option<B256>| value.map_or(B256::ZERO, |v| numo_smt::leaf_hash(&key, &v));
        let root = numo_smt::compute_root(&key, &leaf(value), &siblings);
        let mut partial = PartialTree::new(root);
        prop_assert_eq!(partial.add_proof(key, value, siblings), Ok(()));
        if other != key {
            let bad = numo_smt::Siblings::from_bytes(&bad).unwrap();
            prop_assert!(partial.add_proof(other, value, bad).is_err());
            prop_assert!(partial.set(&other, written).is_err());
        }
        partial.set(&key, written).unwrap();
        prop_assert_eq!(partial.root(), numo_smt::compute_root(&key, &leaf(written), &siblings));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `add_proofs` keeps and refuses exactly what `add_proof` one by one does: the same first
    /// refusal (a tampered sibling, a wrong value, a repeated key), the same keys kept before
    /// it, the same root after writes.
    #[test]
    fn add_proofs_equals_add_proof_one_by_one(
        state in state(30),
        extra in prop::collection::vec(key(), 0..20),
        tamper in prop::option::of((any::<prop::sample::Index>(), 0usize..256, 1u8..=255)),
        wrong_value in prop::option::of((any::<prop::sample::Index>(), value_hash())),
        repeat in prop::option::of((any::<prop::sample::Index>(), any::<prop::sample::Index>())),
        written in prop::option::of(value_hash()),
    ) {
        let tree = tree_of(&state);
        let keys: BTreeSet<B256> = state.keys().copied().chain(extra).collect();
        let mut items: Vec<(B256, Option<B256>, Vec<u8>)> =
            keys.iter().map(|key| (*key, state.get(key).copied(), tree.prove(key).to_bytes())).collect();
        // (With no key at all there is nothing to tamper with: both ways must accept nothing.)
        if let (Some((at, word, flip)), false) = (tamper, items.is_empty()) {
            let item = at.index(items.len());
            items[item].2[word * 32] ^= flip;
        }
        if let (Some((at, value)), false) = (wrong_value, items.is_empty()) {
            let item = at.index(items.len());
            items[item].1 = if items[item].1 == Some(value) { None } else { Some(value) };
        }
        if let (Some((from, to)), false) = (repeat, items.is_empty()) {
            let copy = items[from.index(items.len())].clone();
            items.insert(to.index(items.len() + 1), copy);
        }
        let proofs: Vec<_> =
            items.iter().map(|(key, value, bytes)| (*key, *value, numo_smt::Siblings::from_bytes(bytes).unwrap())).collect();

        let mut one_by_one = PartialTree::new(tree.root());
        let expected = proofs.iter().try_for_each(|(key, value, siblings)| one_by_one.add_proof(*key, *value, *siblings));
        let mut batched = PartialTree::new(tree.root());
        prop_assert_eq!(batched.add_proofs(proofs.iter().copied()), expected);
        prop_assert_eq!(batched.len(), one_by_one.len());
        for key in &keys {
            prop_assert_eq!(batched.is_proven(key), one_by_one.is_proven(key));
            if one_by_one.is_proven(key) {
                one_by_one.set(key, written).unwrap();
                batched.set(key, written).unwrap();
            }
        }
        prop_assert_eq!(batched.root(), one_by_one.root());
    }
}

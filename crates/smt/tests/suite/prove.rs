//! `prove`, `verify`, `compute_root` and the proof encodings (C7).

use numo_smt::{compute_root, leaf_hash, verify, Proof, Siblings, B256, SIBLINGS_BYTES};
use proptest::prelude::*;

use crate::common::{key, state, tree_of, value_hash};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn present_keys_prove_their_value(state in state(30), wrong in value_hash()) {
        let tree = tree_of(&state);
        let root = tree.root();
        for (key, value) in &state {
            let proof = tree.prove(key);
            let siblings = proof.siblings();
            prop_assert!(verify(&root, key, Some(value), &siblings));
            prop_assert_eq!(compute_root(key, &leaf_hash(key, value), &siblings), root);
            prop_assert!(!verify(&root, key, None, &siblings));
            if wrong != *value {
                prop_assert!(!verify(&root, key, Some(&wrong), &siblings));
            }
        }
    }

    #[test]
    fn absent_keys_prove_absence(state in state(30), absent in key(), value in value_hash()) {
        prop_assume!(!state.contains_key(&absent));
        let tree = tree_of(&state);
        let proof = tree.prove(&absent);
        prop_assert!(verify(&tree.root(), &absent, None, &proof.siblings()));
        prop_assert!(!verify(&tree.root(), &absent, Some(&value), &proof.siblings()));
    }

    /// A proof is bound to its key: it does not verify another present key's value.
    #[test]
    fn proofs_do_not_transfer_between_keys(state in state(20)) {
        let tree = tree_of(&state);
        let entries: Vec<_> = state.iter().collect();
        for pair in entries.windows(2) {
            let ((key, _), (other, other_value)) = (pair[0], pair[1]);
            prop_assert!(!verify(&tree.root(), other, Some(other_value), &tree.prove(key).siblings()));
        }
    }
}

#[test]
fn proof_bytes_round_trip() {
    let tree = tree_of(&[(B256::repeat_byte(1), B256::repeat_byte(2))].into());
    let proof = tree.prove(&B256::repeat_byte(3));
    let bytes = proof.to_bytes();
    assert_eq!(bytes.len(), SIBLINGS_BYTES);
    assert_eq!(Proof::from_bytes(&bytes), Some(proof.clone()));
    let view = Siblings::from_bytes(&bytes).expect("8192 bytes");
    assert_eq!(view.as_bytes(), &bytes[..]);
    assert_eq!(view, proof.siblings());
    for index in 0..256 {
        assert_eq!(view.get(index), B256::from_slice(&bytes[index * 32..index * 32 + 32]));
    }
}

#[test]
fn wrong_sizes_are_refused() {
    let bytes = vec![0u8; SIBLINGS_BYTES + 1];
    assert!(Siblings::from_bytes(&bytes).is_none());
    assert!(Siblings::from_bytes(&bytes[..SIBLINGS_BYTES - 1]).is_none());
    assert!(Proof::from_bytes(&bytes).is_none());
    assert!(Siblings::from_bytes(&bytes[..SIBLINGS_BYTES]).is_some());
}

/// The empty tree proves every key absent with all-default siblings (C4).
#[test]
fn empty_tree_proofs_are_defaults() {
    let tree = numo_smt::SparseMerkleTree::new();
    let proof = tree.prove(&B256::repeat_byte(0xee));
    for height in 0..256 {
        assert_eq!(proof.siblings().get(height), numo_smt::default_hash(height));
    }
    assert!(verify(&numo_smt::empty_root(), &B256::repeat_byte(0xee), None, &proof.siblings()));
}

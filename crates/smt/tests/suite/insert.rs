//! `insert`, `contains`, `len`, `root`: single writes against the reference root.

use numo_smt::{empty_root, SparseMerkleTree, B256};
use proptest::prelude::*;

use crate::common::{apply_to_state, reference_root, state, state_and_updates, tree_of, State};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn root_matches_reference(state in state(40)) {
        let tree = tree_of(&state);
        prop_assert_eq!(tree.root(), reference_root(&state));
        prop_assert_eq!(tree.len(), state.len());
    }

    /// Writes and deletes in any order end at the root of the final state (C3: history
    /// independence), and at the same root as building that state from scratch.
    #[test]
    fn history_independent((initial, updates) in state_and_updates(30, 60)) {
        let mut tree = tree_of(&initial);
        let mut state = initial;
        for update in &updates {
            tree.insert(update.0, update.1);
            apply_to_state(&mut state, std::slice::from_ref(update));
            prop_assert_eq!(tree.len(), state.len());
        }
        prop_assert_eq!(tree.root(), tree_of(&state).root());
        prop_assert_eq!(tree.root(), reference_root(&state));
        for key in state.keys() {
            prop_assert!(tree.contains(key));
        }
        for (key, _) in &updates {
            prop_assert_eq!(tree.contains(key), state.contains_key(key));
        }
    }

    #[test]
    fn deleting_every_key_empties_the_tree(state in state(30)) {
        let mut tree = tree_of(&state);
        for key in state.keys().rev() {
            tree.insert(*key, None);
        }
        prop_assert!(tree.is_empty());
        prop_assert_eq!(tree.root(), empty_root());
    }
}

#[test]
fn deleting_an_absent_key_changes_nothing() {
    let state: State = [(B256::repeat_byte(1), B256::repeat_byte(2))].into();
    let mut tree = tree_of(&state);
    let root = tree.root();
    tree.insert(B256::repeat_byte(3), None);
    tree.insert(B256::ZERO, None);
    assert_eq!(tree.root(), root);
    assert_eq!(tree.len(), 1);
}

/// Keys differing only in the last bit hang from a branch at depth 255.
#[test]
fn neighbours_at_depth_255() {
    let mut high = B256::ZERO;
    high.0[31] = 1;
    let state: State = [(B256::ZERO, B256::repeat_byte(7)), (high, B256::repeat_byte(8))].into();
    let tree = tree_of(&state);
    assert_eq!(tree.root(), reference_root(&state));
    let mut tree = tree;
    tree.insert(high, None);
    assert_eq!(tree.root(), reference_root(&[(B256::ZERO, B256::repeat_byte(7))].into()));
}

#[test]
fn overwriting_restores_earlier_root() {
    let mut tree = SparseMerkleTree::new();
    let key = B256::repeat_byte(9);
    tree.insert(key, Some(B256::repeat_byte(1)));
    let root = tree.root();
    tree.insert(key, Some(B256::repeat_byte(2)));
    assert_ne!(tree.root(), root);
    tree.insert(key, Some(B256::repeat_byte(1)));
    assert_eq!(tree.root(), root);
    assert_eq!(tree.leaf_hash(&key), Some(numo_smt::leaf_hash(&key, &B256::repeat_byte(1))));
}

//! `update_batch`: the same result as inserting one by one, in any thread count.

use numo_smt::{SparseMerkleTree, Update, B256};
use proptest::prelude::*;

use crate::common::{apply_to_state, reference_root, state_and_updates, tree_of, uniform_state_and_updates};

/// Runs `work` on a rayon pool of `threads` threads.
fn on_threads<R: Send>(threads: usize, work: impl FnOnce() -> R + Send) -> R {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
    pool.install(work)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Duplicate keys included: the last write wins, as with sequential inserts.
    #[test]
    fn batch_equals_sequential_inserts((initial, updates) in state_and_updates(40, 80)) {
        let mut sequential = tree_of(&initial);
        for (key, value) in &updates {
            sequential.insert(*key, *value);
        }
        let mut batched = tree_of(&initial);
        batched.update_batch(&mut updates.clone());
        let mut state = initial;
        apply_to_state(&mut state, &updates);
        prop_assert_eq!(batched.root(), sequential.root());
        prop_assert_eq!(batched.root(), reference_root(&state));
        prop_assert_eq!(batched.len(), state.len());
    }

    /// Batches large enough to cross the parallel threshold on both sides of the root.
    #[test]
    fn parallel_equals_sequential((initial, updates) in uniform_state_and_updates(300, 400)) {
        let run = |threads| {
            let mut tree = SparseMerkleTree::new();
            let mut build: Vec<Update> = initial.iter().map(|(k, v)| (*k, Some(*v))).collect();
            on_threads(threads, || {
                tree.update_batch(&mut build);
                tree.update_batch(&mut updates.clone());
            });
            tree
        };
        let (one, two) = (run(1), run(2));
        let mut state = initial.clone();
        apply_to_state(&mut state, &updates);
        prop_assert_eq!(one.root(), two.root());
        prop_assert_eq!(two.root(), tree_of(&state).root());
        prop_assert_eq!(two.len(), state.len());
    }
}

#[test]
fn last_write_wins() {
    let key = B256::repeat_byte(4);
    let mut tree = SparseMerkleTree::new();
    let mut updates: Vec<Update> = vec![
        (key, Some(B256::repeat_byte(1))),
        (B256::repeat_byte(5), Some(B256::repeat_byte(1))),
        (key, None),
        (key, Some(B256::repeat_byte(2))),
    ];
    tree.update_batch(&mut updates);
    let mut expected = SparseMerkleTree::new();
    expected.insert(key, Some(B256::repeat_byte(2)));
    expected.insert(B256::repeat_byte(5), Some(B256::repeat_byte(1)));
    assert_eq!(tree.root(), expected.root());
    assert_eq!(tree.len(), 2);
}

#[test]
fn empty_batch_changes_nothing() {
    let mut tree: SparseMerkleTree = [(B256::repeat_byte(1), B256::repeat_byte(2))].into_iter().collect();
    let root = tree.root();
    tree.update_batch(&mut []);
    assert_eq!(tree.root(), root);
}

#[test]
fn batch_of_only_deletes_of_absent_keys_changes_nothing() {
    let mut tree: SparseMerkleTree = [(B256::repeat_byte(1), B256::repeat_byte(2))].into_iter().collect();
    let root = tree.root();
    tree.update_batch(&mut [(B256::repeat_byte(3), None), (B256::ZERO, None)]);
    assert_eq!(tree.root(), root);
    assert_eq!(tree.len(), 1);
}

//! Batched writes, first pass: one recursive descent over the sorted updates changes the shape
//! of the tree and marks every node on a written path stale; `refresh` then hashes them, so
//! every node above several updated keys is hashed once per batch, not once per key.
//!
//! `apply` gets a subtree and the updates whose keys share the subtree's path. It either finds
//! all updates inside the subtree's span (descend into the two children, possibly in parallel),
//! or finds that they leave the subtree's compressed edge at some depth `b` (put a new branch at
//! `b` with the old subtree on one side and the new keys on the other).

use core::mem;

use alloy_primitives::B256;

use super::node::{Branch, Leaf, Node};
use crate::leaf_hash;
use crate::path::{common_prefix_len, path_bit};

/// One write: a key and its new value hash, `None` to delete it (C3).
pub type Update = (B256, Option<B256>);

/// Sorts `updates` by key and keeps only the last write of each key; returns how many remain,
/// at the front of the slice.
pub(crate) fn sort_and_dedup(updates: &mut [Update]) -> usize {
    // Stable sort: among equal keys the caller's order survives, so "last" is well defined.
    updates.sort_by_key(|(key, _)| *key);
    let mut kept = 0;
    for index in 0..updates.len() {
        if kept > 0 && updates[kept - 1].0 == updates[index].0 {
            updates[kept - 1] = updates[index];
        } else {
            updates[kept] = updates[index];
            kept += 1;
        }
    }
    kept
}

/// Index of the first update whose path bit `depth` is 1; updates share bits `0..depth`.
fn partition(updates: &[Update], depth: usize) -> usize {
    updates.partition_point(|(key, _)| !path_bit(key, depth))
}

/// Number of updates that write a value.
fn count_writes(updates: &[Update]) -> usize {
    updates.iter().filter(|(_, value)| value.is_some()).count()
}

/// Applies sorted, deduplicated `updates` to `node`, whose top is at depth `old_top` and must end
/// at `new_top`. Every update key and every key of `node` shares path bits `0..new_top`.
/// `known` is a key of `node` if the caller has one. Returns the change in the number of keys.
pub(crate) fn apply(
    node: &mut Node,
    (old_top, new_top): (usize, usize),
    updates: &[Update],
    known: Option<B256>,
) -> isize {
    let (Some(first), Some(last)) = (updates.first(), updates.last()) else {
        node.retop(old_top, new_top);
        return 0;
    };
    let Some(path) = known.or_else(|| node.walk(&first.0).map(|leaf| leaf.key)) else {
        *node = build(updates);
        return count_writes(updates) as isize;
    };
    let span = node.span();
    let split = common_prefix_len(&first.0, &path).min(common_prefix_len(&last.0, &path));
    if split < span {
        return branch_off(node, (old_top, new_top), split, updates, path);
    }
    match node {
        Node::Branch(branch) => {
            let delta = descend(branch, updates, path);
            node.settle(new_top);
            delta
        }
        _ => {
            // A leaf spans all 256 bits: only its own key can be inside it.
            debug_assert!(updates.len() == 1 && first.0 == path);
            write_leaf(node, first.1)
        }
    }
}

/// Overwrites or deletes the key of a leaf: the leaf hash now, the 256 - top depth levels above
/// it at the refresh; a delete costs no hash.
fn write_leaf(node: &mut Node, value_hash: Option<B256>) -> isize {
    let Node::Leaf(leaf) = node else { return 0 };
    match value_hash {
        Some(value_hash) => {
            leaf.hash = leaf_hash(&leaf.key, &value_hash);
            leaf.stale = true;
            0
        }
        None => {
            *node = Node::Empty;
            -1
        }
    }
}

/// Sends the updates to the children of `branch`; `path` is a key under it.
fn descend(branch: &mut Branch, updates: &[Update], path: B256) -> isize {
    let depth = usize::from(branch.depth);
    let (left, right) = updates.split_at(partition(updates, depth));
    // `path` is under one child only: the other one has to find its own key.
    let path_right = path_bit(&path, depth);
    let left_known = (!path_right).then_some(path);
    let right_known = path_right.then_some(path);
    let below = (depth + 1, depth + 1);
    apply(&mut branch.left, below, left, left_known) + apply(&mut branch.right, below, right, right_known)
}

/// The updates leave `node`'s compressed edge at depth `split`: puts a branch there with the
/// old subtree (holding `path`) on one side and a new subtree of the other updates on the other.
fn branch_off(
    node: &mut Node,
    (old_top, new_top): (usize, usize),
    split: usize,
    updates: &[Update],
    path: B256,
) -> isize {
    let (left, right) = updates.split_at(partition(updates, split));
    let old_right = path_bit(&path, split);
    let (own, other) = if old_right { (right, left) } else { (left, right) };
    if count_writes(other) == 0 {
        // Deleting absent keys changes nothing: no branch, no hashing.
        return apply(node, (old_top, new_top), own, Some(path));
    }
    let mut old = mem::take(node);
    let old_delta = apply(&mut old, (old_top, split + 1), own, Some(path));
    let new = build(other);
    let (left, right) = if old_right { (new, old) } else { (old, new) };
    *node = Branch::new_node(split, left, right);
    node.settle(new_top);
    old_delta + count_writes(other) as isize
}

/// A new subtree holding the writes of `updates`, all of it stale; deletes are of absent keys
/// and are skipped.
pub(crate) fn build(updates: &[Update]) -> Node {
    let updates = trim_deletes(updates);
    let (first, last) = match (updates.first(), updates.last()) {
        (Some(&(key, Some(value))), _) if updates.len() == 1 => {
            return Node::Leaf(Leaf::stale(key, leaf_hash(&key, &value)));
        }
        (Some(first), Some(last)) => (first.0, last.0),
        _ => return Node::Empty,
    };
    // Trimmed and distinct: `first` and `last` both write and differ, so both sides are non-empty.
    let split = common_prefix_len(&first, &last);
    let (left, right) = updates.split_at(partition(updates, split));
    Branch::new_node(split, build(left), build(right))
}

/// `updates` without the deletes at either end, so its ends are keys that will exist.
fn trim_deletes(updates: &[Update]) -> &[Update] {
    let start = updates.iter().position(|(_, value)| value.is_some());
    let end = updates.iter().rposition(|(_, value)| value.is_some());
    match (start, end) {
        (Some(start), Some(end)) => &updates[start..=end],
        _ => &[],
    }
}

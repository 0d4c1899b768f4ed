//! Batched writes, second pass: rehash every stale node, bottom-up.
//!
//! Almost all the work of a write is its leaf's lone path: ≈240 node hashes from depth 256 up to
//! the nearest branch, each waiting for the one below. Paths of different leaves are
//! independent, so the stale leaves are collected first and climbed eight at a time
//! ([`crate::keccak_x8`]), on two threads with feature `parallel`. The stale branches above them —
//! about log2(keys) per write, shared between writes — are rehashed after that.

use alloc::vec::Vec;

use alloy_primitives::B256;

use super::node::{mid_depth_for, Leaf, Node};
use crate::defaults::defaults;
use crate::keccak_x8::{node_hash_x8, worth_lanes, LANES};
use crate::path::{lift, path_bit};
use crate::TREE_DEPTH;

/// Fewest stale leaves on *each* half for the halves to climb on two threads.
///
/// A leaf's path is ≈240 hashes (≈25 µs even eight at a time) while a `rayon::join` costs
/// about a microsecond, so 16 leaves per side lose little to it.
#[cfg(feature = "parallel")]
const PARALLEL_MIN_LEAVES: usize = 16;

/// Deepest branch whose two stale children are rehashed on two threads: the levels near the
/// root split the stale branches in halves of similar size; below them the work per branch is
/// a few hashes and not worth a thread hop.
#[cfg(feature = "parallel")]
const PARALLEL_MAX_BRANCH_DEPTH: usize = 3;

/// One stale leaf and the depth of its top.
type Climb<'a> = (&'a mut Leaf, usize);

/// Rehashes every stale node under `root`, whose top is at depth 0.
pub(crate) fn refresh(root: &mut Node) {
    if !root.is_stale() {
        return;
    }
    let mut climbs = Vec::new();
    collect(root, 0, &mut climbs);
    climb_all(&mut climbs);
    drop(climbs);
    rehash_branches(root, 0);
}

/// Every stale leaf under `node` (top at `top_depth`), with its top depth.
fn collect<'a>(node: &'a mut Node, top_depth: usize, out: &mut Vec<Climb<'a>>) {
    match node {
        Node::Leaf(leaf) if leaf.stale => out.push((leaf, top_depth)),
        Node::Branch(branch) if branch.stale => {
            let below = usize::from(branch.depth) + 1;
            collect(&mut branch.left, below, out);
            collect(&mut branch.right, below, out);
        }
        _ => {}
    }
}

/// Climbs every leaf of `climbs`, in halves on two threads when both are big enough.
fn climb_all(climbs: &mut [Climb<'_>]) {
    #[cfg(feature = "parallel")]
    if climbs.len() >= 2 * PARALLEL_MIN_LEAVES {
        let (left, right) = climbs.split_at_mut(climbs.len() / 2);
        rayon::join(|| climb_all(left), || climb_all(right));
        return;
    }
    climb_in_lanes(climbs);
}

/// One lane's climb in progress: which leaf, its hash so far, and the depth of that hash.
#[derive(Clone, Copy)]
struct Lane {
    climb: usize,
    hash: B256,
    mid: B256,
    depth: usize,
}

/// Climbs the leaves eight at a time: each lane takes the next leaf as soon as its own reaches
/// its top, so lanes stay busy until the last few leaves, which finish one by one.
fn climb_in_lanes(climbs: &mut [Climb<'_>]) {
    let mut next = 0;
    let mut lanes: [Option<Lane>; LANES] = [None; LANES];
    loop {
        for lane in lanes.iter_mut().filter(|lane| lane.is_none()) {
            *lane = start(climbs, &mut next);
        }
        let busy = lanes.iter().flatten().count();
        if !worth_lanes(busy) {
            for lane in lanes.iter().flatten() {
                finish_alone(&mut climbs[lane.climb], *lane);
            }
            while let Some(lane) = start(climbs, &mut next) {
                finish_alone(&mut climbs[lane.climb], lane);
            }
            return;
        }
        step(climbs, &mut lanes);
    }
}

/// A lane for the next leaf that needs any hashing; leaves whose top is their own depth
/// (a branch at 255 above them) are settled on the spot.
fn start(climbs: &mut [Climb<'_>], next: &mut usize) -> Option<Lane> {
    while *next < climbs.len() {
        let climb = *next;
        *next += 1;
        let (leaf, top) = &mut climbs[climb];
        if *top == TREE_DEPTH {
            leaf.set_refreshed(leaf.hash, TREE_DEPTH, leaf.hash);
            continue;
        }
        return Some(Lane { climb, hash: leaf.hash, mid: leaf.hash, depth: TREE_DEPTH });
    }
    None
}

/// Finishes one leaf's climb without lanes, from where `lane` got to.
fn finish_alone((leaf, top): &mut Climb<'_>, lane: Lane) {
    let mid_depth = mid_depth_for(*top);
    let mid = if lane.depth > mid_depth { lift(lane.hash, &leaf.key, lane.depth, mid_depth) } else { lane.mid };
    let top_hash =
        lift(if lane.depth > mid_depth { mid } else { lane.hash }, &leaf.key, lane.depth.min(mid_depth), *top);
    leaf.set_refreshed(mid, mid_depth, top_hash);
}

/// Every busy lane one level up; lanes whose leaf reached its top are freed.
fn step(climbs: &mut [Climb<'_>], lanes: &mut [Option<Lane>; LANES]) {
    let table = defaults();
    let mut left = [B256::ZERO; LANES];
    let mut right = [B256::ZERO; LANES];
    let mut active = 0u8;
    for (index, lane) in lanes.iter().enumerate() {
        let Some(lane) = lane else { continue };
        let sibling = table[TREE_DEPTH - lane.depth];
        if path_bit(&climbs[lane.climb].0.key, lane.depth - 1) {
            (left[index], right[index]) = (sibling, lane.hash);
        } else {
            (left[index], right[index]) = (lane.hash, sibling);
        }
        active |= 1 << index;
    }
    let hashes = node_hash_x8(&left, &right, active);
    for (slot, hash) in lanes.iter_mut().zip(hashes) {
        let Some(lane) = slot else { continue };
        lane.hash = hash;
        lane.depth -= 1;
        let (leaf, top) = &mut climbs[lane.climb];
        let mid_depth = mid_depth_for(*top);
        if lane.depth == mid_depth {
            lane.mid = hash;
        }
        if lane.depth == *top {
            leaf.set_refreshed(lane.mid, mid_depth, hash);
            *slot = None;
        }
    }
}

/// Rehashes the stale branches under `node` (top at `top_depth`), after their leaves; returns
/// a key under `node` when one was at hand (the lift needs a path).
fn rehash_branches(node: &mut Node, top_depth: usize) -> Option<B256> {
    match node {
        Node::Empty => None,
        Node::Leaf(leaf) => Some(leaf.key),
        Node::Branch(branch) if !branch.stale => None,
        Node::Branch(branch) => {
            let depth = usize::from(branch.depth);
            let (left, right) = (&mut branch.left, &mut branch.right);
            let both = left.is_stale() && right.is_stale();
            let (left_key, right_key) = if both && parallel_at(depth) {
                join(|| rehash_branches(left, depth + 1), || rehash_branches(right, depth + 1))
            } else {
                (rehash_branches(left, depth + 1), rehash_branches(right, depth + 1))
            };
            let key = left_key.or(right_key).or_else(|| node_key(&branch.left)).unwrap_or_default();
            branch.top = lift(branch.own_hash(), &key, depth, top_depth);
            branch.stale = false;
            Some(key)
        }
    }
}

/// Some key under a (fresh) node, found by walking it.
fn node_key(node: &Node) -> Option<B256> {
    node.walk(&B256::ZERO).map(|leaf| leaf.key)
}

/// Whether two stale children of a branch at `depth` are rehashed on two threads.
fn parallel_at(depth: usize) -> bool {
    #[cfg(feature = "parallel")]
    let parallel = depth <= PARALLEL_MAX_BRANCH_DEPTH;
    #[cfg(not(feature = "parallel"))]
    let parallel = depth > TREE_DEPTH;
    parallel
}

/// `rayon::join` with feature `parallel`, else one after the other.
fn join<A, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B)
where
    A: Send,
    B: Send,
{
    #[cfg(feature = "parallel")]
    let both = rayon::join(a, b);
    #[cfg(not(feature = "parallel"))]
    let both = (a(), b());
    both
}

//! Nodes of the path-compressed tree: only leaves and branch points are stored.
//!
//! ```text
//!  depth 0         ●            <- Branch { depth: 0 }: keys split on path bit 0
//!                 / \
//!                /   \          <- compressed edges: every sibling along them is empty (C4)
//!  depth 3      ●     \         <- Branch { depth: 3 }, top cached at depth 1
//!              / \     \
//!  depth 256  L   L     L       <- Leaf: key, leaf hash; top cached at parent depth + 1
//! ```
//!
//! Each node caches its *top*: its subtree's hash at the top of its incoming edge (depth
//! `parent.depth + 1`, or 0 for the root node). A parent then rehashes with one node hash of
//! its children's tops, so changing a key costs its leaf hash plus one hash per level: 257.
//! The depth of a top is not stored; walks know it from the parent.
//!
//! Writes are applied in two passes (see `update` and `refresh`): the first changes the shape
//! and marks every node on a written path *stale*; the second rehashes the stale nodes, the
//! leaves' lone paths eight at a time (`crate::keccak_x8`), then the branches above them.
//!
//! Leaves also cache their hash a few levels below the top (`mid`). A new key that branches off
//! a leaf's edge at depth `b` needs that leaf's hash at `b + 1`; without the cache this is
//! `255 - b` hashes from the leaf (≈235 at 1M keys), with it usually under `MID_GAP`.

use alloc::boxed::Box;
use core::mem;

use alloy_primitives::B256;

use crate::path::{lift, path_bit};
use crate::{default_hash, node_hash, TREE_DEPTH};

/// How far below a leaf's top its `mid` hash is cached when computed from the leaf.
///
/// A split at `top + i` (probability `2^-(i+1)` for random keys) costs `MID_GAP - i - 1` hashes
/// from the cache, or ≈`255 - top` without it. Counted over 2,000–4,000 uniform keys, a new-key
/// insert costs 442 hashes without the cache and 300 / 271 / 263 / 265 / 268 with a gap of
/// 2 / 4 / 8 / 12 / 16, in a batch-built tree and in one built key by key alike. The cache costs
/// 34 bytes per leaf.
pub(crate) const MID_GAP: usize = 8;

/// Depth of the `mid` cache of a leaf whose top is at `top_depth`.
pub(crate) fn mid_depth_for(top_depth: usize) -> usize {
    (top_depth + MID_GAP).min(TREE_DEPTH)
}

/// A subtree: empty, one key, or a branch point with two non-empty children.
#[derive(Default)]
pub(crate) enum Node {
    /// No keys: only the tree's root may be empty; a branch's children never are.
    #[default]
    Empty,
    /// Exactly one key.
    Leaf(Box<Leaf>),
    /// Two or more keys.
    Branch(Box<Branch>),
}

/// One present key (C3: absent keys are never stored).
pub(crate) struct Leaf {
    /// The key: its bits are the path (C6).
    pub(crate) key: B256,
    /// Leaf hash at depth 256 (section A).
    pub(crate) hash: B256,
    /// Hash at the top of the incoming edge.
    pub(crate) top: B256,
    /// Hash at depth `mid_depth`, below or at the top; saves re-hashing from the leaf on a split.
    mid: B256,
    /// Depth of `mid`; `top depth <= mid_depth <= 256`.
    mid_depth: u16,
    /// `hash` is current but `mid` and `top` are not: written since the last refresh.
    pub(crate) stale: bool,
}

/// A node with keys on both sides: the keys below it share their first `depth` bits and differ
/// at bit `depth`.
pub(crate) struct Branch {
    /// Hash at the top of the incoming edge.
    pub(crate) top: B256,
    /// Keys with path bit `depth` = 0.
    pub(crate) left: Node,
    /// Keys with path bit `depth` = 1.
    pub(crate) right: Node,
    /// Depth of this branch point, below 256 (leaves are never branch points), so a byte.
    pub(crate) depth: u8,
    /// `top` is out of date: something below changed since the last refresh.
    pub(crate) stale: bool,
}

impl Leaf {
    /// A new leaf with hash `hash`; its `mid` and `top` come with the next refresh.
    pub(crate) fn stale(key: B256, hash: B256) -> Box<Self> {
        Box::new(Self { key, hash, top: hash, mid: hash, mid_depth: 0, stale: true })
    }

    /// A leaf with every cached hash given (a decoded snapshot).
    pub(crate) fn restore(key: B256, hash: B256, top: B256, mid: B256, mid_depth: u16) -> Box<Self> {
        Box::new(Self { key, hash, top, mid, mid_depth, stale: false })
    }

    /// Sets the cached hashes computed by a refresh (`crate::keccak_x8` climbs many leaves at once).
    pub(crate) fn set_refreshed(&mut self, mid: B256, mid_depth: usize, top: B256) {
        self.mid = mid;
        self.mid_depth = mid_depth as u16;
        self.top = top;
        self.stale = false;
    }

    /// The hash cached below the top.
    pub(crate) fn mid(&self) -> &B256 {
        &self.mid
    }

    /// Depth of [`Leaf::mid`].
    pub(crate) fn mid_depth(&self) -> u16 {
        self.mid_depth
    }

    /// Recomputes `mid` and `top` from the leaf hash: 256 - `top_depth` hashes.
    pub(crate) fn rehash_from_leaf(&mut self, top_depth: usize) {
        let mid_depth = mid_depth_for(top_depth);
        let mid = lift(self.hash, &self.key, TREE_DEPTH, mid_depth);
        let top = lift(mid, &self.key, mid_depth, top_depth);
        self.set_refreshed(mid, mid_depth, top);
    }

    /// Hash at `depth`, from `mid` when it is at or below `depth`, else from the leaf.
    fn hash_at(&self, depth: usize) -> B256 {
        let mid_depth = usize::from(self.mid_depth);
        if mid_depth >= depth {
            lift(self.mid, &self.key, mid_depth, depth)
        } else {
            lift(self.hash, &self.key, TREE_DEPTH, depth)
        }
    }

    /// Moves the top down to `top_depth` (a new branch above the leaf). Refreshes `mid` when it
    /// is too high to help, so the next split is cheap again. A stale leaf waits for the refresh.
    fn lower_top(&mut self, top_depth: usize) {
        if self.stale {
            return;
        }
        if usize::from(self.mid_depth) >= top_depth {
            self.top = lift(self.mid, &self.key, usize::from(self.mid_depth), top_depth);
        } else {
            self.rehash_from_leaf(top_depth);
        }
    }
}

impl Branch {
    /// A branch at `depth` over two non-empty children; its top is set by the next refresh.
    pub(crate) fn new_node(depth: usize, left: Node, right: Node) -> Node {
        debug_assert!(depth < TREE_DEPTH);
        Node::Branch(Box::new(Self { top: B256::ZERO, left, right, depth: depth as u8, stale: true }))
    }

    /// Hash of the branch point itself, at `depth`: one node hash of the children's tops.
    pub(crate) fn own_hash(&self) -> B256 {
        let below = usize::from(self.depth) + 1;
        node_hash(&self.left.top(below), &self.right.top(below))
    }
}

impl Node {
    /// Whether the subtree holds no key.
    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Node::Empty)
    }

    /// Hash of the subtree at its top, which is at `top_depth`: the cached top, or the default
    /// of that height when empty (C4).
    pub(crate) fn top(&self, top_depth: usize) -> B256 {
        match self {
            Node::Empty => default_hash(TREE_DEPTH - top_depth),
            Node::Leaf(leaf) => leaf.top,
            Node::Branch(branch) => branch.top,
        }
    }

    /// Depth at which this subtree's keys stop sharing bits: the branch depth, 256 for a leaf.
    pub(crate) fn span(&self) -> usize {
        match self {
            Node::Empty | Node::Leaf(_) => TREE_DEPTH,
            Node::Branch(branch) => usize::from(branch.depth),
        }
    }

    /// The leaf reached by following `key`'s bits, `None` when empty. It shares with `key` every
    /// bit this subtree can tell apart, which is what the classic Patricia lookup relies on.
    pub(crate) fn walk(&self, key: &B256) -> Option<&Leaf> {
        let mut node = self;
        loop {
            match node {
                Node::Empty => return None,
                Node::Leaf(leaf) => return Some(leaf),
                Node::Branch(branch) => {
                    let right = path_bit(key, usize::from(branch.depth));
                    node = if right { &branch.right } else { &branch.left };
                }
            }
        }
    }

    /// Some key of the subtree: its bits above `span()` are the subtree's path.
    fn any_key(&self) -> Option<B256> {
        self.walk(&B256::ZERO).map(|leaf| leaf.key)
    }

    /// Hash of the subtree at `depth`, between its top and its span, computed from below.
    pub(crate) fn hash_at(&self, depth: usize) -> B256 {
        match self {
            Node::Empty => default_hash(TREE_DEPTH - depth),
            Node::Leaf(leaf) => leaf.hash_at(depth),
            Node::Branch(branch) => {
                let key = self.any_key().unwrap_or_default();
                lift(branch.own_hash(), &key, usize::from(branch.depth), depth)
            }
        }
    }

    /// Moves the cached top from depth `old` to depth `new`: up when the parent branch was
    /// removed (cheap: `old - new` hashes from the old top), down when a new branch was put above.
    /// Stale nodes are left to the refresh, which hashes them at their final depth.
    pub(crate) fn retop(&mut self, old: usize, new: usize) {
        if new == old || self.is_stale() {
            return;
        }
        let key = self.any_key().unwrap_or_default();
        match self {
            Node::Empty => {}
            Node::Leaf(leaf) if new < old => leaf.top = lift(leaf.top, &key, old, new),
            Node::Leaf(leaf) => leaf.lower_top(new),
            Node::Branch(branch) if new < old => branch.top = lift(branch.top, &key, old, new),
            Node::Branch(branch) => {
                let span = usize::from(branch.depth);
                branch.top = lift(branch.own_hash(), &key, span, new);
            }
        }
    }

    /// Whether the node's cached hashes wait for a refresh.
    pub(crate) fn is_stale(&self) -> bool {
        match self {
            Node::Empty => false,
            Node::Leaf(leaf) => leaf.stale,
            Node::Branch(branch) => branch.stale,
        }
    }

    /// After a branch's children changed: marks it stale (the refresh rehashes it), or replaces
    /// it by its only non-empty child, moved up to `top_depth` (C3: deleting keeps the tree
    /// canonical), or by nothing. Other nodes are left alone.
    pub(crate) fn settle(&mut self, top_depth: usize) {
        let Node::Branch(branch) = self else { return };
        let depth = usize::from(branch.depth);
        match (branch.left.is_empty(), branch.right.is_empty()) {
            (false, false) => branch.stale = true,
            (true, true) => *self = Node::Empty,
            (left_empty, _) => {
                let only = if left_empty { &mut branch.right } else { &mut branch.left };
                let mut only = mem::take(only);
                only.retop(depth + 1, top_depth);
                *self = only;
            }
        }
    }
}

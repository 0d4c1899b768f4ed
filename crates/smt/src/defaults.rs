//! Default hashes of empty subtrees, `D0 = 0`, `D(h+1) = NodeHash(Dh, Dh)` (C4).
//!
//! Every empty sibling on a path is one of these 257 values, so they are computed once per
//! process (257 hashes) and then read from a table. `OnceBox` works without std, so the guest
//! shares the same code.

use alloc::boxed::Box;

use alloy_primitives::B256;
use once_cell::race::OnceBox;

use crate::{node_hash, TREE_DEPTH};

/// `DEFAULTS[h]` is the hash of an empty subtree of height `h` (C4).
static DEFAULTS: OnceBox<[B256; TREE_DEPTH + 1]> = OnceBox::new();

/// Builds `D0..=D256` bottom-up; each level is the node hash of two copies of the level below.
fn compute_defaults() -> Box<[B256; TREE_DEPTH + 1]> {
    let mut table = Box::new([B256::ZERO; TREE_DEPTH + 1]);
    for height in 1..=TREE_DEPTH {
        let below = table[height - 1];
        table[height] = node_hash(&below, &below);
    }
    table
}

/// The whole table, computed on first use. Hot loops take it once instead of calling
/// [`default_hash`] per level.
#[inline]
pub(crate) fn defaults() -> &'static [B256; TREE_DEPTH + 1] {
    DEFAULTS.get_or_init(compute_defaults)
}

/// Hash of an empty subtree of height `height` (`D_height`, C4): the sibling a proof carries
/// for an empty subtree, and the hash the tree assumes wherever no key lives.
///
/// Height 0 is an absent leaf (`bytes32(0)`, C3); height 256 is the empty root.
///
/// # Panics
///
/// If `height > 256`: no subtree of a depth-256 tree is that tall.
#[inline]
pub fn default_hash(height: usize) -> B256 {
    defaults()[height]
}

/// Root of the tree with no keys, `D256` (C4): the state root before anything is written.
#[inline]
pub fn empty_root() -> B256 {
    defaults()[TREE_DEPTH]
}

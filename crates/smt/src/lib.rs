//! Commit exchange state to a depth-256 keccak sparse Merkle root (NUMO SPOT CLOB V1, section A).
//!
//! Clarifications C3–C7 close the details: absence (C3), empty subtrees (C4), value hashes (C5),
//! paths (C6) and proof order (C7).
//!
//! # Start here
//!
//! - [`SparseMerkleTree`]: the host's full tree. [`insert`](SparseMerkleTree::insert) or
//!   [`update_batch`](SparseMerkleTree::update_batch) writes, [`root`](SparseMerkleTree::root),
//!   [`prove`](SparseMerkleTree::prove).
//! - [`PartialTree`]: the guest's tree, built from [`Proof`]s against a known root, written at
//!   proven keys only, then re-rooted.
//! - [`verify`] and [`compute_root`]: check one proof, straight from borrowed [`Siblings`].
//! - [`leaf_hash`], [`node_hash`], [`default_hash`], [`empty_root`]: the hashing rules.
//!
//! # The tree
//!
//! ```text
//! depth 0                   root = D256 when empty (C4)
//!                         /       \            path bit 0 (MSB of key byte 0) picks a side (C6)
//! depth 1             n0            n1 = D255 if empty
//!                     ...           ...
//! depth 256   leaf(key) = keccak256(0x00 || key || valueHash), or bytes32(0) if absent (C3)
//! ```
//!
//! Every inner node is `keccak256(0x01 || left || right)`, so an empty subtree of height `h`
//! hashes to `D_h` (`D0 = 0`, C4). A proof lists the 256 siblings of a key's path leaf-first
//! (C7); the same proof format shows presence (leaf hash) and absence (`bytes32(0)`):
//!
//! ```
//! use numo_smt::{keccak256, verify, SparseMerkleTree, B256};
//!
//! let (key, value_hash) = (B256::repeat_byte(0x11), keccak256(b"value"));
//! let mut tree = SparseMerkleTree::new();
//! tree.insert(key, Some(value_hash));
//!
//! let proof = tree.prove(&key);
//! assert!(verify(&tree.root(), &key, Some(&value_hash), &proof.siblings()));
//! assert!(!verify(&tree.root(), &key, None, &proof.siblings()));
//!
//! let absent = B256::repeat_byte(0x22);
//! assert!(verify(&tree.root(), &absent, None, &tree.prove(&absent).siblings()));
//! ```
//!
//! # Costs
//!
//! Counted in keccak calls (unit tests in `tree/cost_tests.rs` pin them):
//!
//! - writing a present key: 257 (one leaf hash, 256 node hashes), the floor for one path;
//!   a new key ≈263, a delete ≈log2(keys) + 1;
//! - [`SparseMerkleTree::update_batch`]: levels shared by several keys once;
//! - [`SparseMerkleTree::prove`]: none for a present key, a few for an absent one;
//! - [`verify`]: up to 257, fewer where both children are empty defaults;
//! - [`PartialTree::root`]: only the paths of changed keys.
//!
//! On x86-64 hosts with AVX-512, independent paths are hashed eight at a time (one keccak-f
//! over eight states): [`SparseMerkleTree::update_batch`]'s stale paths,
//! [`PartialTree::add_proofs`]' checks and [`PartialTree::root`]'s changed paths. The count
//! of hashes is the same; only their speed differs. No other target (nor the zkVM) changes.
//!
//! The full tree holds ≈202 bytes per key (224 with malloc's rounding) at a million keys
//! (`benches/memory.rs`).
//!
//! # Feature flags
//!
//! - `std` (default): nothing but std itself; without it the crate is `no_std` + `alloc`, for
//!   the guest.
//! - `parallel` (implies `std`): [`SparseMerkleTree::update_batch`] hashes independent subtrees
//!   on rayon threads.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod defaults;
mod hash;
mod keccak_x8;
#[cfg(any(target_os = "zkvm", test))]
mod lanes;
mod lift_x8;
mod partial;
mod path;
mod proof;
mod tree;

/// The word type of keys, value hashes and roots, and the hash that makes them (C5), re-exported
/// so callers need no direct `alloy-primitives` dependency to use this crate.
pub use alloy_primitives::{keccak256, B256};

pub use crate::defaults::{default_hash, empty_root};
pub use crate::hash::{leaf_hash, node_hash};
pub use crate::partial::{PartialTree, PartialTreeError};
pub use crate::proof::{compute_root, verify, Proof, Siblings, SIBLINGS_BYTES};
pub use crate::tree::{SnapshotError, SparseMerkleTree, Update};

/// Depth of the tree: one level per bit of a 32-byte key (section A, C6).
pub const TREE_DEPTH: usize = 256;

//! Merkle proofs: 256 siblings listed leaf-first (C7), borrowed or owned, and their checks.
//!
//! A proof is the same for a present and an absent key: the leaf it proves is the leaf hash of
//! the value, or `bytes32(0)` for absence (C3). Hashing up skips levels where both children are
//! empty defaults, since their parent is the next default (C4): an absence proof in a sparse
//! tree then costs only the levels that hold keys, which matters in the guest.

use alloc::{boxed::Box, vec::Vec};
use core::fmt;

use alloy_primitives::B256;

use crate::defaults::defaults;
use crate::path::lift_with;
use crate::{leaf_hash, TREE_DEPTH};

/// Size of one word in a sibling list.
const WORD_BYTES: usize = 32;
/// Size of a serialized sibling list: 256 words, as carried in the guest input (C22).
pub const SIBLINGS_BYTES: usize = TREE_DEPTH * WORD_BYTES;

/// Borrowed view of 256 leaf-first siblings (C7), 8192 bytes, so a guest can verify straight
/// from its input blob (C22) without copying.
///
/// `get(0)` is the leaf's sibling (depth 256), `get(255)` the root's other child (depth 1).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Siblings<'a> {
    bytes: &'a [u8; SIBLINGS_BYTES],
}

impl<'a> Siblings<'a> {
    /// Views `bytes` as a sibling list; `None` unless it is exactly 8192 bytes, so a short or
    /// long blob never reaches the hashing.
    pub fn from_bytes(bytes: &'a [u8]) -> Option<Self> {
        bytes.try_into().ok().map(|bytes| Self { bytes })
    }

    /// Sibling `index`, leaf-first (C7): the sibling at depth `256 - index`, whose subtree has
    /// height `index`.
    ///
    /// # Panics
    ///
    /// If `index >= 256`.
    #[inline]
    pub fn get(&self, index: usize) -> B256 {
        *self.get_ref(index)
    }

    /// Sibling `index` borrowed from the blob, without a copy (see [`Siblings::get`]).
    ///
    /// # Panics
    ///
    /// If `index >= 256`.
    #[inline]
    pub fn get_ref(&self, index: usize) -> &'a B256 {
        let start = index * WORD_BYTES;
        let bytes: &'a [u8] = &self.bytes[start..start + WORD_BYTES];
        bytes.try_into().expect("a 32-byte range")
    }

    /// The 8192 bytes viewed, in the guest-input layout (C22).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl fmt::Debug for Siblings<'_> {
    /// Lists only the non-default siblings: the other ~240 of a typical proof are noise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let table = defaults();
        let mut list = f.debug_map();
        for (height, default) in table.iter().take(TREE_DEPTH).enumerate() {
            let sibling = self.get(height);
            if sibling != *default {
                list.entry(&height, &sibling);
            }
        }
        list.finish()
    }
}

/// Owned proof for one key: its 256 leaf-first siblings (C7), as the host hands them to the
/// guest. Borrow it as [`Siblings`] to check it.
#[derive(Clone, PartialEq, Eq)]
pub struct Proof {
    bytes: Box<[u8; SIBLINGS_BYTES]>,
}

impl Proof {
    /// Wraps siblings listed leaf-first (C7).
    pub fn from_siblings(siblings: &[B256; TREE_DEPTH]) -> Self {
        let mut bytes = Box::new([0u8; SIBLINGS_BYTES]);
        for (word, sibling) in bytes.chunks_exact_mut(WORD_BYTES).zip(siblings) {
            word.copy_from_slice(sibling.as_slice());
        }
        Self { bytes }
    }

    /// Copies a serialized sibling list; `None` unless it is exactly 8192 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let bytes: &[u8; SIBLINGS_BYTES] = bytes.try_into().ok()?;
        Some(Self { bytes: Box::new(*bytes) })
    }

    /// Borrowed view, for [`verify`], [`compute_root`] or a [`crate::PartialTree`].
    pub fn siblings(&self) -> Siblings<'_> {
        Siblings { bytes: &self.bytes }
    }

    /// The 8192-byte guest-input encoding (C22).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.bytes.to_vec()
    }
}

impl fmt::Debug for Proof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Proof").field(&self.siblings()).finish()
    }
}

/// Hashes `hash`, the subtree hash at depth `from` on `key`'s path, up to depth `to` with the
/// proof's siblings.
pub(crate) fn lift_with_siblings(hash: B256, key: &B256, siblings: &Siblings<'_>, from: usize, to: usize) -> B256 {
    lift_with(hash, key, (from, to), |height| siblings.get_ref(height))
}

/// Root implied by `leaf` at `key` and its siblings: the leaf is a leaf hash, or `bytes32(0)`
/// for an absent key (C3). The building block of [`verify`] and of re-rooting after a write.
pub fn compute_root(key: &B256, leaf: &B256, siblings: &Siblings<'_>) -> B256 {
    lift_with_siblings(*leaf, key, siblings, TREE_DEPTH, 0)
}

/// Whether `siblings` prove that `key` holds `value_hash` under `root`; `None` proves that the
/// key is absent (C3).
pub fn verify(root: &B256, key: &B256, value_hash: Option<&B256>, siblings: &Siblings<'_>) -> bool {
    let leaf = value_hash.map_or(B256::ZERO, |value_hash| leaf_hash(key, value_hash));
    compute_root(key, &leaf, siblings) == *root
}

//! The two hash functions of spec section A, over 65-byte stack buffers.
//!
//! Both hashes have the same shape, `keccak256(tag || a || b)`, so one helper builds the buffer
//! and the public functions only pick the tag. Nothing here allocates: this runs ~257 times per
//! key update and inside the guest.
//!
//! Inside the SP1 zkVM these two hashes skip the byte-level sponge and call the keccak-f
//! precompile on one block of lanes ([`crate::lanes`]). (Every other `keccak256` of the program
//! reaches the same precompile through numo-stf's crypto seam, alloy's `native-keccak` hook.)

#[cfg(not(target_os = "zkvm"))]
use alloy_primitives::keccak256;
use alloy_primitives::B256;

/// Domain tag of a leaf preimage (section A): keeps a leaf from ever equalling an inner node.
pub(crate) const LEAF_TAG: u8 = 0x00;
/// Domain tag of an inner-node preimage (section A).
pub(crate) const NODE_TAG: u8 = 0x01;
/// Tag byte plus two 32-byte words.
#[cfg(not(target_os = "zkvm"))]
const PREIMAGE_BYTES: usize = 1 + 32 + 32;

/// Hashes `tag || first || second` with SP1's keccak-f precompile, as one block of lanes.
#[cfg(target_os = "zkvm")]
#[inline]
fn tagged_hash(tag: u8, first: &B256, second: &B256) -> B256 {
    use crate::lanes;
    lanes::to_word(&lanes::tagged_hash(tag, &lanes::from_word(first), &lanes::from_word(second), lanes::sp1_permute))
}

/// Hashes `tag || first || second` from a stack buffer.
#[cfg(not(target_os = "zkvm"))]
#[inline]
fn tagged_hash(tag: u8, first: &B256, second: &B256) -> B256 {
    #[cfg(all(test, feature = "std"))]
    counter::count_one();
    let mut preimage = [0u8; PREIMAGE_BYTES];
    preimage[0] = tag;
    preimage[1..33].copy_from_slice(first.as_slice());
    preimage[33..].copy_from_slice(second.as_slice());
    keccak256(preimage)
}

/// Hash of a present leaf, `keccak256(0x00 || key32 || valueHash32)` (section A).
///
/// `value_hash` is `keccak256(valueBytes)` (C5). An absent key has no leaf hash to compute: its
/// leaf is `bytes32(0)` (C3, C4), see [`crate::default_hash`]`(0)`.
#[inline]
pub fn leaf_hash(key: &B256, value_hash: &B256) -> B256 {
    tagged_hash(LEAF_TAG, key, value_hash)
}

/// Hash of an inner node, `keccak256(0x01 || left32 || right32)` (section A).
///
/// Used for every inner node, empty or not (C4): only leaves may hash to zero.
#[inline]
pub fn node_hash(left: &B256, right: &B256) -> B256 {
    tagged_hash(NODE_TAG, left, right)
}

/// Per-thread count of hashes, so unit tests can pin the cost of each operation in hashes
/// rather than in noisy time.
#[cfg(all(test, feature = "std"))]
pub(crate) mod counter {
    use std::cell::Cell;

    std::thread_local! {
        static HASHES: Cell<u64> = const { Cell::new(0) };
    }

    pub(crate) fn count_one() {
        HASHES.with(|hashes| hashes.set(hashes.get() + 1));
    }

    /// Hashes computed by this thread while running `work`.
    pub(crate) fn hashes_in(work: impl FnOnce()) -> u64 {
        let before = HASHES.with(Cell::get);
        work();
        HASHES.with(Cell::get) - before
    }
}

//! Tree hashing on 64-bit lanes, the zkVM's fast path.
//!
//! In the SP1 zkVM a byte is as dear as a word, and every 32-byte copy or compare is a loop. So
//! inside it, a path is lifted with hashes kept as four little-endian lanes ([`Lanes`]): the
//! 65-byte preimage `tag ‖ a ‖ b` is laid straight into one keccak-f\[1600\] block, permuted
//! once by the precompile, and the digest's first four lanes are the next level's input. Bytes
//! are read only for the siblings and written only for the final hash.
//!
//! Compiled for the zkVM and for tests, where the same code runs over a software permutation
//! and must agree with the byte-level hashing of [`crate::hash`] and [`crate::path`].

use alloc::boxed::Box;

use alloy_primitives::B256;
use once_cell::race::OnceBox;

use crate::defaults::defaults;
use crate::hash::NODE_TAG;
use crate::path::path_bit;
use crate::TREE_DEPTH;

/// A 32-byte hash as four little-endian 64-bit lanes (byte `i` is bits `8(i%8)..` of lane `i/8`).
pub(crate) type Lanes = [u64; 4];

/// The keccak-f\[1600\] precompile of SP1.
#[cfg(target_os = "zkvm")]
#[inline]
pub(crate) fn sp1_permute(state: &mut [u64; 25]) {
    // SAFETY: `state` is 25 aligned lanes the syscall permutes in place.
    unsafe { sp1_lib::syscall_keccak_permute(state) }
}

/// Reads a 32-byte word as lanes with aligned 64-bit loads where the word allows: three loads
/// and eight single bytes when it is not 8-aligned (a sibling in the blob rarely is), four
/// loads when it is, instead of 32 byte loads.
#[inline]
pub(crate) fn from_word(word: &B256) -> Lanes {
    let start = word.0.as_ptr();
    let misalignment = start as usize % 8;
    let aligned_word = |offset: usize| {
        debug_assert!(offset + 8 <= 32 && (start as usize + offset).is_multiple_of(8));
        // SAFETY: `offset + 8 <= 32` keeps the load inside `word`, and the address is 8-aligned.
        u64::from_le(unsafe { start.add(offset).cast::<u64>().read() })
    };
    if misalignment == 0 {
        return core::array::from_fn(|i| aligned_word(8 * i));
    }
    // Bytes 0..head come before the first aligned address, bytes head + 24..32 after the last
    // aligned word; each lane joins the end of one piece with the start of the next.
    let head = 8 - misalignment;
    let little_endian = |bytes: &[u8]| bytes.iter().rev().fold(0u64, |value, byte| (value << 8) | u64::from(*byte));
    let first = little_endian(&word.0[..head]);
    let last = little_endian(&word.0[head + 24..]);
    let middle = [aligned_word(head), aligned_word(head + 8), aligned_word(head + 16)];
    let (up, down) = (8 * head as u32, 8 * misalignment as u32);
    [
        first | (middle[0] << up),
        (middle[0] >> down) | (middle[1] << up),
        (middle[1] >> down) | (middle[2] << up),
        (middle[2] >> down) | (last << up),
    ]
}

/// Reads a 32-byte word as lanes, one byte at a time: the reference for [`from_word`].
#[cfg(test)]
fn from_word_bytewise(word: &B256) -> Lanes {
    core::array::from_fn(|i| {
        let mut lane = [0u8; 8];
        lane.copy_from_slice(&word.0[8 * i..8 * i + 8]);
        u64::from_le_bytes(lane)
    })
}

/// Writes lanes back as a 32-byte word.
#[inline]
pub(crate) fn to_word(lanes: &Lanes) -> B256 {
    let mut word = [0u8; 32];
    for (out, lane) in word.chunks_exact_mut(8).zip(lanes) {
        out.copy_from_slice(&lane.to_le_bytes());
    }
    B256::new(word)
}

/// Keccak-256 of the 65 bytes `tag ‖ first ‖ second` as one block: the preimage shifted by the
/// tag byte into the lanes, padded (`0x01` after the message, `0x80` in the last rate byte),
/// permuted once, the first four lanes squeezed.
#[inline]
pub(crate) fn tagged_hash(tag: u8, a: &Lanes, b: &Lanes, permute: impl FnOnce(&mut [u64; 25])) -> Lanes {
    let rate = [
        u64::from(tag) | (a[0] << 8),
        (a[0] >> 56) | (a[1] << 8),
        (a[1] >> 56) | (a[2] << 8),
        (a[2] >> 56) | (a[3] << 8),
        (a[3] >> 56) | (b[0] << 8),
        (b[0] >> 56) | (b[1] << 8),
        (b[1] >> 56) | (b[2] << 8),
        (b[2] >> 56) | (b[3] << 8),
        // Byte 64 is the last of `b`; byte 65 starts the padding.
        (b[3] >> 56) | (0x01 << 8),
    ];
    let mut state = core::mem::MaybeUninit::<[u64; 25]>::uninit();
    let lanes = state.as_mut_ptr().cast::<u64>();
    for (index, lane) in rate.into_iter().enumerate() {
        // SAFETY: `index < 9` is inside the 25-lane state.
        unsafe { lanes.add(index).write(lane) };
    }
    // The other lanes are zero, one store each: as a loop or array literal LLVM would call
    // `memset`, which costs far more in the zkVM than sixteen stores.
    for index in 9..25 {
        // Byte 135, the last of the 136-byte rate, ends the padding.
        let lane = if index == 16 { 0x80 << 56 } else { 0 };
        // SAFETY: `index < 25` is inside the state; volatile keeps the stores as written.
        unsafe { core::ptr::write_volatile(lanes.add(index), lane) };
    }
    // SAFETY: all 25 lanes are written above.
    let state = unsafe { state.assume_init_mut() };
    permute(state);
    [state[0], state[1], state[2], state[3]]
}

/// The empty-subtree hashes of [`crate::default_hash`] as lanes, computed once.
fn default_lanes() -> &'static [Lanes; TREE_DEPTH + 1] {
    static TABLE: OnceBox<[Lanes; TREE_DEPTH + 1]> = OnceBox::new();
    TABLE.get_or_init(|| {
        let words = defaults();
        Box::new(core::array::from_fn(|height| from_word(&words[height])))
    })
}

/// Lane equality without a `memcmp` call (which LLVM would emit for `==` on arrays).
#[inline]
fn equal(a: &Lanes, b: &Lanes) -> bool {
    ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0
}

/// [`crate::path::lift_with`] on lanes: the same levels, skips and hashes, with `permute` as
/// keccak-f.
#[inline]
pub(crate) fn lift_with<'s>(
    hash: B256,
    key: &B256,
    (from, to): (usize, usize),
    sibling: impl Fn(usize) -> &'s B256,
    permute: impl Fn(&mut [u64; 25]),
) -> B256 {
    debug_assert!(from <= TREE_DEPTH);
    let table = default_lanes();
    let mut hash = from_word(&hash);
    for depth in (to + 1..=from.min(TREE_DEPTH)).rev() {
        let height = TREE_DEPTH - depth;
        let sibling = from_word(sibling(height));
        if equal(&hash, &table[height]) && equal(&sibling, &table[height]) {
            hash = table[height + 1];
            continue;
        }
        hash = if path_bit(key, depth - 1) {
            tagged_hash(NODE_TAG, &sibling, &hash, &permute)
        } else {
            tagged_hash(NODE_TAG, &hash, &sibling, &permute)
        };
    }
    to_word(&hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{default_hash, keccak256};
    use proptest::prelude::*;

    fn software_permute(state: &mut [u64; 25]) {
        tiny_keccak::keccakf(state);
    }

    #[test]
    fn from_word_reads_every_alignment() {
        let bytes: alloc::vec::Vec<u8> = (0..48u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
        for offset in 0..16 {
            let word: &B256 = bytes[offset..offset + 32].try_into().unwrap();
            assert_eq!(from_word(word), from_word_bytewise(word), "offset {offset}");
        }
    }

    proptest! {
        /// The lane layout gives the same digest as hashing the 65-byte preimage.
        #[test]
        fn tagged_lanes_equal_the_byte_hash(tag in any::<u8>(), a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
            let (a, b) = (B256::new(a), B256::new(b));
            let mut preimage = [0u8; 65];
            preimage[0] = tag;
            preimage[1..33].copy_from_slice(a.as_slice());
            preimage[33..].copy_from_slice(b.as_slice());
            let lanes = tagged_hash(tag, &from_word(&a), &from_word(&b), software_permute);
            prop_assert_eq!(to_word(&lanes), keccak256(preimage));
        }

        /// Lifting on lanes equals the byte-level lift, over paths mixing default and random
        /// siblings and a present or absent leaf.
        #[test]
        fn lanes_lift_equals_the_byte_lift(
            key in any::<[u8; 32]>(),
            leaf in prop_oneof![Just([0u8; 32]), any::<[u8; 32]>()],
            filled in proptest::collection::vec((0usize..TREE_DEPTH, any::<[u8; 32]>()), 0..12),
            to in 0usize..TREE_DEPTH,
        ) {
            let mut siblings: [B256; TREE_DEPTH] = core::array::from_fn(default_hash);
            for (height, word) in filled {
                siblings[height] = B256::new(word);
            }
            let (key, leaf) = (B256::new(key), B256::new(leaf));
            let expected = crate::path::lift_with(leaf, &key, (TREE_DEPTH, to), |height| &siblings[height]);
            let lifted = lift_with(leaf, &key, (TREE_DEPTH, to), |height| &siblings[height], software_permute);
            prop_assert_eq!(lifted, expected);
        }
    }
}

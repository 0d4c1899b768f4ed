//! A Keccak-256 sponge over any keccak-f\[1600\] permutation.
//!
//! Inside the SP1 zkVM the permutation is a precompile (one `syscall_keccak_permute` per 136-byte
//! block) while absorbing and padding stay in ordinary code: that is all this type does. It is
//! generic so the host tests run the very same absorb/pad/squeeze code over a software
//! permutation and compare it with `alloy-primitives`' Keccak-256.

use alloy_primitives::B256;
use core::marker::PhantomData;

/// Bytes absorbed per permutation: the Keccak-256 rate (1600 − 2·256 bits).
pub const KECCAK256_RATE_BYTES: usize = 136;
/// Lanes of the keccak-f\[1600\] state.
const STATE_LANES: usize = 25;
/// Lanes covered by the rate.
const RATE_LANES: usize = KECCAK256_RATE_BYTES / 8;

/// One keccak-f\[1600\] permutation of the 25-lane state (lanes little-endian, FIPS 202 order).
pub trait KeccakF1600 {
    /// Permutes `state` in place.
    fn permute(state: &mut [u64; STATE_LANES]);
}

/// Incremental Keccak-256 (the original Keccak padding `0x01 … 0x80`, as Ethereum uses).
pub struct KeccakSponge<P> {
    state: [u64; STATE_LANES],
    /// Bytes absorbed into the current block, always `< KECCAK256_RATE_BYTES`.
    offset: usize,
    permutation: PhantomData<P>,
}

impl<P> Clone for KeccakSponge<P> {
    fn clone(&self) -> Self {
        Self { state: self.state, offset: self.offset, permutation: PhantomData }
    }
}

impl<P> core::fmt::Debug for KeccakSponge<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeccakSponge").field("offset", &self.offset).finish_non_exhaustive()
    }
}

impl<P: KeccakF1600> Default for KeccakSponge<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: KeccakF1600> KeccakSponge<P> {
    /// An empty sponge.
    pub fn new() -> Self {
        Self { state: [0; STATE_LANES], offset: 0, permutation: PhantomData }
    }

    /// Absorbs `bytes`; may be called any number of times.
    pub fn update(&mut self, bytes: impl AsRef<[u8]>) {
        let mut bytes = bytes.as_ref();
        // Head: single bytes until the offset is lane-aligned.
        while !bytes.is_empty() && !self.offset.is_multiple_of(8) {
            self.absorb_byte(bytes[0]);
            bytes = &bytes[1..];
        }
        // Body: whole lanes, the common case for 32-byte words.
        let mut lanes = bytes.chunks_exact(8);
        for lane in &mut lanes {
            let mut word = [0u8; 8];
            word.copy_from_slice(lane);
            self.state[self.offset / 8] ^= u64::from_le_bytes(word);
            self.advance(8);
        }
        // Tail: the last bytes of a partial lane.
        for &byte in lanes.remainder() {
            self.absorb_byte(byte);
        }
    }

    /// Pads, permutes and returns the 32-byte digest.
    pub fn finalize(mut self) -> B256 {
        self.xor_byte(self.offset, 0x01);
        self.xor_byte(KECCAK256_RATE_BYTES - 1, 0x80);
        P::permute(&mut self.state);
        let mut digest = [0u8; 32];
        for (out, lane) in digest.chunks_exact_mut(8).zip(&self.state) {
            out.copy_from_slice(&lane.to_le_bytes());
        }
        B256::new(digest)
    }

    /// One-shot Keccak-256 of `bytes`.
    pub fn digest(bytes: &[u8]) -> B256 {
        let mut sponge = Self::new();
        sponge.update(bytes);
        sponge.finalize()
    }

    fn absorb_byte(&mut self, byte: u8) {
        self.xor_byte(self.offset, byte);
        self.advance(1);
    }

    fn xor_byte(&mut self, position: usize, byte: u8) {
        debug_assert!(position < RATE_LANES * 8);
        self.state[position / 8] ^= u64::from(byte) << (8 * (position % 8));
    }

    fn advance(&mut self, bytes: usize) {
        self.offset += bytes;
        if self.offset == KECCAK256_RATE_BYTES {
            P::permute(&mut self.state);
            self.offset = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The software keccak-f\[1600\] of `tiny-keccak`: stands in for the SP1 precompile.
    struct SoftwareKeccakF;

    impl KeccakF1600 for SoftwareKeccakF {
        fn permute(state: &mut [u64; STATE_LANES]) {
            tiny_keccak::keccakf(state);
        }
    }

    type Sponge = KeccakSponge<SoftwareKeccakF>;

    #[test]
    fn every_length_around_the_rate_matches_alloy() {
        let data: alloc::vec::Vec<u8> = (0..3 * KECCAK256_RATE_BYTES + 5).map(|i| (i * 7 + 3) as u8).collect();
        for len in 0..data.len() {
            assert_eq!(Sponge::digest(&data[..len]), alloy_primitives::keccak256(&data[..len]), "length {len}");
        }
    }

    #[test]
    fn empty_input_is_the_known_keccak256() {
        let expected: B256 = "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470".parse().unwrap();
        assert_eq!(Sponge::digest(&[]), expected);
    }

    proptest! {
        #[test]
        fn split_updates_equal_one_shot(data in proptest::collection::vec(any::<u8>(), 0..600), cuts in proptest::collection::vec(0usize..600, 0..6)) {
            let mut cuts: alloc::vec::Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
            cuts.sort_unstable();
            let mut sponge = Sponge::new();
            let mut start = 0;
            for cut in cuts {
                sponge.update(&data[start..cut]);
                start = cut;
            }
            sponge.update(&data[start..]);
            prop_assert_eq!(sponge.finalize(), alloy_primitives::keccak256(&data));
        }
    }
}

//! Deterministic keys and values for the benches: generated outside any measured region.

use numo_smt::B256;

/// SplitMix64: a few cycles per word, so generating a million keys costs nothing next to
/// building the tree, and every run sees the same keys.
pub(crate) struct KeyStream(u64);

impl KeyStream {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_word(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform 32-byte word, like a keccak key (C2) or value hash (C5).
    pub(crate) fn next_b256(&mut self) -> B256 {
        let mut bytes = [0u8; 32];
        for chunk in bytes.chunks_exact_mut(8) {
            chunk.copy_from_slice(&self.next_word().to_be_bytes());
        }
        B256::from(bytes)
    }

    /// `count` uniform words.
    pub(crate) fn take(&mut self, count: usize) -> Vec<B256> {
        (0..count).map(|_| self.next_b256()).collect()
    }
}

/// Tree size for the benches: `SMT_BENCH_KEYS`, default one million.
pub(crate) fn bench_keys() -> usize {
    std::env::var("SMT_BENCH_KEYS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000)
}

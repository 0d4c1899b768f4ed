//! Eight node hashes at once: keccak-f[1600] on eight states side by side (AVX-512).
//!
//! Writing a key hashes its leaf's lone path, ≈240 node hashes from depth 256 up to the
//! nearest branch, each one waiting for the one below it. The paths of *different* keys are
//! independent, so a batch hashes them in lockstep: lane `i` of each 512-bit register holds
//! 64-bit lane `i` of key `i`'s keccak state, and one permutation advances eight paths one level.
//!
//! The result is bit-for-bit the same `keccak256(0x01 || left || right)` as
//! [`crate::node_hash`] (tests below compare them on random inputs); only the speed differs.
//! Where AVX-512F is missing (other CPUs, `no_std`, the zkVM), [`node_hash_x8`] is eight calls of
//! [`crate::node_hash`].

use alloy_primitives::B256;

use crate::node_hash;

/// Hashes computed per call of [`node_hash_x8`].
pub(crate) const LANES: usize = 8;

/// `node_hash(left[i], right[i])` for the eight lanes; lanes whose `active` bit is clear are
/// not needed by the caller and may hold anything.
#[inline]
pub(crate) fn node_hash_x8(left: &[B256; LANES], right: &[B256; LANES], active: u8) -> [B256; LANES] {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if avx512::available() {
        #[cfg(test)]
        for _ in 0..active.count_ones() {
            crate::hash::counter::count_one();
        }
        // SAFETY: the CPU has AVX-512F (checked at run time just above).
        return unsafe { avx512::node_hash_x8(left, right) };
    }
    let mut out = [B256::ZERO; LANES];
    for lane in 0..LANES {
        if active & (1 << lane) != 0 {
            out[lane] = node_hash(&left[lane], &right[lane]);
        }
    }
    out
}

/// Whether [`node_hash_x8`] is faster than eight single hashes here: callers with fewer busy
/// lanes than this hash one at a time instead.
pub(crate) fn worth_lanes(busy: usize) -> bool {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if avx512::available() {
        return busy >= 2;
    }
    let _ = busy;
    false
}

#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod avx512 {
    use core::arch::x86_64::{
        __m512i, _mm512_loadu_si512, _mm512_rol_epi64, _mm512_set1_epi64, _mm512_storeu_si512,
        _mm512_ternarylogic_epi64, _mm512_xor_si512,
    };
    use std::sync::OnceLock;

    use alloy_primitives::B256;

    use super::LANES;

    /// Round constants of keccak-f[1600] (the iota step), FIPS 202.
    const ROUND_CONSTANTS: [u64; 24] = [
        0x0000_0000_0000_0001,
        0x0000_0000_0000_8082,
        0x8000_0000_0000_808a,
        0x8000_0000_8000_8000,
        0x0000_0000_0000_808b,
        0x0000_0000_8000_0001,
        0x8000_0000_8000_8081,
        0x8000_0000_0000_8009,
        0x0000_0000_0000_008a,
        0x0000_0000_0000_0088,
        0x0000_0000_8000_8009,
        0x0000_0000_8000_000a,
        0x0000_0000_8000_808b,
        0x8000_0000_0000_008b,
        0x8000_0000_0000_8089,
        0x8000_0000_0000_8003,
        0x8000_0000_0000_8002,
        0x8000_0000_0000_0080,
        0x0000_0000_0000_800a,
        0x8000_0000_8000_000a,
        0x8000_0000_8000_8081,
        0x8000_0000_0000_8080,
        0x0000_0000_8000_0001,
        0x8000_0000_8000_8008,
    ];
    /// Preimage bytes: the 0x01 tag and two words.
    const PREIMAGE: usize = 65;
    /// The preimage and keccak's first padding byte fill nine 64-bit lanes (72 bytes).
    const INPUT_LANES: usize = 9;
    /// Lane holding the last byte of keccak256's 136-byte rate, where the final pad bit goes.
    const LAST_RATE_LANE: usize = 16;

    /// AVX-512F, detected once.
    pub(super) fn available() -> bool {
        static AVAILABLE: OnceLock<bool> = OnceLock::new();
        *AVAILABLE.get_or_init(|| std::is_x86_feature_detected!("avx512f"))
    }

    /// Eight `keccak256(0x01 || left[i] || right[i])`.
    ///
    /// # Safety
    ///
    /// The CPU must support AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn node_hash_x8(left: &[B256; LANES], right: &[B256; LANES]) -> [B256; LANES] {
        // Transposed input: `words[w][i]` is 64-bit word `w` of lane i's padded preimage.
        let mut words = [[0u64; LANES]; INPUT_LANES];
        for lane in 0..LANES {
            let mut block = [0u8; INPUT_LANES * 8];
            block[0] = 0x01;
            block[1..33].copy_from_slice(left[lane].as_slice());
            block[33..PREIMAGE].copy_from_slice(right[lane].as_slice());
            // keccak256's padding (pad10*1 with the 0x01 domain byte) starts right after.
            block[PREIMAGE] = 0x01;
            for (word, bytes) in words.iter_mut().zip(block.chunks_exact(8)) {
                word[lane] = u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
            }
        }
        let zero = _mm512_set1_epi64(0);
        let mut state = [zero; 25];
        for (slot, word) in state.iter_mut().zip(&words) {
            // SAFETY: `word` is 8 u64 = 64 readable bytes; loadu has no alignment requirement.
            *slot = unsafe { _mm512_loadu_si512(word.as_ptr().cast()) };
        }
        state[LAST_RATE_LANE] = _mm512_set1_epi64(i64::MIN); // 0x80 in the rate's last byte
        permute(&mut state);
        let mut digest = [[0u64; LANES]; 4];
        for (word, slot) in digest.iter_mut().zip(&state) {
            // SAFETY: `word` is 64 writable bytes; storeu has no alignment requirement.
            unsafe { _mm512_storeu_si512(word.as_mut_ptr().cast(), *slot) };
        }
        let mut out = [B256::ZERO; LANES];
        for (lane, hash) in out.iter_mut().enumerate() {
            for (w, word) in digest.iter().enumerate() {
                hash.0[w * 8..w * 8 + 8].copy_from_slice(&word[lane].to_le_bytes());
            }
        }
        out
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn rol<const BITS: i32>(v: __m512i) -> __m512i {
        _mm512_rol_epi64::<BITS>(v)
    }

    /// `a ^ b ^ c`, one instruction (truth table 0x96).
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn xor3(a: __m512i, b: __m512i, c: __m512i) -> __m512i {
        _mm512_ternarylogic_epi64::<0x96>(a, b, c)
    }

    /// keccak-f[1600] on eight states at once (FIPS 202: theta, rho, pi, chi, iota). State lane
    /// `x + 5y` is `state[x + 5y]`.
    #[target_feature(enable = "avx512f")]
    fn permute(a: &mut [__m512i; 25]) {
        for round_constant in ROUND_CONSTANTS {
            // theta
            let mut c = [a[0]; 5];
            for (x, column) in c.iter_mut().enumerate() {
                *column = xor3(xor3(a[x], a[x + 5], a[x + 10]), a[x + 15], a[x + 20]);
            }
            for x in 0..5 {
                let d = _mm512_xor_si512(c[(x + 4) % 5], rol::<1>(c[(x + 1) % 5]));
                for y in 0..5 {
                    a[x + 5 * y] = _mm512_xor_si512(a[x + 5 * y], d);
                }
            }
            // rho and pi: B[y, 2x + 3y] = rot(A[x, y], r[x, y])
            let mut b = [a[0]; 25];
            b[0] = a[0];
            b[10] = rol::<1>(a[1]);
            b[20] = rol::<62>(a[2]);
            b[5] = rol::<28>(a[3]);
            b[15] = rol::<27>(a[4]);
            b[16] = rol::<36>(a[5]);
            b[1] = rol::<44>(a[6]);
            b[11] = rol::<6>(a[7]);
            b[21] = rol::<55>(a[8]);
            b[6] = rol::<20>(a[9]);
            b[7] = rol::<3>(a[10]);
            b[17] = rol::<10>(a[11]);
            b[2] = rol::<43>(a[12]);
            b[12] = rol::<25>(a[13]);
            b[22] = rol::<39>(a[14]);
            b[23] = rol::<41>(a[15]);
            b[8] = rol::<45>(a[16]);
            b[18] = rol::<15>(a[17]);
            b[3] = rol::<21>(a[18]);
            b[13] = rol::<8>(a[19]);
            b[14] = rol::<18>(a[20]);
            b[24] = rol::<2>(a[21]);
            b[9] = rol::<61>(a[22]);
            b[19] = rol::<56>(a[23]);
            b[4] = rol::<14>(a[24]);
            // chi: A[x, y] = B[x, y] ^ (!B[x + 1, y] & B[x + 2, y]), one instruction (0xD2)
            for y in 0..5 {
                for x in 0..5 {
                    a[x + 5 * y] =
                        _mm512_ternarylogic_epi64::<0xD2>(b[x + 5 * y], b[(x + 1) % 5 + 5 * y], b[(x + 2) % 5 + 5 * y]);
                }
            }
            // iota
            a[0] = _mm512_xor_si512(a[0], _mm512_set1_epi64(round_constant as i64));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    fn words(salt: u8) -> [B256; LANES] {
        core::array::from_fn(|i| keccak256([salt, i as u8]))
    }

    #[test]
    fn eight_lanes_equal_eight_single_hashes() {
        for salt in 0..64 {
            let (left, right) = (words(salt), words(salt.wrapping_add(100)));
            let lanes = node_hash_x8(&left, &right, 0xff);
            for lane in 0..LANES {
                assert_eq!(lanes[lane], node_hash(&left[lane], &right[lane]), "salt {salt} lane {lane}");
            }
        }
    }

    #[test]
    fn zero_and_all_ones_inputs_match() {
        let zero = [B256::ZERO; LANES];
        let ones = [B256::repeat_byte(0xff); LANES];
        assert_eq!(node_hash_x8(&zero, &ones, 0xff)[3], node_hash(&B256::ZERO, &B256::repeat_byte(0xff)));
        assert_eq!(node_hash_x8(&ones, &zero, 0xff)[7], node_hash(&B256::repeat_byte(0xff), &B256::ZERO));
    }
}

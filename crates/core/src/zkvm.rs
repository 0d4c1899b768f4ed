//! The SP1 side of the crypto seam: SP1's precompiles behind the portable Keccak sponge and
//! public-key recovery. Compiled only for `target_os = "zkvm"`; the program that links this
//! crate also links `sp1-zkvm`, which defines the syscalls.

use crate::ecrecover::{AffinePoint, CurveOps};
use crate::keccak_sponge::{KeccakF1600, KeccakSponge};
use alloy_primitives::U256;

/// keccak-f\[1600\] as the SP1 `KECCAK_PERMUTE` precompile.
#[derive(Debug)]
pub struct Sp1KeccakF;

impl KeccakF1600 for Sp1KeccakF {
    #[inline]
    fn permute(state: &mut [u64; 25]) {
        // SAFETY: `state` is a valid, 8-byte aligned 25-lane buffer the syscall permutes in place.
        unsafe { sp1_lib::syscall_keccak_permute(state) }
    }
}

/// Incremental Keccak-256 inside the zkVM.
pub type Sp1Keccak256 = KeccakSponge<Sp1KeccakF>;

/// alloy-primitives' `native-keccak` hook: every one-shot `keccak256` of the program (numo-stf,
/// numo-smt, alloy itself) lands here, so all hashing goes through the precompile.
///
/// # Safety
/// `bytes` must point to `len` readable bytes and `output` to 32 writable bytes (alloy passes
/// a slice and a 32-byte buffer).
#[no_mangle]
pub unsafe extern "C" fn native_keccak256(bytes: *const u8, len: usize, output: *mut u8) {
    // SAFETY: guaranteed by the caller, see above.
    let input = unsafe { core::slice::from_raw_parts(bytes, len) };
    let digest = Sp1Keccak256::digest(input);
    // SAFETY: `output` has room for 32 bytes and does not overlap the local digest.
    unsafe { core::ptr::copy_nonoverlapping(digest.as_ptr(), output, 32) };
}

/// secp256k1 arithmetic as SP1 precompiles (`UINT256_MUL`, `SECP256K1_ADD`, `SECP256K1_DOUBLE`).
#[derive(Debug)]
pub struct Sp1Curve;

/// A point in the precompiles' layout: x then y, each four little-endian 64-bit limbs.
fn to_limbs(point: &AffinePoint) -> [u64; 8] {
    let mut limbs = [0u64; 8];
    limbs[..4].copy_from_slice(point.x.as_limbs());
    limbs[4..].copy_from_slice(point.y.as_limbs());
    limbs
}

fn from_limbs(limbs: &[u64; 8]) -> AffinePoint {
    let (x, y) = limbs.split_at(4);
    AffinePoint { x: U256::from_limbs(x.try_into().unwrap()), y: U256::from_limbs(y.try_into().unwrap()) }
}

impl CurveOps for Sp1Curve {
    #[inline]
    fn mul_mod(a: &U256, b: &U256, modulus: &U256) -> U256 {
        let mut product = *a.as_limbs();
        let mut factor_and_modulus = [0u64; 8];
        factor_and_modulus[..4].copy_from_slice(b.as_limbs());
        factor_and_modulus[4..].copy_from_slice(modulus.as_limbs());
        // SAFETY: both buffers are 8-byte aligned; the syscall reads the factor and then the
        // modulus from the second pointer and writes the product over the first.
        unsafe { sp1_lib::syscall_uint256_mulmod(&mut product, factor_and_modulus.as_ptr().cast()) };
        U256::from_limbs(product)
    }

    #[inline]
    fn add(p: &AffinePoint, q: &AffinePoint) -> AffinePoint {
        let mut sum = to_limbs(p);
        let addend = to_limbs(q);
        // SAFETY: aligned 8-limb points; the caller guarantees p.x ≠ q.x as the precompile needs.
        unsafe { sp1_lib::syscall_secp256k1_add(&mut sum, &addend) };
        from_limbs(&sum)
    }

    #[inline]
    fn double(p: &AffinePoint) -> AffinePoint {
        let mut point = to_limbs(p);
        // SAFETY: an aligned 8-limb finite point, doubled in place.
        unsafe { sp1_lib::syscall_secp256k1_double(&mut point) };
        from_limbs(&point)
    }
}

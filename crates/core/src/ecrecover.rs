//! Public-key recovery written over three curve primitives, so a zkVM can supply them as
//! precompiles.
//!
//! Hosts recover with libsecp256k1 ([`crate::signature`]). Inside the SP1 zkVM that C library
//! is neither buildable nor cheap, so recovery is spelled out here in terms of what SP1
//! accelerates: 256-bit modular multiplication and affine secp256k1 addition and doubling
//! ([`CurveOps`]). Everything else (range checks, the square root that lifts `r` to a point,
//! the scalars, a Shamir double-scalar multiplication with complete addition) is this portable
//! code, which the unit tests run over a software [`CurveOps`] against libsecp256k1.
//!
//! SP1 v6 also lists a secp256k1 *decompress* syscall, but its executors reject it as
//! deprecated, so the square root is computed here with modular multiplications.

use alloy_primitives::{B256, U256};

/// The field prime `p = 2^256 − 2^32 − 977`.
pub const FIELD_MODULUS: U256 =
    U256::from_limbs([0xFFFF_FFFE_FFFF_FC2F, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF]);
/// The group order `n`.
pub const GROUP_ORDER: U256 =
    U256::from_limbs([0xBFD2_5E8C_D036_4141, 0xBAAE_DCE6_AF48_A03B, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF]);
/// The generator `G`.
pub const GENERATOR: AffinePoint = AffinePoint {
    x: U256::from_limbs([0x59F2_815B_16F8_1798, 0x029B_FCDB_2DCE_28D9, 0x55A0_6295_CE87_0B07, 0x79BE_667E_F9DC_BBAC]),
    y: U256::from_limbs([0x9C47_D08F_FB10_D4B8, 0xFD17_B448_A685_5419, 0x5DA4_FBFC_0E11_08A8, 0x483A_DA77_26A3_C465]),
};
/// The curve constant `b` of `y² = x³ + 7`.
const CURVE_B: U256 = U256::from_limbs([7, 0, 0, 0]);

/// A finite affine point (coordinates reduced mod p). Infinity is `None` where it can occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AffinePoint {
    /// x coordinate.
    pub x: U256,
    /// y coordinate.
    pub y: U256,
}

/// The primitives a backend supplies: what SP1 has precompiles for.
pub trait CurveOps {
    /// `a · b mod modulus` for reduced `a`, `b` (the modulus is [`FIELD_MODULUS`] or [`GROUP_ORDER`]).
    fn mul_mod(a: &U256, b: &U256, modulus: &U256) -> U256;
    /// `p + q` for finite points with `p.x ≠ q.x`.
    fn add(p: &AffinePoint, q: &AffinePoint) -> AffinePoint;
    /// `2p` for a finite point (secp256k1 has no point with `y = 0`).
    fn double(p: &AffinePoint) -> AffinePoint;
}

/// Recovers the public key `(x, y)` of an ECDSA signature `(r, s)` over `digest`, where `y_odd`
/// is the parity of the nonce point's y (recovery id 0 or 1).
///
/// Same result as libsecp256k1's `ecdsa_recover` for recovery ids 0/1: `None` when `r` or `s`
/// is zero or not below `n`, when `r` is not the x of a curve point, or when the key would be
/// the point at infinity.
pub fn recover_public_key<C: CurveOps>(digest: &B256, r: &B256, s: &B256, y_odd: bool) -> Option<AffinePoint> {
    let r = scalar_in_range(r)?;
    let s = scalar_in_range(s)?;
    let nonce_point = lift_x::<C>(r, y_odd)?;
    let z = reduce_once(U256::from_be_bytes(digest.0), &GROUP_ORDER);
    let r_inverse = pow_mod::<C>(&r, &GROUP_ORDER.wrapping_sub(U256::from(2u8)), &GROUP_ORDER);
    // Q = r⁻¹(s·R − z·G) = u1·G + u2·R with u1 = −z·r⁻¹, u2 = s·r⁻¹.
    let minus_z = if z.is_zero() { z } else { GROUP_ORDER - z };
    let u1 = C::mul_mod(&minus_z, &r_inverse, &GROUP_ORDER);
    let u2 = C::mul_mod(&s, &r_inverse, &GROUP_ORDER);
    double_scalar_mul::<C>(&u1, &GENERATOR, &u2, &nonce_point)
}

/// `r` or `s` as an integer in `[1, n)`.
fn scalar_in_range(bytes: &B256) -> Option<U256> {
    let value = U256::from_be_bytes(bytes.0);
    (!value.is_zero() && value < GROUP_ORDER).then_some(value)
}

/// `value mod modulus` for `value < 2·modulus` (a 256-bit digest against `n`).
fn reduce_once(value: U256, modulus: &U256) -> U256 {
    if value >= *modulus {
        value - *modulus
    } else {
        value
    }
}

/// The curve point with x-coordinate `x` and a y of the requested parity, if `x³ + 7` is a square.
fn lift_x<C: CurveOps>(x: U256, y_odd: bool) -> Option<AffinePoint> {
    let x_squared = C::mul_mod(&x, &x, &FIELD_MODULUS);
    let alpha = C::mul_mod(&x_squared, &x, &FIELD_MODULUS).add_mod(CURVE_B, FIELD_MODULUS);
    // p ≡ 3 (mod 4): a square root of alpha, if one exists, is alpha^((p+1)/4).
    let exponent = (FIELD_MODULUS >> 2) + U256::from(1u8);
    let root = pow_mod::<C>(&alpha, &exponent, &FIELD_MODULUS);
    if C::mul_mod(&root, &root, &FIELD_MODULUS) != alpha {
        return None;
    }
    let y = if root.bit(0) == y_odd { root } else { FIELD_MODULUS - root };
    Some(AffinePoint { x, y })
}

/// `base^exponent mod modulus` with a fixed 4-bit window: 256 squarings and at most 64
/// multiplications after a 14-multiplication table.
pub fn pow_mod<C: CurveOps>(base: &U256, exponent: &U256, modulus: &U256) -> U256 {
    const WINDOW_BITS: usize = 4;
    let mut table = [U256::from(1u8); 1 << WINDOW_BITS];
    table[1] = *base;
    for i in 2..table.len() {
        table[i] = C::mul_mod(&table[i - 1], base, modulus);
    }
    let mut result = U256::from(1u8);
    let mut started = false;
    for window in (0..256 / WINDOW_BITS).rev() {
        if started {
            for _ in 0..WINDOW_BITS {
                result = C::mul_mod(&result, &result, modulus);
            }
        }
        let bit = window * WINDOW_BITS; // windows never straddle a 64-bit limb
        let digit = (exponent.as_limbs()[bit / 64] >> (bit % 64)) as usize & ((1 << WINDOW_BITS) - 1);
        if digit != 0 {
            result = if started { C::mul_mod(&result, &table[digit], modulus) } else { table[digit] };
            started = true;
        }
    }
    result
}

/// `a·P + b·Q` by Shamir's trick: one doubling per bit and at most one addition of `P`, `Q`
/// or the precomputed `P + Q`. `None` is the point at infinity.
fn double_scalar_mul<C: CurveOps>(a: &U256, p: &AffinePoint, b: &U256, q: &AffinePoint) -> Option<AffinePoint> {
    let sum = complete_add::<C>(Some(*p), Some(*q));
    let mut acc: Option<AffinePoint> = None;
    for bit in (0..256).rev() {
        acc = acc.map(|point| C::double(&point));
        let addend = match (a.bit(bit), b.bit(bit)) {
            (false, false) => continue,
            (true, false) => Some(*p),
            (false, true) => Some(*q),
            (true, true) => sum,
        };
        acc = complete_add::<C>(acc, addend);
    }
    acc
}

/// Addition that handles every case the precompile does not: infinity, equal points and
/// opposite points.
fn complete_add<C: CurveOps>(p: Option<AffinePoint>, q: Option<AffinePoint>) -> Option<AffinePoint> {
    match (p, q) {
        (None, other) | (other, None) => other,
        (Some(p), Some(q)) if p.x == q.x => (p.y == q.y).then(|| C::double(&p)),
        (Some(p), Some(q)) => Some(C::add(&p, &q)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
    use secp256k1::{Message, SecretKey};

    /// Textbook affine arithmetic over ruint: the software stand-in for SP1's precompiles.
    struct SoftwareCurve;

    impl SoftwareCurve {
        fn inverse(value: &U256) -> U256 {
            pow_mod::<Self>(value, &(FIELD_MODULUS - U256::from(2u8)), &FIELD_MODULUS)
        }

        fn sub(a: U256, b: U256) -> U256 {
            a.add_mod(FIELD_MODULUS - b, FIELD_MODULUS)
        }

        /// The point `(x3, y3)` on the line through `p` with slope `lambda`, and its mirror image.
        fn chord(p: &AffinePoint, q_x: U256, lambda: U256) -> AffinePoint {
            let m = FIELD_MODULUS;
            let x = Self::sub(Self::sub(lambda.mul_mod(lambda, m), p.x), q_x);
            let y = Self::sub(lambda.mul_mod(Self::sub(p.x, x), m), p.y);
            AffinePoint { x, y }
        }
    }

    impl CurveOps for SoftwareCurve {
        fn mul_mod(a: &U256, b: &U256, modulus: &U256) -> U256 {
            a.mul_mod(*b, *modulus)
        }

        fn add(p: &AffinePoint, q: &AffinePoint) -> AffinePoint {
            assert_ne!(p.x, q.x, "the precompile rejects equal x");
            let m = FIELD_MODULUS;
            let lambda = Self::sub(q.y, p.y).mul_mod(Self::inverse(&Self::sub(q.x, p.x)), m);
            Self::chord(p, q.x, lambda)
        }

        fn double(p: &AffinePoint) -> AffinePoint {
            let m = FIELD_MODULUS;
            let three_x_squared = U256::from(3u8).mul_mod(p.x.mul_mod(p.x, m), m);
            let lambda = three_x_squared.mul_mod(Self::inverse(&p.y.add_mod(p.y, m)), m);
            Self::chord(p, p.x, lambda)
        }
    }

    fn libsecp_recover(digest: &B256, compact: &[u8; 64], odd: bool) -> Option<[u8; 64]> {
        let id = RecoveryId::try_from(i32::from(odd)).ok()?;
        let signature = RecoverableSignature::from_compact(compact, id).ok()?;
        let key = signature.recover_ecdsa(Message::from_digest(digest.0)).ok()?;
        Some(key.serialize_uncompressed()[1..].try_into().unwrap())
    }

    fn portable_recover(digest: &B256, compact: &[u8; 64], odd: bool) -> Option<[u8; 64]> {
        let r = B256::from_slice(&compact[..32]);
        let s = B256::from_slice(&compact[32..]);
        let point = recover_public_key::<SoftwareCurve>(digest, &r, &s, odd)?;
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&point.x.to_be_bytes::<32>());
        out[32..].copy_from_slice(&point.y.to_be_bytes::<32>());
        Some(out)
    }

    #[test]
    fn generator_is_on_the_curve() {
        let m = FIELD_MODULUS;
        let (x, y) = (GENERATOR.x, GENERATOR.y);
        assert_eq!(y.mul_mod(y, m), x.mul_mod(x, m).mul_mod(x, m).add_mod(CURVE_B, m));
    }

    #[test]
    fn pow_mod_matches_ruint() {
        let base = U256::from(0x1234_5678_9abc_def0u64) << 100;
        for exponent in [U256::ZERO, U256::from(1u8), U256::from(17u8), GROUP_ORDER - U256::from(2u8)] {
            assert_eq!(
                pow_mod::<SoftwareCurve>(&base, &exponent, &FIELD_MODULUS),
                base.pow_mod(exponent, FIELD_MODULUS)
            );
        }
    }

    #[test]
    fn edge_signatures_fail_like_libsecp256k1() {
        let digest = B256::repeat_byte(0x42);
        let n = GROUP_ORDER.to_be_bytes::<32>();
        let one = U256::from(1u8).to_be_bytes::<32>();
        let mut cases: alloc::vec::Vec<[u8; 64]> = alloc::vec::Vec::new();
        for (r, s) in [([0u8; 32], one), (one, [0u8; 32]), (n, one), (one, n), ([0xff; 32], one), (one, one)] {
            let mut compact = [0u8; 64];
            compact[..32].copy_from_slice(&r);
            compact[32..].copy_from_slice(&s);
            cases.push(compact);
        }
        for compact in cases {
            for odd in [false, true] {
                assert_eq!(portable_recover(&digest, &compact, odd), libsecp_recover(&digest, &compact, odd));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn recovers_the_same_key_as_libsecp256k1(secret in any::<[u8; 32]>(), digest in any::<[u8; 32]>()) {
            let Ok(secret) = SecretKey::from_secret_bytes(secret) else { return Ok(()) };
            let digest = B256::new(digest);
            let (id, compact) = RecoverableSignature::sign_ecdsa_recoverable(Message::from_digest(digest.0), &secret)
                .serialize_compact();
            for odd in [false, true] {
                let expected = libsecp_recover(&digest, &compact, odd);
                prop_assert_eq!(portable_recover(&digest, &compact, odd), expected);
                if odd == (u8::from(id) == 1) {
                    prop_assert!(expected.is_some());
                }
            }
        }

        #[test]
        fn arbitrary_signatures_agree_with_libsecp256k1(compact in any::<[u8; 64]>(), digest in any::<[u8; 32]>(), odd in any::<bool>()) {
            let digest = B256::new(digest);
            prop_assert_eq!(portable_recover(&digest, &compact, odd), libsecp_recover(&digest, &compact, odd));
        }
    }
}

//! Signer recovery with the C11 checks: the signature half of the crypto seam.
//!
//! A signature is valid only if `v ∈ {0, 1, 27, 28}`, `s ≤ n/2` (low-s, **DEVIATION** of C11
//! following EIP-2), `r` and `s` are in range, and it recovers to the message's trader.
//!
//! The C11 rules live here once; only the curve math behind them differs. A host recovers
//! with libsecp256k1 (the `secp256k1` crate); inside the SP1 zkVM the portable
//! [`crate::ecrecover`] runs over SP1's precompiles, with results identical to libsecp256k1
//! (tested in `ecrecover`).

use crate::codec::{DecodeError, Reader};
use crate::hash::keccak256;
use crate::limits::SIGNATURE_LEN;
use alloy_primitives::{Address, B256, U256};
#[cfg(not(target_os = "zkvm"))]
use secp256k1::{
    ecdsa::{RecoverableSignature, RecoveryId},
    Message as Digest, PublicKey, SecretKey,
};

/// A 65-byte signature `r ‖ s ‖ v` (section C), kept as bytes so that every byte string
/// round-trips and the checks of C11 happen in one place (this module).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature(pub [u8; SIGNATURE_LEN]);

impl Signature {
    /// Reads 65 bytes.
    pub fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut out = [0u8; SIGNATURE_LEN];
        out.copy_from_slice(r.take(SIGNATURE_LEN)?);
        Ok(Self(out))
    }
}

/// Half the secp256k1 group order: the largest `s` a low-s signature may carry (EIP-2).
pub const SECP256K1_HALF_ORDER: U256 = U256::from_be_slice(&[
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e,
    0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
]);

/// Why a signature is refused (all batch-invalid, C11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// `v` is not one of 0, 1, 27, 28.
    #[error("signature v={0} is not in {{0,1,27,28}}")]
    BadV(u8),
    /// `s > n/2`.
    #[error("signature s is not low (s > n/2)")]
    HighS,
    /// `r` or `s` out of range, or no point recovers.
    #[error("signature does not recover a public key")]
    Unrecoverable,
    /// A key recovers, but not the trader's.
    #[error("signature recovers {recovered}, not the trader {expected}")]
    WrongSigner {
        /// The message's trader.
        expected: Address,
        /// The address the signature recovers to.
        recovered: Address,
    },
}

/// Recovers the address that signed `digest`, enforcing the v and low-s rules of C11.
pub fn recover_signer(digest: &B256, signature: &Signature) -> Result<Address, SignatureError> {
    let bytes = &signature.0;
    let v = bytes[64];
    let parity = match v {
        0 | 27 => 0,
        1 | 28 => 1,
        other => return Err(SignatureError::BadV(other)),
    };
    if U256::from_be_slice(&bytes[32..64]) > SECP256K1_HALF_ORDER {
        return Err(SignatureError::HighS);
    }
    let public = recover_uncompressed(digest, &bytes[..64], parity == 1).ok_or(SignatureError::Unrecoverable)?;
    Ok(uncompressed_key_address(&public))
}

/// The public key `x ‖ y` (big-endian) of a compact `r ‖ s` signature with nonce parity `odd`.
#[cfg(not(target_os = "zkvm"))]
fn recover_uncompressed(digest: &B256, compact: &[u8], odd: bool) -> Option<[u8; 64]> {
    let recovery_id = RecoveryId::try_from(i32::from(odd)).ok()?;
    let recoverable = RecoverableSignature::from_compact(compact, recovery_id).ok()?;
    let public = recoverable.recover_ecdsa(Digest::from_digest(digest.0)).ok()?;
    let mut out = [0u8; 64];
    out.copy_from_slice(&public.serialize_uncompressed()[1..]);
    Some(out)
}

/// The public key `x ‖ y` (big-endian) of a compact `r ‖ s` signature with nonce parity `odd`.
#[cfg(target_os = "zkvm")]
fn recover_uncompressed(digest: &B256, compact: &[u8], odd: bool) -> Option<[u8; 64]> {
    let r = B256::from_slice(&compact[..32]);
    let s = B256::from_slice(&compact[32..64]);
    let point = crate::ecrecover::recover_public_key::<crate::zkvm::Sp1Curve>(digest, &r, &s, odd)?;
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&point.x.to_be_bytes::<32>());
    out[32..].copy_from_slice(&point.y.to_be_bytes::<32>());
    Some(out)
}

/// Ethereum address of an uncompressed public key `x ‖ y`: the last 20 bytes of its keccak256.
pub fn uncompressed_key_address(public: &[u8; 64]) -> Address {
    Address::from_slice(&keccak256(public)[12..])
}

/// Recovers and compares with the expected trader.
pub fn verify_signer(digest: &B256, signature: &Signature, trader: &Address) -> Result<(), SignatureError> {
    let recovered = recover_signer(digest, signature)?;
    if recovered != *trader {
        return Err(SignatureError::WrongSigner { expected: *trader, recovered });
    }
    Ok(())
}

/// Ethereum address of a public key: the last 20 bytes of keccak256 of its uncompressed form.
#[cfg(not(target_os = "zkvm"))]
pub fn public_key_address(public: &PublicKey) -> Address {
    let uncompressed = public.serialize_uncompressed();
    Address::from_slice(&keccak256(&uncompressed[1..])[12..])
}

/// Signs `digest` with RFC 6979 nonces; the result is low-s with `v ∈ {27, 28}`. Used by
/// clients, tests and tooling; execution never signs.
#[cfg(not(target_os = "zkvm"))]
pub fn sign_digest(secret: &SecretKey, digest: &B256) -> Signature {
    let recoverable = RecoverableSignature::sign_ecdsa_recoverable(Digest::from_digest(digest.0), secret);
    let (recovery_id, compact) = recoverable.serialize_compact();
    let mut out = [0u8; 65];
    out[..64].copy_from_slice(&compact);
    out[64] = 27 + u8::from(recovery_id);
    Signature(out)
}

/// The address of a secret key.
#[cfg(not(target_os = "zkvm"))]
pub fn secret_key_address(secret: &SecretKey) -> Address {
    public_key_address(&PublicKey::from_secret_key(secret))
}

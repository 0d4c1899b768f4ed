//! Signer recovery with the C11 checks, through libsecp256k1 (the `secp256k1` crate).
//!
//! A signature is valid only if `v ∈ {0, 1, 27, 28}`, `s ≤ n/2` (low-s, **DEVIATION** of C11
//! following EIP-2), `r` and `s` are in range, and it recovers to the message's trader.

use crate::hash::keccak256;
use crate::message::Signature;
use alloy_primitives::{Address, B256, U256};
use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
use secp256k1::{Message as Digest, PublicKey, SecretKey};

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
    let recovery_id = RecoveryId::try_from(parity).map_err(|_| SignatureError::Unrecoverable)?;
    let recoverable =
        RecoverableSignature::from_compact(&bytes[..64], recovery_id).map_err(|_| SignatureError::Unrecoverable)?;
    let public = recoverable.recover_ecdsa(Digest::from_digest(digest.0)).map_err(|_| SignatureError::Unrecoverable)?;
    Ok(public_key_address(&public))
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
pub fn public_key_address(public: &PublicKey) -> Address {
    let uncompressed = public.serialize_uncompressed();
    Address::from_slice(&keccak256(&uncompressed[1..])[12..])
}

/// Signs `digest` with RFC 6979 nonces; the result is low-s with `v ∈ {27, 28}`. Used by
/// clients, tests and tooling; execution never signs.
pub fn sign_digest(secret: &SecretKey, digest: &B256) -> Signature {
    let recoverable = RecoverableSignature::sign_ecdsa_recoverable(Digest::from_digest(digest.0), secret);
    let (recovery_id, compact) = recoverable.serialize_compact();
    let mut out = [0u8; 65];
    out[..64].copy_from_slice(&compact);
    out[64] = 27 + u8::from(recovery_id);
    Signature(out)
}

/// The address of a secret key.
pub fn secret_key_address(secret: &SecretKey) -> Address {
    public_key_address(&PublicKey::from_secret_key(secret))
}

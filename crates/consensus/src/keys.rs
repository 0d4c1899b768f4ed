//! Validator keys: secp256k1 secrets whose identity is an Ethereum address and whose
//! signatures are 65-byte recoverable `r ‖ s ‖ v` (v ∈ {27, 28}) over keccak256 digests — the
//! form Ethereum's `ecrecover` checks, so an L1 contract can verify a numo certificate.

use alloy_primitives::{keccak256, Address, B256, U256};
use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
use secp256k1::{Message, PublicKey, SecretKey};

/// Bytes of a recoverable signature: `r (32) ‖ s (32) ‖ v (1)`.
pub const SIGNATURE_LEN: usize = 65;
/// Bytes of a compressed secp256k1 public key.
pub const PUBLIC_KEY_LEN: usize = 33;

/// Half the secp256k1 group order: the largest `s` a canonical (low-s, EIP-2) signature carries.
/// Only low-s signatures are accepted, so every vote has exactly one valid encoding.
const HALF_ORDER: U256 = U256::from_be_slice(&[
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e,
    0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
]);

/// Why a key or a signature is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The 32 bytes are zero or not below the group order.
    #[error("secret key out of range")]
    BadSecret,
    /// The 33 bytes are not a compressed point on the curve.
    #[error("public key is not a compressed secp256k1 point")]
    BadPublicKey,
    /// `v` is neither 27 nor 28.
    #[error("signature v={0} is not 27 or 28")]
    BadV(u8),
    /// `s > n/2`: a malleated signature.
    #[error("signature s is not low (s > n/2)")]
    HighS,
    /// `r` or `s` out of range, or no point recovers.
    #[error("signature does not recover a public key")]
    Unrecoverable,
}

impl KeyError {
    /// Stable short code for tools and logs.
    pub const fn code(&self) -> &'static str {
        match self {
            KeyError::BadSecret => "key_bad_secret",
            KeyError::BadPublicKey => "key_bad_public_key",
            KeyError::BadV(_) => "sig_bad_v",
            KeyError::HighS => "sig_high_s",
            KeyError::Unrecoverable => "sig_unrecoverable",
        }
    }
}

/// A validator's secp256k1 secret key. `Debug` never prints the secret.
#[derive(Clone)]
pub struct ValidatorKey {
    secret: SecretKey,
}

impl std::fmt::Debug for ValidatorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ValidatorKey({})", self.address())
    }
}

impl ValidatorKey {
    /// The key of a 32-byte big-endian secret scalar.
    pub fn from_bytes(bytes: [u8; 32]) -> Result<Self, KeyError> {
        let secret = SecretKey::from_secret_bytes(bytes).map_err(|_| KeyError::BadSecret)?;
        Ok(Self { secret })
    }

    /// A fresh key from the operating system's randomness.
    pub fn random() -> Self {
        loop {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).expect("the OS random source is available");
            if let Ok(key) = Self::from_bytes(bytes) {
                return key;
            }
        }
    }

    /// The secret scalar, for storing the key.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.secret.to_secret_bytes()
    }

    /// The Ethereum address of the key.
    pub fn address(&self) -> Address {
        point_address(&self.point())
    }

    /// The compressed public key.
    pub fn public_key(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.point().serialize()
    }

    /// Signs `digest` (RFC 6979 nonces): low-s, `v ∈ {27, 28}`.
    pub fn sign_digest(&self, digest: B256) -> [u8; SIGNATURE_LEN] {
        let signature = RecoverableSignature::sign_ecdsa_recoverable(Message::from_digest(digest.0), &self.secret);
        let (recovery_id, compact) = signature.serialize_compact();
        let mut out = [0u8; SIGNATURE_LEN];
        out[..64].copy_from_slice(&compact);
        out[64] = 27 + u8::from(recovery_id == RecoveryId::One);
        out
    }

    pub(crate) fn point(&self) -> PublicKey {
        PublicKey::from_secret_key(&self.secret)
    }
}

/// The Ethereum address of a compressed public key.
pub fn public_key_address(public_key: &[u8; PUBLIC_KEY_LEN]) -> Result<Address, KeyError> {
    Ok(point_address(&parse_public_key(public_key)?))
}

/// Recovers the address that signed `digest`, accepting only canonical signatures
/// (`v ∈ {27, 28}`, low `s`).
pub fn recover_address(digest: B256, signature: &[u8; SIGNATURE_LEN]) -> Result<Address, KeyError> {
    Ok(point_address(&recover_point(digest, signature)?))
}

pub(crate) fn parse_public_key(bytes: &[u8]) -> Result<PublicKey, KeyError> {
    if bytes.len() != PUBLIC_KEY_LEN {
        return Err(KeyError::BadPublicKey);
    }
    PublicKey::from_slice(bytes).map_err(|_| KeyError::BadPublicKey)
}

pub(crate) fn point_address(point: &PublicKey) -> Address {
    let uncompressed = point.serialize_uncompressed();
    Address::from_slice(&keccak256(&uncompressed[1..])[12..])
}

pub(crate) fn recover_point(digest: B256, signature: &[u8; SIGNATURE_LEN]) -> Result<PublicKey, KeyError> {
    let recovery_id = match signature[64] {
        27 => RecoveryId::Zero,
        28 => RecoveryId::One,
        other => return Err(KeyError::BadV(other)),
    };
    if U256::from_be_slice(&signature[32..64]) > HALF_ORDER {
        return Err(KeyError::HighS);
    }
    let recoverable =
        RecoverableSignature::from_compact(&signature[..64], recovery_id).map_err(|_| KeyError::Unrecoverable)?;
    recoverable.recover_ecdsa(Message::from_digest(digest.0)).map_err(|_| KeyError::Unrecoverable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_of_a_known_key_matches_ethereum() {
        // Anvil's account 0: a key whose address every Ethereum tool agrees on.
        let secret = alloy_primitives::hex!("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
        let key = ValidatorKey::from_bytes(secret).unwrap();
        let expected: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse().unwrap();
        assert_eq!(key.address(), expected);
        assert_eq!(public_key_address(&key.public_key()).unwrap(), expected);
    }

    #[test]
    fn signatures_recover_and_refuse_malleation() {
        let key = ValidatorKey::random();
        let digest = keccak256(b"numo");
        let signature = key.sign_digest(digest);
        assert!(signature[64] == 27 || signature[64] == 28);
        assert_eq!(recover_address(digest, &signature).unwrap(), key.address());

        let mut bad_v = signature;
        bad_v[64] = 1;
        assert_eq!(recover_address(digest, &bad_v), Err(KeyError::BadV(1)));

        // s' = n - s with the flipped parity recovers the same key; it must be refused.
        let n = U256::from_be_slice(&alloy_primitives::hex!(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
        ));
        let s = U256::from_be_slice(&signature[32..64]);
        let mut high = signature;
        high[32..64].copy_from_slice(&(n - s).to_be_bytes::<32>());
        high[64] = if signature[64] == 27 { 28 } else { 27 };
        assert_eq!(recover_address(digest, &high), Err(KeyError::HighS));
        assert_eq!(ValidatorKey::from_bytes([0u8; 32]).unwrap_err(), KeyError::BadSecret);
    }
}

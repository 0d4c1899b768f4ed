//! numo's commit certificate: the precommits that decided a height, in a versioned binary form
//! that anyone can check with nothing but the validator set and `ecrecover`.
//!
//! ```text
//! U8 version (1) ‖ U64 height ‖ U32 round ‖ B32 valueId ‖ U32 n ‖ n × (B20 validator ‖ B65 signature)
//! ```
//! All integers big-endian. Each signature is a precommit: it covers
//! [`vote_digest`]`(chainId, Precommit, height, round, Some(valueId))`.

use std::collections::BTreeSet;

use alloy_primitives::{Address, B256};

use crate::digest::{vote_digest, VoteType};
use crate::keys::{recover_address, KeyError, SIGNATURE_LEN};
use crate::validators::ValidatorSet;

/// The only certificate encoding version so far.
pub const CERTIFICATE_VERSION: u8 = 1;
/// Bytes before the signatures: version, height, round, value id, count.
const HEADER_LEN: usize = 1 + 8 + 4 + 32 + 4;
/// Bytes of one `(validator, signature)` entry.
const ENTRY_LEN: usize = 20 + SIGNATURE_LEN;

/// One validator's precommit signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitSignature {
    /// The validator the signature is claimed to be from.
    pub validator: Address,
    /// `r ‖ s ‖ v` over the precommit digest.
    pub signature: [u8; SIGNATURE_LEN],
}

/// Proof that `value_id` was decided at `height` (in `round`): precommits of more than two
/// thirds of the voting power.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The decided height.
    pub height: u64,
    /// The round the decision was made in.
    pub round: u32,
    /// `keccak256` of the decided value's bytes.
    pub value_id: B256,
    /// The precommits, in the order Malachite collected them.
    pub signatures: Vec<CommitSignature>,
}

/// Why a certificate does not decode or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// The bytes end before the structure does.
    #[error("certificate truncated: {needed} bytes needed, {available} available")]
    Truncated {
        /// Bytes the structure needs.
        needed: usize,
        /// Bytes there are.
        available: usize,
    },
    /// Bytes after the last signature.
    #[error("certificate has {0} trailing bytes")]
    TrailingBytes(usize),
    /// A version this code does not know.
    #[error("unknown certificate version {0}")]
    UnknownVersion(u8),
    /// A signer that is not in the validator set.
    #[error("signer {0} is not a validator")]
    UnknownValidator(Address),
    /// The same validator twice.
    #[error("validator {0} signed twice")]
    DuplicateSigner(Address),
    /// A signature that is not canonical or recovers nothing.
    #[error("signature of {validator} is malformed: {reason}")]
    BadSignature {
        /// The validator named beside it.
        validator: Address,
        /// What is wrong with it.
        reason: KeyError,
    },
    /// A signature made by another key than the named validator's, or over another digest
    /// (another chain, height, round or value).
    #[error("signature named {validator} recovers {recovered}")]
    WrongSigner {
        /// The validator named beside it.
        validator: Address,
        /// Who the precommit digest recovers to.
        recovered: Address,
    },
    /// The signers hold two thirds of the power or less.
    #[error("signers hold {signed} voting power, {required} required")]
    InsufficientPower {
        /// Power of the valid signers.
        signed: u64,
        /// The set's quorum.
        required: u64,
    },
}

impl CertificateError {
    /// Stable short code for tools and logs.
    pub const fn code(&self) -> &'static str {
        match self {
            CertificateError::Truncated { .. } => "cert_truncated",
            CertificateError::TrailingBytes(_) => "cert_trailing_bytes",
            CertificateError::UnknownVersion(_) => "cert_unknown_version",
            CertificateError::UnknownValidator(_) => "cert_unknown_validator",
            CertificateError::DuplicateSigner(_) => "cert_duplicate_signer",
            CertificateError::BadSignature { .. } => "cert_bad_signature",
            CertificateError::WrongSigner { .. } => "cert_wrong_signer",
            CertificateError::InsufficientPower { .. } => "cert_insufficient_power",
        }
    }
}

impl Certificate {
    /// The versioned binary form (module docs).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + ENTRY_LEN * self.signatures.len());
        out.push(CERTIFICATE_VERSION);
        out.extend_from_slice(&self.height.to_be_bytes());
        out.extend_from_slice(&self.round.to_be_bytes());
        out.extend_from_slice(self.value_id.as_slice());
        let count = u32::try_from(self.signatures.len()).expect("fewer than 2^32 signatures");
        out.extend_from_slice(&count.to_be_bytes());
        for entry in &self.signatures {
            out.extend_from_slice(entry.validator.as_slice());
            out.extend_from_slice(&entry.signature);
        }
        out
    }

    /// The strict inverse of [`Certificate::encode`]: any other byte string is an error, never
    /// a panic, and the signature count is checked against the length before allocating.
    pub fn decode(bytes: &[u8]) -> Result<Self, CertificateError> {
        let truncated = |needed| CertificateError::Truncated { needed, available: bytes.len() };
        let version = *bytes.first().ok_or(truncated(HEADER_LEN))?;
        if version != CERTIFICATE_VERSION {
            return Err(CertificateError::UnknownVersion(version));
        }
        if bytes.len() < HEADER_LEN {
            return Err(truncated(HEADER_LEN));
        }
        let height = u64::from_be_bytes(bytes[1..9].try_into().expect("8 bytes"));
        let round = u32::from_be_bytes(bytes[9..13].try_into().expect("4 bytes"));
        let value_id = B256::from_slice(&bytes[13..45]);
        let count = u32::from_be_bytes(bytes[45..49].try_into().expect("4 bytes")) as usize;
        let needed =
            count.checked_mul(ENTRY_LEN).and_then(|body| body.checked_add(HEADER_LEN)).ok_or(truncated(usize::MAX))?;
        if bytes.len() < needed {
            return Err(truncated(needed));
        }
        if bytes.len() > needed {
            return Err(CertificateError::TrailingBytes(bytes.len() - needed));
        }
        let signatures = bytes[HEADER_LEN..]
            .chunks_exact(ENTRY_LEN)
            .map(|entry| CommitSignature {
                validator: Address::from_slice(&entry[..20]),
                signature: entry[20..].try_into().expect("65 bytes"),
            })
            .collect();
        Ok(Self { height, round, value_id, signatures })
    }

    /// Checks every signature — canonical, recovering from the precommit digest of this
    /// chain/height/round/value to exactly the named validator, a member of `validators`, each
    /// validator at most once — and that the signers hold at least `validators.quorum()`.
    pub fn verify(&self, chain_id: u64, validators: &ValidatorSet) -> Result<(), CertificateError> {
        let digest = vote_digest(chain_id, VoteType::Precommit, self.height, self.round, Some(self.value_id));
        let mut seen = BTreeSet::new();
        let mut signed: u64 = 0;
        for entry in &self.signatures {
            let validator =
                validators.get(&entry.validator).ok_or(CertificateError::UnknownValidator(entry.validator))?;
            if !seen.insert(entry.validator) {
                return Err(CertificateError::DuplicateSigner(entry.validator));
            }
            let recovered = recover_address(digest, &entry.signature)
                .map_err(|reason| CertificateError::BadSignature { validator: entry.validator, reason })?;
            if recovered != entry.validator {
                return Err(CertificateError::WrongSigner { validator: entry.validator, recovered });
            }
            // Cannot overflow: distinct members of a set whose total fits in u64.
            signed += validator.voting_power;
        }
        let required = validators.quorum();
        if signed < required {
            return Err(CertificateError::InsufficientPower { signed, required });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::ValidatorKey;
    use crate::validators::Validator;

    const CHAIN: u64 = 77;

    fn committee() -> (ValidatorSet, Vec<ValidatorKey>) {
        let keys: Vec<_> = (1..=4u8).map(|i| ValidatorKey::from_bytes([i; 32]).unwrap()).collect();
        let set =
            ValidatorSet::new(keys.iter().map(|k| Validator::new(k.public_key(), 10).unwrap()).collect()).unwrap();
        (set, keys)
    }

    fn signed(keys: &[ValidatorKey], height: u64, round: u32, value: B256) -> Certificate {
        let digest = vote_digest(CHAIN, VoteType::Precommit, height, round, Some(value));
        Certificate {
            height,
            round,
            value_id: value,
            signatures: keys
                .iter()
                .map(|k| CommitSignature { validator: k.address(), signature: k.sign_digest(digest) })
                .collect(),
        }
    }

    #[test]
    fn encode_decode_round_trip_and_every_truncation_errors() {
        let (_, keys) = committee();
        let cert = signed(&keys[..3], 0x0102_0304_0506_0708, 9, B256::repeat_byte(0x42));
        let bytes = cert.encode();
        assert_eq!(bytes.len(), HEADER_LEN + 3 * ENTRY_LEN);
        assert_eq!(bytes[0], 1);
        assert_eq!(&bytes[1..9], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(&bytes[9..13], &[0, 0, 0, 9]);
        assert_eq!(&bytes[45..49], &[0, 0, 0, 3]);
        assert_eq!(Certificate::decode(&bytes).unwrap(), cert);
        for len in 0..bytes.len() {
            let err = Certificate::decode(&bytes[..len]).unwrap_err();
            assert!(matches!(err, CertificateError::Truncated { .. }), "len {len}: {err:?}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(Certificate::decode(&long), Err(CertificateError::TrailingBytes(1)));
        let mut v2 = bytes.clone();
        v2[0] = 2;
        assert_eq!(Certificate::decode(&v2), Err(CertificateError::UnknownVersion(2)));
        // A count that would overflow the length computation is an error, not a panic.
        let mut huge = bytes[..HEADER_LEN].to_vec();
        huge[45..49].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(Certificate::decode(&huge), Err(CertificateError::Truncated { .. })));
    }

    #[test]
    fn verify_accepts_a_quorum() {
        let (set, keys) = committee();
        signed(&keys[..3], 5, 0, B256::repeat_byte(1)).verify(CHAIN, &set).unwrap();
        signed(&keys, 5, 0, B256::repeat_byte(1)).verify(CHAIN, &set).unwrap();
    }

    #[test]
    fn verify_rejects_too_little_power() {
        let (set, keys) = committee();
        let err = signed(&keys[..2], 5, 0, B256::ZERO).verify(CHAIN, &set).unwrap_err();
        assert_eq!(err, CertificateError::InsufficientPower { signed: 20, required: 27 });
        let empty = Certificate { height: 5, round: 0, value_id: B256::ZERO, signatures: vec![] };
        assert_eq!(empty.verify(CHAIN, &set).unwrap_err().code(), "cert_insufficient_power");
    }

    #[test]
    fn verify_rejects_a_duplicate() {
        let (set, keys) = committee();
        let mut cert = signed(&keys[..2], 5, 0, B256::ZERO);
        cert.signatures.push(cert.signatures[0]);
        assert_eq!(cert.verify(CHAIN, &set), Err(CertificateError::DuplicateSigner(keys[0].address())));
    }

    #[test]
    fn verify_rejects_a_wrong_signer() {
        let (set, keys) = committee();
        let mut cert = signed(&keys[..3], 5, 0, B256::ZERO);
        // keys[1]'s signature presented as keys[3]'s.
        cert.signatures[1].validator = keys[3].address();
        assert_eq!(
            cert.verify(CHAIN, &set),
            Err(CertificateError::WrongSigner { validator: keys[3].address(), recovered: keys[1].address() })
        );
        let outsider = ValidatorKey::from_bytes([9; 32]).unwrap();
        let mut cert = signed(&keys[..3], 5, 0, B256::ZERO);
        cert.signatures.push(signed(std::slice::from_ref(&outsider), 5, 0, B256::ZERO).signatures[0]);
        assert_eq!(cert.verify(CHAIN, &set), Err(CertificateError::UnknownValidator(outsider.address())));
        let mut cert = signed(&keys[..3], 5, 0, B256::ZERO);
        cert.signatures[0].signature[64] = 0;
        assert_eq!(cert.verify(CHAIN, &set).unwrap_err().code(), "cert_bad_signature");
    }

    #[test]
    fn verify_rejects_signatures_over_another_height_round_value_or_chain() {
        let (set, keys) = committee();
        let value = B256::repeat_byte(7);
        let good = signed(&keys[..3], 5, 1, value);
        for (what, cert) in [
            ("height", Certificate { height: 6, ..good.clone() }),
            ("round", Certificate { round: 2, ..good.clone() }),
            ("value", Certificate { value_id: B256::repeat_byte(8), ..good.clone() }),
        ] {
            let err = cert.verify(CHAIN, &set).unwrap_err();
            assert!(matches!(err, CertificateError::WrongSigner { .. }), "{what}: {err:?}");
        }
        assert!(matches!(good.verify(CHAIN + 1, &set), Err(CertificateError::WrongSigner { .. })));
        // A prevote for the same value is not a precommit.
        let digest = vote_digest(CHAIN, VoteType::Prevote, 5, 1, Some(value));
        let mut prevotes = good.clone();
        for (entry, key) in prevotes.signatures.iter_mut().zip(&keys) {
            entry.signature = key.sign_digest(digest);
        }
        assert!(matches!(prevotes.verify(CHAIN, &set), Err(CertificateError::WrongSigner { .. })));
    }
}

//! Batch-invalid conditions (C11): the guest aborts with no public inputs and the sequencer
//! must never build such a batch.

use crate::codec::DecodeError;
use crate::exec::hints::HintError;
use crate::rules::RulesError;
use crate::signature::SignatureError;
use crate::state::StateError;
use alloy_primitives::B256;

/// Every reason a batch has no valid execution (C11).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// Malformed bytes: short, trailing, unknown type, bad hint flag.
    #[error("malformed input: {0}")]
    Decode(#[from] DecodeError),
    /// The Rules fail a C11 check.
    #[error("invalid rules: {0}")]
    Rules(#[from] RulesError),
    /// `messageCount = 0`.
    #[error("batch has no messages")]
    EmptyBatch,
    /// `messageCount > maxOrdersPerBatch`.
    #[error("batch has {count} messages, more than maxOrdersPerBatch {max}")]
    TooManyMessages {
        /// Messages in the batch.
        count: usize,
        /// The market's bound.
        max: u32,
    },
    /// A signature fails the C11 checks.
    #[error("message {index}: {error}")]
    Signature {
        /// Position in the batch.
        index: usize,
        /// What is wrong with it.
        error: SignatureError,
    },
    /// `nonce ≠ nextNonce` (C9).
    #[error("message {index}: nonce {got}, expected {expected}")]
    NonceMismatch {
        /// Position in the batch.
        index: usize,
        /// The trader's `nextNonce`.
        expected: u64,
        /// The message's nonce.
        got: u64,
    },
    /// The nonce increment would pass 2^64 − 1.
    #[error("message {index}: nonce increment overflows")]
    NonceOverflow {
        /// Position in the batch.
        index: usize,
    },
    /// The given `domainSeparator` is not the recomputed one.
    #[error("domainSeparator mismatch: given {given}, computed {computed}")]
    DomainSeparatorMismatch {
        /// Value in the input.
        given: B256,
        /// Recomputed value.
        computed: B256,
    },
    /// The given `rulesHash` is not the recomputed one.
    #[error("rulesHash mismatch: given {given}, computed {computed}")]
    RulesHashMismatch {
        /// Value in the input.
        given: B256,
        /// Recomputed value.
        computed: B256,
    },
    /// The given `batchDigest` is not the recomputed one.
    #[error("batchDigest mismatch: given {given}, computed {computed}")]
    BatchDigestMismatch {
        /// Value in the input.
        given: B256,
        /// Recomputed value.
        computed: B256,
    },
    /// The given `daCommitment` is not the recomputed one (C20).
    #[error("daCommitment mismatch: given {given}, computed {computed}")]
    DaCommitmentMismatch {
        /// Value in the input.
        given: B256,
        /// Recomputed value.
        computed: B256,
    },
    /// Touching an unproven key, or a stored value that does not decode.
    #[error("{0}")]
    State(#[from] StateError),
    /// A proof does not verify against `prevRoot`.
    #[error("proof of key {key} does not verify against prevRoot")]
    ProofMismatch {
        /// The key of the bad proof.
        key: B256,
    },
    /// Two proofs for one key.
    #[error("duplicate proof for key {key}")]
    DuplicateProof {
        /// The repeated key.
        key: B256,
    },
    /// Tick hints that do not describe the book (C17).
    #[error("message {index}: wrong tick hints: {reason}")]
    BadTickHints {
        /// Position in the batch.
        index: usize,
        /// Which check failed.
        reason: HintError,
    },
}

impl BatchError {
    /// Stable short code for tools and APIs.
    pub fn code(&self) -> &'static str {
        match self {
            BatchError::Decode(_) => "malformed",
            BatchError::Rules(_) => "bad_rules",
            BatchError::EmptyBatch => "empty_batch",
            BatchError::TooManyMessages { .. } => "too_many_messages",
            BatchError::Signature { .. } => "bad_signature",
            BatchError::NonceMismatch { .. } => "bad_nonce",
            BatchError::NonceOverflow { .. } => "nonce_overflow",
            BatchError::DomainSeparatorMismatch { .. } => "domain_separator_mismatch",
            BatchError::RulesHashMismatch { .. } => "rules_hash_mismatch",
            BatchError::BatchDigestMismatch { .. } => "batch_digest_mismatch",
            BatchError::DaCommitmentMismatch { .. } => "da_commitment_mismatch",
            BatchError::State(StateError::MissingWitness { .. }) => "missing_proof",
            BatchError::State(StateError::Corrupt { .. }) => "corrupt_value",
            BatchError::ProofMismatch { .. } => "proof_mismatch",
            BatchError::DuplicateProof { .. } => "duplicate_proof",
            BatchError::BadTickHints { .. } => "bad_tick_hints",
        }
    }
}

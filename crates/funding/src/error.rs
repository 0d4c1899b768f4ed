//! Why a funding batch is invalid (no public inputs; the proposer must never build one) and
//! why a single withdrawal is rejected (its nonce is consumed, nothing else changes).

use alloy_primitives::B256;
use numo_core::codec::DecodeError;
use numo_core::signature::SignatureError;
use numo_core::StateError;
use numo_stf::BatchError;

/// Every reason a funding batch has no valid execution (F7, F12).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FundingError {
    /// Malformed bytes.
    #[error("malformed input: {0}")]
    Decode(#[from] DecodeError),
    /// The asset table is not strictly ascending or has a zero cap (F6).
    #[error("invalid asset table")]
    BadAssetTable,
    /// No messages.
    #[error("funding batch has no messages")]
    EmptyBatch,
    /// More than `MAX_FUNDING_PER_BATCH` messages.
    #[error("funding batch has {count} messages, more than {max}")]
    TooManyMessages {
        /// Messages in the batch.
        count: usize,
        /// The bound.
        max: usize,
    },
    /// A Withdraw's or Transfer's signature fails the C11 checks.
    #[error("message {index}: {error}")]
    Signature {
        /// Position in the batch.
        index: usize,
        /// What is wrong with it.
        error: SignatureError,
    },
    /// A Withdraw's or Transfer's nonce is not the owner's funding `nextNonce`.
    #[error("message {index}: funding nonce {got}, expected {expected}")]
    NonceMismatch {
        /// Position in the batch.
        index: usize,
        /// The owner's next funding nonce.
        expected: u64,
        /// The message's.
        got: u64,
    },
    /// A Withdraw's or Transfer's owner has used funding nonce 2^64 − 1: there is no next one (F7).
    #[error("message {index}: the owner's funding nonce is exhausted")]
    NonceOverflow {
        /// Position in the batch.
        index: usize,
    },
    /// A queue index or the withdrawal id counter would pass 2^64 − 1.
    #[error("message {index}: a counter overflows")]
    CounterOverflow {
        /// Position in the batch.
        index: usize,
    },
    /// A Deposit is not the next record of the L1 deposit queue.
    #[error("message {index}: deposit {got}, the next is {expected}")]
    DepositOutOfOrder {
        /// Position in the batch.
        index: usize,
        /// numo's next deposit index.
        expected: u64,
        /// The message's.
        got: u64,
    },
    /// A ForcedWithdrawal is not the next record of the L1 forced queue.
    #[error("message {index}: forced withdrawal {got}, the next is {expected}")]
    ForcedOutOfOrder {
        /// Position in the batch.
        index: usize,
        /// numo's next forced index.
        expected: u64,
        /// The message's.
        got: u64,
    },
    /// A recomputed commitment differs from the one given in the input.
    #[error("{field} mismatch: given {given}, computed {computed}")]
    CommitmentMismatch {
        /// Which: `domainSeparator`, `rulesHash`, `batchDigest` or `daCommitment`.
        field: &'static str,
        /// Value in the input.
        given: B256,
        /// Recomputed value.
        computed: B256,
    },
    /// A state access failed: an unproven key or a corrupt value.
    #[error(transparent)]
    State(#[from] StateError),
    /// The witness's proofs do not verify (mismatch, duplicate), as for a trading batch.
    #[error(transparent)]
    Witness(BatchError),
}

impl FundingError {
    /// Stable short code for tools and APIs.
    pub fn code(&self) -> &'static str {
        match self {
            FundingError::Decode(_) => "malformed",
            FundingError::BadAssetTable => "bad_asset_table",
            FundingError::EmptyBatch => "empty_batch",
            FundingError::TooManyMessages { .. } => "too_many_messages",
            FundingError::Signature { .. } => "bad_signature",
            FundingError::NonceMismatch { .. } => "bad_nonce",
            FundingError::NonceOverflow { .. } => "nonce_overflow",
            FundingError::CounterOverflow { .. } => "counter_overflow",
            FundingError::DepositOutOfOrder { .. } => "deposit_out_of_order",
            FundingError::ForcedOutOfOrder { .. } => "forced_out_of_order",
            FundingError::CommitmentMismatch { field, .. } => match *field {
                "domainSeparator" => "domain_separator_mismatch",
                "rulesHash" => "rules_hash_mismatch",
                "batchDigest" => "batch_digest_mismatch",
                _ => "da_commitment_mismatch",
            },
            FundingError::State(StateError::MissingWitness { .. }) => "missing_proof",
            FundingError::State(StateError::Corrupt { .. }) => "corrupt_value",
            FundingError::Witness(error) => error.code(),
        }
    }
}

/// Why a Withdraw or a Transfer was rejected (F7), or why a balance move an EVM system message
/// asked for was refused (E7). The discriminant is the stable numeric code (stored by the node:
/// never renumber).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum FundingReject {
    /// `amount = 0`.
    ZeroAmount = 1,
    /// `recipient = 0` (Withdraw: an ERC20 transfer there would strand the funds) or `to = 0`
    /// (Transfer: nobody holds the zero address's key, so the funds would strand in numo).
    ZeroRecipient = 2,
    /// The asset is not in the venue's table (F6).
    UnknownAsset = 3,
    /// Available balance below the amount.
    InsufficientBalance = 4,
    /// A Transfer to its own owner: it would move nothing, so it is refused rather than
    /// recorded as a transfer that did not happen.
    SelfTransfer = 5,
    /// A Transfer whose credit would make the recipient's `available` or `available + locked`
    /// overflow or exceed the asset's `maxBalance` (F6): the C16 cap, the same name as the
    /// order book's `max_balance_exceeded`.
    MaxBalanceExceeded = 6,
}

impl FundingReject {
    /// Stable snake-case name.
    pub const fn name(self) -> &'static str {
        match self {
            FundingReject::ZeroAmount => "zero_amount",
            FundingReject::ZeroRecipient => "zero_recipient",
            FundingReject::UnknownAsset => "unknown_asset",
            FundingReject::InsufficientBalance => "insufficient_balance",
            FundingReject::SelfTransfer => "self_transfer",
            FundingReject::MaxBalanceExceeded => "max_balance_exceeded",
        }
    }

    /// Every reason, in code order (for decoders of the stored numeric code and for tests).
    pub const ALL: [FundingReject; 6] = [
        FundingReject::ZeroAmount,
        FundingReject::ZeroRecipient,
        FundingReject::UnknownAsset,
        FundingReject::InsufficientBalance,
        FundingReject::SelfTransfer,
        FundingReject::MaxBalanceExceeded,
    ];

    /// The reason whose numeric code is `code`.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| *reason as u8 == code)
    }
}

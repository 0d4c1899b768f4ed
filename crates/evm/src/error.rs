//! The engine's errors: why a transaction is skipped (E5, a per-transaction outcome every node
//! agrees on) and why a whole EVM batch is invalid (a witness that cannot be executed).

use alloc::string::String;
use numo_core::codec::DecodeError;
use numo_core::StateError;
use numo_stf::BatchError;

/// Why a transaction of an EVM block did not execute (E5): no receipt, no state change. Every
/// node skips the same transactions for the same reason, so the codes are part of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipCode {
    /// The nonce is not the sender's next nonce (or would overflow).
    Nonce,
    /// The sender cannot pay `gasLimit · maxFee + value`.
    Funds,
    /// `maxFee` is below the block's base fee, or the tip above `maxFee`.
    FeeCap,
    /// `gasLimit` exceeds the block's remaining gas.
    BlockGas,
    /// `gasLimit` is below the intrinsic gas (or the EIP-7623 floor).
    IntrinsicGas,
    /// Signed for another chain, or a legacy transaction without EIP-155 protection (E2, E3).
    ChainId,
    /// The signature does not recover a sender (or is not low-s, EIP-2).
    Signature,
    /// The bytes are not an E3 transaction.
    Malformed,
    /// Any other check of revm's mainnet validation (a sender with code, EIP-3607; an oversized
    /// init code, EIP-3860).
    Invalid,
}

impl SkipCode {
    /// Stable code (E5).
    pub const fn code(self) -> &'static str {
        match self {
            SkipCode::Nonce => "evm_nonce",
            SkipCode::Funds => "evm_funds",
            SkipCode::FeeCap => "evm_fee_cap",
            SkipCode::BlockGas => "evm_block_gas",
            SkipCode::IntrinsicGas => "evm_intrinsic_gas",
            SkipCode::ChainId => "evm_chain_id",
            SkipCode::Signature => "evm_signature",
            SkipCode::Malformed => "evm_malformed",
            SkipCode::Invalid => "evm_invalid",
        }
    }
}

/// Why bytes are not a valid E3 transaction for this chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvmTxError {
    /// Longer than `EVM_MAX_TX_BYTES`.
    #[error("transaction of {0} bytes exceeds the limit")]
    Oversize(usize),
    /// Empty input.
    #[error("empty transaction")]
    Empty,
    /// An EIP-2718 type other than legacy, 0x01 and 0x02 (blobs 0x03 and set-code 0x04 included).
    #[error("transaction type 0x{0:02x} is not accepted")]
    UnsupportedType(u8),
    /// The RLP does not decode.
    #[error("malformed transaction: {0}")]
    Rlp(String),
    /// Bytes after the transaction.
    #[error("{0} trailing bytes after the transaction")]
    TrailingBytes(usize),
    /// A legacy transaction without EIP-155 replay protection.
    #[error("legacy transaction without an EIP-155 chain id")]
    MissingChainId,
    /// Signed for another chain.
    #[error("transaction for chain {got}, this chain is {expected}")]
    WrongChainId {
        /// This chain's id.
        expected: u64,
        /// The transaction's.
        got: u64,
    },
    /// The signature does not recover a sender under EIP-2's rules.
    #[error("bad transaction signature")]
    Signature,
}

impl EvmTxError {
    /// The E5 skip code of this error.
    pub const fn skip_code(&self) -> SkipCode {
        match self {
            EvmTxError::MissingChainId | EvmTxError::WrongChainId { .. } => SkipCode::ChainId,
            EvmTxError::Signature => SkipCode::Signature,
            _ => SkipCode::Malformed,
        }
    }

    /// Stable code.
    pub const fn code(&self) -> &'static str {
        self.skip_code().code()
    }

    /// Whether the entry framing (E3) refuses it: everything but the chain id and signature,
    /// which are execution's checks.
    pub const fn is_malformed(&self) -> bool {
        matches!(self.skip_code(), SkipCode::Malformed)
    }
}

/// Why an EVM batch (a system batch or an EVM block) has no valid execution: the state it ran
/// over is incomplete or corrupt, or it was asked to run on a state without an EVM. Never caused
/// by a transaction's content, which at worst is skipped (E5).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvmError {
    /// A state access failed (a key without a proof, a corrupt value).
    #[error(transparent)]
    State(#[from] StateError),
    /// The state has no EVM head (E8): the chain's genesis had no EVM.
    #[error("the state has no EVM head")]
    MissingHead,
    /// The CLOB execution of a system Place or Cancel failed as a batch (C11).
    #[error("system message {index}: {error}")]
    Clob {
        /// Position in the outbox.
        index: usize,
        /// The batch error.
        error: BatchError,
    },
    /// revm stopped for a reason that is not a transaction's (a bug, not an input).
    #[error("EVM internal error: {0}")]
    Internal(String),
    /// A guest input does not decode.
    #[error("malformed EVM input: {0}")]
    Decode(#[from] DecodeError),
    /// A guest input's market Rules are invalid (C11).
    #[error("market rules are invalid")]
    BadRules,
    /// A guest input of phase 1 carries transactions, or an unknown phase.
    #[error("malformed EVM input: {0}")]
    Input(&'static str),
    /// A proof in the guest input does not match `prevRoot`, or a key is proven twice.
    #[error("witness: {0}")]
    Witness(BatchError),
}

impl EvmError {
    /// Stable short code.
    pub fn code(&self) -> &'static str {
        match self {
            EvmError::State(StateError::MissingWitness { .. }) => "missing_proof",
            EvmError::State(StateError::Corrupt { .. }) => "corrupt_value",
            EvmError::MissingHead => "evm_missing_head",
            EvmError::Clob { error, .. } => error.code(),
            EvmError::Internal(_) => "evm_internal",
            EvmError::Decode(_) | EvmError::Input(_) => "malformed",
            EvmError::BadRules => "bad_rules",
            EvmError::Witness(error) => error.code(),
        }
    }
}

//! The kind of a batch (F12): which blob layout and which public inputs. The SP1 program reads
//! `U8 kind` before the blob; the node stores it with every batch.

use alloc::vec::Vec;
use numo_evm::EvmError;
use numo_funding::FundingError;
use numo_stf::BatchError;

/// Which engine a batch belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum BatchKind {
    /// A market's Places and Cancels: C22 blob, 272-byte public inputs.
    Trading = 1,
    /// Deposits, withdrawals, forced withdrawals: F12 blob, 400-byte public inputs.
    Funding = 2,
    /// A system batch or an EVM block: E11 blob, 225-byte public inputs (E10).
    Evm = 3,
}

impl BatchKind {
    /// The kind of a kind byte.
    pub const fn from_u8(byte: u8) -> Option<Self> {
        match byte {
            1 => Some(BatchKind::Trading),
            2 => Some(BatchKind::Funding),
            3 => Some(BatchKind::Evm),
            _ => None,
        }
    }

    /// Short stable name.
    pub const fn name(self) -> &'static str {
        match self {
            BatchKind::Trading => "trading",
            BatchKind::Funding => "funding",
            BatchKind::Evm => "evm",
        }
    }
}

/// Why a blob of either kind has no valid execution.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnyBatchError {
    /// A trading batch's error (C11).
    #[error(transparent)]
    Trading(#[from] BatchError),
    /// A funding batch's error (F7, F12).
    #[error(transparent)]
    Funding(#[from] FundingError),
    /// An EVM batch's error (E11).
    #[error(transparent)]
    Evm(#[from] EvmError),
}

impl AnyBatchError {
    /// Stable short code.
    pub fn code(&self) -> &'static str {
        match self {
            AnyBatchError::Trading(error) => error.code(),
            AnyBatchError::Funding(error) => error.code(),
            AnyBatchError::Evm(error) => error.code(),
        }
    }
}

/// Runs the guest of `kind` on `blob` and returns the public-input bytes (272, 400 or 225).
pub fn run_kind(kind: BatchKind, blob: &[u8]) -> Result<Vec<u8>, AnyBatchError> {
    match kind {
        BatchKind::Trading => Ok(crate::run::run(blob)?.public_inputs.to_vec()),
        BatchKind::Funding => Ok(crate::funding::run_funding(blob)?.public_inputs.to_vec()),
        BatchKind::Evm => Ok(crate::evm::run_evm(blob)?.public_inputs.to_vec()),
    }
}

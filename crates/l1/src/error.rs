//! The one error type of the crate, with stable short codes for tools and logs.

use alloy::primitives::B256;

/// Everything that can go wrong talking to L1.
///
/// The node decides what to do from the variant: [`L1Error::Rpc`] and [`L1Error::Timeout`] are
/// worth retrying, [`L1Error::Dropped`] means "send it again", [`L1Error::Reorged`] means the L1
/// history the node already acted on is gone (deeper than its confirmations) and must stop it.
#[derive(Debug, thiserror::Error)]
pub enum L1Error {
    /// The RPC endpoint failed or answered something unexpected (transport, JSON, node error).
    #[error("L1 RPC failed: {0}")]
    Rpc(String),
    /// The RPC URL does not parse.
    #[error("bad L1 RPC URL `{0}`")]
    BadUrl(String),
    /// A call or transaction reverted; `error` is the contract's custom error name when the
    /// revert data matches one of the bridge's, the verifier's or the token's errors, else the
    /// `Error(string)` reason, else the raw revert data in hex.
    #[error("L1 call reverted: {error}")]
    Reverted {
        /// The decoded error (e.g. `BatchSeqGap`, `BadProof`).
        error: String,
    },
    /// A transaction was mined but failed (status 0) without revert data to decode.
    #[error("L1 transaction {tx} failed")]
    Failed {
        /// Its hash.
        tx: B256,
    },
    /// A transaction is neither mined nor known to the node any more (a reorg dropped it, or
    /// the pool evicted it): the caller sends it again.
    #[error("L1 transaction {tx} was dropped")]
    Dropped {
        /// Its hash.
        tx: B256,
    },
    /// A transaction did not reach the wanted confirmations in time.
    #[error("L1 transaction {tx} not confirmed in time")]
    Timeout {
        /// Its hash.
        tx: B256,
    },
    /// L1 reorganised below a block the caller treated as final (deeper than its
    /// confirmations): block `number` was `expected` and is now `found`.
    #[error("L1 reorg below the confirmations at block {number}: expected {expected}, found {found}")]
    Reorged {
        /// The block number whose hash changed.
        number: u64,
        /// The hash the caller had processed.
        expected: B256,
        /// The hash the node reports now (zero if the block is gone).
        found: B256,
    },
    /// A log of the bridge did not decode as the event its topic names.
    #[error("undecodable bridge log: {0}")]
    BadLog(String),
    /// A deployment receipt carried no contract address, or an artifact is unusable.
    #[error("deployment failed: {0}")]
    Deploy(String),
    /// The anvil test node could not be started or driven.
    #[error("anvil: {0}")]
    Anvil(String),
}

impl L1Error {
    /// Stable short code for tools and APIs.
    pub const fn code(&self) -> &'static str {
        match self {
            L1Error::Rpc(_) => "l1_rpc",
            L1Error::BadUrl(_) => "l1_bad_url",
            L1Error::Reverted { .. } => "l1_reverted",
            L1Error::Failed { .. } => "l1_tx_failed",
            L1Error::Dropped { .. } => "l1_tx_dropped",
            L1Error::Timeout { .. } => "l1_timeout",
            L1Error::Reorged { .. } => "l1_reorged",
            L1Error::BadLog(_) => "l1_bad_log",
            L1Error::Deploy(_) => "l1_deploy",
            L1Error::Anvil(_) => "l1_anvil",
        }
    }
}

impl From<alloy::transports::TransportError> for L1Error {
    fn from(error: alloy::transports::TransportError) -> Self {
        if let Some(data) = error.as_error_resp().and_then(|resp| resp.as_revert_data()) {
            return L1Error::Reverted { error: crate::bindings::decode_revert(&data) };
        }
        L1Error::Rpc(error.to_string())
    }
}

impl From<alloy::contract::Error> for L1Error {
    fn from(error: alloy::contract::Error) -> Self {
        match error {
            alloy::contract::Error::TransportError(e) => e.into(),
            other => match other.as_revert_data() {
                Some(data) => L1Error::Reverted { error: crate::bindings::decode_revert(&data) },
                None => L1Error::Rpc(other.to_string()),
            },
        }
    }
}

impl From<alloy::providers::PendingTransactionError> for L1Error {
    fn from(error: alloy::providers::PendingTransactionError) -> Self {
        match error {
            alloy::providers::PendingTransactionError::TransportError(e) => e.into(),
            other => L1Error::Rpc(other.to_string()),
        }
    }
}

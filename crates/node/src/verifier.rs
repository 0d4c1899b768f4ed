//! Background re-execution: the guest replays each committed batch from its stored witness
//! and must reproduce the stored PublicInputs. A mismatch is logged at error level and
//! counted, never silent.

use crate::config::{VerifyMode, VERIFY_SAMPLE_EVERY};
use crate::node::Node;
use crate::store::{ChainStore, StoreError, Verification};
use crate::witness;
use alloy_primitives::hex;
use numo_guest::kind::{AnyBatchError, BatchKind};
use numo_stf::codec::DecodeError;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc::Receiver;
use std::sync::Arc;

/// Verifies batches as their numbers arrive, per the node's [`VerifyMode`].
pub fn run_verifier(node: Arc<Node>, batches: Receiver<u64>) {
    for batch_seq in batches {
        // Funding batches move value across the bridge: the settler needs each one verified,
        // whatever the sampling mode.
        // EVM batches (kind 3) too: their system batches move exchange balances (E7).
        let funding = matches!(node.store.funding_batch(batch_seq), Ok(Some(_)))
            || matches!(node.store.evm_batch(batch_seq), Ok(Some(_)));
        let selected = match node.config.verify {
            _ if funding => true,
            VerifyMode::All => true,
            VerifyMode::Sample => batch_seq % VERIFY_SAMPLE_EVERY == 0,
            VerifyMode::Off => false,
        };
        if !selected {
            continue;
        }
        let status = match verify(&node, batch_seq) {
            Ok(()) => {
                node.metrics.verified.fetch_add(1, Relaxed);
                Verification::Verified
            }
            Err(reason) => {
                tracing::error!(batch_seq, %reason, "batch verification MISMATCH");
                node.metrics.mismatches.fetch_add(1, Relaxed);
                Verification::Mismatch
            }
        };
        node.metrics.last_checked_batch.fetch_max(batch_seq, Relaxed);
        if let Err(error) = node.store.set_verification(batch_seq, status) {
            tracing::error!(batch_seq, %error, "cannot record verification");
        }
    }
}

/// Why a stored batch failed re-execution.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The batch or its witness is not stored.
    #[error("{0} not stored")]
    NotStored(&'static str),
    /// The compact witness does not expand to a C22 blob.
    #[error("witness does not expand: {0}")]
    Expand(#[from] DecodeError),
    /// The guest refused the witness (C11 for a trading batch, F7/F12 for a funding batch).
    #[error("guest refused the witness: {0}")]
    Refused(#[from] AnyBatchError),
    /// The guest computed other PublicInputs than the node stored.
    #[error("guest computed {computed}, stored {stored}")]
    Mismatch {
        /// The guest's PublicInputs, hex.
        computed: String,
        /// The stored ones, hex.
        stored: String,
    },
}

/// Expands the witness, runs the guest of the batch's kind, compares with the stored public
/// inputs.
pub fn verify(node: &Node, batch_seq: u64) -> Result<(), VerifyError> {
    let (kind, blob) = witness::stored_blob(node.store.as_ref(), batch_seq)
        .map_err(|error| match error {
            witness::BlobError::Store(error) => VerifyError::Store(error),
            witness::BlobError::Expand(error) => VerifyError::Expand(error),
        })?
        .ok_or(VerifyError::NotStored("witness"))?;
    let stored = match kind {
        BatchKind::Trading => node.store.batch(batch_seq)?.map(|b| b.public_inputs.to_vec()),
        BatchKind::Funding => node.store.funding_batch(batch_seq)?.map(|b| b.public_inputs.to_vec()),
        BatchKind::Evm => node.store.evm_batch(batch_seq)?.map(|b| b.public_inputs.to_vec()),
    }
    .ok_or(VerifyError::NotStored("batch"))?;
    let computed = numo_guest::kind::run_kind(kind, &blob)?;
    if computed != stored {
        return Err(VerifyError::Mismatch {
            computed: hex::encode_prefixed(&computed),
            stored: hex::encode_prefixed(&stored),
        });
    }
    Ok(())
}

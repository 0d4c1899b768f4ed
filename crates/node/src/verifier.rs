//! Background re-execution: the guest replays each committed batch from its stored witness
//! and must reproduce the stored PublicInputs. A mismatch is logged at error level and
//! counted, never silent.

use crate::config::{VerifyMode, VERIFY_SAMPLE_EVERY};
use crate::node::Node;
use crate::store::{ChainStore, Verification};
use crate::witness;
use alloy_primitives::hex;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc::Receiver;
use std::sync::Arc;

/// Verifies batches as their numbers arrive, per the node's [`VerifyMode`].
pub fn run_verifier(node: Arc<Node>, batches: Receiver<u64>) {
    for batch_seq in batches {
        let selected = match node.config.verify {
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

/// Expands the witness, runs the guest, compares with the stored PublicInputs.
pub fn verify(node: &Node, batch_seq: u64) -> Result<(), String> {
    let record = node.store.batch(batch_seq).map_err(|e| e.to_string())?.ok_or("batch not stored")?;
    let compact = node.store.witness(batch_seq).map_err(|e| e.to_string())?.ok_or("witness not stored")?;
    let blob = witness::expand(&compact).map_err(|e| format!("witness does not expand: {e}"))?;
    let output = numo_guest::run(&blob).map_err(|e| format!("guest refused the witness: {e}"))?;
    if output.public_inputs != record.public_inputs {
        let hex = |pi: &numo_stf::PublicInputs| hex::encode_prefixed(pi.encode());
        return Err(format!("guest computed {}, stored {}", hex(&output.public_inputs), hex(&record.public_inputs)));
    }
    Ok(())
}

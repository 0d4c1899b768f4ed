//! The host EVM-batch builder (E10, E11): execute a system batch or an EVM block with numo-evm
//! over an overlay on the full state, prove every touched key against `prevRoot`, emit the E11
//! blob and the public inputs the EVM guest must reproduce, then apply the writes.

use crate::builder::WitnessForm;
use crate::full_state::FullState;
use crate::witness;
use alloy_primitives::B256;
use numo_core::codec::Writer;
use numo_core::{State, StateError, TouchLog};
use numo_evm::{EvmError, EvmPublicInputs, RootedState};
use numo_guest::evm::{evm_public_inputs, execute_evm_batch, write_evm_prefix, EvmBatchReport, EvmHeader, EvmInput};
use numo_guest::ProofEntry;
use std::collections::BTreeMap;

/// A built EVM batch, already applied to the state it was built on.
#[derive(Debug, Clone)]
pub struct BuiltEvmBatch {
    /// The E11 blob (or its compact form, [`witness::expand_evm`] restores it).
    pub blob: Vec<u8>,
    /// What the EVM guest must output for `blob`.
    pub public_inputs: EvmPublicInputs,
    /// Outcomes and trades (system) or header, receipts and skipped transactions (block).
    pub report: EvmBatchReport,
    /// Every state write (`None` = delete), in key order.
    pub writes: BTreeMap<B256, Option<Vec<u8>>>,
}

/// Buffered writes over the full state that can tell their root: the buffer is applied to the
/// tree, the root read, and the previous values put back, so the state stays at `prevRoot` for
/// the proofs the builder emits afterwards.
struct RootingOverlay<'a> {
    base: &'a mut FullState,
    writes: BTreeMap<B256, Option<Vec<u8>>>,
}

impl State for RootingOverlay<'_> {
    fn get(&mut self, key: &B256) -> Result<Option<Vec<u8>>, StateError> {
        match self.writes.get(key) {
            Some(value) => Ok(value.clone()),
            None => Ok(self.base.value(key).map(<[u8]>::to_vec)),
        }
    }

    fn put(&mut self, key: B256, value: Option<Vec<u8>>) -> Result<(), StateError> {
        self.writes.insert(key, value);
        Ok(())
    }
}

impl RootedState for RootingOverlay<'_> {
    fn state_root(&mut self) -> Result<B256, StateError> {
        let previous: BTreeMap<B256, Option<Vec<u8>>> =
            self.writes.keys().map(|key| (*key, self.base.value(key).map(<[u8]>::to_vec))).collect();
        self.base.apply(self.writes.clone());
        let root = self.base.root();
        self.base.apply(previous);
        Ok(root)
    }
}

/// Builds the EVM batch `header` describes (its `prev_root` is taken from `state`) with the
/// block's `txs` (empty for a system batch) and applies it to `state`. On error (the batch is
/// invalid: a state the EVM cannot run on) `state` is unchanged.
pub fn build_evm_batch(
    state: &mut FullState,
    mut header: EvmHeader,
    txs: &[&[u8]],
    form: WitnessForm,
) -> Result<BuiltEvmBatch, EvmError> {
    header.prev_root = state.root();
    let mut overlay = RootingOverlay { base: &mut *state, writes: BTreeMap::new() };
    let report = execute_evm_batch(&mut overlay, &header, txs, TouchLog::collecting())?;
    let writes = overlay.writes;
    let touched = report.touched().keys().expect("the builder collects touched keys");
    let blob = match form {
        WitnessForm::Full => {
            let siblings: Vec<Vec<u8>> = touched.iter().map(|key| state.prove(key).to_bytes()).collect();
            let proofs = touched
                .iter()
                .zip(&siblings)
                .map(|(key, siblings)| ProofEntry { key: *key, value: state.value(key), siblings })
                .collect();
            EvmInput { header: header.clone(), txs: txs.to_vec(), proofs }.encode()
        }
        WitnessForm::Compact => {
            let mut w = Writer::default();
            write_evm_prefix(&mut w, &header, txs);
            let proofs = touched.iter().map(|key| (*key, state.value(key), state.tree().prove_sparse(key)));
            witness::compact_from_parts(&w.into_bytes(), proofs)
        }
    };
    state.apply(writes.clone());
    let public_inputs = evm_public_inputs(&header, state.root(), &report);
    Ok(BuiltEvmBatch { blob, public_inputs, report, writes })
}

//! The guest's [`State`]: values proven against `prevRoot`, backed by a partial tree.
//! Reading or writing a key without a proof is batch-invalid (C11), also a write of a message
//! that is later rejected (C25, [`State::ensure_provable`]).

use crate::input::ProofEntry;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use alloy_primitives::{keccak256, B256};
use numo_core::{State, StateError};
use numo_smt::{PartialTree, PartialTreeError, Siblings};
use numo_stf::BatchError;

/// Proven state of one batch.
pub struct WitnessState<'a> {
    tree: PartialTree<'a>,
    values: BTreeMap<B256, Option<Vec<u8>>>,
    dirty: BTreeSet<B256>,
}

impl<'a> WitnessState<'a> {
    /// Verifies every proof against `prev_root` (C11: mismatch or duplicate key is invalid).
    pub fn from_proofs(prev_root: B256, proofs: &[ProofEntry<'a>]) -> Result<Self, BatchError> {
        let mut values = BTreeMap::new();
        for proof in proofs {
            if Siblings::from_bytes(proof.siblings).is_none() {
                return Err(BatchError::ProofMismatch { key: proof.key });
            }
            values.insert(proof.key, proof.value.map(<[u8]>::to_vec));
        }
        // All lists are 8192 bytes (checked just above), so none is skipped here. Passed as one
        // sequence so a host can check eight proofs per pass (with the same refusal, if any).
        let checks = proofs
            .iter()
            .filter_map(|proof| Some((proof.key, proof.value.map(keccak256), Siblings::from_bytes(proof.siblings)?)));
        let mut tree = PartialTree::new(prev_root);
        tree.add_proofs(checks).map_err(proof_error)?;
        Ok(Self { tree, values, dirty: BTreeSet::new() })
    }

    /// The state root after the writes so far: each changed key is hashed once.
    pub fn root(mut self) -> Result<B256, BatchError> {
        self.current_root()
    }

    /// The state root after the writes so far, keeping the state usable: the keys written since
    /// the last call are re-hashed into the tree (an EVM header commits a root mid-batch, E9).
    pub fn current_root(&mut self) -> Result<B256, BatchError> {
        for key in core::mem::take(&mut self.dirty) {
            let value_hash = self.values.get(&key).and_then(|value| value.as_deref().map(keccak256));
            self.tree.set(&key, value_hash).map_err(proof_error)?;
        }
        Ok(self.tree.root())
    }
}

fn proof_error(error: PartialTreeError) -> BatchError {
    match error {
        PartialTreeError::ProofMismatch { key } => BatchError::ProofMismatch { key },
        PartialTreeError::DuplicateKey { key } => BatchError::DuplicateProof { key },
        PartialTreeError::UnprovenKey { key } => BatchError::State(StateError::MissingWitness { key }),
    }
}

impl numo_evm::RootedState for WitnessState<'_> {
    fn state_root(&mut self) -> Result<B256, StateError> {
        self.current_root().map_err(|error| match error {
            BatchError::State(error) => error,
            // Every written key has a proof (checked at the write), so the partial tree can
            // always re-hash it; anything else is a proof the tree refused, i.e. missing.
            _ => StateError::MissingWitness { key: B256::ZERO },
        })
    }
}

impl State for WitnessState<'_> {
    fn get(&mut self, key: &B256) -> Result<Option<Vec<u8>>, StateError> {
        self.values.get(key).cloned().ok_or(StateError::MissingWitness { key: *key })
    }

    fn put(&mut self, key: B256, value: Option<Vec<u8>>) -> Result<(), StateError> {
        let slot = self.values.get_mut(&key).ok_or(StateError::MissingWitness { key })?;
        *slot = value;
        self.dirty.insert(key);
        Ok(())
    }

    /// C25: a key is provable when the blob carries its proof, whether it is read or only
    /// written, and whether or not its message commits.
    fn ensure_provable(&self, key: &B256) -> Result<(), StateError> {
        if self.values.contains_key(key) {
            Ok(())
        } else {
            Err(StateError::MissingWitness { key: *key })
        }
    }
}

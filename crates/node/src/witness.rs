//! Compact storage of batch witnesses: the format lives with the batch builders in
//! [`numo_host::witness`], which write it directly; re-exported here for the node's readers,
//! with the one lookup of a stored batch's kind and exact guest input.

use crate::store::{ChainStore, StoreError};
use numo_guest::kind::BatchKind;
pub use numo_host::witness::{compact, expand, expand_evm, expand_funding};
use numo_stf::codec::DecodeError;

/// Why a stored batch's guest input cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The compact witness does not expand.
    #[error("witness does not expand: {0}")]
    Expand(#[from] DecodeError),
}

/// The kind and exact guest input (C22, F12 or E11 blob) of batch `batch_seq`, if it is stored.
pub fn stored_blob(store: &dyn ChainStore, batch_seq: u64) -> Result<Option<(BatchKind, Vec<u8>)>, BlobError> {
    let Some(compact) = store.witness(batch_seq)? else {
        return Ok(None);
    };
    if store.evm_batch(batch_seq)?.is_some() {
        Ok(Some((BatchKind::Evm, expand_evm(&compact)?)))
    } else if store.funding_batch(batch_seq)?.is_some() {
        Ok(Some((BatchKind::Funding, expand_funding(&compact)?)))
    } else {
        Ok(Some((BatchKind::Trading, expand(&compact)?)))
    }
}

//! A [`State`] that can give its root mid-batch: an EVM header commits the state root after the
//! block's transactions and outbox (E9), and that header's hash is then written into the state,
//! so execution needs the root before the batch ends.

use alloy_primitives::B256;
use numo_core::{State, StateError};

/// A state that knows its root, with every write so far applied.
///
/// The host implements it over its full state and the builder's buffered writes, the guest over
/// its partial tree (re-hashing the keys written so far).
pub trait RootedState: State {
    /// The state root as of now (section A).
    fn state_root(&mut self) -> Result<B256, StateError>;
}

impl<S: RootedState + ?Sized> RootedState for &mut S {
    fn state_root(&mut self) -> Result<B256, StateError> {
        (**self).state_root()
    }
}

//! The per-message journal: typed reads and writes over an [`Overlay`], each recorded in the
//! [`TouchLog`] (section H). Dropping the journal rolls the message back (C12).

use crate::state::{Overlay, State, StateError, TouchLog};
use crate::values::StateValue;
use alloy_primitives::B256;

/// Typed, recorded access to state for one message.
#[derive(Debug)]
pub struct Journal<'a, S: State> {
    overlay: Overlay<&'a mut S>,
    touched: &'a mut TouchLog,
}

impl<'a, S: State> Journal<'a, S> {
    /// Opens a journal over `state`; accesses are appended to `touched`.
    pub fn new(state: &'a mut S, touched: &'a mut TouchLog) -> Self {
        Self { overlay: Overlay::new(state), touched }
    }

    /// Reads and decodes `key` (absent = all-zero value, C3).
    pub fn read<V: StateValue>(&mut self, key: &B256) -> Result<V, StateError> {
        self.touched.record(key);
        let bytes = self.overlay.get(key)?;
        V::decode(bytes.as_deref()).map_err(|error| StateError::Corrupt { key: *key, error })
    }

    /// Encodes and writes `value` (all-zero deletes, C3). The key must be provable now, not
    /// only when the message commits: C25 asks a proof of a write-only key even if the
    /// message is later rejected and its writes dropped.
    pub fn write<V: StateValue>(&mut self, key: &B256, value: &V) -> Result<(), StateError> {
        self.touched.record(key);
        self.overlay.ensure_provable(key)?;
        self.overlay.put(*key, value.encode_canonical())
    }

    /// Deletes `key` (C3); provable now, as for [`Journal::write`].
    pub fn delete(&mut self, key: &B256) -> Result<(), StateError> {
        self.touched.record(key);
        self.overlay.ensure_provable(key)?;
        self.overlay.put(*key, None)
    }

    /// Reads `key` **without** recording it. Only for host-side hint discovery, which must
    /// not change what the guest would record; execution never calls it.
    pub fn peek<V: StateValue>(&mut self, key: &B256) -> Result<V, StateError> {
        let bytes = self.overlay.get(key)?;
        V::decode(bytes.as_deref()).map_err(|error| StateError::Corrupt { key: *key, error })
    }

    /// Applies the message's writes to the underlying state.
    pub fn commit(self) -> Result<(), StateError> {
        self.overlay.commit().map(|_| ())
    }
}

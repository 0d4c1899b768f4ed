//! The storage contract of the transition: a key-value [`State`], an [`Overlay`] that buffers
//! writes, and the [`TouchLog`] of section H.
//!
//! Execution only ever sees `State`; the host backs it with the full state, the guest with
//! proven witness values. Both wrap it in the same overlays, so both run the same code.

use crate::codec::DecodeError;
use crate::hash::Keccak256;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use alloy_primitives::B256;

/// Why a state access failed. Both are batch-invalid (C11), never a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// The guest touched a key the witness has no proof for (C11).
    #[error("key {key} was touched but has no proof")]
    MissingWitness {
        /// The unproven key.
        key: B256,
    },
    /// A stored value does not decode under its namespace's layout.
    #[error("value of key {key} is malformed: {error}")]
    Corrupt {
        /// The key.
        key: B256,
        /// What was wrong with its bytes.
        error: DecodeError,
    },
}

/// Key-value state by `key32` (section A). Absent keys read as `None` (C3); writing `None`
/// deletes. `get` takes `&mut self` so a backend may record or fetch on read.
pub trait State {
    /// Current value bytes of `key`.
    fn get(&mut self, key: &B256) -> Result<Option<Vec<u8>>, StateError>;
    /// Sets (`Some`) or deletes (`None`) `key`.
    fn put(&mut self, key: B256, value: Option<Vec<u8>>) -> Result<(), StateError>;

    /// Whether `key` may be accessed at all, checked on every write as it happens.
    ///
    /// C25: every key in the touched log needs a proof, including a key that is only written
    /// and the keys of a message that is later rejected. Writes are buffered per message and
    /// reach [`State::put`] only when the message commits, so a backend that can refuse a key
    /// (the guest's proven state: [`StateError::MissingWitness`]) must be asked at the write
    /// itself. A complete state (the host's) holds every key: the default accepts all.
    fn ensure_provable(&self, key: &B256) -> Result<(), StateError> {
        let _ = key;
        Ok(())
    }
}

impl<S: State + ?Sized> State for &mut S {
    fn get(&mut self, key: &B256) -> Result<Option<Vec<u8>>, StateError> {
        (**self).get(key)
    }
    fn put(&mut self, key: B256, value: Option<Vec<u8>>) -> Result<(), StateError> {
        (**self).put(key, value)
    }
    fn ensure_provable(&self, key: &B256) -> Result<(), StateError> {
        (**self).ensure_provable(key)
    }
}

/// Buffered writes over a base state: reads see the buffer first. Dropping it discards the
/// writes (a rejected message, C12, or an invalid batch); [`Overlay::commit`] applies them to
/// the base in key order, so the base sees the same sequence on every run.
#[derive(Debug)]
pub struct Overlay<S: State> {
    base: S,
    writes: BTreeMap<B256, Option<Vec<u8>>>,
}

impl<S: State> Overlay<S> {
    /// An empty overlay over `base`.
    pub fn new(base: S) -> Self {
        Self { base, writes: BTreeMap::new() }
    }

    /// The buffered writes, for a caller that applies them elsewhere (e.g. to a tree).
    pub fn writes(&self) -> &BTreeMap<B256, Option<Vec<u8>>> {
        &self.writes
    }

    /// Gives back the base and the buffered writes without applying them.
    pub fn into_parts(self) -> (S, BTreeMap<B256, Option<Vec<u8>>>) {
        (self.base, self.writes)
    }

    /// Applies the buffered writes to the base.
    pub fn commit(self) -> Result<S, StateError> {
        let (mut base, writes) = self.into_parts();
        for (key, value) in writes {
            base.put(key, value)?;
        }
        Ok(base)
    }
}

impl<S: State> State for Overlay<S> {
    fn get(&mut self, key: &B256) -> Result<Option<Vec<u8>>, StateError> {
        match self.writes.get(key) {
            Some(value) => Ok(value.clone()),
            None => self.base.get(key),
        }
    }
    fn put(&mut self, key: B256, value: Option<Vec<u8>>) -> Result<(), StateError> {
        self.writes.insert(key, value);
        Ok(())
    }
    /// A buffered write does not make a key provable: only the base can say (C25).
    fn ensure_provable(&self, key: &B256) -> Result<(), StateError> {
        self.base.ensure_provable(key)
    }
}

/// Section H / C23: every key read or written by execution, in order, repeats included,
/// folded into `touchedKeysDigest = keccak256(key0 ‖ key1 ‖ …)`. The host also keeps the set of
/// distinct keys: exactly the keys the guest needs proofs for. Tests may keep the accesses
/// themselves, in order, to pin the C25 sequence key by key.
#[derive(Debug, Clone)]
pub struct TouchLog {
    hasher: Keccak256,
    count: u64,
    keys: Option<BTreeSet<B256>>,
    sequence: Option<Vec<B256>>,
}

impl TouchLog {
    /// A log that only hashes (the guest).
    pub fn digest_only() -> Self {
        Self { hasher: Keccak256::new(), count: 0, keys: None, sequence: None }
    }

    /// A log that also collects the distinct keys (the host, to know which proofs to emit).
    pub fn collecting() -> Self {
        Self { keys: Some(BTreeSet::new()), ..Self::digest_only() }
    }

    /// A log that also keeps every access in order (C25 conformance tests and debugging; it
    /// grows with the batch, so nodes and the guest do not use it).
    pub fn sequenced() -> Self {
        Self { sequence: Some(Vec::new()), ..Self::digest_only() }
    }

    /// Records one access.
    pub fn record(&mut self, key: &B256) {
        self.hasher.update(key);
        self.count += 1;
        if let Some(keys) = &mut self.keys {
            keys.insert(*key);
        }
        if let Some(sequence) = &mut self.sequence {
            sequence.push(*key);
        }
    }

    /// Number of accesses so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Distinct keys, if collected.
    pub fn keys(&self) -> Option<&BTreeSet<B256>> {
        self.keys.as_ref()
    }

    /// Every access in order, repeats included, if kept ([`TouchLog::sequenced`]).
    pub fn sequence(&self) -> Option<&[B256]> {
        self.sequence.as_deref()
    }

    /// `touchedKeysDigest` of the accesses so far.
    pub fn digest(&self) -> B256 {
        self.hasher.clone().finalize()
    }
}

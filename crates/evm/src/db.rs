//! revm's [`Database`] over numo's [`State`] (E4), and the way revm's state changes come back
//! (E5): every key read or written is appended to the batch's [`TouchLog`] in access order, so
//! the host knows which proofs the guest needs and both compute the same `touchedKeysDigest`.
//!
//! Reads happen when revm asks (in its own deterministic order); writes happen after each
//! transaction, from revm's change set, sorted by E4 key ascending — never in the order of
//! revm's hash maps.

use crate::keys::{account_key, block_hash_key, code_key, storage_key};
use crate::values::{decode_code, BlockHash, EvmAccount, SlotValue};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};
use numo_core::{State, StateError, TouchLog};
use numo_stf::values::StateValue;
use revm::bytecode::Bytecode;
use revm::database_interface::{DBErrorMarker, Database};
use revm::primitives::KECCAK_EMPTY;
use revm::state::{AccountInfo, EvmState};

/// A state whose accesses are recorded: the one way the engine touches state.
#[derive(Debug)]
pub struct Tracked<'a, S: State> {
    state: &'a mut S,
    touched: &'a mut TouchLog,
}

impl<'a, S: State> Tracked<'a, S> {
    /// Records every access to `state` in `touched`.
    pub fn new(state: &'a mut S, touched: &'a mut TouchLog) -> Self {
        Self { state, touched }
    }

    /// The raw value of `key`, recorded.
    pub fn get(&mut self, key: &B256) -> Result<Option<Vec<u8>>, StateError> {
        self.touched.record(key);
        self.state.get(key)
    }

    /// Sets or deletes `key`, recorded; the key must be provable (C25).
    pub fn put(&mut self, key: B256, value: Option<Vec<u8>>) -> Result<(), StateError> {
        self.touched.record(&key);
        self.state.ensure_provable(&key)?;
        self.state.put(key, value)
    }

    /// Reads and decodes `key` (absent = the all-zero value, C3).
    pub fn read<V: StateValue>(&mut self, key: &B256) -> Result<V, StateError> {
        let bytes = self.get(key)?;
        V::decode(bytes.as_deref()).map_err(|error| StateError::Corrupt { key: *key, error })
    }

    /// Encodes and writes `value` (all-zero deletes, C3).
    pub fn write<V: StateValue>(&mut self, key: &B256, value: &V) -> Result<(), StateError> {
        self.put(*key, value.encode_canonical())
    }

    /// The state and the log, to hand to another engine (numo-stf, numo-funding) for a while.
    pub fn parts(&mut self) -> (&mut S, &mut TouchLog) {
        (self.state, self.touched)
    }
}

/// A state access that failed inside revm: the batch is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct DbError(pub StateError);

impl DBErrorMarker for DbError {}

/// revm's view of numo's state (E4).
#[derive(Debug)]
pub struct NumoDb<'a, S: State> {
    /// The recorded state.
    pub store: Tracked<'a, S>,
}

impl<'a, S: State> NumoDb<'a, S> {
    /// A database over `state`, recording into `touched`.
    pub fn new(state: &'a mut S, touched: &'a mut TouchLog) -> Self {
        Self { store: Tracked::new(state, touched) }
    }
}

/// E4's mapping of revm's code hash: no code is stored as zero.
fn stored_code_hash(hash: B256) -> B256 {
    if hash == KECCAK_EMPTY {
        B256::ZERO
    } else {
        hash
    }
}

/// E4's mapping back: a zero code hash is revm's `KECCAK_EMPTY`.
fn revm_code_hash(hash: B256) -> B256 {
    if hash.is_zero() {
        KECCAK_EMPTY
    } else {
        hash
    }
}

/// Reads the account at `address` (`None` when absent).
pub fn read_account<S: State>(
    store: &mut Tracked<'_, S>,
    address: &Address,
) -> Result<Option<AccountInfo>, StateError> {
    let account: EvmAccount = store.read(&account_key(address))?;
    if account == EvmAccount::default() {
        return Ok(None);
    }
    let code_hash = revm_code_hash(account.code_hash);
    // No code without a code hash; otherwise revm loads it by hash when it runs it.
    let code = (code_hash == KECCAK_EMPTY).then(Bytecode::default);
    Ok(Some(AccountInfo { balance: account.balance, nonce: account.nonce, code_hash, code, ..AccountInfo::default() }))
}

/// Reads the code of `code_hash` (empty for no code). A hash without stored code is corrupt.
pub fn read_code<S: State>(store: &mut Tracked<'_, S>, code_hash: &B256) -> Result<Bytecode, StateError> {
    if *code_hash == KECCAK_EMPTY || code_hash.is_zero() {
        return Ok(Bytecode::default());
    }
    let key = code_key(code_hash);
    let bytes = store.get(&key)?.unwrap_or_default();
    decode_code(&key, &bytes)?;
    Ok(Bytecode::new_raw(bytes.into()))
}

impl<S: State> Database for NumoDb<'_, S> {
    type Error = DbError;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, DbError> {
        read_account(&mut self.store, &address).map_err(DbError)
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, DbError> {
        read_code(&mut self.store, &code_hash).map_err(DbError)
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, DbError> {
        let SlotValue(value) = self.store.read(&storage_key(&address, &index)).map_err(DbError)?;
        Ok(value)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, DbError> {
        let BlockHash(hash) = self.store.read(&block_hash_key(number)).map_err(DbError)?;
        Ok(hash)
    }
}

/// The E4 writes of one transaction's state changes, by key ascending (E5). Only what changed
/// is written: touched accounts whose fields changed, new code (once per created account with
/// code), changed slots; a self-destructed or EIP-161-empty touched account is deleted with the
/// slots revm reports for it.
pub fn state_writes(changes: &EvmState) -> BTreeMap<B256, Option<Vec<u8>>> {
    let mut writes = BTreeMap::new();
    for (address, account) in changes {
        if !account.is_touched() {
            continue;
        }
        if account.is_selfdestructed() || account.is_empty() {
            if !account.is_loaded_as_not_existing() {
                writes.insert(account_key(address), None);
            }
            for (slot, value) in &account.storage {
                if !value.original_value().is_zero() {
                    writes.insert(storage_key(address, slot), None);
                }
            }
            continue;
        }
        if account.is_changed() || account.is_created() {
            let value = EvmAccount {
                nonce: account.info.nonce,
                balance: account.info.balance,
                code_hash: stored_code_hash(account.info.code_hash),
            };
            writes.insert(account_key(address), value.encode_canonical());
        }
        if account.is_created() && account.info.code_hash != KECCAK_EMPTY {
            if let Some(code) = &account.info.code {
                let bytes = code.original_bytes();
                if !bytes.is_empty() {
                    writes.insert(code_key(&account.info.code_hash), Some(bytes.to_vec()));
                }
            }
        }
        for (slot, value) in account.changed_storage_slots() {
            writes.insert(storage_key(address, slot), SlotValue(value.present_value()).encode_canonical());
        }
    }
    writes
}

/// Applies `writes` (key ascending) through the recorded state.
pub fn apply_writes<S: State>(
    store: &mut Tracked<'_, S>,
    writes: BTreeMap<B256, Option<Vec<u8>>>,
) -> Result<(), StateError> {
    for (key, value) in writes {
        store.put(key, value)?;
    }
    Ok(())
}

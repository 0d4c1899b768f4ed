//! E8: the EVM's part of a genesis state, in two steps because the genesis head commits the
//! root of the state that holds the alloc: [`alloc_writes`] (accounts, code, storage), then,
//! given the root after them (and every other genesis write), [`genesis_head_writes`].

use crate::block::genesis_header;
use crate::keys::{account_key, block_hash_key, code_key, head_key, storage_key};
use crate::limits::{EVM_BLOCK_GAS_LIMIT, EVM_INITIAL_BASE_FEE, MAX_CODE_BYTES};
use crate::values::{BlockHash, EvmAccount, EvmHead, SlotValue};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use alloy_consensus::Header;
use alloy_primitives::{Address, B256, U256};
use numo_core::hash::keccak256;
use numo_stf::values::StateValue;

/// One funded account of genesis `[evm] alloc`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenesisAccount {
    /// The address.
    pub address: Address,
    /// Wei of NUMO, the native gas token (18 decimals).
    pub balance: U256,
    /// Nonce (0 for a key-held account; 1 is customary for a contract).
    pub nonce: u64,
    /// Runtime code, if a contract (at most 24,576 bytes).
    pub code: Vec<u8>,
    /// Storage slots (zero values are absent, C3).
    pub storage: BTreeMap<U256, U256>,
}

/// Why an alloc is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GenesisError {
    /// An address listed twice.
    #[error("alloc lists {0} twice")]
    DuplicateAddress(Address),
    /// Code longer than EIP-170 allows.
    #[error("alloc code of {0} exceeds 24576 bytes")]
    CodeTooLarge(Address),
    /// Storage on an account without code (it could never be read or cleared).
    #[error("alloc storage on {0}, which has no code")]
    StorageWithoutCode(Address),
}

impl GenesisError {
    /// Stable code.
    pub const fn code(&self) -> &'static str {
        match self {
            GenesisError::DuplicateAddress(_) => "duplicate_address",
            GenesisError::CodeTooLarge(_) => "code_too_large",
            GenesisError::StorageWithoutCode(_) => "storage_without_code",
        }
    }
}

/// The E4 writes of an alloc: each account, its code (by hash) and its storage.
pub fn alloc_writes(alloc: &[GenesisAccount]) -> Result<BTreeMap<B256, Option<Vec<u8>>>, GenesisError> {
    let mut writes = BTreeMap::new();
    let mut seen = BTreeMap::new();
    for account in alloc {
        if seen.insert(account.address, ()).is_some() {
            return Err(GenesisError::DuplicateAddress(account.address));
        }
        if account.code.len() > MAX_CODE_BYTES {
            return Err(GenesisError::CodeTooLarge(account.address));
        }
        if account.code.is_empty() && account.storage.values().any(|v| !v.is_zero()) {
            return Err(GenesisError::StorageWithoutCode(account.address));
        }
        let code_hash = if account.code.is_empty() { B256::ZERO } else { keccak256(&account.code) };
        if !account.code.is_empty() {
            writes.insert(code_key(&code_hash), Some(account.code.clone()));
        }
        let value = EvmAccount { nonce: account.nonce, balance: account.balance, code_hash };
        writes.insert(account_key(&account.address), value.encode_canonical());
        for (slot, value) in &account.storage {
            writes.insert(storage_key(&account.address, slot), SlotValue(*value).encode_canonical());
        }
    }
    Ok(writes)
}

/// The genesis header (E8, E9) over `root_after_alloc`, and the writes of the genesis head
/// (`NS_EVM(0x01)`: number 0, its hash, `timestamp = floor(ms / 1000)`, the block gas limit,
/// gas used 0, base fee `EVM_INITIAL_BASE_FEE`) and of `NS_EVM(0x02 ‖ 0)`.
pub fn genesis_head_writes(
    root_after_alloc: B256,
    genesis_timestamp_ms: u64,
) -> (Header, BTreeMap<B256, Option<Vec<u8>>>) {
    let timestamp = genesis_timestamp_ms / 1000;
    let header = genesis_header(timestamp, root_after_alloc);
    let hash = header.hash_slow();
    let head = EvmHead {
        number: 0,
        hash,
        timestamp,
        gas_limit: EVM_BLOCK_GAS_LIMIT,
        gas_used: 0,
        base_fee: EVM_INITIAL_BASE_FEE,
    };
    let writes = BTreeMap::from([
        (head_key(), head.encode_canonical()),
        (block_hash_key(0), BlockHash(hash).encode_canonical()),
    ]);
    (header, writes)
}

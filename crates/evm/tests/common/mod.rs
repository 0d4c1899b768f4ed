//! Shared helpers of the engine tests: an in-memory rooted state, keys, signed transactions,
//! the compiled fixtures, a one-market venue and a chain driver.

#![allow(dead_code, unreachable_pub)]

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{keccak256, Address, Bytes, Signature as AlloySignature, TxKind, B256, U256};
use alloy_sol_types::SolValue;
use numo_core::signature::{secret_key_address, sign_digest};
use numo_core::{State, StateError, TouchLog};
use numo_evm::genesis::{alloc_writes, genesis_head_writes, GenesisAccount};
use numo_evm::{execute_evm_block, EvmBlockReport, EvmEnv, EvmVenue, RootedState};
use numo_smt::SparseMerkleTree;
use numo_stf::{MarketContext, Rules};
use secp256k1::SecretKey;
use std::collections::BTreeMap;

/// The chain id of the tests (the dev venue's, E2).
pub const CHAIN_ID: u64 = 7357;
/// One NUMO in wei.
pub const NUMO: u128 = 1_000_000_000_000_000_000;
/// The genesis timestamp.
pub const GENESIS_MS: u64 = 1_795_000_000_000;

/// Values and their tree: a complete state whose root is always at hand.
#[derive(Debug, Clone, Default)]
pub struct MemState {
    pub values: BTreeMap<B256, Vec<u8>>,
}

impl MemState {
    pub fn apply(&mut self, writes: BTreeMap<B256, Option<Vec<u8>>>) {
        for (key, value) in writes {
            match value.filter(|v| !v.is_empty()) {
                Some(value) => self.values.insert(key, value),
                None => self.values.remove(&key),
            };
        }
    }

    pub fn root(&self) -> B256 {
        let mut tree = SparseMerkleTree::new();
        let mut updates: Vec<_> = self.values.iter().map(|(k, v)| (*k, Some(keccak256(v)))).collect();
        tree.update_batch(&mut updates);
        tree.root()
    }
}

impl State for MemState {
    fn get(&mut self, key: &B256) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.values.get(key).cloned())
    }
    fn put(&mut self, key: B256, value: Option<Vec<u8>>) -> Result<(), StateError> {
        self.apply(BTreeMap::from([(key, value)]));
        Ok(())
    }
}

impl RootedState for MemState {
    fn state_root(&mut self) -> Result<B256, StateError> {
        Ok(self.root())
    }
}

/// A deterministic test key.
pub fn key(n: u8) -> SecretKey {
    SecretKey::from_secret_bytes([n; 32]).unwrap()
}

pub fn addr(secret: &SecretKey) -> Address {
    secret_key_address(secret)
}

fn alloy_signature(secret: &SecretKey, hash: &B256) -> AlloySignature {
    let sig = sign_digest(secret, hash).0;
    AlloySignature::new(U256::from_be_slice(&sig[..32]), U256::from_be_slice(&sig[32..64]), sig[64] == 28)
}

/// An EIP-1559 transaction's bytes.
#[allow(clippy::too_many_arguments)]
pub fn tx1559(
    secret: &SecretKey,
    chain_id: u64,
    nonce: u64,
    to: Option<Address>,
    value: U256,
    input: Vec<u8>,
    gas_limit: u64,
    max_fee: u128,
    tip: u128,
) -> Vec<u8> {
    let tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit,
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: tip,
        to: to.map_or(TxKind::Create, TxKind::Call),
        value,
        access_list: Default::default(),
        input: Bytes::from(input),
    };
    let signature = alloy_signature(secret, &tx.signature_hash());
    TxEnvelope::from(tx.into_signed(signature)).encoded_2718()
}

/// A legacy transaction's bytes (`chain_id` `None` = pre-EIP-155).
pub fn tx_legacy(
    secret: &SecretKey,
    chain_id: Option<u64>,
    nonce: u64,
    to: Address,
    value: U256,
    gas_price: u128,
) -> Vec<u8> {
    let tx =
        TxLegacy { chain_id, nonce, gas_price, gas_limit: 21_000, to: TxKind::Call(to), value, input: Bytes::new() };
    let signature = alloy_signature(secret, &tx.signature_hash());
    TxEnvelope::from(tx.into_signed(signature)).encoded_2718()
}

/// An EIP-2930 transaction's bytes.
pub fn tx2930(secret: &SecretKey, chain_id: u64, nonce: u64, to: Address, value: U256, gas_price: u128) -> Vec<u8> {
    let tx = TxEip2930 {
        chain_id,
        nonce,
        gas_price,
        gas_limit: 30_000,
        to: TxKind::Call(to),
        value,
        access_list: Default::default(),
        input: Bytes::new(),
    };
    let signature = alloy_signature(secret, &tx.signature_hash());
    TxEnvelope::from(tx.into_signed(signature)).encoded_2718()
}

/// Creation bytecode of a fixture contract.
pub fn bytecode(name: &str) -> Vec<u8> {
    let text = include_str!("../fixtures/fixtures.json");
    let json: serde_json::Value = serde_json::from_str(text).unwrap();
    let hex = json[name]["bytecode"].as_str().unwrap();
    alloy_primitives::hex::decode(hex).unwrap()
}

/// `TestToken(supply)`'s creation code.
pub fn token_creation(supply: U256) -> Vec<u8> {
    let mut code = bytecode("TestToken");
    code.extend(supply.abi_encode());
    code
}

pub const BASE: B256 = B256::repeat_byte(0xb0);
pub const QUOTE: B256 = B256::repeat_byte(0xc0);
pub const MARKET: B256 = B256::repeat_byte(0x4d);
pub const VENUE_ID: B256 = B256::repeat_byte(0x5e);

pub fn market() -> MarketContext {
    MarketContext {
        chain_id: CHAIN_ID,
        venue_id: VENUE_ID,
        market_id: MARKET,
        rules: Rules {
            base_asset: BASE,
            quote_asset: QUOTE,
            price_scale: U256::from(10u64).pow(U256::from(18)),
            tick_size: U256::from(10u64).pow(U256::from(18)),
            lot_size: U256::from(1),
            taker_fee_bps: 10,
            maker_fee_bps: 0,
            max_orders_per_batch: 128,
            max_matches_per_order: 16,
            max_balance: U256::from(u128::MAX),
        },
    }
}

pub fn venue() -> EvmVenue {
    EvmVenue::new(CHAIN_ID, VENUE_ID, [market()])
}

/// A state with the EVM genesis of `alloc` (E8).
pub fn genesis(alloc: &[GenesisAccount]) -> MemState {
    let mut state = MemState::default();
    state.apply(alloc_writes(alloc).unwrap());
    let (_, writes) = genesis_head_writes(state.root(), GENESIS_MS);
    state.apply(writes);
    state
}

pub fn funded(addresses: &[Address], wei: u128) -> Vec<GenesisAccount> {
    addresses.iter().map(|a| GenesisAccount { address: *a, balance: U256::from(wei), ..Default::default() }).collect()
}

/// The environment of EVM block `n` (exchange height `10·n`).
pub fn env(n: u64) -> EvmEnv {
    EvmEnv {
        chain_id: CHAIN_ID,
        height: n * 10,
        timestamp_ms: GENESIS_MS + n * 1_000,
        parent_hash: B256::from(U256::from(n)),
    }
}

/// Executes EVM block `n` with `txs`, applying its writes.
pub fn block(state: &mut MemState, n: u64, txs: &[Vec<u8>]) -> EvmBlockReport {
    let refs: Vec<&[u8]> = txs.iter().map(Vec::as_slice).collect();
    execute_evm_block(state, &env(n), &venue(), &refs, TouchLog::sequenced()).unwrap()
}

pub fn account(state: &mut MemState, address: &Address) -> numo_evm::values::EvmAccount {
    use numo_stf::values::StateValue;
    let bytes = state.get(&numo_evm::keys::account_key(address)).unwrap();
    numo_evm::values::EvmAccount::decode(bytes.as_deref()).unwrap()
}

pub fn balance(state: &mut MemState, address: &Address) -> U256 {
    account(state, address).balance
}

pub const GWEI: u128 = 1_000_000_000;

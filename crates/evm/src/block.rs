//! E5, E7, E9: one EVM block — its transactions in entry order over numo's state, the outbox
//! of system messages their successful receipts requested, the Ethereum-shaped header whose
//! `stateRoot` is numo's root, then the head writes.

use crate::db::{apply_writes, state_writes, NumoDb, Tracked};
use crate::env::{EvmEnv, EvmVenue};
use crate::error::{EvmError, SkipCode};
use crate::keys::{block_hash_key, head_key, outbox_key};
use crate::limits::EVM_BLOCK_GAS_LIMIT;
use crate::rooted::RootedState;
use crate::system::{message_from_log, SystemMessage};
use crate::tx::EvmTx;
use crate::values::{encode_outbox, BlockHash, EvmHead};
use crate::vm::{block_env, build_evm, evm_cfg, tx_env};
use alloc::string::ToString;
use alloc::vec::Vec;
use alloy_consensus::proofs::{calculate_receipt_root, ordered_trie_root_encoded};
use alloy_consensus::{Eip658Value, Header, Receipt, ReceiptEnvelope, ReceiptWithBloom, TxType, EMPTY_OMMER_ROOT_HASH};
use alloy_eips::eip7685::EMPTY_REQUESTS_HASH;
use alloy_primitives::{Address, Bloom, Bytes, Log, B256, B64, U256};
use alloy_trie::EMPTY_ROOT_HASH;
use numo_core::hash::{keccak256, Keccak256};
use numo_core::TouchLog;
use revm::context::result::{EVMError, ExecutionResult, InvalidTransaction, Output};
use revm::ExecuteEvm;

/// EIP-1559's elasticity multiplier (E5).
const ELASTICITY_MULTIPLIER: u64 = 2;
/// EIP-1559's base-fee change denominator (E5).
const BASE_FEE_CHANGE_DENOMINATOR: u128 = 8;

/// The base fee of the block after `parent` (EIP-1559, as alloy-eips computes it), saturating
/// at `u64::MAX` where alloy's `u64` arithmetic would overflow.
pub fn next_base_fee(parent: &EvmHead) -> u64 {
    let target = parent.gas_limit / ELASTICITY_MULTIPLIER;
    let base_fee = u128::from(parent.base_fee);
    if target == 0 || parent.gas_used == target {
        return parent.base_fee;
    }
    let next = if parent.gas_used > target {
        let delta =
            base_fee * u128::from(parent.gas_used - target) / (u128::from(target) * BASE_FEE_CHANGE_DENOMINATOR);
        base_fee + delta.max(1)
    } else {
        let delta =
            base_fee * u128::from(target - parent.gas_used) / (u128::from(target) * BASE_FEE_CHANGE_DENOMINATOR);
        base_fee.saturating_sub(delta)
    };
    u64::try_from(next).unwrap_or(u64::MAX)
}

/// How an executed transaction ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxStatus {
    /// Success (receipt status 1).
    Success,
    /// `REVERT` (status 0): fee paid, nonce consumed, nothing else.
    Revert,
    /// An exceptional halt (status 0): all gas consumed. The reason, as revm names it.
    Halt(alloc::string::String),
}

/// One executed transaction of a block (E5).
#[derive(Debug, Clone)]
pub struct ExecutedTx {
    /// Its position among the block's EVM entries (skipped ones count).
    pub index: usize,
    /// The transaction.
    pub tx: EvmTx,
    /// Its EIP-2718 receipt (status, cumulative gas, bloom, logs).
    pub receipt: ReceiptEnvelope,
    /// Gas it used.
    pub gas_used: u64,
    /// What it paid per gas.
    pub effective_gas_price: u128,
    /// The created contract's address, for a creation (also when it failed, as geth reports).
    pub contract_address: Option<Address>,
    /// Return data, or revert data.
    pub output: Bytes,
    /// How it ended.
    pub status: TxStatus,
}

impl ExecutedTx {
    /// The logs of its receipt (empty unless it succeeded).
    pub fn logs(&self) -> &[Log] {
        self.receipt.logs()
    }
}

/// A transaction that did not execute (E5): no receipt, no state change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkippedTx {
    /// Its position among the block's EVM entries.
    pub index: usize,
    /// `keccak256(tx)`.
    pub hash: B256,
    /// Why.
    pub code: SkipCode,
}

/// What an EVM block produced, besides its writes.
#[derive(Debug, Clone)]
pub struct EvmBlockReport {
    /// The Ethereum-shaped header (E9).
    pub header: Header,
    /// `keccak256(rlp(header))`.
    pub hash: B256,
    /// Executed transactions, in order.
    pub executed: Vec<ExecutedTx>,
    /// Skipped transactions, in order.
    pub skipped: Vec<SkippedTx>,
    /// The system messages written to the outbox (E7), in order.
    pub outbox: Vec<SystemMessage>,
    /// E10 `inputDigest`: `keccak256(concat(txHash))` over every entry, skipped included.
    pub input_digest: B256,
    /// The batch's accesses (C23).
    pub touched: TouchLog,
}

/// E10 `inputDigest` of a block's entries: `keccak256(concat(keccak256(tx)))`.
pub fn block_input_digest(txs: &[&[u8]]) -> B256 {
    let mut hasher = Keccak256::new();
    for tx in txs {
        hasher.update(keccak256(tx));
    }
    hasher.finalize()
}

/// Executes EVM block `head.number + 1` (E5) over `state`, whose EVM head must exist (E8): the
/// transactions `txs` (E3 bytes, entry order), the outbox (E7), the header (E9) and the head
/// writes. `venue` is not read by a block (its system messages execute in the next exchange
/// block's system batch) but names the chain the block belongs to.
///
/// On `Err` the batch is invalid and `state` may hold some of its writes: callers run it over
/// an overlay they can drop.
pub fn execute_evm_block<S: RootedState>(
    state: &mut S,
    env: &EvmEnv,
    venue: &EvmVenue,
    txs: &[&[u8]],
    mut touched: TouchLog,
) -> Result<EvmBlockReport, EvmError> {
    debug_assert_eq!(env.chain_id, venue.chain_id, "the EVM's chain id is the venue's (E2)");
    let input_digest = block_input_digest(txs);
    let mut store = Tracked::new(&mut *state, &mut touched);
    let parent: EvmHead = store.read(&head_key())?;
    if parent == EvmHead::default() {
        return Err(EvmError::MissingHead);
    }
    let number = parent.number + 1;
    let base_fee = next_base_fee(&parent);
    let timestamp = env.timestamp();
    let block = block_env(number, timestamp, EVM_BLOCK_GAS_LIMIT, base_fee, env.parent_hash);

    let mut evm = build_evm(NumoDb { store }, block, evm_cfg(env.chain_id));
    let mut executed: Vec<ExecutedTx> = Vec::with_capacity(txs.len());
    let mut skipped = Vec::new();
    let mut gas_used = 0u64;
    for (index, bytes) in txs.iter().enumerate() {
        let hash = keccak256(bytes);
        let tx = match EvmTx::decode(bytes, env.chain_id) {
            Ok(tx) => tx,
            Err(error) => {
                skipped.push(SkippedTx { index, hash, code: error.skip_code() });
                continue;
            }
        };
        if tx.gas_limit() > EVM_BLOCK_GAS_LIMIT - gas_used {
            skipped.push(SkippedTx { index, hash, code: SkipCode::BlockGas });
            continue;
        }
        let outcome = evm.transact(tx_env(&tx));
        if let Some(error) = evm.precompiles.failure.take() {
            return Err(error.into());
        }
        let result = match outcome {
            Ok(result) => result,
            Err(EVMError::Transaction(invalid)) => {
                skipped.push(SkippedTx { index, hash, code: skip_code(&invalid) });
                continue;
            }
            Err(EVMError::Database(error)) => return Err(error.0.into()),
            Err(other) => return Err(EvmError::Internal(other.to_string())),
        };
        let writes = state_writes(&result.state);
        apply_writes(&mut evm.ctx.journaled_state.database.store, writes)?;
        gas_used += result.result.tx_gas_used();
        executed.push(executed_tx(index, tx, result.result, gas_used, base_fee));
    }
    let NumoDb { mut store } = evm.ctx.journaled_state.database;

    // E7: the system contract's logs of successful receipts, in order, into the outbox.
    let outbox: Vec<SystemMessage> =
        executed.iter().flat_map(|t| t.logs().iter().filter_map(message_from_log)).collect();
    if !outbox.is_empty() {
        store.put(outbox_key(), encode_outbox(&outbox))?;
    }

    // E9: the header commits the root after the transactions and the outbox.
    let state_root = state.state_root()?;
    let header = header(&parent, number, timestamp, base_fee, gas_used, env.parent_hash, state_root, &executed);
    let hash = header.hash_slow();
    let mut store = Tracked::new(&mut *state, &mut touched);
    store.write(&block_hash_key(number), &BlockHash(hash))?;
    let head = EvmHead { number, hash, timestamp, gas_limit: EVM_BLOCK_GAS_LIMIT, gas_used, base_fee };
    store.write(&head_key(), &head)?;
    Ok(EvmBlockReport { header, hash, executed, skipped, outbox, input_digest, touched })
}

/// The E5 skip code of revm's validation error.
pub(crate) fn skip_code(invalid: &InvalidTransaction) -> SkipCode {
    use InvalidTransaction as I;
    match invalid {
        I::NonceTooHigh { .. } | I::NonceTooLow { .. } | I::NonceOverflowInTransaction => SkipCode::Nonce,
        I::LackOfFundForMaxFee { .. } | I::OverflowPaymentInTransaction => SkipCode::Funds,
        I::GasPriceLessThanBasefee | I::PriorityFeeGreaterThanMaxFee => SkipCode::FeeCap,
        I::CallerGasLimitMoreThanBlock => SkipCode::BlockGas,
        I::CallGasCostMoreThanGasLimit { .. } | I::GasFloorMoreThanGasLimit { .. } => SkipCode::IntrinsicGas,
        I::InvalidChainId | I::MissingChainId => SkipCode::ChainId,
        _ => SkipCode::Invalid,
    }
}

/// The record of an executed transaction; `cumulative` includes it.
fn executed_tx(index: usize, tx: EvmTx, result: ExecutionResult, cumulative: u64, base_fee: u64) -> ExecutedTx {
    let gas_used = result.tx_gas_used();
    let (status, logs, output) = match result {
        ExecutionResult::Success { logs, output, .. } => {
            let output = match output {
                Output::Call(bytes) | Output::Create(bytes, _) => bytes,
            };
            (TxStatus::Success, logs, output)
        }
        ExecutionResult::Revert { output, .. } => (TxStatus::Revert, Vec::new(), output),
        ExecutionResult::Halt { reason, .. } => {
            (TxStatus::Halt(alloc::format!("{reason:?}")), Vec::new(), Bytes::new())
        }
    };
    let receipt =
        Receipt { status: Eip658Value::Eip658(status == TxStatus::Success), cumulative_gas_used: cumulative, logs };
    let tx_type = TxType::try_from(tx.tx_type()).unwrap_or(TxType::Legacy);
    let receipt = ReceiptEnvelope::from_typed(tx_type, ReceiptWithBloom::from(receipt));
    let contract_address = tx.to().is_none().then(|| tx.sender().create(tx.nonce()));
    let effective_gas_price = tx.effective_gas_price(base_fee);
    ExecutedTx { index, tx, receipt, gas_used, effective_gas_price, contract_address, output, status }
}

/// The E9 header.
#[allow(clippy::too_many_arguments)]
fn header(
    parent: &EvmHead,
    number: u64,
    timestamp: u64,
    base_fee: u64,
    gas_used: u64,
    mix_hash: B256,
    state_root: B256,
    executed: &[ExecutedTx],
) -> Header {
    let tx_bytes: Vec<&[u8]> = executed.iter().map(|t| t.tx.bytes()).collect();
    let receipts: Vec<&ReceiptEnvelope> = executed.iter().map(|t| &t.receipt).collect();
    let mut logs_bloom = Bloom::ZERO;
    for receipt in &receipts {
        logs_bloom |= *receipt.logs_bloom();
    }
    Header {
        parent_hash: parent.hash,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: Address::ZERO,
        state_root,
        transactions_root: ordered_trie_root_encoded(&tx_bytes),
        receipts_root: calculate_receipt_root(&receipts),
        logs_bloom,
        difficulty: U256::ZERO,
        number,
        gas_limit: EVM_BLOCK_GAS_LIMIT,
        gas_used,
        timestamp,
        extra_data: Bytes::new(),
        mix_hash,
        nonce: B64::ZERO,
        base_fee_per_gas: Some(base_fee),
        withdrawals_root: Some(EMPTY_ROOT_HASH),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(0),
        parent_beacon_block_root: Some(B256::ZERO),
        requests_hash: Some(EMPTY_REQUESTS_HASH),
    }
}

/// The E8/E9 genesis header: block 0 over `state_root` (the root after the alloc).
pub fn genesis_header(timestamp: u64, state_root: B256) -> Header {
    let genesis = EvmHead { gas_limit: EVM_BLOCK_GAS_LIMIT, ..EvmHead::default() };
    let mut header =
        header(&genesis, 0, timestamp, crate::limits::EVM_INITIAL_BASE_FEE, 0, B256::ZERO, state_root, &[]);
    header.parent_hash = B256::ZERO;
    header
}

//! Read-only execution for `eth_call` and `eth_estimateGas`: a transaction run on top of the
//! current head, never written. Reads go through the same database and precompiles as a block,
//! over a throwaway touched log; revm's state changes are dropped.

use crate::block::TxStatus;
use crate::db::NumoDb;
use crate::env::EvmEnv;
use crate::error::{EvmError, SkipCode};
use crate::keys::head_key;
use crate::limits::{ESTIMATE_GAS_CAP, EVM_BLOCK_GAS_LIMIT};
use crate::values::EvmHead;
use crate::vm::{block_env, build_evm, evm_cfg};
use alloc::string::ToString;
use alloc::vec::Vec;
use alloy_eips::eip2930::AccessList;
use alloy_primitives::{Address, Bytes, Log, TxKind, U256};
use numo_core::{State, TouchLog};
use revm::context::result::{EVMError, ExecutionResult, InvalidTransaction, Output};
use revm::context::TxEnv;
use revm::ExecuteEvm;

/// The intrinsic gas of the cheapest transaction: the lower bound of an estimate.
const TX_BASE_GAS: u64 = 21_000;
/// The stipend a value-carrying call hands its callee (geth adds it to the optimistic guess).
const CALL_STIPEND: u64 = 2_300;

/// An `eth_call` / `eth_estimateGas` request (the fields clients send).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallRequest {
    /// Sender (zero address when absent, as geth).
    pub from: Option<Address>,
    /// Callee, `None` to simulate a creation.
    pub to: Option<Address>,
    /// Gas limit (the block's when absent).
    pub gas: Option<u64>,
    /// Legacy gas price.
    pub gas_price: Option<u128>,
    /// EIP-1559 fee cap.
    pub max_fee_per_gas: Option<u128>,
    /// EIP-1559 tip cap.
    pub max_priority_fee_per_gas: Option<u128>,
    /// Wei sent.
    pub value: U256,
    /// Calldata or init code.
    pub input: Bytes,
    /// Nonce; the check is off for calls.
    pub nonce: Option<u64>,
    /// EIP-2930 access list.
    pub access_list: AccessList,
}

/// What a simulated transaction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallOutcome {
    /// How it ended.
    pub status: TxStatus,
    /// Gas it used.
    pub gas_used: u64,
    /// Return data (revert data for a revert).
    pub output: Bytes,
    /// Logs it would emit (empty unless it succeeded).
    pub logs: Vec<Log>,
    /// The address a creation would deploy to.
    pub contract_address: Option<Address>,
}

/// Why a call could not be simulated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The transaction would not be valid (E5's checks): funds, fees, intrinsic gas.
    #[error("invalid call: {}", .0.code())]
    Invalid(SkipCode),
    /// The state could not be read, or has no EVM head.
    #[error(transparent)]
    Evm(#[from] EvmError),
    /// `eth_estimateGas`: the call fails even with the most gas allowed.
    #[error("execution fails at the gas cap")]
    Fails(CallOutcome),
}

/// Runs `request` on top of the head of `state` (its number, timestamp and base fee; no
/// transaction of the pending block), without writing. With no fee field the base fee is
/// taken as zero, so a plain call needs no balance for gas (geth's behaviour).
pub fn simulate<S: State>(state: &mut S, env: &EvmEnv, request: &CallRequest) -> Result<CallOutcome, CallError> {
    simulate_with_gas(state, env, request, request.gas.unwrap_or(EVM_BLOCK_GAS_LIMIT))
}

fn simulate_with_gas<S: State>(
    state: &mut S,
    env: &EvmEnv,
    request: &CallRequest,
    gas: u64,
) -> Result<CallOutcome, CallError> {
    let mut touched = TouchLog::digest_only();
    let mut db = NumoDb::new(state, &mut touched);
    let head: EvmHead = db.store.read(&head_key()).map_err(EvmError::from)?;
    if head == EvmHead::default() {
        return Err(EvmError::MissingHead.into());
    }
    let priced = request.gas_price.is_some() || request.max_fee_per_gas.is_some();
    let base_fee = if priced { head.base_fee } else { 0 };
    let block = block_env(head.number, head.timestamp, EVM_BLOCK_GAS_LIMIT, base_fee, env.parent_hash);
    let from = request.from.unwrap_or_default();
    let nonce = match request.nonce {
        Some(nonce) => nonce,
        None => crate::db::read_account(&mut db.store, &from).map_err(EvmError::from)?.map_or(0, |a| a.nonce),
    };
    let mut cfg = evm_cfg(env.chain_id);
    cfg.disable_nonce_check = true;
    let (tx_type, gas_price, gas_priority_fee) = match (request.max_fee_per_gas, request.gas_price) {
        (Some(max_fee), _) => (2, max_fee, Some(request.max_priority_fee_per_gas.unwrap_or(0).min(max_fee))),
        (None, Some(price)) => (if request.access_list.is_empty() { 0 } else { 1 }, price, None),
        (None, None) => (2, 0, Some(0)),
    };
    let tx = TxEnv {
        tx_type,
        caller: from,
        gas_limit: gas,
        gas_price,
        kind: request.to.map_or(TxKind::Create, TxKind::Call),
        value: request.value,
        data: request.input.clone(),
        nonce,
        chain_id: Some(env.chain_id),
        access_list: request.access_list.clone(),
        gas_priority_fee,
        ..TxEnv::default()
    };
    let mut evm = build_evm(db, block, cfg);
    let outcome = evm.transact(tx);
    if let Some(error) = evm.precompiles.failure.take() {
        return Err(EvmError::from(error).into());
    }
    let result = match outcome {
        Ok(result) => result.result,
        Err(EVMError::Transaction(invalid)) => return Err(CallError::Invalid(skip_code_of(&invalid))),
        Err(EVMError::Database(error)) => return Err(EvmError::from(error.0).into()),
        Err(other) => return Err(EvmError::Internal(other.to_string()).into()),
    };
    let contract_address = request.to.is_none().then(|| from.create(nonce));
    let gas_used = result.tx_gas_used();
    Ok(match result {
        ExecutionResult::Success { logs, output, .. } => {
            let output = match output {
                Output::Call(bytes) | Output::Create(bytes, _) => bytes,
            };
            CallOutcome { status: TxStatus::Success, gas_used, output, logs, contract_address }
        }
        ExecutionResult::Revert { output, .. } => {
            CallOutcome { status: TxStatus::Revert, gas_used, output, logs: Vec::new(), contract_address }
        }
        ExecutionResult::Halt { reason, .. } => CallOutcome {
            status: TxStatus::Halt(alloc::format!("{reason:?}")),
            gas_used,
            output: Bytes::new(),
            logs: Vec::new(),
            contract_address,
        },
    })
}

/// The E5 code of a call's validation error.
fn skip_code_of(invalid: &InvalidTransaction) -> SkipCode {
    crate::block::skip_code(invalid)
}

/// `eth_estimateGas`: the least gas limit at which `request` succeeds, by binary search as geth
/// does (a first optimistic try at `(used + stipend) · 64/63`, then bisection). Bounded by the
/// request's gas, else [`ESTIMATE_GAS_CAP`]. [`CallError::Fails`] when it fails even there.
pub fn estimate_gas<S: State>(state: &mut S, env: &EvmEnv, request: &CallRequest) -> Result<u64, CallError> {
    let mut hi = request.gas.unwrap_or(ESTIMATE_GAS_CAP).min(ESTIMATE_GAS_CAP);
    let full = simulate_with_gas(state, env, request, hi)?;
    if full.status != TxStatus::Success {
        return Err(CallError::Fails(full));
    }
    let mut lo = full.gas_used.saturating_sub(1).max(TX_BASE_GAS - 1);
    let optimistic = (full.gas_used + CALL_STIPEND) * 64 / 63;
    if optimistic < hi && succeeds(state, env, request, optimistic)? {
        hi = optimistic;
    }
    while lo + 1 < hi {
        let mid = lo + (hi - lo) / 2;
        if succeeds(state, env, request, mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}

/// Whether `request` succeeds with `gas`; a validation failure (too little intrinsic gas)
/// counts as failure.
fn succeeds<S: State>(state: &mut S, env: &EvmEnv, request: &CallRequest, gas: u64) -> Result<bool, CallError> {
    match simulate_with_gas(state, env, request, gas) {
        Ok(outcome) => Ok(outcome.status == TxStatus::Success),
        Err(CallError::Invalid(_)) => Ok(false),
        Err(error) => Err(error),
    }
}

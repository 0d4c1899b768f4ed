//! The node's reads of the EVM's committed state (E4) for the JSON-RPC and admission: accounts,
//! code, storage slots and the head, through `numo_evm`'s keys and value layouts over the
//! chain's in-memory state, and read-only calls (`eth_call`, `eth_estimateGas`) that run the
//! engine's own code over a throw-away overlay of it.

use crate::evm_rpc::RpcError;
use crate::node::Node;
use alloy_primitives::{Address, U256};
use numo_evm::keys::{account_key, code_key, head_key, storage_key};
use numo_evm::values::{EvmAccount, EvmHead, SlotValue};

/// The account at `address` (all zero when absent).
pub fn account(node: &Node, address: &Address) -> Result<EvmAccount, RpcError> {
    Ok(node.chain.read().expect("chain lock").read::<EvmAccount>(&account_key(address)))
}

/// The code of the account at `address` (empty without code).
pub fn code(node: &Node, address: &Address) -> Result<Vec<u8>, RpcError> {
    let chain = node.chain.read().expect("chain lock");
    let account = chain.read::<EvmAccount>(&account_key(address));
    if account.code_hash.is_zero() {
        return Ok(Vec::new());
    }
    chain
        .full
        .value(&code_key(&account.code_hash))
        .map(<[u8]>::to_vec)
        .ok_or_else(|| RpcError::internal(format!("code {} of {address} is not in the state", account.code_hash)))
}

/// Storage slot `slot` of `address` (zero when absent).
pub fn storage(node: &Node, address: &Address, slot: &U256) -> Result<U256, RpcError> {
    Ok(node.chain.read().expect("chain lock").read::<SlotValue>(&storage_key(address, slot)).0)
}

/// The EVM head (E4) of the committed state.
pub fn head(node: &Node) -> Result<EvmHead, RpcError> {
    Ok(node.chain.read().expect("chain lock").read::<EvmHead>(&head_key()))
}

/// The base fee the next EVM block will charge (E5, EIP-1559 from the head).
pub fn next_base_fee(head: &EvmHead) -> u64 {
    numo_evm::block::next_base_fee(head)
}

/// The parts of a header EIP-1559 needs.
#[derive(Debug, Clone, Copy)]
pub struct HeadFees {
    /// Gas used by the block.
    pub gas_used: u64,
    /// Its gas limit.
    pub gas_limit: u64,
    /// Its base fee.
    pub base_fee: u64,
}

/// The base fee of the block after one with these fees (E5).
pub fn next_base_fee_of(fees: HeadFees) -> u64 {
    next_base_fee(&EvmHead {
        gas_used: fees.gas_used,
        gas_limit: fees.gas_limit,
        base_fee: fees.base_fee,
        ..EvmHead::default()
    })
}

/// Why a read-only call produced no output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The call reverted (or, for an estimate, fails at every gas limit); the revert data.
    Reverted(Vec<u8>),
    /// The request cannot run (bad fields, insufficient funds, out of gas at the cap).
    Invalid(String),
    /// The state could not be read.
    Internal(String),
}

/// A read-only view of the committed state for simulations: reads fall through to it, writes
/// stay in a buffer that is dropped with the view.
struct ReadView<'a> {
    base: &'a numo_host::FullState,
    writes: std::collections::BTreeMap<alloy_primitives::B256, Option<Vec<u8>>>,
}

impl numo_stf::State for ReadView<'_> {
    fn get(&mut self, key: &alloy_primitives::B256) -> Result<Option<Vec<u8>>, numo_stf::StateError> {
        match self.writes.get(key) {
            Some(value) => Ok(value.clone()),
            None => Ok(self.base.value(key).map(<[u8]>::to_vec)),
        }
    }
    fn put(&mut self, key: alloy_primitives::B256, value: Option<Vec<u8>>) -> Result<(), numo_stf::StateError> {
        self.writes.insert(key, value);
        Ok(())
    }
}

/// The engine's request from the JSON-RPC's.
fn call_request(request: &alloy_rpc_types_eth::TransactionRequest) -> Result<numo_evm::call::CallRequest, CallError> {
    let to = match request.to {
        Some(alloy_primitives::TxKind::Call(to)) => Some(to),
        Some(alloy_primitives::TxKind::Create) | None => None,
    };
    let input = request.input.input().cloned().unwrap_or_default();
    Ok(numo_evm::call::CallRequest {
        from: request.from,
        to,
        gas: request.gas,
        gas_price: request.gas_price,
        max_fee_per_gas: request.max_fee_per_gas,
        max_priority_fee_per_gas: request.max_priority_fee_per_gas,
        value: request.value.unwrap_or_default(),
        input,
        nonce: request.nonce,
        access_list: request.access_list.clone().unwrap_or_default(),
    })
}

/// Runs `f` over a read-only view of the committed state and the environment of the next
/// block (the head's chain id, the tip's height and time).
fn with_view<T>(
    node: &Node,
    f: impl FnOnce(&mut ReadView<'_>, &numo_evm::env::EvmEnv) -> Result<T, numo_evm::call::CallError>,
) -> Result<T, CallError> {
    let chain = node.chain.read().expect("chain lock");
    let tip = chain.tip(node.genesis_root);
    let env = numo_evm::env::EvmEnv {
        chain_id: node.genesis.chain_id,
        height: tip.height + 1,
        timestamp_ms: crate::sequencer::now_ms().max(tip.timestamp_ms),
        parent_hash: tip.hash,
    };
    let mut view = ReadView { base: &chain.full, writes: Default::default() };
    f(&mut view, &env).map_err(|error| match error {
        numo_evm::call::CallError::Invalid(code) => CallError::Invalid(invalid_message(code)),
        numo_evm::call::CallError::Evm(error) => CallError::Internal(error.to_string()),
        numo_evm::call::CallError::Fails(outcome) => match outcome.status {
            numo_evm::block::TxStatus::Revert => CallError::Reverted(outcome.output.to_vec()),
            numo_evm::block::TxStatus::Halt(reason) => {
                CallError::Invalid(format!("gas required exceeds allowance or always failing transaction ({reason})"))
            }
            numo_evm::block::TxStatus::Success => CallError::Invalid("execution fails at the gas cap".into()),
        },
    })
}

/// geth's words for a call that would not be a valid transaction.
fn invalid_message(code: numo_evm::error::SkipCode) -> String {
    use numo_evm::error::SkipCode::*;
    match code {
        Funds => "insufficient funds for gas * price + value".into(),
        FeeCap => "max fee per gas less than block base fee".into(),
        IntrinsicGas => "intrinsic gas too low".into(),
        BlockGas => "exceeds block gas limit".into(),
        Nonce => "nonce too low".into(),
        other => format!("invalid transaction: {}", other.code()),
    }
}

/// `eth_call`: the return data of `request` run on the head, or why it has none.
pub fn call(node: &Node, request: &alloy_rpc_types_eth::TransactionRequest) -> Result<Vec<u8>, CallError> {
    let request = call_request(request)?;
    let outcome = with_view(node, |view, env| numo_evm::call::simulate(view, env, &request))?;
    match outcome.status {
        numo_evm::block::TxStatus::Success => Ok(outcome.output.to_vec()),
        numo_evm::block::TxStatus::Revert => Err(CallError::Reverted(outcome.output.to_vec())),
        numo_evm::block::TxStatus::Halt(reason) => Err(CallError::Invalid(format!("execution halted: {reason}"))),
    }
}

/// `eth_estimateGas`: the least gas with which `request` succeeds on the head.
pub fn estimate_gas(node: &Node, request: &alloy_rpc_types_eth::TransactionRequest) -> Result<u64, CallError> {
    let request = call_request(request)?;
    with_view(node, |view, env| numo_evm::call::estimate_gas(view, env, &request))
}

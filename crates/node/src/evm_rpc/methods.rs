//! The Ethereum methods (issue 12's list), each reading the store (blocks, transactions,
//! receipts, logs), the committed state ([`crate::evm_state`]) or the pool. State is kept only
//! at the head: a state query for another block is refused with a clear `-32000`, never
//! answered from the wrong state.

use super::params::Params;
use super::{render, RpcError, EXECUTION_REVERTED, METHOD_NOT_FOUND};
use crate::evm_state::{self, CallError};
use crate::limits::{EVM_FEE_HISTORY_MAX_BLOCKS, EVM_LOGS_MAX_RANGE, EVM_LOGS_MAX_RESULTS, EVM_SUGGESTED_TIP_WEI};
use crate::node::Node;
use crate::stored_evm::{StoredEvmBlock, StoredEvmTx};
use alloy_primitives::{hex, Address, Bytes, B256, U256, U64};
use alloy_rpc_types_eth::{BlockId, BlockNumberOrTag, FeeHistory, Filter, FilterBlockOption, TransactionRequest};
use serde_json::{json, Value};

/// The node's name for `web3_clientVersion`.
pub const CLIENT_VERSION: &str = concat!("numo/v", env!("CARGO_PKG_VERSION"));

/// Runs `method` with `params`.
pub fn call(node: &Node, method: &str, params: Params) -> Result<Value, RpcError> {
    match method {
        "eth_chainId" => Ok(quantity(node.genesis.chain_id)),
        "net_version" => Ok(json!(node.genesis.chain_id.to_string())),
        "net_listening" => Ok(json!(true)),
        "net_peerCount" => Ok(quantity(0)),
        "web3_clientVersion" => Ok(json!(CLIENT_VERSION)),
        "web3_sha3" => {
            let data: Bytes = params.get(0, "data")?;
            Ok(json!(alloy_primitives::keccak256(&data)))
        }
        "eth_accounts" => Ok(json!([])),
        "eth_syncing" => Ok(json!(false)),
        "eth_mining" => Ok(json!(false)),
        "eth_blockNumber" => Ok(quantity(latest(node)?)),
        "eth_getBlockByNumber" => {
            let tag: BlockNumberOrTag = params.get(0, "block")?;
            let full: bool = params.opt(1, "full")?.unwrap_or(false);
            let number = number_of(node, tag)?;
            block_json(node, node.store.evm_block(number)?, full)
        }
        "eth_getBlockByHash" => {
            let hash: B256 = params.get(0, "hash")?;
            let full: bool = params.opt(1, "full")?.unwrap_or(false);
            block_json(node, block_by_hash(node, &hash)?, full)
        }
        "eth_getBlockTransactionCountByNumber" => {
            let number = number_of(node, params.get(0, "block")?)?;
            Ok(node.store.evm_block(number)?.map_or(Value::Null, |b| quantity(b.tx_hashes.len() as u64)))
        }
        "eth_getBlockTransactionCountByHash" => {
            let hash: B256 = params.get(0, "hash")?;
            Ok(block_by_hash(node, &hash)?.map_or(Value::Null, |b| quantity(b.tx_hashes.len() as u64)))
        }
        "eth_getUncleCountByBlockNumber" | "eth_getUncleCountByBlockHash" => Ok(quantity(0)),
        "eth_getTransactionByHash" => transaction_by_hash(node, &params.get(0, "hash")?),
        "eth_getTransactionReceipt" => receipt(node, &params.get(0, "hash")?),
        "eth_getBlockReceipts" => {
            let id: BlockId = params.get(0, "block")?;
            let block = match id {
                BlockId::Hash(hash) => block_by_hash(node, &hash.block_hash)?,
                BlockId::Number(tag) => node.store.evm_block(number_of(node, tag)?)?,
            };
            let Some(block) = block else { return Ok(Value::Null) };
            let timestamp = render::header(&block)?.timestamp;
            let receipts = block_txs(node, &block)?
                .iter()
                .map(|tx| render::receipt(tx, timestamp))
                .collect::<Result<Vec<_>, _>>()?;
            to_json(&receipts)
        }
        "eth_getTransactionCount" => {
            let address: Address = params.get(0, "address")?;
            let pending = at_head(node, params.opt(1, "block")?)?;
            let account = evm_state::account(node, &address)?;
            let nonce = if pending {
                node.evm.pool.lock().expect("evm pool lock").pending_nonce(&address, account.nonce)
            } else {
                account.nonce
            };
            Ok(quantity(nonce))
        }
        "eth_getBalance" => {
            let address: Address = params.get(0, "address")?;
            at_head(node, params.opt(1, "block")?)?;
            Ok(json!(evm_state::account(node, &address)?.balance))
        }
        "eth_getCode" => {
            let address: Address = params.get(0, "address")?;
            at_head(node, params.opt(1, "block")?)?;
            Ok(json!(Bytes::from(evm_state::code(node, &address)?)))
        }
        "eth_getStorageAt" => {
            let address: Address = params.get(0, "address")?;
            let slot: U256 = params.get(1, "slot")?;
            at_head(node, params.opt(2, "block")?)?;
            Ok(json!(B256::from(evm_state::storage(node, &address, &slot)?)))
        }
        "eth_gasPrice" => {
            let head = evm_state::head(node)?;
            Ok(quantity_u128(u128::from(evm_state::next_base_fee(&head)) + EVM_SUGGESTED_TIP_WEI))
        }
        "eth_maxPriorityFeePerGas" => Ok(quantity_u128(EVM_SUGGESTED_TIP_WEI)),
        "eth_blobBaseFee" => Err(RpcError::new(METHOD_NOT_FOUND, "blob transactions are not accepted (E3)")),
        "eth_feeHistory" => fee_history(node, &params),
        "eth_sendRawTransaction" => {
            let raw: Bytes = params.get(0, "transaction")?;
            let hash = crate::evm_admission::submit_raw(node, &raw).map_err(|e| RpcError::server(e.to_string()))?;
            Ok(json!(hash))
        }
        "eth_call" => {
            let request: TransactionRequest = params.get(0, "transaction")?;
            at_head(node, params.opt(1, "block")?)?;
            if params.opt::<Value>(2, "state overrides")?.is_some() {
                return Err(RpcError::params("state overrides are not supported"));
            }
            let output = evm_state::call(node, &request).map_err(call_error)?;
            Ok(json!(Bytes::from(output)))
        }
        "eth_estimateGas" => {
            let request: TransactionRequest = params.get(0, "transaction")?;
            at_head(node, params.opt(1, "block")?)?;
            Ok(quantity(evm_state::estimate_gas(node, &request).map_err(call_error)?))
        }
        "eth_getLogs" => logs(node, &params.get(0, "filter")?),
        "eth_sign" | "eth_signTransaction" | "eth_sendTransaction" => Err(RpcError::new(
            METHOD_NOT_FOUND,
            format!("{method}: the node holds no keys; sign locally and use eth_sendRawTransaction"),
        )),
        "eth_getProof" => Err(RpcError::new(
            METHOD_NOT_FOUND,
            "eth_getProof: numo's state is a keccak sparse Merkle tree, not an MPT (E9); see GET /v1/state/proof/{key}",
        )),
        other => Err(RpcError::new(METHOD_NOT_FOUND, format!("the method {other} does not exist/is not available"))),
    }
}

fn quantity(value: u64) -> Value {
    json!(U64::from(value))
}

fn quantity_u128(value: u128) -> Value {
    json!(U256::from(value))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, RpcError> {
    serde_json::to_value(value).map_err(RpcError::internal)
}

/// Number of the newest EVM block (0: only the genesis block, E8).
fn latest(node: &Node) -> Result<u64, RpcError> {
    Ok(node.store.last_evm_block()?.unwrap_or(0))
}

/// The block a tag names: `latest`, `pending`, `safe` and `finalized` are the newest block (a
/// committed block is final on numo: one operator, or BFT with instant finality); `earliest`
/// is the genesis block.
fn number_of(node: &Node, tag: BlockNumberOrTag) -> Result<u64, RpcError> {
    Ok(match tag {
        BlockNumberOrTag::Earliest => 0,
        BlockNumberOrTag::Number(n) => n,
        BlockNumberOrTag::Latest | BlockNumberOrTag::Pending | BlockNumberOrTag::Safe | BlockNumberOrTag::Finalized => {
            latest(node)?
        }
    })
}

/// Checks that a state query asks for the head's state (absent, a tag meaning the newest block,
/// or the newest block's number or hash); returns whether it asked for `pending`. Older state
/// is not kept: such a query is refused rather than answered from the wrong state.
fn at_head(node: &Node, id: Option<BlockId>) -> Result<bool, RpcError> {
    let latest = latest(node)?;
    let (number, pending) = match id {
        None => return Ok(false),
        Some(BlockId::Number(BlockNumberOrTag::Pending)) => return Ok(true),
        Some(BlockId::Number(tag)) => (number_of(node, tag)?, false),
        Some(BlockId::Hash(hash)) => match node.store.evm_block_number(&hash.block_hash)? {
            Some(number) => (number, false),
            None => return Err(RpcError::server(format!("block {} not found", hash.block_hash))),
        },
    };
    if number != latest {
        return Err(RpcError::server(format!(
            "historical state is not available: numo serves the state of the latest EVM block ({latest}), not of block {number}"
        )));
    }
    Ok(pending)
}

fn block_by_hash(node: &Node, hash: &B256) -> Result<Option<StoredEvmBlock>, RpcError> {
    match node.store.evm_block_number(hash)? {
        Some(number) => Ok(node.store.evm_block(number)?),
        None => Ok(None),
    }
}

fn block_txs(node: &Node, block: &StoredEvmBlock) -> Result<Vec<StoredEvmTx>, RpcError> {
    block
        .tx_hashes
        .iter()
        .map(|hash| {
            node.store.evm_tx(hash)?.ok_or_else(|| {
                RpcError::internal(format!("transaction {hash} of block {} is not stored", block.number))
            })
        })
        .collect()
}

fn block_json(node: &Node, block: Option<StoredEvmBlock>, full: bool) -> Result<Value, RpcError> {
    let Some(block) = block else { return Ok(Value::Null) };
    let txs = if full { Some(block_txs(node, &block)?) } else { None };
    to_json(&render::block(&block, txs.as_deref())?)
}

fn transaction_by_hash(node: &Node, hash: &B256) -> Result<Value, RpcError> {
    if let Some(tx) = node.store.evm_tx(hash)? {
        let base_fee = match node.store.evm_block(tx.block_number)? {
            Some(block) => render::header(&block)?.base_fee_per_gas,
            None => None,
        };
        return to_json(&render::transaction(
            &tx.raw,
            tx.from,
            Some((tx.block_hash, tx.block_number, tx.index)),
            base_fee,
        )?);
    }
    let pooled = node.evm.pool.lock().expect("evm pool lock").get(hash);
    match pooled {
        Some(tx) => to_json(&render::transaction(&tx.raw, tx.sender, None, None)?),
        None => Ok(Value::Null),
    }
}

fn receipt(node: &Node, hash: &B256) -> Result<Value, RpcError> {
    let Some(tx) = node.store.evm_tx(hash)? else { return Ok(Value::Null) };
    let block = node
        .store
        .evm_block(tx.block_number)?
        .ok_or_else(|| RpcError::internal(format!("block {} of transaction {hash} is not stored", tx.block_number)))?;
    to_json(&render::receipt(&tx, render::header(&block)?.timestamp)?)
}

fn call_error(error: CallError) -> RpcError {
    match error {
        CallError::Reverted(data) => {
            RpcError { code: EXECUTION_REVERTED, message: revert_message(&data), data: Some(json!(Bytes::from(data))) }
        }
        CallError::Invalid(message) => RpcError::server(message),
        CallError::Internal(message) => RpcError::internal(message),
    }
}

/// geth's wording: `execution reverted`, with the reason of an `Error(string)` revert.
fn revert_message(data: &[u8]) -> String {
    // Error(string): selector 0x08c379a0, offset, length, bytes.
    if data.len() >= 68 && data[..4] == [0x08, 0xc3, 0x79, 0xa0] {
        let len = U256::from_be_slice(&data[36..68]);
        if let Ok(len) = usize::try_from(len) {
            if let Some(text) = data.get(68..68 + len).and_then(|b| std::str::from_utf8(b).ok()) {
                return format!("execution reverted: {text}");
            }
        }
    }
    if data.is_empty() {
        "execution reverted".into()
    } else {
        format!("execution reverted: {}", hex::encode_prefixed(data))
    }
}

fn fee_history(node: &Node, params: &Params) -> Result<Value, RpcError> {
    let count: U64 = params.get(0, "blockCount")?;
    let newest = number_of(node, params.get(1, "newestBlock")?)?;
    let percentiles: Vec<f64> = params.opt(2, "rewardPercentiles")?.unwrap_or_default();
    if percentiles.iter().any(|p| !(0.0..=100.0).contains(p)) || percentiles.windows(2).any(|w| w[0] > w[1]) {
        return Err(RpcError::params("reward percentiles must be ascending, within 0..100"));
    }
    let latest = latest(node)?;
    if newest > latest {
        return Err(RpcError::params(format!("newest block {newest} is after the latest ({latest})")));
    }
    let count = count.to::<u64>().min(EVM_FEE_HISTORY_MAX_BLOCKS).min(newest + 1);
    let oldest = newest + 1 - count;
    let (mut base_fees, mut ratios, mut rewards) = (Vec::new(), Vec::new(), Vec::new());
    let mut last_header = None;
    for number in oldest..=newest {
        let block = node
            .store
            .evm_block(number)?
            .ok_or_else(|| RpcError::internal(format!("EVM block {number} is not stored")))?;
        let header = render::header(&block)?;
        let base_fee = header.base_fee_per_gas.unwrap_or(0);
        base_fees.push(u128::from(base_fee));
        ratios.push(if header.gas_limit == 0 { 0.0 } else { header.gas_used as f64 / header.gas_limit as f64 });
        if !percentiles.is_empty() {
            let mut tips: Vec<(u128, u64)> = block_txs(node, &block)?
                .iter()
                .map(|tx| (tx.receipt.effective_gas_price.saturating_sub(u128::from(base_fee)), tx.receipt.gas_used))
                .collect();
            tips.sort_unstable();
            rewards.push(percentile_rewards(&tips, header.gas_used, &percentiles));
        }
        last_header = Some(header);
    }
    let next = last_header.map_or(0, |h| {
        let head = evm_state::HeadFees {
            gas_used: h.gas_used,
            gas_limit: h.gas_limit,
            base_fee: h.base_fee_per_gas.unwrap_or(0),
        };
        evm_state::next_base_fee_of(head)
    });
    base_fees.push(u128::from(next));
    let history = FeeHistory {
        base_fee_per_gas: base_fees,
        gas_used_ratio: ratios,
        base_fee_per_blob_gas: vec![0; count as usize + 1],
        blob_gas_used_ratio: vec![0.0; count as usize],
        oldest_block: oldest,
        reward: (!percentiles.is_empty()).then_some(rewards),
    };
    to_json(&history)
}

/// geth's rewards: the tips of the block's transactions sorted ascending, each weighted by the
/// gas it used; the reward at percentile `p` is the tip of the transaction within which the
/// `p`% gas mark falls. Zero for a block without transactions.
fn percentile_rewards(tips: &[(u128, u64)], gas_used: u64, percentiles: &[f64]) -> Vec<u128> {
    if tips.is_empty() {
        return vec![0; percentiles.len()];
    }
    percentiles
        .iter()
        .map(|p| {
            let threshold = (gas_used as f64 * p / 100.0) as u64;
            let mut cumulative = 0u64;
            for (tip, gas) in tips {
                cumulative += gas;
                if cumulative >= threshold {
                    return *tip;
                }
            }
            tips.last().map_or(0, |t| t.0)
        })
        .collect()
}

fn logs(node: &Node, filter: &Filter) -> Result<Value, RpcError> {
    let latest = latest(node)?;
    let (from, to) = match filter.block_option {
        FilterBlockOption::AtBlockHash(hash) => match node.store.evm_block_number(&hash)? {
            Some(number) => (number, number),
            None => return Err(RpcError::server(format!("unknown block {hash}"))),
        },
        FilterBlockOption::Range { from_block, to_block } => {
            let from = from_block.map_or(Ok(latest), |tag| number_of(node, tag))?;
            let to = to_block.map_or(Ok(latest), |tag| number_of(node, tag))?;
            (from, to.min(latest))
        }
    };
    if from > to {
        return if from > latest {
            Ok(json!([]))
        } else {
            Err(RpcError::params(format!("fromBlock {from} is after toBlock {to}")))
        };
    }
    if to - from >= EVM_LOGS_MAX_RANGE {
        return Err(RpcError::server(format!(
            "block range {from}..{to} is too wide: at most {EVM_LOGS_MAX_RANGE} blocks per eth_getLogs"
        )));
    }
    let found = node.store.evm_logs(from, to, EVM_LOGS_MAX_RESULTS, |_, entry| {
        filter.matches_address(entry.log.address) && filter.matches_topics(&entry.log.topics)
    })?;
    let Ok(found) = found else {
        return Err(RpcError::server(format!(
            "query returned more than {EVM_LOGS_MAX_RESULTS} results; narrow the block range or the filter"
        )));
    };
    let mut out = Vec::with_capacity(found.len());
    let mut current: Option<(StoredEvmBlock, u64)> = None;
    for (number, log_index, entry) in found {
        if current.as_ref().is_none_or(|(b, _)| b.number != number) {
            let block = node
                .store
                .evm_block(number)?
                .ok_or_else(|| RpcError::internal(format!("EVM block {number} is not stored")))?;
            let timestamp = render::header(&block)?.timestamp;
            current = Some((block, timestamp));
        }
        let (block, timestamp) = current.as_ref().expect("set above");
        out.push(render::block_log(&entry, block, *timestamp, log_index));
    }
    to_json(&out)
}

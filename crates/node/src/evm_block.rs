//! The node's side of the EVM in the block path (issue 12): which pool transactions a proposal
//! carries (E1, K2: only at EVM heights, after every exchange entry), when the block loop must
//! produce although no exchange message waits (an executable pool transaction, a due system
//! batch), and what a block commits for the EVM — its kind-3 batches (E10) with their
//! witnesses, the EVM block with its transactions, receipts and logs, and the pool's rows the
//! block settled.

use crate::chain::ChainState;
use crate::node::Node;
use crate::records::{BatchRecord, TradeRecord};
use crate::store::EvmCommit;
use crate::stored_evm::{
    BlockLog, EvmBatchFacts, StoredEvmBatch, StoredEvmBlock, StoredEvmTx, StoredLog, StoredReceipt,
};
use alloy_primitives::{hex, Address, B256};
use numo_chain::engine::evm::is_evm_height;
use numo_chain::{BlockOutput, Entry, EvmEntry};
use numo_evm::block::TxStatus;
use numo_evm::keys::{account_key, outbox_key};
use numo_evm::limits::EVM_BLOCK_GAS_LIMIT;
use numo_evm::system::{SystemMessage, SystemOutcome};
use numo_evm::values::EvmAccount;
use numo_guest::evm::EvmBatchReport;
use std::collections::BTreeMap;

/// The committed EVM nonce of `address`.
fn account_nonce(chain: &ChainState, address: &Address) -> u64 {
    chain.read::<EvmAccount>(&account_key(address)).nonce
}

/// The EVM entries of the proposal at `height` (E1, K2): the pool's executable transactions
/// ([`crate::evm_pool::EvmPool::select`], a function of the pool and the committed state) at an
/// EVM height, none at any other. They go after every CLOB and funding entry.
pub fn proposal_entries(node: &Node, height: u64) -> Vec<Entry> {
    if !is_evm_height(height) || node.venue.evm.is_none() {
        return Vec::new();
    }
    // Chain, then pool: the lock order of admission and block commit.
    let chain = node.chain.read().expect("chain lock");
    let pool = node.evm.pool.lock().expect("evm pool lock");
    let selected = pool.select(|a| account_nonce(&chain, a), EVM_BLOCK_GAS_LIMIT);
    drop(pool);
    drop(chain);
    selected
        .iter()
        .filter_map(|tx| match EvmEntry::new(tx.raw.clone()) {
            Ok(entry) => Some(Entry::Evm(entry)),
            // Admission decoded it with the same rules (E3); never reached.
            Err(error) => {
                tracing::error!(hash = %tx.hash, %error, "pool transaction is not an E3 entry");
                None
            }
        })
        .collect()
}

/// Whether the block loop must produce the next block even without exchange traffic: a durable
/// pool transaction is executable (it waits for the next EVM height, E1), or the outbox holds
/// system messages (the next block's system batch executes them, E7).
pub fn block_due(node: &Node) -> bool {
    if node.venue.evm.is_none() {
        return false;
    }
    let chain = node.chain.read().expect("chain lock");
    if chain.full.value(&outbox_key()).is_some() {
        return true;
    }
    let pool = node.evm.pool.lock().expect("evm pool lock");
    pool.has_executable(|a| account_nonce(&chain, a))
}

/// What the block in `output` (at exchange height `height`) commits for the EVM, and the pool
/// pruned after it: the transactions it executed, those it skipped (they cannot become valid by
/// waiting for this block: their run was selected at the sender's nonce) and every transaction
/// its nonces made stale leave the pool, their log rows deleted in the block's own commit, so
/// nothing executes twice and a restart resurrects none. `chain` is after the block.
pub fn commit_part(node: &Node, chain: &ChainState, output: &BlockOutput) -> EvmCommit {
    let height = output.header.height;
    let mut commit = EvmCommit::default();
    let (mut included, mut invalid) = (Vec::new(), Vec::new());
    for batch in &output.evm {
        let facts = match &batch.report {
            EvmBatchReport::System(report) => EvmBatchFacts::System {
                messages: report.messages.clone(),
                outcomes: report.outcomes.clone(),
                trades: report.trades.clone(),
            },
            EvmBatchReport::Block(report) => {
                let number = report.header.number;
                let hash = report.hash;
                let (mut txs, mut logs, mut log_index) = (Vec::new(), Vec::new(), 0u64);
                for (index, executed) in report.executed.iter().enumerate() {
                    let tx_hash = executed.tx.hash();
                    let first_log_index = log_index;
                    let stored_logs: Vec<StoredLog> = executed
                        .logs()
                        .iter()
                        .map(|log| StoredLog {
                            address: log.address,
                            topics: log.data.topics().to_vec(),
                            data: log.data.data.to_vec(),
                        })
                        .collect();
                    log_index += stored_logs.len() as u64;
                    logs.extend(stored_logs.iter().map(|log| BlockLog {
                        tx_index: index as u64,
                        tx_hash,
                        log: log.clone(),
                    }));
                    txs.push(StoredEvmTx {
                        hash: tx_hash,
                        block_number: number,
                        block_hash: hash,
                        index: index as u64,
                        from: executed.tx.sender(),
                        raw: executed.tx.bytes().to_vec(),
                        receipt: StoredReceipt {
                            tx_type: executed.tx.tx_type(),
                            success: executed.status == TxStatus::Success,
                            gas_used: executed.gas_used,
                            cumulative_gas_used: executed.receipt.cumulative_gas_used(),
                            effective_gas_price: executed.effective_gas_price,
                            contract_address: executed.contract_address,
                            first_log_index,
                            logs: stored_logs,
                        },
                    });
                    included.push(tx_hash);
                }
                invalid.extend(report.skipped.iter().map(|s| s.hash));
                commit.blocks.push(StoredEvmBlock {
                    number,
                    hash,
                    exchange_height: height,
                    header_rlp: alloy_rlp::encode(&report.header),
                    tx_hashes: txs.iter().map(|t| t.hash).collect(),
                });
                commit.logs.push((number, logs));
                commit.txs.extend(txs);
                let skipped = report.skipped.iter().map(|s| (s.index as u64, s.hash, s.code)).collect();
                EvmBatchFacts::Block { number, hash, skipped }
            }
        };
        let stored = StoredEvmBatch {
            batch_seq: batch.batch_seq,
            block_height: height,
            public_inputs: batch.public_inputs,
            facts,
        };
        commit.batches.push((stored, batch.witness.clone()));
    }
    let removed = node.evm.pool.lock().expect("evm pool lock").prune(&included, &invalid, |a| account_nonce(chain, a));
    commit.removed_pending = removed.iter().map(|tx| tx.seq).collect();
    commit
}

/// The system batches' effects as the views and streams take them (E7): per batch and market,
/// a record without signed messages whose trades are the batch's fills in that market (the
/// requesting contract the taker), and the orders it touched (requested and matched).
pub fn system_records(commit: &EvmCommit, timestamp_ms: u64) -> Vec<(BatchRecord, Vec<B256>)> {
    let mut out = Vec::new();
    for (batch, _) in &commit.batches {
        let EvmBatchFacts::System { messages, trades, .. } = &batch.facts else { continue };
        let mut by_market: BTreeMap<B256, (Vec<TradeRecord>, Vec<B256>)> = BTreeMap::new();
        for message in messages {
            if let SystemMessage::Place { market_id, order_id, .. }
            | SystemMessage::Cancel { market_id, order_id, .. } = message
            {
                by_market.entry(*market_id).or_default().1.push(*order_id);
            }
        }
        for (trade, record) in trades.iter().zip(batch.trade_records(timestamp_ms)) {
            let (records, touched) = by_market.entry(trade.market_id).or_default();
            records.push(record);
            touched.push(trade.maker_order_id);
        }
        let public_inputs = hex::encode_prefixed(batch.public_inputs.encode());
        for (market_id, (trades, touched)) in by_market {
            let record = BatchRecord {
                batch_seq: batch.batch_seq,
                block_height: batch.block_height,
                market_id,
                public_inputs: public_inputs.clone(),
                prev_root: batch.public_inputs.prev_root,
                new_root: batch.public_inputs.new_root,
                messages: Vec::new(),
                trades,
            };
            out.push((record, touched));
        }
    }
    out
}

fn system_message_json(message: &SystemMessage) -> serde_json::Value {
    use serde_json::json;
    let bytes = hex::encode_prefixed(message.encode());
    match message {
        SystemMessage::Place { trader, market_id, side, tif, tick, qty, order_id } => json!({
            "type": "place", "trader": trader, "marketId": market_id, "side": side, "tif": tif,
            "tick": tick, "qty": qty.to_string(), "orderId": order_id, "bytes": bytes,
        }),
        SystemMessage::Cancel { trader, market_id, order_id } => json!({
            "type": "cancel", "trader": trader, "marketId": market_id, "orderId": order_id, "bytes": bytes,
        }),
        SystemMessage::Transfer { from, asset_id, amount, to } => json!({
            "type": "transfer", "from": from, "assetId": asset_id, "amount": amount.to_string(), "to": to,
            "bytes": bytes,
        }),
    }
}

fn system_outcome_json(outcome: &SystemOutcome) -> serde_json::Value {
    use numo_stf::MessageOutcome;
    use serde_json::json;
    match outcome {
        SystemOutcome::Order { nonce, outcome } => {
            let mut answer =
                json!({ "nonce": nonce, "outcome": if outcome.is_accepted() { "accepted" } else { "rejected" } });
            match outcome {
                MessageOutcome::Placed(s) => {
                    answer["filled"] = json!(s.filled.to_string());
                    answer["rested"] = json!(s.rested.to_string());
                    answer["cancelled"] = json!(s.cancelled.to_string());
                    answer["fills"] = json!(s.fills);
                }
                MessageOutcome::Cancelled { released, .. } => answer["released"] = json!(released.to_string()),
                MessageOutcome::Rejected(reason) => answer["reason"] = json!(reason.name()),
            }
            answer
        }
        SystemOutcome::UnknownMarket => json!({ "outcome": "rejected", "reason": "unknown_market" }),
        SystemOutcome::Transferred => json!({ "outcome": "transferred" }),
        SystemOutcome::TransferRejected(reason) => json!({ "outcome": "rejected", "reason": reason.name() }),
    }
}

/// `GET /v1/batches/{seq}` of a kind-3 batch (E10): its public inputs, decoded, and what it did —
/// a system batch's messages with outcomes and trades, or an EVM block's number, hash,
/// transactions and skipped transactions. `verification` is the background verifier's verdict.
pub fn batch_json(
    batch: &StoredEvmBatch,
    timestamp_ms: u64,
    tx_hashes: &[B256],
    verification: &str,
) -> serde_json::Value {
    use serde_json::json;
    let pi = &batch.public_inputs;
    let mut answer = json!({
        "kind": "evm",
        "batchSeq": batch.batch_seq,
        "blockHeight": batch.block_height,
        "prevRoot": pi.prev_root,
        "newRoot": pi.new_root,
        "publicInputs": hex::encode_prefixed(pi.encode()),
        "publicInputsDecoded": {
            "phase": pi.phase as u8, "chainId": pi.chain_id, "height": pi.height, "batchSeq": pi.batch_seq,
            "prevRoot": pi.prev_root, "newRoot": pi.new_root, "inputDigest": pi.input_digest,
            "outputDigest": pi.output_digest, "contextDigest": pi.context_digest,
            "touchedKeysDigest": pi.touched_keys_digest, "count": pi.count,
        },
        "verification": verification,
    });
    match &batch.facts {
        EvmBatchFacts::System { messages, outcomes, .. } => {
            answer["phase"] = json!("system");
            answer["messages"] = messages
                .iter()
                .zip(outcomes)
                .map(|(m, o)| {
                    let mut value = system_message_json(m);
                    value["result"] = system_outcome_json(o);
                    value
                })
                .collect();
            answer["trades"] = serde_json::to_value(batch.trade_records(timestamp_ms)).expect("records serialize");
        }
        EvmBatchFacts::Block { number, hash, skipped } => {
            answer["phase"] = json!("block");
            answer["evmBlock"] = json!({ "number": number, "hash": hash, "transactions": tx_hashes });
            answer["skipped"] = skipped
                .iter()
                .map(|(index, hash, code)| json!({ "index": index, "hash": hash, "code": code.code() }))
                .collect();
        }
    }
    answer
}

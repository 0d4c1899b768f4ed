//! JSON of blocks, transactions, receipts and logs, built from the stored records
//! ([`crate::stored_evm`]) as alloy's RPC types, whose serde form is the one Ethereum clients
//! produce and parse (quantities as `0x` hex, Prague header fields).

use super::RpcError;
use crate::stored_evm::{BlockLog, StoredEvmBlock, StoredEvmTx, StoredLog};
use alloy_consensus::transaction::Recovered;
use alloy_consensus::{Eip658Value, Header, Receipt, ReceiptEnvelope, ReceiptWithBloom, Sealed, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{logs_bloom, Address, LogData, B256, U256};
use alloy_rlp::Decodable;
use alloy_rpc_types_eth::{Block, BlockTransactions, Transaction, TransactionReceipt};

/// The Ethereum header of a stored block (E9).
pub fn header(block: &StoredEvmBlock) -> Result<Header, RpcError> {
    Header::decode(&mut block.header_rlp.as_slice())
        .map_err(|e| RpcError::internal(format!("stored header of EVM block {} does not decode: {e}", block.number)))
}

/// A decoded stored transaction.
pub fn envelope(raw: &[u8]) -> Result<TxEnvelope, RpcError> {
    TxEnvelope::decode_2718(&mut &raw[..]).map_err(|e| RpcError::internal(format!("stored transaction: {e}")))
}

/// A transaction object; `block` is `None` for one still in the pool.
pub fn transaction(
    raw: &[u8],
    from: Address,
    block: Option<(B256, u64, u64)>,
    base_fee: Option<u64>,
) -> Result<Transaction, RpcError> {
    use alloy_consensus::Transaction as _;
    let envelope = envelope(raw)?;
    let effective_gas_price = match (block, base_fee) {
        (Some(_), base_fee) => Some(envelope.effective_gas_price(base_fee)),
        (None, _) => None,
    };
    Ok(Transaction {
        inner: Recovered::new_unchecked(envelope, from),
        block_hash: block.map(|b| b.0),
        block_number: block.map(|b| b.1),
        transaction_index: block.map(|b| b.2),
        effective_gas_price,
    })
}

/// An RPC log of `tx` at `log_index` in its block.
fn rpc_log(
    log: &StoredLog,
    block_hash: B256,
    block_number: u64,
    timestamp: u64,
    tx_hash: B256,
    tx_index: u64,
    log_index: u64,
) -> alloy_rpc_types_eth::Log {
    alloy_rpc_types_eth::Log {
        inner: alloy_primitives::Log {
            address: log.address,
            data: LogData::new_unchecked(log.topics.clone(), log.data.clone().into()),
        },
        block_hash: Some(block_hash),
        block_number: Some(block_number),
        block_timestamp: Some(timestamp),
        transaction_hash: Some(tx_hash),
        transaction_index: Some(tx_index),
        log_index: Some(log_index),
        removed: false,
    }
}

/// A log as `eth_getLogs` answers it.
pub fn block_log(entry: &BlockLog, block: &StoredEvmBlock, timestamp: u64, log_index: u64) -> alloy_rpc_types_eth::Log {
    rpc_log(&entry.log, block.hash, block.number, timestamp, entry.tx_hash, entry.tx_index, log_index)
}

/// The receipt of `tx` in a block of `timestamp`.
pub fn receipt(tx: &StoredEvmTx, timestamp: u64) -> Result<TransactionReceipt, RpcError> {
    use alloy_consensus::Transaction as _;
    let envelope = envelope(&tx.raw)?;
    let r = &tx.receipt;
    let logs: Vec<alloy_rpc_types_eth::Log> = r
        .logs
        .iter()
        .enumerate()
        .map(|(i, log)| {
            rpc_log(log, tx.block_hash, tx.block_number, timestamp, tx.hash, tx.index, r.first_log_index + i as u64)
        })
        .collect();
    let bloom = logs_bloom(logs.iter().map(|l| &l.inner));
    let receipt = ReceiptWithBloom {
        receipt: Receipt { status: Eip658Value::Eip658(r.success), cumulative_gas_used: r.cumulative_gas_used, logs },
        logs_bloom: bloom,
    };
    let inner = match r.tx_type {
        0 => ReceiptEnvelope::Legacy(receipt),
        1 => ReceiptEnvelope::Eip2930(receipt),
        2 => ReceiptEnvelope::Eip1559(receipt),
        other => return Err(RpcError::internal(format!("stored receipt of type {other}"))),
    };
    Ok(TransactionReceipt {
        inner,
        transaction_hash: tx.hash,
        transaction_index: Some(tx.index),
        block_hash: Some(tx.block_hash),
        block_number: Some(tx.block_number),
        gas_used: r.gas_used,
        effective_gas_price: r.effective_gas_price,
        blob_gas_used: None,
        blob_gas_price: None,
        from: tx.from,
        to: envelope.to(),
        contract_address: r.contract_address,
    })
}

/// A block object: transaction hashes, or (`full`) the transactions in `txs`.
pub fn block(stored: &StoredEvmBlock, txs: Option<&[StoredEvmTx]>) -> Result<Block, RpcError> {
    let header = header(stored)?;
    let base_fee = header.base_fee_per_gas;
    let tx_bytes: usize = txs.map_or(0, |t| t.iter().map(|t| t.raw.len()).sum());
    // The RLP size of the block: header, transactions, no ommers, no withdrawals (E9).
    let size = stored.header_rlp.len() + tx_bytes + 3 * 9;
    let transactions = match txs {
        None => BlockTransactions::Hashes(stored.tx_hashes.clone()),
        Some(txs) => BlockTransactions::Full(
            txs.iter()
                .map(|t| transaction(&t.raw, t.from, Some((stored.hash, stored.number, t.index)), base_fee))
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok(Block {
        header: alloy_rpc_types_eth::Header::from_consensus(
            Sealed::new_unchecked(header, stored.hash),
            None,
            Some(U256::from(size)),
        ),
        uncles: Vec::new(),
        transactions,
        withdrawals: Some(alloy_eips::eip4895::Withdrawals::default()),
    })
}

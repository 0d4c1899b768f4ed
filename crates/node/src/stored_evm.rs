//! The EVM's stored records (issue 12): blocks, transactions with their receipts, the logs of a
//! block (the index `eth_getLogs` scans) and the pending-transaction log rows. Binary and
//! versioned like [`crate::stored`]: each record leads with [`EVM_RECORD_VERSION`], fields in
//! the C1 fixed-width encoding; the JSON-RPC answers are rendered from them on read
//! ([`crate::evm_rpc::render`]).
//!
//! The block's Ethereum header is kept as its RLP (E9), the one encoding its hash commits to,
//! so what the RPC serves hashes to the stored hash.

use crate::records::TradeRecord;
use crate::stored::RecordError;
use alloy_primitives::{Address, B256, U256};
use numo_evm::error::SkipCode;
use numo_evm::limits::EVM_PUBLIC_INPUTS_LEN;
use numo_evm::public_inputs::EvmPublicInputs;
use numo_evm::system::{SystemMessage, SystemOutcome};
use numo_stf::codec::{DecodeError, Reader, Writer};
use numo_stf::records::Trade;

/// Version byte of every record of this module.
pub const EVM_RECORD_VERSION: u8 = 1;

/// Longest byte string a record carries (a header, a transaction, a log's data): well above
/// E3's transaction limit, and a bound on what a corrupt length can make the reader allocate.
const MAX_BYTES: usize = 8 * 1024 * 1024;

/// An executed EVM block as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvmBlock {
    /// EVM block number (E1: `h / 10`; 0 is the genesis block, E8).
    pub number: u64,
    /// `keccak256(rlp(header))` (E9).
    pub hash: B256,
    /// The exchange block that executed it (0 for the genesis block).
    pub exchange_height: u64,
    /// The RLP of its Ethereum header (E9).
    pub header_rlp: Vec<u8>,
    /// Hashes of its executed transactions, in order.
    pub tx_hashes: Vec<B256>,
}

/// One log as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLog {
    /// Emitting contract.
    pub address: Address,
    /// Its topics (0 to 4).
    pub topics: Vec<B256>,
    /// Its data.
    pub data: Vec<u8>,
}

/// The receipt of an executed transaction (E5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReceipt {
    /// EIP-2718 type (0 legacy, 1, 2).
    pub tx_type: u8,
    /// Success (revert and halt are failures).
    pub success: bool,
    /// Gas it used.
    pub gas_used: u64,
    /// Gas used by the block up to and including it.
    pub cumulative_gas_used: u64,
    /// What it paid per gas: `min(maxFee, baseFee + tip)`.
    pub effective_gas_price: u128,
    /// The contract a creation made.
    pub contract_address: Option<Address>,
    /// Index in the block of its first log.
    pub first_log_index: u64,
    /// Its logs, in order.
    pub logs: Vec<StoredLog>,
}

/// An executed transaction with its place in the chain and its receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvmTx {
    /// `keccak256(raw)`.
    pub hash: B256,
    /// Its block.
    pub block_number: u64,
    /// Its block's hash.
    pub block_hash: B256,
    /// Position in the block.
    pub index: u64,
    /// Recovered sender.
    pub from: Address,
    /// The EIP-2718 bytes.
    pub raw: Vec<u8>,
    /// Its receipt.
    pub receipt: StoredReceipt,
}

/// A log of a block with its transaction, as `eth_getLogs` answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockLog {
    /// Position of its transaction in the block.
    pub tx_index: u64,
    /// Its transaction's hash.
    pub tx_hash: B256,
    /// The log.
    pub log: StoredLog,
}

/// A transaction waiting in the pool, as its admission-log row keeps it: `U64 admittedMs ‖ raw`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEvmTx {
    /// Arrival number (the row's key).
    pub seq: u64,
    /// Wall-clock admission time.
    pub admitted_ms: u64,
    /// The EIP-2718 bytes.
    pub raw: Vec<u8>,
}

impl PendingEvmTx {
    /// `U64 admittedMs ‖ raw`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.raw.len());
        out.extend_from_slice(&self.admitted_ms.to_be_bytes());
        out.extend_from_slice(&self.raw);
        out
    }

    /// Inverse of [`PendingEvmTx::encode`].
    pub fn decode(seq: u64, bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let admitted_ms = r.u64()?;
        let raw = r.take(r.remaining())?.to_vec();
        Ok(Self { seq, admitted_ms, raw })
    }
}

fn version(r: &mut Reader<'_>) -> Result<(), RecordError> {
    let found = r.u8()?;
    if found != EVM_RECORD_VERSION {
        return Err(RecordError::Version { found, expected: EVM_RECORD_VERSION });
    }
    Ok(())
}

fn write_bytes(w: &mut Writer, bytes: &[u8]) {
    w.u32(bytes.len() as u32).bytes(bytes);
}

fn read_bytes(r: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
    let len = r.u32()? as usize;
    if len > MAX_BYTES {
        return Err(DecodeError::UnexpectedEnd { at: r.position(), needed: len });
    }
    Ok(r.take(len)?.to_vec())
}

/// A count followed by that many items, refusing counts the remaining bytes cannot hold (each
/// item is at least `min_item` bytes), so a corrupt count cannot make the reader allocate.
fn read_count(r: &mut Reader<'_>, min_item: usize) -> Result<usize, DecodeError> {
    let n = r.u32()? as usize;
    let needed = n.saturating_mul(min_item);
    if needed > r.remaining() {
        return Err(DecodeError::UnexpectedEnd { at: r.position(), needed });
    }
    Ok(n)
}

fn write_log(w: &mut Writer, log: &StoredLog) {
    w.address(&log.address).u8(log.topics.len() as u8);
    for topic in &log.topics {
        w.b32(topic);
    }
    write_bytes(w, &log.data);
}

fn read_log(r: &mut Reader<'_>) -> Result<StoredLog, RecordError> {
    let address = r.address()?;
    let n = r.u8()?;
    if n > 4 {
        return Err(RecordError::OutOfRange { what: "topic count", value: n });
    }
    let topics = (0..n).map(|_| r.b32()).collect::<Result<_, _>>()?;
    Ok(StoredLog { address, topics, data: read_bytes(r)? })
}

impl StoredEvmBlock {
    /// `U8 version ‖ U64 number ‖ B32 hash ‖ U64 exchangeHeight ‖ U32 len ‖ headerRlp ‖ U32 n ‖
    /// n × B32 txHash`.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(1 + 8 + 32 + 8 + 4 + self.header_rlp.len() + 4 + 32 * self.tx_hashes.len());
        w.u8(EVM_RECORD_VERSION).u64(self.number).b32(&self.hash).u64(self.exchange_height);
        write_bytes(&mut w, &self.header_rlp);
        w.u32(self.tx_hashes.len() as u32);
        for hash in &self.tx_hashes {
            w.b32(hash);
        }
        w.into_bytes()
    }

    /// Strict inverse of [`StoredEvmBlock::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, RecordError> {
        let mut r = Reader::new(bytes);
        version(&mut r)?;
        let (number, hash, exchange_height) = (r.u64()?, r.b32()?, r.u64()?);
        let header_rlp = read_bytes(&mut r)?;
        let n = read_count(&mut r, 32)?;
        let tx_hashes = (0..n).map(|_| r.b32()).collect::<Result<_, _>>()?;
        r.finish()?;
        Ok(Self { number, hash, exchange_height, header_rlp, tx_hashes })
    }
}

impl StoredEvmTx {
    /// `U8 version ‖ B32 hash ‖ U64 blockNumber ‖ B32 blockHash ‖ U64 index ‖ ADDR from ‖
    /// U32 len ‖ raw ‖ U8 type ‖ U8 status ‖ U64 gasUsed ‖ U64 cumulativeGasUsed ‖
    /// U256 effectiveGasPrice ‖ U8 hasContract ‖ [ADDR contract] ‖ U64 firstLogIndex ‖ U32 n ‖
    /// n × log` with `log = ADDR ‖ U8 k ‖ k × B32 topic ‖ U32 len ‖ data`.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(256 + self.raw.len());
        w.u8(EVM_RECORD_VERSION).b32(&self.hash).u64(self.block_number).b32(&self.block_hash);
        w.u64(self.index).address(&self.from);
        write_bytes(&mut w, &self.raw);
        let receipt = &self.receipt;
        w.u8(receipt.tx_type).u8(receipt.success as u8).u64(receipt.gas_used).u64(receipt.cumulative_gas_used);
        w.u256(&U256::from(receipt.effective_gas_price));
        match &receipt.contract_address {
            Some(address) => w.u8(1).address(address),
            None => w.u8(0),
        };
        w.u64(receipt.first_log_index).u32(receipt.logs.len() as u32);
        for log in &receipt.logs {
            write_log(&mut w, log);
        }
        w.into_bytes()
    }

    /// Strict inverse of [`StoredEvmTx::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, RecordError> {
        let mut r = Reader::new(bytes);
        version(&mut r)?;
        let (hash, block_number, block_hash) = (r.b32()?, r.u64()?, r.b32()?);
        let (index, from) = (r.u64()?, r.address()?);
        let raw = read_bytes(&mut r)?;
        let tx_type = r.u8()?;
        let success = match r.u8()? {
            0 => false,
            1 => true,
            value => return Err(RecordError::OutOfRange { what: "receipt status", value }),
        };
        let (gas_used, cumulative_gas_used) = (r.u64()?, r.u64()?);
        let price = r.u256()?;
        let effective_gas_price =
            u128::try_from(price).map_err(|_| RecordError::OutOfRange { what: "effective gas price", value: 0xff })?;
        let contract_address = match r.u8()? {
            0 => None,
            1 => Some(r.address()?),
            value => return Err(RecordError::OutOfRange { what: "contract flag", value }),
        };
        let first_log_index = r.u64()?;
        let n = read_count(&mut r, 20 + 1 + 4)?;
        let logs = (0..n).map(|_| read_log(&mut r)).collect::<Result<_, _>>()?;
        r.finish()?;
        let receipt = StoredReceipt {
            tx_type,
            success,
            gas_used,
            cumulative_gas_used,
            effective_gas_price,
            contract_address,
            first_log_index,
            logs,
        };
        Ok(Self { hash, block_number, block_hash, index, from, raw, receipt })
    }
}

/// `U8 version ‖ U32 n ‖ n × (U64 txIndex ‖ B32 txHash ‖ log)`: a block's logs in order (their
/// log index is their position).
pub fn encode_block_logs(logs: &[BlockLog]) -> Vec<u8> {
    let mut w = Writer::with_capacity(5 + logs.len() * 128);
    w.u8(EVM_RECORD_VERSION).u32(logs.len() as u32);
    for entry in logs {
        w.u64(entry.tx_index).b32(&entry.tx_hash);
        write_log(&mut w, &entry.log);
    }
    w.into_bytes()
}

/// Strict inverse of [`encode_block_logs`].
pub fn decode_block_logs(bytes: &[u8]) -> Result<Vec<BlockLog>, RecordError> {
    let mut r = Reader::new(bytes);
    version(&mut r)?;
    let n = read_count(&mut r, 8 + 32 + 20 + 1 + 4)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let (tx_index, tx_hash) = (r.u64()?, r.b32()?);
        out.push(BlockLog { tx_index, tx_hash, log: read_log(&mut r)? });
    }
    r.finish()?;
    Ok(out)
}

/// Every [`SkipCode`], by its stored tag (its position here).
const SKIP_CODES: [SkipCode; 9] = [
    SkipCode::Nonce,
    SkipCode::Funds,
    SkipCode::FeeCap,
    SkipCode::BlockGas,
    SkipCode::IntrinsicGas,
    SkipCode::ChainId,
    SkipCode::Signature,
    SkipCode::Malformed,
    SkipCode::Invalid,
];

/// What an EVM batch (kind 3, E10) did, besides its public inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvmBatchFacts {
    /// A system batch (E7): the outbox's messages, one outcome each, and its fills in order
    /// (the requesting contract is the taker).
    System {
        /// The messages, in order.
        messages: Vec<SystemMessage>,
        /// One outcome per message.
        outcomes: Vec<SystemOutcome>,
        /// Every fill, in execution order.
        trades: Vec<Trade>,
    },
    /// An EVM block (E5): its number and hash (the receipts are in the EVM tables) and the
    /// transactions it skipped.
    Block {
        /// EVM block number (E1).
        number: u64,
        /// Its hash (E9).
        hash: B256,
        /// Skipped transactions (E5): position among the block's EVM entries, hash, code.
        skipped: Vec<(u64, B256, SkipCode)>,
    },
}

/// An executed batch of kind 3 as stored, beside trading and funding batches in the one
/// `batchSeq` sequence (E10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvmBatch {
    /// Venue-global batch number.
    pub batch_seq: u64,
    /// Its exchange block.
    pub block_height: u64,
    /// E10 public inputs (225 bytes).
    pub public_inputs: EvmPublicInputs,
    /// What it did.
    pub facts: EvmBatchFacts,
}

fn write_system_outcome(w: &mut Writer, outcome: &SystemOutcome) {
    match outcome {
        SystemOutcome::Order { nonce, outcome } => {
            w.u8(0).u64(*nonce);
            crate::stored::write_outcome(w, outcome);
        }
        SystemOutcome::UnknownMarket => {
            w.u8(1);
        }
        SystemOutcome::Transferred => {
            w.u8(2);
        }
        SystemOutcome::TransferRejected(reason) => {
            w.u8(3).u8(*reason as u8);
        }
    }
}

fn read_system_outcome(r: &mut Reader<'_>) -> Result<SystemOutcome, RecordError> {
    match r.u8()? {
        0 => Ok(SystemOutcome::Order { nonce: r.u64()?, outcome: crate::stored::read_outcome(r)? }),
        1 => Ok(SystemOutcome::UnknownMarket),
        2 => Ok(SystemOutcome::Transferred),
        3 => {
            let code = r.u8()?;
            let reason = numo_funding::FundingReject::from_code(code)
                .ok_or(RecordError::OutOfRange { what: "transfer reject code", value: code })?;
            Ok(SystemOutcome::TransferRejected(reason))
        }
        value => Err(RecordError::OutOfRange { what: "system outcome tag", value }),
    }
}

impl StoredEvmBatch {
    /// `U8 version ‖ U64 batchSeq ‖ U64 blockHeight ‖ publicInputs (225) ‖ U8 phase ‖ facts`,
    /// facts being for a system batch `U32 n ‖ n × (U32 len ‖ systemMessage (E7) ‖ outcome) ‖
    /// U32 m ‖ m × trade record (section F)` (outcome `U8 0 ‖ U64 nonce ‖ C-outcome`, `U8 1`
    /// unknown market, `U8 2` transferred, `U8 3 ‖ U8 rejectCode`), and for a block `U64 number ‖
    /// B32 hash ‖ U32 k ‖ k × (U64 index ‖ B32 txHash ‖ U8 skipCode)`.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(512);
        w.u8(EVM_RECORD_VERSION).u64(self.batch_seq).u64(self.block_height);
        w.bytes(&self.public_inputs.encode());
        match &self.facts {
            EvmBatchFacts::System { messages, outcomes, trades } => {
                w.u8(1).u32(messages.len() as u32);
                for (message, outcome) in messages.iter().zip(outcomes) {
                    write_bytes(&mut w, &message.encode());
                    write_system_outcome(&mut w, outcome);
                }
                w.u32(trades.len() as u32);
                for trade in trades {
                    w.bytes(&trade.encode());
                }
            }
            EvmBatchFacts::Block { number, hash, skipped } => {
                w.u8(2).u64(*number).b32(hash).u32(skipped.len() as u32);
                for (index, hash, code) in skipped {
                    let tag = SKIP_CODES.iter().position(|c| c == code).expect("every skip code is listed");
                    w.u64(*index).b32(hash).u8(tag as u8);
                }
            }
        }
        w.into_bytes()
    }

    /// Strict inverse of [`StoredEvmBatch::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, RecordError> {
        let mut r = Reader::new(bytes);
        version(&mut r)?;
        let (batch_seq, block_height) = (r.u64()?, r.u64()?);
        let public_inputs = EvmPublicInputs::decode(r.take(EVM_PUBLIC_INPUTS_LEN)?)?;
        let facts = match r.u8()? {
            1 => {
                let n = read_count(&mut r, 4 + 1)?;
                let (mut messages, mut outcomes) = (Vec::with_capacity(n), Vec::with_capacity(n));
                for _ in 0..n {
                    messages.push(SystemMessage::decode(&read_bytes(&mut r)?)?);
                    outcomes.push(read_system_outcome(&mut r)?);
                }
                let m = read_count(&mut r, 237)?;
                let trades = (0..m).map(|_| crate::stored::read_trade(&mut r)).collect::<Result<_, _>>()?;
                EvmBatchFacts::System { messages, outcomes, trades }
            }
            2 => {
                let (number, hash) = (r.u64()?, r.b32()?);
                let k = read_count(&mut r, 8 + 32 + 1)?;
                let mut skipped = Vec::with_capacity(k);
                for _ in 0..k {
                    let (index, hash, tag) = (r.u64()?, r.b32()?, r.u8()?);
                    let code = *SKIP_CODES
                        .get(tag as usize)
                        .ok_or(RecordError::OutOfRange { what: "skip code", value: tag })?;
                    skipped.push((index, hash, code));
                }
                EvmBatchFacts::Block { number, hash, skipped }
            }
            value => return Err(RecordError::OutOfRange { what: "EVM batch phase", value }),
        };
        r.finish()?;
        Ok(Self { batch_seq, block_height, public_inputs, facts })
    }

    /// The batch's trades as the API's records (none for a block), its block's header having
    /// the timestamp `timestamp_ms`. A system batch consumes no global index (E10): its trades
    /// carry global index 0.
    pub fn trade_records(&self, timestamp_ms: u64) -> Vec<TradeRecord> {
        let block = crate::records::BlockTime { height: self.block_height, timestamp_ms };
        match &self.facts {
            EvmBatchFacts::System { trades, .. } => {
                trades.iter().map(|t| TradeRecord::new(self.batch_seq, 0, block, t)).collect()
            }
            EvmBatchFacts::Block { .. } => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx() -> StoredEvmTx {
        StoredEvmTx {
            hash: B256::repeat_byte(1),
            block_number: 7,
            block_hash: B256::repeat_byte(2),
            index: 3,
            from: Address::repeat_byte(4),
            raw: vec![2, 0xf8, 1, 2, 3],
            receipt: StoredReceipt {
                tx_type: 2,
                success: true,
                gas_used: 21_000,
                cumulative_gas_used: 63_000,
                effective_gas_price: 1_000_000_007,
                contract_address: Some(Address::repeat_byte(5)),
                first_log_index: 4,
                logs: vec![
                    StoredLog {
                        address: Address::repeat_byte(6),
                        topics: vec![B256::repeat_byte(7); 3],
                        data: vec![9; 64],
                    },
                    StoredLog { address: Address::repeat_byte(8), topics: vec![], data: vec![] },
                ],
            },
        }
    }

    #[test]
    fn records_round_trip() {
        let t = tx();
        assert_eq!(StoredEvmTx::decode(&t.encode()).unwrap(), t);
        let block = StoredEvmBlock {
            number: 9,
            hash: B256::repeat_byte(3),
            exchange_height: 90,
            header_rlp: vec![0xf9, 1, 2],
            tx_hashes: vec![B256::repeat_byte(1), B256::repeat_byte(2)],
        };
        assert_eq!(StoredEvmBlock::decode(&block.encode()).unwrap(), block);
        let logs: Vec<BlockLog> =
            t.receipt.logs.iter().map(|log| BlockLog { tx_index: 3, tx_hash: t.hash, log: log.clone() }).collect();
        assert_eq!(decode_block_logs(&encode_block_logs(&logs)).unwrap(), logs);
        let pending = PendingEvmTx { seq: 5, admitted_ms: 77, raw: vec![1, 2, 3] };
        assert_eq!(PendingEvmTx::decode(5, &pending.encode()).unwrap(), pending);
    }

    #[test]
    fn foreign_versions_truncations_and_trailing_bytes_are_refused() {
        let mut bytes = tx().encode();
        bytes[0] = 2;
        assert_eq!(StoredEvmTx::decode(&bytes), Err(RecordError::Version { found: 2, expected: 1 }));
        let bytes = tx().encode();
        for cut in 0..bytes.len() {
            assert!(StoredEvmTx::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(StoredEvmTx::decode(&long).is_err());
        // A count far beyond the bytes left is refused before any allocation.
        let mut logs = encode_block_logs(&[]);
        logs[1..5].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(decode_block_logs(&logs).is_err());
    }
}

//! The versioned binary records the store keeps (docs/ARCHITECTURE.md, "Storage").
//!
//! The API's JSON (`records`) is a view, rebuilt from these on read; the disk holds the typed
//! facts in the C1 fixed-width encoding, each record led by a version byte, and the data dir as a
//! whole carries [`STORE_FORMAT_VERSION`], so a node never misreads another version's bytes.

use crate::records::{BatchRecord, BlockTime, MessageRecord, TradeRecord};
use alloy_primitives::{hex, B256};
use numo_stf::codec::{DecodeError, Reader, Writer};
use numo_stf::records::Trade;
use numo_stf::{MessageOutcome, PlaceSummary, PublicInputs, RejectReason, Side, Signature, SignedMessage};

/// Layout version of the whole data dir. Version 1 (numo before the chain-core split) kept
/// blocks and batches as JSON; version 2 keeps the binary records of this module and the
/// proposals; version 3 adds each admission's Lamport time and the commit certificates (K5, K7);
/// version 4 adds the EVM (issue 12): its pool log, blocks, transactions with receipts, logs and
/// EVM batches, and the dev chain id 7357 (E2); version 5 adds the API's market-data indexes
/// (issue 13): candles, and each account's fills and orders, written by every block's commit
/// (an older data dir lacks them for its past blocks, so it is refused rather than served
/// with holes).
pub const STORE_FORMAT_VERSION: u32 = 5;

/// Version byte of a [`StoredBatch`] record.
pub const BATCH_RECORD_VERSION: u8 = 1;

/// Why a stored record was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// Written by another record version.
    #[error("record version {found}, this numo reads version {expected}")]
    Version {
        /// Version byte found.
        found: u8,
        /// Version this numo writes.
        expected: u8,
    },
    /// The bytes do not follow the layout.
    #[error("{0}")]
    Malformed(#[from] DecodeError),
    /// An outcome tag, reject code or side is out of range.
    #[error("{what} {value} is out of range")]
    OutOfRange {
        /// Which field.
        what: &'static str,
        /// Its value.
        value: u8,
    },
}

/// One executed message as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// Position in the venue's execution order.
    pub global_index: u64,
    /// Admission order on the node that admitted it.
    pub mempool_seq: u64,
    /// The message and its signature.
    pub signed: SignedMessage,
    /// `msgHash` under the market's domain.
    pub msg_hash: B256,
    /// What execution did with it.
    pub outcome: MessageOutcome,
}

/// One executed batch as stored: the facts the API's [`BatchRecord`] is rendered from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBatch {
    /// Venue-global batch number (C19).
    pub batch_seq: u64,
    /// Its block.
    pub block_height: u64,
    /// Its market.
    pub market_id: B256,
    /// Section B.
    pub public_inputs: PublicInputs,
    /// Root before the batch, as the node recorded it.
    pub prev_root: B256,
    /// Root after the batch, as the node recorded it.
    pub new_root: B256,
    /// Messages in execution order.
    pub messages: Vec<StoredMessage>,
    /// Fills in execution order, each with its taker's global index.
    pub trades: Vec<(u64, Trade)>,
}

impl StoredBatch {
    /// `U8 version ‖ U64 batchSeq ‖ U64 blockHeight ‖ B32 marketId ‖ PublicInputs (272) ‖
    /// B32 prevRoot ‖ B32 newRoot ‖ U32 n ‖ n × message ‖ U32 m ‖ m × (U64 globalIndex ‖ trade
    /// record (section F))`, a message being `U64 globalIndex ‖ U64 mempoolSeq ‖ messageBytes ‖
    /// sig65 ‖ B32 msgHash ‖ outcome`, an outcome `U8 0 ‖ U256 filled ‖ U256 rested ‖
    /// U256 cancelled ‖ U32 fills ‖ U8 newTick` (Place), `U8 1 ‖ U256 released ‖ U256 remaining`
    /// (Cancel) or `U8 2 ‖ U8 rejectCode`.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(400 + self.messages.len() * 220 + self.trades.len() * 250);
        w.u8(BATCH_RECORD_VERSION).u64(self.batch_seq).u64(self.block_height).b32(&self.market_id);
        w.bytes(&self.public_inputs.encode()).b32(&self.prev_root).b32(&self.new_root);
        w.u32(self.messages.len() as u32);
        for m in &self.messages {
            w.u64(m.global_index).u64(m.mempool_seq);
            m.signed.message.write(&mut w);
            w.bytes(&m.signed.signature.0).b32(&m.msg_hash);
            write_outcome(&mut w, &m.outcome);
        }
        w.u32(self.trades.len() as u32);
        for (global_index, trade) in &self.trades {
            w.u64(*global_index).bytes(&trade.encode());
        }
        w.into_bytes()
    }

    /// Strict inverse of [`StoredBatch::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, RecordError> {
        let mut r = Reader::new(bytes);
        let version = r.u8()?;
        if version != BATCH_RECORD_VERSION {
            return Err(RecordError::Version { found: version, expected: BATCH_RECORD_VERSION });
        }
        let (batch_seq, block_height, market_id) = (r.u64()?, r.u64()?, r.b32()?);
        let public_inputs = PublicInputs::decode(r.take(numo_stf::limits::PUBLIC_INPUTS_LEN)?)?;
        let (prev_root, new_root) = (r.b32()?, r.b32()?);
        let count = r.u32()? as usize;
        let mut messages = Vec::with_capacity(count.min(r.remaining() / 100));
        for _ in 0..count {
            let (global_index, mempool_seq) = (r.u64()?, r.u64()?);
            let message = numo_stf::Message::read(&mut r)?;
            let signature = Signature::read(&mut r)?;
            let msg_hash = r.b32()?;
            let outcome = read_outcome(&mut r)?;
            let signed = SignedMessage { message, signature };
            messages.push(StoredMessage { global_index, mempool_seq, signed, msg_hash, outcome });
        }
        let count = r.u32()? as usize;
        let mut trades = Vec::with_capacity(count.min(r.remaining() / 245));
        for _ in 0..count {
            let global_index = r.u64()?;
            trades.push((global_index, read_trade(&mut r)?));
        }
        r.finish()?;
        Ok(Self { batch_seq, block_height, market_id, public_inputs, prev_root, new_root, messages, trades })
    }

    /// The batch's trades as the API shows them, its block having the header timestamp `timestamp_ms`.
    pub fn trade_records(&self, timestamp_ms: u64) -> Vec<TradeRecord> {
        let block = BlockTime { height: self.block_height, timestamp_ms };
        self.trades.iter().map(|(index, trade)| TradeRecord::new(self.batch_seq, *index, block, trade)).collect()
    }

    /// The API's view of the batch, whose block has the header timestamp `timestamp_ms`.
    pub fn to_record(&self, timestamp_ms: u64) -> BatchRecord {
        let mut first_trade = 0;
        let messages = self
            .messages
            .iter()
            .map(|m| {
                let record =
                    MessageRecord::new(m.global_index, m.mempool_seq, &m.signed, m.msg_hash, &m.outcome, first_trade);
                first_trade += record.fill_count;
                record
            })
            .collect();
        let trades = self.trade_records(timestamp_ms);
        BatchRecord {
            batch_seq: self.batch_seq,
            block_height: self.block_height,
            market_id: self.market_id,
            public_inputs: hex::encode_prefixed(self.public_inputs.encode()),
            prev_root: self.prev_root,
            new_root: self.new_root,
            messages,
            trades,
        }
    }
}

pub(crate) fn write_outcome(w: &mut Writer, outcome: &MessageOutcome) {
    match outcome {
        MessageOutcome::Placed(s) => {
            w.u8(0).u256(&s.filled).u256(&s.rested).u256(&s.cancelled).u32(s.fills).u8(u8::from(s.new_tick));
        }
        MessageOutcome::Cancelled { released, remaining } => {
            w.u8(1).u256(released).u256(remaining);
        }
        MessageOutcome::Rejected(reason) => {
            w.u8(2).u8(*reason as u8);
        }
    }
}

pub(crate) fn read_outcome(r: &mut Reader<'_>) -> Result<MessageOutcome, RecordError> {
    match r.u8()? {
        0 => {
            let (filled, rested, cancelled, fills) = (r.u256()?, r.u256()?, r.u256()?, r.u32()?);
            let new_tick = match r.u8()? {
                0 => false,
                1 => true,
                value => return Err(RecordError::OutOfRange { what: "new-tick flag", value }),
            };
            Ok(MessageOutcome::Placed(PlaceSummary { filled, rested, cancelled, fills, new_tick }))
        }
        1 => Ok(MessageOutcome::Cancelled { released: r.u256()?, remaining: r.u256()? }),
        2 => {
            let code = r.u8()?;
            let reason =
                RejectReason::from_code(code).ok_or(RecordError::OutOfRange { what: "reject code", value: code })?;
            Ok(MessageOutcome::Rejected(reason))
        }
        value => Err(RecordError::OutOfRange { what: "outcome tag", value }),
    }
}

pub(crate) fn read_trade(r: &mut Reader<'_>) -> Result<Trade, RecordError> {
    let (market_id, maker_order_id, taker_order_id) = (r.b32()?, r.b32()?, r.b32()?);
    let (maker, taker) = (r.address()?, r.address()?);
    let side = r.u8()?;
    let taker_side = Side::from_u8(side).ok_or(RecordError::OutOfRange { what: "taker side", value: side })?;
    let maker_tick = r.i32()?;
    let (qty, quote_amount, taker_fee) = (r.u256()?, r.u256()?, r.u256()?);
    Ok(Trade {
        market_id,
        maker_order_id,
        taker_order_id,
        maker,
        taker,
        taker_side,
        maker_tick,
        qty,
        quote_amount,
        taker_fee,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, U256};
    use numo_stf::{Cancel, Message, Place};

    fn sample() -> StoredBatch {
        let place = Message::Place(Place {
            trader: Address::repeat_byte(1),
            nonce: 3,
            order_id: B256::repeat_byte(2),
            side: 0,
            tif: 0,
            tick: 100,
            qty: U256::from(50),
        });
        let cancel = Message::Cancel(Cancel { trader: Address::repeat_byte(1), nonce: 4, order_id: B256::ZERO });
        let summary = PlaceSummary { filled: U256::from(20), rested: U256::from(30), fills: 2, ..Default::default() };
        let trade = Trade {
            market_id: B256::repeat_byte(5),
            maker_order_id: B256::repeat_byte(6),
            taker_order_id: B256::repeat_byte(2),
            maker: Address::repeat_byte(7),
            taker: Address::repeat_byte(1),
            taker_side: Side::Buy,
            maker_tick: 99,
            qty: U256::from(10),
            quote_amount: U256::from(990),
            taker_fee: U256::from(3),
        };
        let message = |global_index, message, outcome| StoredMessage {
            global_index,
            mempool_seq: global_index + 100,
            signed: SignedMessage { message, signature: Signature([9; 65]) },
            msg_hash: B256::repeat_byte(global_index as u8),
            outcome,
        };
        StoredBatch {
            batch_seq: 12,
            block_height: 4,
            market_id: B256::repeat_byte(5),
            public_inputs: PublicInputs::decode(&[3u8; 272]).unwrap(),
            prev_root: B256::repeat_byte(10),
            new_root: B256::repeat_byte(11),
            messages: vec![
                message(40, place, MessageOutcome::Placed(summary)),
                message(41, cancel, MessageOutcome::Rejected(RejectReason::OrderNotResting)),
            ],
            trades: vec![(40, trade), (40, trade)],
        }
    }

    #[test]
    fn batch_records_round_trip_and_render_the_api_view() {
        let batch = sample();
        let bytes = batch.encode();
        assert_eq!(StoredBatch::decode(&bytes), Ok(batch.clone()));
        let record = batch.to_record(1_700_000_000_123);
        assert_eq!(record.messages[0].fill_count, 2);
        assert_eq!(record.messages[1].first_trade, 2);
        assert_eq!(record.messages[1].reason.as_deref(), Some("order_not_resting"));
        assert_eq!(record.trades[1].batch_seq, 12);
        assert_eq!((record.trades[1].block_height, record.trades[1].timestamp_ms), (4, 1_700_000_000_123));
        for cut in 0..bytes.len() {
            assert!(StoredBatch::decode(&bytes[..cut]).is_err(), "prefix of {cut} bytes");
        }
    }

    #[test]
    fn foreign_versions_and_out_of_range_fields_are_named() {
        let mut bytes = sample().encode();
        bytes[0] = 7;
        assert_eq!(StoredBatch::decode(&bytes).unwrap_err().to_string(), "record version 7, this numo reads version 1");
        let batch = StoredBatch { trades: vec![], ..sample() };
        let mut bytes = batch.encode();
        // The second message's reject code is the record's second-to-last... last byte before U32 m.
        let at = bytes.len() - 5;
        bytes[at] = 200;
        assert_eq!(StoredBatch::decode(&bytes), Err(RecordError::OutOfRange { what: "reject code", value: 200 }));
    }
}

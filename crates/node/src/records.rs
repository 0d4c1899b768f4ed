//! What the node serves: batch records as JSON (decimal strings for amounts so clients never
//! lose precision), rendered from the binary records of [`crate::stored`]; and the admission-log
//! entry (binary).

pub use numo_chain::BlockHeader;

use alloy_primitives::{hex, Address, B256};
use numo_chain::Entry;
use numo_stf::codec::{DecodeError, Reader, Writer};
use numo_stf::records::Trade;
use numo_stf::{Message, MessageOutcome, Side, Signature, SignedMessage};
use serde::{Deserialize, Serialize};

/// A message made durable by admission, waiting for a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdmissionEntry {
    /// Mempool sequence number: admission order.
    pub seq: u64,
    /// The market whose domain the signature is under.
    pub market_id: B256,
    /// Wall-clock admission time, for latency metrics only (never enters execution).
    pub admitted_ms: u64,
    /// This node's Lamport time when it admitted the message (K7): causal order of the mempool,
    /// shown by the API; never enters execution.
    pub lamport: u64,
    /// The message and its signature.
    pub signed: SignedMessage,
}

impl AdmissionEntry {
    /// The block entry this admitted message becomes (`numo_chain::entry`).
    pub fn to_entry(&self) -> Entry {
        Entry::clob(self.market_id, self.signed)
    }

    /// `B32 marketId ‖ U64 admittedMs ‖ U64 lamport ‖ messageBytes ‖ sig65`.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(32 + 8 + 8 + self.signed.message.encoded_len() + 65);
        w.b32(&self.market_id).u64(self.admitted_ms).u64(self.lamport);
        self.signed.message.write(&mut w);
        w.bytes(&self.signed.signature.0);
        w.into_bytes()
    }

    /// Strict inverse of [`AdmissionEntry::encode`].
    pub fn decode(seq: u64, bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let market_id = r.b32()?;
        let (admitted_ms, lamport) = (r.u64()?, r.u64()?);
        let message = Message::read(&mut r)?;
        let signature = Signature::read(&mut r)?;
        r.finish()?;
        Ok(Self { seq, market_id, admitted_ms, lamport, signed: SignedMessage { message, signature } })
    }
}

/// One executed message inside a batch record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageRecord {
    /// Position in the venue's execution order.
    pub global_index: u64,
    /// Admission order.
    pub mempool_seq: u64,
    /// `"place"` or `"cancel"`.
    pub kind: String,
    /// Signer.
    pub trader: Address,
    /// Nonce consumed.
    pub nonce: u64,
    /// The order the message is about.
    pub order_id: B256,
    /// Spec bytes, 0x hex.
    pub message: String,
    /// 65-byte signature, 0x hex.
    pub signature: String,
    /// `msgHash` under the market's domain.
    pub msg_hash: B256,
    /// `"accepted"` or `"rejected"`.
    pub outcome: String,
    /// Rejection reason (C12), when rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Base filled (Place).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filled: Option<String>,
    /// Base left resting (Place).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rested: Option<String>,
    /// Base cancelled (IOC or C17 cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<String>,
    /// Collateral released (Cancel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released: Option<String>,
    /// Index range `[first, first + count)` of this message's fills in the batch's `trades`.
    pub first_trade: usize,
    /// Number of fills.
    pub fill_count: usize,
}

impl MessageRecord {
    /// Builds the record of one executed message.
    pub fn new(
        global_index: u64,
        mempool_seq: u64,
        signed: &SignedMessage,
        msg_hash: B256,
        outcome: &MessageOutcome,
        first_trade: usize,
    ) -> Self {
        let message = &signed.message;
        let mut record = Self {
            global_index,
            mempool_seq,
            kind: match message {
                Message::Place(_) => "place",
                Message::Cancel(_) => "cancel",
            }
            .to_string(),
            trader: message.trader(),
            nonce: message.nonce(),
            order_id: message.order_id(),
            message: hex::encode_prefixed(message.encode()),
            signature: hex::encode_prefixed(signed.signature.0),
            msg_hash,
            outcome: if outcome.is_accepted() { "accepted" } else { "rejected" }.to_string(),
            reason: None,
            filled: None,
            rested: None,
            cancelled: None,
            released: None,
            first_trade,
            fill_count: 0,
        };
        match outcome {
            MessageOutcome::Placed(s) => {
                record.filled = Some(s.filled.to_string());
                record.rested = Some(s.rested.to_string());
                record.cancelled = Some(s.cancelled.to_string());
                record.fill_count = s.fills as usize;
            }
            MessageOutcome::Cancelled { released, .. } => record.released = Some(released.to_string()),
            MessageOutcome::Rejected(reason) => record.reason = Some(reason.name().to_string()),
        }
        record
    }
}

/// A fill as served by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TradeRecord {
    /// Batch it happened in.
    pub batch_seq: u64,
    /// Block of that batch.
    pub block_height: u64,
    /// The block header's `timestampMs`: the trade's time (charts bucket trades by it).
    pub timestamp_ms: u64,
    /// Global index of the taker message.
    pub global_index: u64,
    /// Resting order.
    pub maker_order_id: B256,
    /// Incoming order.
    pub taker_order_id: B256,
    /// Maker's address.
    pub maker: Address,
    /// Taker's address.
    pub taker: Address,
    /// Taker side, `"buy"` or `"sell"`.
    pub taker_side: String,
    /// Maker's tick: the trade price in ticks.
    pub tick: i32,
    /// Base quantity.
    pub qty: String,
    /// Quote amount (before fee).
    pub quote_amount: String,
    /// Taker fee in quote.
    pub fee: String,
}

impl TradeRecord {
    /// From an execution trade of batch `batch_seq` in `block` (its height and timestamp).
    pub fn new(batch_seq: u64, global_index: u64, block: BlockTime, trade: &Trade) -> Self {
        Self {
            batch_seq,
            block_height: block.height,
            timestamp_ms: block.timestamp_ms,
            global_index,
            maker_order_id: trade.maker_order_id,
            taker_order_id: trade.taker_order_id,
            maker: trade.maker,
            taker: trade.taker,
            taker_side: side_name(trade.taker_side).to_string(),
            tick: trade.maker_tick,
            qty: trade.qty.to_string(),
            quote_amount: trade.quote_amount.to_string(),
            fee: trade.taker_fee.to_string(),
        }
    }
}

/// Where a batch sits in time: its block's height and the header's `timestampMs`. Batches do
/// not store the time; it is the header's, so records are rendered with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlockTime {
    /// Block height.
    pub height: u64,
    /// The header's `timestampMs`.
    pub timestamp_ms: u64,
}

impl BlockTime {
    /// The time of `header`'s block.
    pub fn of(header: &BlockHeader) -> Self {
        Self { height: header.height, timestamp_ms: header.timestamp_ms }
    }
}

/// `"buy"` or `"sell"`.
pub fn side_name(side: Side) -> &'static str {
    match side {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}

/// One batch as committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchRecord {
    /// Venue-global batch number (C19).
    pub batch_seq: u64,
    /// Block it belongs to.
    pub block_height: u64,
    /// Its market.
    pub market_id: B256,
    /// The 272-byte PublicInputs, 0x hex.
    pub public_inputs: String,
    /// State root before the batch.
    pub prev_root: B256,
    /// State root after the batch.
    pub new_root: B256,
    /// Messages with outcomes, in execution order.
    pub messages: Vec<MessageRecord>,
    /// Fills in execution order.
    pub trades: Vec<TradeRecord>,
}

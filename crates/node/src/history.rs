//! Each account's trading history, kept at block commit: its fills (maker or taker) and its
//! orders (one row per Place it signed, or placed through the EVM, with the status kept current
//! as later blocks fill or cancel it). Written in the block's one redb transaction, keyed by
//! account then execution order, so `GET /v1/accounts/{address}/trades|orders` read the newest
//! rows of one account with one range scan and the history survives restarts. No cap per
//! account: like batches, rows stay for the life of the data dir.
//!
//! A block's facts become [`HistoryUpdates`] here (pure); the store applies them in order.

use crate::records::BlockTime;
use crate::stored::{read_trade, RecordError, StoredBatch};
use crate::stored_evm::EvmBatchFacts;
use alloy_primitives::{Address, B256, U256};
use numo_evm::system::{SystemMessage, SystemOutcome};
use numo_stf::codec::{Reader, Writer};
use numo_stf::records::Trade;
use numo_stf::{Message, MessageOutcome, RejectReason};

/// Version byte of stored fill and order rows.
pub const HISTORY_RECORD_VERSION: u8 = 1;

/// `ADDR account ‖ U64 batchSeq ‖ U32 tradeIndex ‖ U8 liquidity`: an account's fills sort in
/// execution order (a self-trade is two rows, one per side).
pub const FILL_KEY_LEN: usize = 20 + 8 + 4 + 1;
/// `ADDR trader ‖ U64 batchSeq ‖ U32 position in the batch`: an account's orders sort in
/// execution order.
pub const ORDER_KEY_LEN: usize = 20 + 8 + 4;
/// `B32 marketId ‖ B32 orderId` of a resting order, pointing at its order row.
pub const ORDER_REF_KEY_LEN: usize = 32 + 32;

/// A fill row's key.
pub type FillKey = [u8; FILL_KEY_LEN];
/// An order row's key.
pub type OrderKey = [u8; ORDER_KEY_LEN];

/// The first and last keys of `account`'s rows in a table keyed by account first.
pub fn account_range<const N: usize>(account: &Address) -> ([u8; N], [u8; N]) {
    let (mut low, mut high) = ([0u8; N], [0xffu8; N]);
    low[..20].copy_from_slice(account.as_slice());
    high[..20].copy_from_slice(account.as_slice());
    (low, high)
}

/// Which side of the book the account's order was on in a fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liquidity {
    /// Its order rested and was hit.
    Maker = 0,
    /// Its incoming order took liquidity.
    Taker = 1,
}

impl Liquidity {
    /// `"maker"` or `"taker"`.
    pub const fn name(self) -> &'static str {
        match self {
            Liquidity::Maker => "maker",
            Liquidity::Taker => "taker",
        }
    }
}

/// One fill of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFill {
    /// Batch of the fill.
    pub batch_seq: u64,
    /// Its index among the batch's trades.
    pub trade_index: u32,
    /// The account's side of it.
    pub liquidity: Liquidity,
    /// Global index of the taker message (0 in an EVM system batch, E10).
    pub global_index: u64,
    /// Its block.
    pub block: BlockTime,
    /// The trade.
    pub trade: Trade,
}

impl AccountFill {
    /// The account the row belongs to.
    pub fn account(&self) -> Address {
        match self.liquidity {
            Liquidity::Maker => self.trade.maker,
            Liquidity::Taker => self.trade.taker,
        }
    }

    /// What the account paid in fees: the taker fee, or nothing as maker (V1 maker fees are 0).
    pub fn fee(&self) -> U256 {
        match self.liquidity {
            Liquidity::Maker => U256::ZERO,
            Liquidity::Taker => self.trade.taker_fee,
        }
    }

    /// The row's key.
    pub fn key(&self) -> FillKey {
        let mut key = [0u8; FILL_KEY_LEN];
        key[..20].copy_from_slice(self.account().as_slice());
        key[20..28].copy_from_slice(&self.batch_seq.to_be_bytes());
        key[28..32].copy_from_slice(&self.trade_index.to_be_bytes());
        key[32] = self.liquidity as u8;
        key
    }

    /// `U8 version ‖ U64 globalIndex ‖ U64 blockHeight ‖ U64 timestampMs ‖ trade record
    /// (section F)`.
    pub fn encode_value(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(1 + 24 + numo_stf::records::TRADE_RECORD_LEN);
        w.u8(HISTORY_RECORD_VERSION).u64(self.global_index).u64(self.block.height).u64(self.block.timestamp_ms);
        w.bytes(&self.trade.encode());
        w.into_bytes()
    }

    /// Strict inverse of [`AccountFill::key`] and [`AccountFill::encode_value`].
    pub fn decode(key: &[u8], value: &[u8]) -> Result<Self, RecordError> {
        let mut k = Reader::new(key);
        let (_, batch_seq, trade_index, role) = (k.address()?, k.u64()?, k.u32()?, k.u8()?);
        k.finish()?;
        let liquidity = match role {
            0 => Liquidity::Maker,
            1 => Liquidity::Taker,
            value => return Err(RecordError::OutOfRange { what: "liquidity", value }),
        };
        let mut r = Reader::new(value);
        version(&mut r)?;
        let (global_index, height, timestamp_ms) = (r.u64()?, r.u64()?, r.u64()?);
        let trade = read_trade(&mut r)?;
        r.finish()?;
        let block = BlockTime { height, timestamp_ms };
        Ok(Self { batch_seq, trade_index, liquidity, global_index, block, trade })
    }
}

fn version(r: &mut Reader<'_>) -> Result<(), RecordError> {
    match r.u8()? {
        HISTORY_RECORD_VERSION => Ok(()),
        found => Err(RecordError::Version { found, expected: HISTORY_RECORD_VERSION }),
    }
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    /// Resting on the book (`filled` may already be above 0).
    Open = 0,
    /// Filled completely.
    Filled = 1,
    /// Off the book after a partial fill: the rest was cancelled (an IOC remainder, the C17
    /// match cap, or a Cancel).
    Partial = 2,
    /// Off the book with nothing filled (a Cancel, or an IOC that met no liquidity).
    Cancelled = 3,
    /// Execution rejected the Place (C12); `reason` says why.
    Rejected = 4,
}

impl OrderStatus {
    /// The name the API answers.
    pub const fn name(self) -> &'static str {
        match self {
            OrderStatus::Open => "open",
            OrderStatus::Filled => "filled",
            OrderStatus::Partial => "partial",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Rejected => "rejected",
        }
    }

    fn from_u8(value: u8) -> Option<Self> {
        [Self::Open, Self::Filled, Self::Partial, Self::Cancelled, Self::Rejected]
            .into_iter()
            .find(|s| *s as u8 == value)
    }

    /// The status of an order off the book with `filled` of `qty` filled.
    fn closed(filled: U256, qty: U256) -> Self {
        if filled >= qty {
            OrderStatus::Filled
        } else if filled.is_zero() {
            OrderStatus::Cancelled
        } else {
            OrderStatus::Partial
        }
    }
}

/// One Place of one account, as executed and as it stands since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    /// Signer (or the EVM caller) and owner.
    pub trader: Address,
    /// Batch it executed in.
    pub batch_seq: u64,
    /// Its position among the batch's messages.
    pub position: u32,
    /// Its market.
    pub market_id: B256,
    /// Its order id.
    pub order_id: B256,
    /// 0 buy, 1 sell (another value only on a rejected Place).
    pub side: u8,
    /// 0 GTC, 1 IOC (likewise).
    pub tif: u32,
    /// Limit tick.
    pub tick: i32,
    /// Base quantity asked for.
    pub qty: U256,
    /// Base filled so far, as taker and then as maker.
    pub filled: U256,
    /// Where it stands.
    pub status: OrderStatus,
    /// Why execution rejected it.
    pub reason: Option<RejectReason>,
    /// Its global index (0 when placed through the EVM, E10).
    pub global_index: u64,
    /// Its block.
    pub block: BlockTime,
}

/// What a Place asked for: market, order id, side, tif, tick, qty.
pub type PlaceFields = (B256, B256, u8, u32, i32, U256);

impl OrderRow {
    /// The row of a Place that executed with `outcome`. `at` is (batchSeq, position,
    /// globalIndex).
    pub fn placed(
        trader: Address,
        place: PlaceFields,
        outcome: &MessageOutcome,
        at: (u64, u32, u64),
        block: BlockTime,
    ) -> Self {
        let (market_id, order_id, side, tif, tick, qty) = place;
        let (filled, status, reason) = match outcome {
            MessageOutcome::Placed(summary) if !summary.rested.is_zero() => (summary.filled, OrderStatus::Open, None),
            MessageOutcome::Placed(summary) => (summary.filled, OrderStatus::closed(summary.filled, qty), None),
            MessageOutcome::Rejected(reason) => (U256::ZERO, OrderStatus::Rejected, Some(*reason)),
            // A Place never has a Cancel's outcome; nothing of it rests.
            MessageOutcome::Cancelled { .. } => (U256::ZERO, OrderStatus::Cancelled, None),
        };
        let (batch_seq, position, global_index) = at;
        Self {
            trader,
            batch_seq,
            position,
            market_id,
            order_id,
            side,
            tif,
            tick,
            qty,
            filled,
            status,
            reason,
            global_index,
            block,
        }
    }

    /// A resting order hit for `qty` as maker.
    pub fn fill_as_maker(&mut self, qty: U256) {
        self.filled = self.filled.saturating_add(qty);
        if self.filled >= self.qty {
            self.status = OrderStatus::Filled;
        }
    }

    /// A resting order taken off the book by a Cancel.
    pub fn cancel(&mut self) {
        self.status = OrderStatus::closed(self.filled, self.qty);
    }

    /// The row's key.
    pub fn key(&self) -> OrderKey {
        let mut key = [0u8; ORDER_KEY_LEN];
        key[..20].copy_from_slice(self.trader.as_slice());
        key[20..28].copy_from_slice(&self.batch_seq.to_be_bytes());
        key[28..].copy_from_slice(&self.position.to_be_bytes());
        key
    }

    /// `U8 version ‖ B32 marketId ‖ B32 orderId ‖ U8 side ‖ U32 tif ‖ I32 tick ‖ U256 qty ‖
    /// U256 filled ‖ U8 status ‖ U8 rejectCode (0 = none) ‖ U64 globalIndex ‖ U64 blockHeight ‖
    /// U64 timestampMs`.
    pub fn encode_value(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(1 + 64 + 1 + 8 + 64 + 2 + 24);
        w.u8(HISTORY_RECORD_VERSION).b32(&self.market_id).b32(&self.order_id);
        w.u8(self.side).u32(self.tif).i32(self.tick).u256(&self.qty).u256(&self.filled);
        w.u8(self.status as u8).u8(self.reason.map_or(0, |r| r as u8));
        w.u64(self.global_index).u64(self.block.height).u64(self.block.timestamp_ms);
        w.into_bytes()
    }

    /// Strict inverse of [`OrderRow::key`] and [`OrderRow::encode_value`].
    pub fn decode(key: &[u8], value: &[u8]) -> Result<Self, RecordError> {
        let mut k = Reader::new(key);
        let (trader, batch_seq, position) = (k.address()?, k.u64()?, k.u32()?);
        k.finish()?;
        let mut r = Reader::new(value);
        version(&mut r)?;
        let (market_id, order_id, side, tif, tick) = (r.b32()?, r.b32()?, r.u8()?, r.u32()?, r.i32()?);
        let (qty, filled) = (r.u256()?, r.u256()?);
        let code = r.u8()?;
        let status = OrderStatus::from_u8(code).ok_or(RecordError::OutOfRange { what: "order status", value: code })?;
        let reason = match r.u8()? {
            0 => None,
            code => Some(
                RejectReason::from_code(code).ok_or(RecordError::OutOfRange { what: "reject code", value: code })?,
            ),
        };
        let (global_index, height, timestamp_ms) = (r.u64()?, r.u64()?, r.u64()?);
        r.finish()?;
        let block = BlockTime { height, timestamp_ms };
        Ok(Self {
            trader,
            batch_seq,
            position,
            market_id,
            order_id,
            side,
            tif,
            tick,
            qty,
            filled,
            status,
            reason,
            global_index,
            block,
        })
    }
}

/// The key of the reference to a resting order's row.
pub fn order_ref_key(market_id: &B256, order_id: &B256) -> [u8; ORDER_REF_KEY_LEN] {
    let mut key = [0u8; ORDER_REF_KEY_LEN];
    key[..32].copy_from_slice(market_id.as_slice());
    key[32..].copy_from_slice(order_id.as_slice());
    key
}

/// What a block does to the order rows, in execution order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderEvent {
    /// A Place executed: its new row (resting ones become findable by market and order id).
    Placed(OrderRow),
    /// A resting order was hit as maker.
    MakerFill {
        /// Its market.
        market_id: B256,
        /// Its id.
        order_id: B256,
        /// Base filled.
        qty: U256,
    },
    /// A Cancel took a resting order off the book.
    Cancelled {
        /// Its market.
        market_id: B256,
        /// Its id.
        order_id: B256,
    },
}

/// Everything a block adds to the accounts' histories.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryUpdates {
    /// New fill rows (two per trade: maker and taker).
    pub fills: Vec<AccountFill>,
    /// Order events, in execution order.
    pub orders: Vec<OrderEvent>,
}

impl HistoryUpdates {
    /// Records one executed message (a Place or Cancel of `trader` at `at`, with `trades` its
    /// fills, the first being the batch's trade `first_trade`).
    fn message(
        &mut self,
        trader: Address,
        request: Request,
        outcome: &MessageOutcome,
        at: (u64, u32, u64),
        block: BlockTime,
        (first_trade, trades): (u32, &[Trade]),
    ) {
        for (offset, trade) in trades.iter().enumerate() {
            let trade_index = first_trade + offset as u32;
            for liquidity in [Liquidity::Maker, Liquidity::Taker] {
                let (batch_seq, global_index, trade) = (at.0, at.2, *trade);
                self.fills.push(AccountFill { batch_seq, trade_index, liquidity, global_index, block, trade });
            }
            let (market_id, order_id, qty) = (trade.market_id, trade.maker_order_id, trade.qty);
            self.orders.push(OrderEvent::MakerFill { market_id, order_id, qty });
        }
        match request {
            Request::Place(fields) => {
                self.orders.push(OrderEvent::Placed(OrderRow::placed(trader, fields, outcome, at, block)))
            }
            Request::Cancel(market_id, order_id) if matches!(outcome, MessageOutcome::Cancelled { .. }) => {
                self.orders.push(OrderEvent::Cancelled { market_id, order_id });
            }
            Request::Cancel(..) => {}
        }
    }
}

/// A message as history needs it.
enum Request {
    Place(PlaceFields),
    Cancel(B256, B256),
}

/// Fills of a message: `summary.fills` of a Place, none otherwise. (The batch's trades hold
/// exactly these, in message order; a range past them, which would be a node bug, reads as no
/// fills rather than stopping the block's commit.)
fn fill_count(outcome: &MessageOutcome) -> usize {
    match outcome {
        MessageOutcome::Placed(summary) => summary.fills as usize,
        _ => 0,
    }
}

/// What block `block`'s trading batches (`batches`) and EVM system batches (`system`, as stored)
/// add to the histories, in execution order: the system batch first (E7), then the trading
/// batches.
pub fn block_updates<'a>(
    block: BlockTime,
    batches: &[StoredBatch],
    system: impl IntoIterator<Item = (u64, &'a EvmBatchFacts)>,
) -> HistoryUpdates {
    let mut updates = HistoryUpdates::default();
    for (batch_seq, facts) in system {
        let EvmBatchFacts::System { messages, outcomes, trades } = facts else { continue };
        let mut next_trade = 0;
        for (position, (message, outcome)) in messages.iter().zip(outcomes).enumerate() {
            let SystemOutcome::Order { outcome, .. } = outcome else { continue };
            let (trader, request) = match *message {
                SystemMessage::Place { trader, market_id, side, tif, tick, qty, order_id } => {
                    (trader, Request::Place((market_id, order_id, side, u32::from(tif), tick, qty)))
                }
                SystemMessage::Cancel { trader, market_id, order_id } => (trader, Request::Cancel(market_id, order_id)),
                SystemMessage::Transfer { .. } => continue,
            };
            let fills = trades.get(next_trade..next_trade + fill_count(outcome)).unwrap_or_default();
            let at = (batch_seq, position as u32, 0);
            updates.message(trader, request, outcome, at, block, (next_trade as u32, fills));
            next_trade += fills.len();
        }
    }
    for batch in batches {
        let mut next_trade = 0;
        for (position, message) in batch.messages.iter().enumerate() {
            let request = match &message.signed.message {
                Message::Place(p) => Request::Place((batch.market_id, p.order_id, p.side, p.tif, p.tick, p.qty)),
                Message::Cancel(c) => Request::Cancel(batch.market_id, c.order_id),
            };
            let count = fill_count(&message.outcome);
            let fills = batch.trades.get(next_trade..next_trade + count).unwrap_or_default();
            let fills: Vec<Trade> = fills.iter().map(|(_, trade)| *trade).collect();
            let at = (batch.batch_seq, position as u32, message.global_index);
            let trader = message.signed.message.trader();
            updates.message(trader, request, &message.outcome, at, block, (next_trade as u32, &fills));
            next_trade += count;
        }
    }
    updates
}

#[cfg(test)]
mod tests {
    use super::*;
    use numo_stf::{PlaceSummary, Side};

    fn trade() -> Trade {
        Trade {
            market_id: B256::repeat_byte(5),
            maker_order_id: B256::repeat_byte(6),
            taker_order_id: B256::repeat_byte(2),
            maker: Address::repeat_byte(7),
            taker: Address::repeat_byte(1),
            taker_side: Side::Buy,
            maker_tick: 99,
            qty: U256::from(10u64),
            quote_amount: U256::from(990u64),
            taker_fee: U256::from(3u64),
        }
    }

    fn placed(qty: u64, filled: u64, rested: u64) -> OrderRow {
        let summary = PlaceSummary {
            filled: U256::from(filled),
            rested: U256::from(rested),
            cancelled: U256::from(qty - filled - rested),
            ..Default::default()
        };
        let fields = (B256::repeat_byte(5), B256::repeat_byte(9), 1, 0, 99, U256::from(qty));
        let block = BlockTime { height: 4, timestamp_ms: 1_700_000_000_123 };
        OrderRow::placed(Address::repeat_byte(1), fields, &MessageOutcome::Placed(summary), (12, 3, 40), block)
    }

    #[test]
    fn rows_round_trip_and_refuse_damage() {
        let fill = AccountFill {
            batch_seq: 12,
            trade_index: 7,
            liquidity: Liquidity::Maker,
            global_index: 40,
            block: BlockTime { height: 4, timestamp_ms: 9 },
            trade: trade(),
        };
        let (key, value) = (fill.key(), fill.encode_value());
        assert_eq!(&key[..20], Address::repeat_byte(7).as_slice(), "a maker row is the maker's");
        assert_eq!(AccountFill::decode(&key, &value), Ok(fill.clone()));
        assert_eq!(fill.fee(), U256::ZERO);
        let taker = AccountFill { liquidity: Liquidity::Taker, ..fill };
        assert_eq!((&taker.key()[..20], taker.fee()), (Address::repeat_byte(1).as_slice(), U256::from(3u64)));
        let mut rejected = placed(10, 0, 0);
        rejected.status = OrderStatus::Rejected;
        rejected.reason = Some(RejectReason::ZeroQuantity);
        for row in [placed(10, 4, 6), rejected] {
            let (key, value) = (row.key(), row.encode_value());
            assert_eq!(OrderRow::decode(&key, &value), Ok(row));
            for cut in 0..value.len() {
                assert!(OrderRow::decode(&key, &value[..cut]).is_err(), "prefix of {cut} bytes");
            }
        }
        let mut bad = placed(10, 4, 6).encode_value();
        let status_at = bad.len() - 26;
        bad[status_at] = 9;
        let key = placed(10, 4, 6).key();
        assert_eq!(OrderRow::decode(&key, &bad), Err(RecordError::OutOfRange { what: "order status", value: 9 }));
        let mut bad = fill_key_with_role(2);
        assert!(AccountFill::decode(&bad, &taker.encode_value()).is_err());
        bad[32] = 1;
        assert!(AccountFill::decode(&bad, &taker.encode_value()).is_ok());
    }

    fn fill_key_with_role(role: u8) -> FillKey {
        let mut key = [0u8; FILL_KEY_LEN];
        key[32] = role;
        key
    }

    #[test]
    fn statuses_follow_the_order_through_fills_and_cancels() {
        assert_eq!(placed(10, 0, 10).status, OrderStatus::Open);
        assert_eq!(placed(10, 10, 0).status, OrderStatus::Filled);
        assert_eq!(placed(10, 4, 0).status, OrderStatus::Partial, "an IOC remainder cancelled after a fill");
        assert_eq!(placed(10, 0, 0).status, OrderStatus::Cancelled, "an IOC that met nothing");
        let mut open = placed(10, 4, 6);
        open.fill_as_maker(U256::from(5u64));
        assert_eq!((open.status, open.filled), (OrderStatus::Open, U256::from(9u64)));
        open.fill_as_maker(U256::from(1u64));
        assert_eq!((open.status, open.filled), (OrderStatus::Filled, U256::from(10u64)));
        let mut partly = placed(10, 4, 6);
        partly.cancel();
        assert_eq!(partly.status, OrderStatus::Partial);
        let mut untouched = placed(10, 0, 10);
        untouched.cancel();
        assert_eq!(untouched.status, OrderStatus::Cancelled);
    }
}

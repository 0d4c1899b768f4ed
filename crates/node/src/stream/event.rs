//! What one committed block tells subscribers, built once by the block producer and shared by
//! every connection: the header with each batch's PublicInputs, the trades per market, the new
//! top of every watched book, and the order updates and fills of every watched account.

use crate::chain::ChainState;
use crate::records::{side_name, BatchRecord, BlockHeader, MessageRecord, TradeRecord};
use crate::stored_funding::StoredFundingBatch;
use alloy_primitives::{hex, Address, B256, U256};
use axum::extract::ws::Utf8Bytes;
use numo_funding::{FundingMessage, FundingOutcome};
use numo_stf::keys::{market_best_key, order_key, tick_node_key};
use numo_stf::values::{MarketBest, Order, TickNode};
use numo_stf::{Message, Side};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// One price level: tick and the total base quantity resting there.
pub type Level = (i32, U256);

/// Up to `depth` levels of one side of `market`'s book, best first, from committed state
/// (each level's total comes from its tick node: no walk over its orders).
pub fn book_levels(chain: &ChainState, market: &B256, side: Side, depth: usize) -> Vec<Level> {
    let best: MarketBest = chain.read(&market_best_key(market));
    let mut levels = Vec::new();
    let mut cursor = best.get(side);
    while let Some(tick) = cursor.filter(|_| levels.len() < depth) {
        let node: TickNode = chain.read(&tick_node_key(market, side, tick));
        levels.push((tick, node.total_qty));
        cursor = node.next;
    }
    levels
}

/// A book after a block that executed a batch of its market.
#[derive(Debug, Clone)]
pub struct BookUpdate {
    /// The book's `seq` before the block (the previous block with a batch of this market).
    pub prev_seq: u64,
    /// The block height: the book's new `seq`.
    pub seq: u64,
    /// Bids, best first, as deep as the deepest subscription at publication time.
    pub bids: Vec<Level>,
    /// Asks, best first, likewise.
    pub asks: Vec<Level>,
}

/// A batch as the `blocks` channel shows it.
#[derive(Debug, Clone)]
pub struct BatchSummary {
    /// Venue-global batch number.
    pub batch_seq: u64,
    /// Its market.
    pub market_id: B256,
    /// The 272-byte PublicInputs, 0x hex.
    pub public_inputs: String,
    /// State root before.
    pub prev_root: B256,
    /// State root after.
    pub new_root: B256,
}

/// Everything subscribers learn from one committed block.
#[derive(Debug)]
pub struct BlockEvent {
    /// The header.
    pub header: BlockHeader,
    /// Its batches in execution order.
    pub batches: Vec<BatchSummary>,
    /// Trades per market, execution order (markets without trades absent).
    pub trades: BTreeMap<B256, Vec<TradeRecord>>,
    /// Books of the markets with a batch in this block.
    pub books: BTreeMap<B256, BookUpdate>,
    /// The `account` frame of each watched address the block concerns.
    pub accounts: HashMap<Address, Value>,
    /// Its funding batches (executed before the trading batches, F8), as the `block` frame
    /// lists them.
    pub funding_batches: Vec<Value>,
    /// The `block` frame, serialized once for every connection.
    block_frame: OnceLock<Utf8Bytes>,
    /// The `trades` frame per market, serialized once.
    trades_frames: BTreeMap<B256, OnceLock<Utf8Bytes>>,
}

impl BlockEvent {
    /// Builds the event of a block from its committed records and the state after it.
    /// `book_seqs` gives (prevSeq, seq) of each market with a batch; `book_depths` the deepest
    /// subscription per market; `accounts` the watched addresses.
    pub fn build(
        chain: &ChainState,
        header: &BlockHeader,
        batches: &[&BatchRecord],
        book_seqs: &BTreeMap<B256, (u64, u64)>,
        book_depths: &HashMap<B256, usize>,
        accounts: &[Address],
        funding: &[StoredFundingBatch],
    ) -> Self {
        let summaries = batches
            .iter()
            .map(|b| BatchSummary {
                batch_seq: b.batch_seq,
                market_id: b.market_id,
                public_inputs: b.public_inputs.clone(),
                prev_root: b.prev_root,
                new_root: b.new_root,
            })
            .collect();
        let mut trades: BTreeMap<B256, Vec<TradeRecord>> = BTreeMap::new();
        for batch in batches.iter().filter(|b| !b.trades.is_empty()) {
            trades.entry(batch.market_id).or_default().extend(batch.trades.iter().cloned());
        }
        let books = book_seqs
            .iter()
            .map(|(market, &(prev_seq, seq))| {
                let depth = book_depths.get(market).copied().unwrap_or(0);
                let bids = book_levels(chain, market, Side::Buy, depth);
                let asks = book_levels(chain, market, Side::Sell, depth);
                (*market, BookUpdate { prev_seq, seq, bids, asks })
            })
            .collect();
        let accounts = accounts
            .iter()
            .filter_map(|a| account_frame(chain, header.height, batches, funding, a).map(|frame| (*a, frame)))
            .collect();
        let trades_frames = trades.keys().map(|m| (*m, OnceLock::new())).collect();
        let funding_batches = funding
            .iter()
            .map(|b| {
                json!({ "batchSeq": b.batch_seq, "kind": "funding",
                        "publicInputs": hex::encode_prefixed(b.public_inputs.encode()),
                        "prevRoot": b.public_inputs.prev_root, "newRoot": b.public_inputs.new_root })
            })
            .collect();
        Self {
            funding_batches,
            header: header.clone(),
            batches: summaries,
            trades,
            books,
            accounts,
            block_frame: OnceLock::new(),
            trades_frames,
        }
    }

    /// The `block` frame.
    pub fn block_frame(&self) -> Utf8Bytes {
        self.block_frame
            .get_or_init(|| {
                let batches: Vec<Value> = self
                    .batches
                    .iter()
                    .map(|b| {
                        json!({ "batchSeq": b.batch_seq, "marketId": b.market_id, "publicInputs": b.public_inputs,
                                "prevRoot": b.prev_root, "newRoot": b.new_root })
                    })
                    .collect();
                let frame = json!({ "type": "block", "header": self.header, "batches": batches,
                                    "fundingBatches": self.funding_batches });
                frame.to_string().into()
            })
            .clone()
    }

    /// The `trades` frame of `market`, if the block traded there.
    pub fn trades_frame(&self, market: &B256) -> Option<Utf8Bytes> {
        let trades = self.trades.get(market)?;
        let frame = self.trades_frames.get(market)?.get_or_init(|| {
            json!({ "type": "trades", "market": market, "height": self.header.height, "trades": trades })
                .to_string()
                .into()
        });
        Some(frame.clone())
    }
}

/// Status of a Place from its outcome: `rejected`, `resting` (nothing filled, rests),
/// `partially_filled` (some filled, the rest rests), `filled`, or `cancelled` (an IOC or
/// C17-capped remainder was cancelled; `filled` may be non-zero).
fn place_status(record: &MessageRecord) -> &'static str {
    let nonzero = |v: &Option<String>| v.as_deref().is_some_and(|v| v != "0");
    if record.outcome != "accepted" {
        "rejected"
    } else if nonzero(&record.rested) {
        if nonzero(&record.filled) {
            "partially_filled"
        } else {
            "resting"
        }
    } else if nonzero(&record.cancelled) {
        "cancelled"
    } else {
        "filled"
    }
}

/// The update of one of the address's own messages.
fn own_update(market: &B256, batch_seq: u64, record: &MessageRecord) -> Value {
    let mut update = json!({
        "globalIndex": record.global_index, "batchSeq": batch_seq, "marketId": market, "orderId": record.order_id,
        "kind": record.kind, "nonce": record.nonce, "msgHash": record.msg_hash,
    });
    let decoded = hex::decode(&record.message).ok().and_then(|bytes| Message::decode(&bytes).ok());
    if let Some(Message::Place(place)) = decoded {
        update["side"] = json!(side_name(if place.side == 0 { Side::Buy } else { Side::Sell }));
        update["tif"] = json!(if place.tif == 0 { "gtc" } else { "ioc" });
        update["tick"] = json!(place.tick);
        update["qty"] = json!(place.qty.to_string());
    }
    let status = match record.kind.as_str() {
        "place" => place_status(record),
        _ if record.outcome == "accepted" => "cancelled",
        _ => "rejected",
    };
    update["status"] = json!(status);
    for (key, value) in [
        ("reason", &record.reason),
        ("filled", &record.filled),
        ("rested", &record.rested),
        ("cancelled", &record.cancelled),
        ("released", &record.released),
    ] {
        if let Some(value) = value {
            update[key] = json!(value);
        }
    }
    update
}

/// The `account` frame of `address` for a block, or `None` if the block does not concern it.
///
/// `orders` has one update per message the address signed (its outcome) and one per order of
/// it that was hit as maker: `partially_filled` with the remaining quantity if it still rests
/// at the end of the block, `filled` if it does not — unless a later message of the address in
/// the same block is about the same order id, whose own update then tells the rest.
/// `fills` has every trade it was maker or taker of, with its `role`.
fn account_frame(
    chain: &ChainState,
    height: u64,
    batches: &[&BatchRecord],
    funding: &[StoredFundingBatch],
    address: &Address,
) -> Option<Value> {
    let funding_updates = funding_updates(funding, address);
    let mut orders: Vec<(u64, Value)> = Vec::new();
    let mut fills = Vec::new();
    // (market, orderId) → (global index of the last fill, base filled in this block)
    let mut hit: BTreeMap<(B256, B256), (u64, U256)> = BTreeMap::new();
    let mut last_own: HashMap<(B256, B256), u64> = HashMap::new();
    for batch in batches {
        let market = batch.market_id;
        for record in batch.messages.iter().filter(|m| m.trader == *address) {
            orders.push((record.global_index, own_update(&market, batch.batch_seq, record)));
            last_own.insert((market, record.order_id), record.global_index);
        }
        for trade in &batch.trades {
            let role = match (trade.maker == *address, trade.taker == *address) {
                (true, true) => "both",
                (true, false) => "maker",
                (false, true) => "taker",
                (false, false) => continue,
            };
            let mut fill = serde_json::to_value(trade).expect("records serialize");
            fill["marketId"] = json!(market);
            fill["role"] = json!(role);
            fills.push(fill);
            if trade.maker == *address {
                let entry = hit.entry((market, trade.maker_order_id)).or_insert((0, U256::ZERO));
                entry.0 = trade.global_index;
                entry.1 += trade.qty.parse::<U256>().unwrap_or_default();
            }
        }
    }
    for ((market, order_id), (global_index, filled)) in hit {
        if last_own.get(&(market, order_id)).is_some_and(|own| *own > global_index) {
            continue;
        }
        let order: Order = chain.read(&order_key(&market, &order_id));
        let resting = order != Order::default();
        orders.push((
            global_index,
            json!({
                "globalIndex": global_index, "marketId": market, "orderId": order_id, "kind": "fill",
                "status": if resting { "partially_filled" } else { "filled" },
                "filledInBlock": filled.to_string(), "remaining": order.remaining.to_string(),
            }),
        ));
    }
    if orders.is_empty() && fills.is_empty() && funding_updates.is_empty() {
        return None;
    }
    orders.sort_by_key(|(index, _)| *index);
    let orders: Vec<Value> = orders.into_iter().map(|(_, update)| update).collect();
    Some(json!({
        "type": "account", "address": address, "height": height, "orders": orders, "fills": fills,
        "funding": funding_updates,
    }))
}

/// The deposits and transfers (to or from `address`), withdrawals and forced withdrawals (of
/// `address`) a block's funding batches executed, in execution order.
fn funding_updates(funding: &[StoredFundingBatch], address: &Address) -> Vec<Value> {
    let mut out = Vec::new();
    for batch in funding {
        for (offset, (message, outcome)) in batch.messages.iter().enumerate() {
            let global_index = batch.first_global_index + offset as u64;
            let mut update = match message {
                FundingMessage::Deposit(d) if d.to == *address || d.from == *address => json!({
                    "kind": "deposit", "index": d.index, "assetId": d.asset_id, "amount": d.amount.to_string(),
                    "from": d.from, "to": d.to,
                }),
                FundingMessage::Withdraw(w) if w.withdraw.owner == *address => json!({
                    "kind": "withdrawal", "nonce": w.withdraw.nonce, "assetId": w.withdraw.asset_id,
                    "amount": w.withdraw.amount.to_string(), "recipient": w.withdraw.recipient,
                }),
                FundingMessage::Transfer(t) if t.transfer.owner == *address || t.transfer.to == *address => json!({
                    "kind": "transfer", "nonce": t.transfer.nonce, "assetId": t.transfer.asset_id,
                    "amount": t.transfer.amount.to_string(), "from": t.transfer.owner, "to": t.transfer.to,
                }),
                FundingMessage::Forced(f) if f.owner == *address => json!({
                    "kind": "forced", "index": f.index, "assetId": f.asset_id, "requested": f.amount.to_string(),
                }),
                _ => continue,
            };
            update["globalIndex"] = json!(global_index);
            update["batchSeq"] = json!(batch.batch_seq);
            match outcome {
                FundingOutcome::Credited => update["status"] = json!("credited"),
                FundingOutcome::Refunded { id } => {
                    update["status"] = json!("refunded");
                    update["withdrawalId"] = json!(id);
                }
                FundingOutcome::Withdrawn { id } => {
                    update["status"] = json!("withdrawn");
                    update["withdrawalId"] = json!(id);
                }
                FundingOutcome::Transferred => update["status"] = json!("transferred"),
                FundingOutcome::Rejected(reason) => {
                    update["status"] = json!("rejected");
                    update["reason"] = json!(reason.name());
                }
                FundingOutcome::Forced(taken) => {
                    update["status"] = json!("withdrawn");
                    update["amount"] = json!(taken.map_or(U256::ZERO, |(_, amount)| amount).to_string());
                    if let Some((id, _)) = taken {
                        update["withdrawalId"] = json!(id);
                    }
                }
            }
            out.push(update);
        }
    }
    out
}

//! The committed chain as the node holds it in memory: the full state with its tree, the
//! last block, the counters, and the indexes views need (recent trades, open orders).

use crate::genesis::VenueGenesis;
pub use crate::limits::RECENT_TRADES_MAX;
use crate::records::{BlockHeader, TradeRecord};
use crate::store::Counters;
use alloy_primitives::{Address, B256};
use numo_chain::ChainTip;
use numo_host::FullState;
use numo_stf::keys::{market_best_key, order_key, order_node_key, tick_node_key};
use numo_stf::values::{MarketBest, Order, OrderNode, StateValue, TickNode};
use numo_stf::Side;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// Committed state and indexes.
pub struct ChainState {
    /// Every state leaf and the tree.
    pub full: FullState,
    /// Newest committed block.
    pub last_block: Option<BlockHeader>,
    /// Counters after the last block.
    pub counters: Counters,
    /// Newest trades per market, newest last.
    pub recent_trades: BTreeMap<B256, VecDeque<TradeRecord>>,
    /// State keys written since the last tree snapshot.
    pub dirty_since_snapshot: usize,
    /// Resting orders per trader: (market, orderId).
    pub open_orders: BTreeMap<Address, BTreeSet<(B256, B256)>>,
    order_owner: HashMap<(B256, B256), Address>,
}

impl ChainState {
    /// A chain at `full` with the indexes rebuilt from the books of `genesis`'s markets.
    pub fn new(full: FullState, last_block: Option<BlockHeader>, counters: Counters, genesis: &VenueGenesis) -> Self {
        let mut chain = Self {
            full,
            last_block,
            counters,
            recent_trades: BTreeMap::new(),
            dirty_since_snapshot: 0,
            open_orders: BTreeMap::new(),
            order_owner: HashMap::new(),
        };
        for market in &genesis.markets {
            let id = market.context.market_id;
            for side in [Side::Buy, Side::Sell] {
                for (_, orders) in chain.book_side(&id, side, usize::MAX) {
                    for (order_id, order) in orders {
                        chain.index_order(id, order_id, order.trader);
                    }
                }
            }
        }
        chain
    }

    /// Where the chain stands, for the block function: the last header (or genesis) and the
    /// counters after it.
    pub fn tip(&self, genesis_root: B256) -> ChainTip {
        let (next_batch_seq, next_global_index) = (self.counters.next_batch_seq, self.counters.next_global_index);
        match &self.last_block {
            Some(header) => ChainTip::after(header, next_batch_seq, next_global_index),
            None => ChainTip { next_batch_seq, next_global_index, ..ChainTip::genesis(genesis_root) },
        }
    }

    /// A decoded state value (absent = zero, C3). Stored values always decode: the node
    /// only stores what the transition wrote.
    pub fn read<V: StateValue>(&self, key: &B256) -> V {
        V::decode(self.full.value(key)).unwrap_or_default()
    }

    /// Up to `depth` ticks of one side, best first, each with its orders in FIFO order.
    pub fn book_side(&self, market: &B256, side: Side, depth: usize) -> Vec<(i32, Vec<(B256, Order)>)> {
        let best: MarketBest = self.read(&market_best_key(market));
        let mut levels = Vec::new();
        let mut cursor = best.get(side);
        while let Some(tick) = cursor.filter(|_| levels.len() < depth) {
            let node: TickNode = self.read(&tick_node_key(market, side, tick));
            let mut orders = Vec::new();
            let mut order_id = node.head;
            while !order_id.is_zero() {
                orders.push((order_id, self.read::<Order>(&order_key(market, &order_id))));
                order_id = self.read::<OrderNode>(&order_node_key(market, &order_id)).next;
            }
            levels.push((tick, orders));
            cursor = node.next;
        }
        levels
    }

    /// Re-indexes `order_ids` of `market` after a batch: resting ones are (still) open.
    pub fn refresh_orders(&mut self, market: B256, order_ids: impl IntoIterator<Item = B256>) {
        for order_id in order_ids {
            let order: Order = self.read(&order_key(&market, &order_id));
            if let Some(owner) = self.order_owner.remove(&(market, order_id)) {
                if let Some(set) = self.open_orders.get_mut(&owner) {
                    set.remove(&(market, order_id));
                }
            }
            if order != Order::default() {
                self.index_order(market, order_id, order.trader);
            }
        }
    }

    fn index_order(&mut self, market: B256, order_id: B256, trader: Address) {
        self.order_owner.insert((market, order_id), trader);
        self.open_orders.entry(trader).or_default().insert((market, order_id));
    }

    /// Appends trades of `market`, keeping the newest [`RECENT_TRADES_MAX`].
    pub fn push_trades(&mut self, market: B256, trades: impl IntoIterator<Item = TradeRecord>) {
        let list = self.recent_trades.entry(market).or_default();
        list.extend(trades);
        while list.len() > RECENT_TRADES_MAX {
            list.pop_front();
        }
    }
}

//! Property tests of the transition on random markets and random message streams.
//!
//! After every batch (and, in the first property, after every single message) the state must
//! keep: (a) conservation of each asset — Σ(available + locked) + fee vault is constant;
//! (b) an uncrossed book — best bid < best ask; (c) `BAL.locked == Σ ORDER.locked` per trader
//! and asset (C8, C14); (d) FIFO within a tick — orders sit in the order they came to rest;
//! (e) host PublicInputs == guest PublicInputs on the host's blob. The book is walked from
//! MARKETBEST, every link checked both ways (C8), and the set of stored keys must be exactly
//! what the walk explains: nothing leaks (C3, C15, C18).

use alloy_primitives::{Address, B256, U256};
use numo_host::{build_batch, FullState};
use numo_stf::keys::{
    balance_key, fee_vault_key, market_best_key, nonce_key, order_key, order_node_key, tick_node_key,
};
use numo_stf::signature::{secret_key_address, sign_digest};
use numo_stf::values::{Balance, FeeVault, MarketBest, NextNonce, Order, OrderNode, StateValue, TickNode};
use numo_stf::{Cancel, MarketContext, Message, MessageOutcome, Place, Rules, Side, SignedMessage};
use proptest::prelude::*;
use secp256k1::SecretKey;
use std::collections::{BTreeMap, BTreeSet};

const TRADERS: usize = 3;

/// One generated action; nonces are assigned when it is signed.
#[derive(Debug, Clone)]
enum Action {
    Place { trader: usize, side: u8, tif: u32, tick: i32, lots: u64, extra: u64, order: u8 },
    Cancel { trader: usize, order: u8 },
}

fn action() -> impl Strategy<Value = Action> {
    let side = prop_oneof![10 => 0u8..2, 1 => Just(2u8)];
    let tif = prop_oneof![10 => 0u32..2, 1 => Just(7u32)];
    let tick = prop_oneof![20 => 95i32..106, 1 => -2i32..1];
    let lots = prop_oneof![20 => 1u64..40, 1 => Just(0u64)];
    let extra = prop_oneof![20 => Just(0u64), 1 => 1u64..5];
    prop_oneof![
        4 => (0..TRADERS, side, tif, tick, lots, extra, 0u8..48)
            .prop_map(|(trader, side, tif, tick, lots, extra, order)| Action::Place { trader, side, tif, tick, lots, extra, order }),
        1 => (0..TRADERS, 1u8..48).prop_map(|(trader, order)| Action::Cancel { trader, order }),
    ]
}

/// A random market: fees on or off (or 100 %), tight or loose match cap, tiny or large lots,
/// and sometimes a `maxBalance` low enough to be hit (C16).
fn market() -> impl Strategy<Value = (MarketContext, Vec<(u128, u128)>)> {
    let fee = prop_oneof![Just(0u32), Just(30u32), Just(10_000u32)];
    let lot = prop_oneof![Just(5u64), Just(1_000_000_000_000_000u64)];
    // Balances are either deep or thin (so locks fail, C14), and the cap is either far or just
    // above the largest starting balance (so credits breach it, C16).
    let scale = prop_oneof![Just(10u128.pow(17)), Just(5 * 10u128.pow(19))];
    let wallets = scale.prop_flat_map(|scale| {
        let cap = prop_oneof![3 => Just(U256::from(10u128.pow(30))), 1 => Just(U256::from(scale + scale / 50))];
        (cap, prop::collection::vec((0..scale, 0..scale), TRADERS))
    });
    (fee, 1u32..4, lot, wallets).prop_map(|(fee, max_matches, lot, (max_balance, balances))| {
        let rules = Rules {
            base_asset: B256::repeat_byte(0xba),
            quote_asset: B256::repeat_byte(0x0c),
            price_scale: U256::from(10u64.pow(18)),
            tick_size: U256::from(10u64.pow(16)),
            lot_size: U256::from(lot),
            taker_fee_bps: fee,
            maker_fee_bps: 0,
            max_orders_per_batch: 16,
            max_matches_per_order: max_matches,
            max_balance,
        };
        let ctx =
            MarketContext { chain_id: 7, venue_id: B256::repeat_byte(0x11), market_id: B256::repeat_byte(0x22), rules };
        (ctx, balances)
    })
}

struct World {
    ctx: MarketContext,
    keys: Vec<SecretKey>,
    traders: Vec<Address>,
    nonces: Vec<u64>,
    state: FullState,
    totals: [U256; 2],
    /// orderId → when it came to rest, for the FIFO check (d).
    rested_at: BTreeMap<B256, u64>,
    clock: u64,
    batch_seq: u64,
}

impl World {
    fn new(ctx: MarketContext, balances: &[(u128, u128)]) -> Self {
        let keys: Vec<SecretKey> =
            (1..=TRADERS as u8).map(|i| SecretKey::from_secret_bytes([i; 32]).unwrap()).collect();
        let traders: Vec<Address> = keys.iter().map(secret_key_address).collect();
        let mut entries = Vec::new();
        let mut totals = [U256::ZERO; 2];
        for (trader, (base, quote)) in traders.iter().zip(balances) {
            for (i, (asset, amount)) in
                [(ctx.rules.base_asset, *base), (ctx.rules.quote_asset, *quote)].into_iter().enumerate()
            {
                let balance = Balance { available: U256::from(amount), locked: U256::ZERO };
                totals[i] += balance.available;
                if let Some(bytes) = balance.encode_canonical() {
                    entries.push((balance_key(trader, &asset), bytes));
                }
            }
        }
        let state = FullState::from_entries(entries);
        Self {
            ctx,
            keys,
            traders,
            nonces: vec![0; TRADERS],
            state,
            totals,
            rested_at: BTreeMap::new(),
            clock: 0,
            batch_seq: 1,
        }
    }

    fn sign(&mut self, action: &Action) -> SignedMessage {
        let (trader, message) = match *action {
            Action::Place { trader, side, tif, tick, lots, extra, order } => {
                let qty = U256::from(lots) * self.ctx.rules.lot_size + U256::from(extra);
                let place =
                    Place { trader: self.traders[trader], nonce: 0, order_id: order_id(order), side, tif, tick, qty };
                (trader, Message::Place(place))
            }
            Action::Cancel { trader, order } => {
                (trader, Message::Cancel(Cancel { trader: self.traders[trader], nonce: 0, order_id: order_id(order) }))
            }
        };
        let nonce = self.nonces[trader];
        self.nonces[trader] += 1;
        let message = match message {
            Message::Place(p) => Message::Place(Place { nonce, ..p }),
            Message::Cancel(c) => Message::Cancel(Cancel { nonce, ..c }),
        };
        let signature = sign_digest(&self.keys[trader], &message.hash(&self.ctx.domain_separator()));
        SignedMessage { message, signature }
    }

    /// Builds and applies one batch, checks host == guest (e) and every invariant.
    fn run_batch(&mut self, actions: &[Action]) -> Result<(), TestCaseError> {
        let messages: Vec<SignedMessage> = actions.iter().map(|a| self.sign(a)).collect();
        let prev_root = self.state.root();
        let built = build_batch(
            &mut self.state,
            &self.ctx,
            self.batch_seq,
            1_700_000_000_000 + self.batch_seq,
            messages.clone(),
        )
        .map_err(|e| TestCaseError::fail(format!("valid batch refused: {e}")))?;
        self.batch_seq += 1;
        prop_assert_eq!(built.public_inputs.prev_root, prev_root);
        let guest = numo_guest::run(&built.blob).map_err(|e| TestCaseError::fail(format!("guest refused: {e}")))?;
        prop_assert_eq!(guest.public_inputs, built.public_inputs, "(e) host and guest disagree");
        prop_assert_eq!(guest.report.touched.digest(), built.report.touched.digest());
        for (signed, outcome) in messages.iter().zip(&built.report.outcomes) {
            if let (Message::Place(p), MessageOutcome::Placed(s)) = (&signed.message, outcome) {
                if !s.rested.is_zero() {
                    self.clock += 1;
                    self.rested_at.insert(p.order_id, self.clock);
                }
            }
        }
        self.check_invariants()
    }

    fn read<V: StateValue>(&self, key: &B256) -> V {
        V::decode(self.state.value(key)).expect("stored values decode")
    }

    fn check_invariants(&self) -> Result<(), TestCaseError> {
        let rules = &self.ctx.rules;
        let market = &self.ctx.market_id;
        let mut expected_keys = BTreeSet::new();
        let mut order_locks: BTreeMap<(Address, B256), U256> = BTreeMap::new();

        let best: MarketBest = self.read(&market_best_key(market));
        if best != MarketBest::default() {
            expected_keys.insert(market_best_key(market));
        }
        if let (Some(bid), Some(ask)) = (best.bid, best.ask) {
            prop_assert!(bid < ask, "(b) book crossed: bid {} ≥ ask {}", bid, ask);
        }
        for side in [Side::Buy, Side::Sell] {
            let collateral = if side == Side::Buy { rules.quote_asset } else { rules.base_asset };
            let mut previous: Option<i32> = None;
            let mut cursor = best.get(side);
            while let Some(tick) = cursor {
                let key = tick_node_key(market, side, tick);
                prop_assert!(expected_keys.insert(key), "tick list has a cycle");
                let node: TickNode = self.read(&key);
                prop_assert!(node != TickNode::default(), "linked tick {} is not stored", tick);
                prop_assert_eq!(node.prev, previous, "C8 prev link of tick {}", tick);
                if let Some(p) = previous {
                    prop_assert!(side.is_better(p, tick), "ticks out of order: {} then {}", p, tick);
                }
                let total = self.walk_orders(side, tick, &node, collateral, &mut expected_keys, &mut order_locks)?;
                prop_assert_eq!(total, node.total_qty, "totalQty of tick {}", tick);
                previous = Some(tick);
                cursor = node.next;
            }
        }

        let mut sums = [U256::ZERO; 2];
        for (t, trader) in self.traders.iter().enumerate() {
            for (i, asset) in [rules.base_asset, rules.quote_asset].iter().enumerate() {
                let key = balance_key(trader, asset);
                let balance: Balance = self.read(&key);
                if balance != Balance::default() {
                    expected_keys.insert(key);
                }
                let locked_by_orders = order_locks.get(&(*trader, *asset)).copied().unwrap_or_default();
                prop_assert_eq!(balance.locked, locked_by_orders, "(c) trader {} asset {}", t, i);
                prop_assert!(balance.available + balance.locked <= rules.max_balance, "C16 cap");
                sums[i] += balance.available + balance.locked;
            }
            let nonce_key = nonce_key(trader, market);
            let nonce: NextNonce = self.read(&nonce_key);
            prop_assert_eq!(nonce.0, self.nonces[t], "C9 nonce of trader {}", t);
            if nonce.0 > 0 {
                expected_keys.insert(nonce_key);
            }
        }
        let vault_key = fee_vault_key(&rules.quote_asset);
        let vault: FeeVault = self.read(&vault_key);
        if !vault.0.is_zero() {
            expected_keys.insert(vault_key);
        }
        prop_assert_eq!(sums[0], self.totals[0], "(a) base not conserved");
        prop_assert_eq!(sums[1] + vault.0, self.totals[1], "(a) quote not conserved");
        let stored: BTreeSet<B256> = self.state.entries().map(|(k, _)| *k).collect();
        prop_assert_eq!(stored, expected_keys, "stored keys are not exactly the reachable ones");
        Ok(())
    }

    /// Walks one tick's FIFO; returns Σ remaining.
    fn walk_orders(
        &self,
        side: Side,
        tick: i32,
        node: &TickNode,
        collateral: B256,
        expected_keys: &mut BTreeSet<B256>,
        order_locks: &mut BTreeMap<(Address, B256), U256>,
    ) -> Result<U256, TestCaseError> {
        let market = &self.ctx.market_id;
        let mut total = U256::ZERO;
        let (mut previous, mut cursor, mut last_rest) = (B256::ZERO, node.head, 0u64);
        while !cursor.is_zero() {
            let key = order_key(market, &cursor);
            prop_assert!(expected_keys.insert(key), "order list has a cycle");
            let order: Order = self.read(&key);
            prop_assert!(!order.remaining.is_zero(), "resting order with nothing left");
            prop_assert_eq!((order.side, order.tick), (side, tick));
            let links: OrderNode = self.read(&order_node_key(market, &cursor));
            if links != OrderNode::default() {
                expected_keys.insert(order_node_key(market, &cursor));
            }
            prop_assert_eq!(links.prev, previous, "FIFO prev link");
            let rested = self.rested_at.get(&cursor).copied().unwrap_or_default();
            prop_assert!(rested > last_rest, "(d) FIFO order broken at tick {}", tick);
            last_rest = rested;
            *order_locks.entry((order.trader, collateral)).or_default() += order.locked;
            total += order.remaining;
            previous = cursor;
            cursor = links.next;
        }
        prop_assert_eq!(node.tail, previous, "tail of tick {}", tick);
        Ok(total)
    }
}

fn order_id(n: u8) -> B256 {
    if n == 0 {
        B256::ZERO
    } else {
        B256::left_padding_from(&[n])
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Invariants after every single message (one-message batches).
    #[test]
    fn invariants_hold_after_every_message((ctx, balances) in market(), actions in prop::collection::vec(action(), 1..60)) {
        let mut world = World::new(ctx, &balances);
        for action in &actions {
            world.run_batch(std::slice::from_ref(action))?;
        }
    }

    /// Multi-message batches: invariants after each batch and host == guest.
    #[test]
    fn invariants_hold_across_batches(
        (ctx, balances) in market(),
        actions in prop::collection::vec(action(), 1..120),
        sizes in prop::collection::vec(1usize..17, 1..20),
    ) {
        let mut world = World::new(ctx, &balances);
        let mut rest = &actions[..];
        for size in sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (batch, tail) = rest.split_at((*size).min(rest.len()));
            world.run_batch(batch)?;
            rest = tail;
        }
    }
}

//! C25 pinned key by key: for every Place and Cancel path, the exact sequence of state
//! accesses (reads and writes, repeats included) that one message appends to the touched log
//! (C23, section H).
//!
//! Each test builds a small book by executing set-up messages with the same transition, then
//! executes one message with a [`TouchLog::sequenced`] log and compares the recorded keys with
//! an expected list written from C25's text with named keys (`nonce(ALICE)`, `ask(100)`, …).
//! Both lists are rendered as names, so a failure shows which access differs.
//!
//! Notation in the comments: r = read, w = write (a delete is a write). Unless a test says
//! otherwise the market has `price = tickIndex × 1e18` (so a BUY of `q` at tick `t` has
//! notional `t·q`), `lotSize` 10, `takerFeeBps` 30, `maxMatchesPerOrder` 2, and every trader
//! holds 1 000 000 of each asset. A BUY's lock is then `t·q + ⌈t·q·30/10000⌉ + 2` (C14).

use alloy_primitives::{Address, B256, U256};
use numo_stf::keys::{
    balance_key, fee_vault_key, market_best_key, nonce_key, order_key, order_node_key, tick_node_key,
};
use numo_stf::limits::PRICE_SCALE;
use numo_stf::values::{Balance, MarketBest, StateValue};
use numo_stf::{
    execute_messages, Cancel, DiscoveredHints, GivenHints, MarketContext, Message, MessageOutcome, Place, PlaceSummary,
    RejectReason, Rules, Side, Signature, SignedMessage, State, StateError, TickHints, TouchLog,
};
use std::collections::BTreeMap;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// Named keys
// ---------------------------------------------------------------------------------------------

const MARKET: B256 = B256::new([0x4d; 32]);
const BASE: B256 = B256::new([0xba; 32]);
const QUOTE: B256 = B256::new([0x9e; 32]);
const ALICE: Address = Address::new([0xa1; 20]);
const BOB: Address = Address::new([0xb0; 20]);
const CAROL: Address = Address::new([0xc0; 20]);
const TRADERS: [(Address, &str); 3] = [(ALICE, "alice"), (BOB, "bob"), (CAROL, "carol")];
/// Ticks the tests use (the name table covers them all).
const TICKS: std::ops::RangeInclusive<i32> = 1..=200;
/// Order ids the tests use.
const IDS: std::ops::RangeInclusive<u8> = 1..=16;

fn oid(id: u8) -> B256 {
    B256::with_last_byte(id)
}
fn nonce(trader: Address) -> B256 {
    nonce_key(&trader, &MARKET)
}
fn bal(owner: Address, asset: B256) -> B256 {
    balance_key(&owner, &asset)
}
fn order(id: u8) -> B256 {
    order_key(&MARKET, &oid(id))
}
fn node(id: u8) -> B256 {
    order_node_key(&MARKET, &oid(id))
}
fn ask(tick: i32) -> B256 {
    tick_node_key(&MARKET, Side::Sell, tick)
}
fn bid(tick: i32) -> B256 {
    tick_node_key(&MARKET, Side::Buy, tick)
}
fn best() -> B256 {
    market_best_key(&MARKET)
}
fn vault() -> B256 {
    fee_vault_key(&QUOTE)
}

/// Every key the tests can touch, by name.
fn names() -> &'static BTreeMap<B256, String> {
    static NAMES: OnceLock<BTreeMap<B256, String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = BTreeMap::new();
        for (trader, name) in TRADERS {
            names.insert(nonce(trader), format!("nonce({name})"));
            names.insert(bal(trader, BASE), format!("bal({name}, base)"));
            names.insert(bal(trader, QUOTE), format!("bal({name}, quote)"));
        }
        for id in IDS {
            names.insert(order(id), format!("order({id})"));
            names.insert(node(id), format!("node({id})"));
        }
        for tick in TICKS {
            names.insert(ask(tick), format!("ask({tick})"));
            names.insert(bid(tick), format!("bid({tick})"));
        }
        names.insert(best(), "best".into());
        names.insert(vault(), "vault(quote)".into());
        names.insert(fee_vault_key(&BASE), "vault(base)".into());
        names
    })
}

fn named(keys: &[B256]) -> Vec<String> {
    keys.iter().map(|key| names().get(key).cloned().unwrap_or_else(|| format!("unknown({key})"))).collect()
}

#[track_caller]
fn assert_sequence(actual: &[B256], expected: &[B256]) {
    assert_eq!(named(actual), named(expected));
}

// ---------------------------------------------------------------------------------------------
// A market over an in-memory state
// ---------------------------------------------------------------------------------------------

/// A complete in-memory state: every key is there, so nothing is refused.
#[derive(Default)]
struct MapState(BTreeMap<B256, Vec<u8>>);

impl State for MapState {
    fn get(&mut self, key: &B256) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.0.get(key).cloned())
    }
    fn put(&mut self, key: B256, value: Option<Vec<u8>>) -> Result<(), StateError> {
        match value {
            Some(value) => self.0.insert(key, value),
            None => self.0.remove(&key),
        };
        Ok(())
    }
}

const FUNDS: u64 = 1_000_000;
const BUY: u8 = 0;
const SELL: u8 = 1;
const GTC: u32 = 0;
const IOC: u32 = 1;

fn rules() -> Rules {
    Rules {
        base_asset: BASE,
        quote_asset: QUOTE,
        price_scale: U256::from(PRICE_SCALE),
        tick_size: U256::from(PRICE_SCALE),
        lot_size: U256::from(10),
        taker_fee_bps: 30,
        maker_fee_bps: 0,
        max_orders_per_batch: 16,
        max_matches_per_order: 2,
        max_balance: U256::from(1_000_000_000_000u64),
    }
}

struct Market {
    ctx: MarketContext,
    state: MapState,
    nonces: BTreeMap<Address, u64>,
}

impl Market {
    fn new() -> Self {
        Self::with_rules(rules())
    }

    /// A market under `rules` where every trader holds [`FUNDS`] of both assets.
    fn with_rules(rules: Rules) -> Self {
        let ctx = MarketContext { chain_id: 1, venue_id: B256::new([0x5e; 32]), market_id: MARKET, rules };
        let mut market = Self { ctx, state: MapState::default(), nonces: BTreeMap::new() };
        for (trader, _) in TRADERS {
            market.fund(trader, BASE, U256::from(FUNDS));
            market.fund(trader, QUOTE, U256::from(FUNDS));
        }
        market
    }

    fn fund(&mut self, owner: Address, asset: B256, available: U256) {
        let value = Balance { available, locked: U256::ZERO }.encode();
        self.state.0.insert(bal(owner, asset), value);
    }

    fn next_nonce(&mut self, trader: Address) -> u64 {
        let slot = self.nonces.entry(trader).or_default();
        *slot += 1;
        *slot - 1
    }

    #[allow(clippy::too_many_arguments)]
    fn place(&mut self, trader: Address, id: u8, side: u8, tif: u32, tick: i32, qty: impl Qty) -> Message {
        let nonce = self.next_nonce(trader);
        Message::Place(Place { trader, nonce, order_id: oid(id), side, tif, tick, qty: qty.base() })
    }

    fn cancel(&mut self, trader: Address, id: u8) -> Message {
        let nonce = self.next_nonce(trader);
        Message::Cancel(Cancel { trader, nonce, order_id: oid(id) })
    }

    /// Executes set-up messages (hints discovered from the book); each must be accepted.
    fn setup(&mut self, messages: Vec<Message>) {
        let signed: Vec<SignedMessage> = messages.into_iter().map(unsigned).collect();
        let report = execute_messages(
            &self.ctx,
            &mut self.state,
            &signed,
            &mut DiscoveredHints::default(),
            TouchLog::digest_only(),
        )
        .expect("set-up batch is valid");
        assert!(report.outcomes.iter().all(MessageOutcome::is_accepted), "set-up: {:?}", report.outcomes);
    }

    /// Executes `message` with the given hints and returns its outcome and access sequence.
    fn run(&mut self, message: Message, hints: TickHints) -> (MessageOutcome, Vec<B256>) {
        let hints = [hints];
        let report = execute_messages(
            &self.ctx,
            &mut self.state,
            &[unsigned(message)],
            &mut GivenHints(&hints),
            TouchLog::sequenced(),
        )
        .expect("the message is valid");
        let sequence = report.touched.sequence().expect("sequenced log").to_vec();
        assert_eq!(sequence.len() as u64, report.touched.count());
        (report.outcomes[0], sequence)
    }

    /// [`Market::run`] for a message that must not link a new tick.
    fn run_plain(&mut self, message: Message) -> (MessageOutcome, Vec<B256>) {
        self.run(message, TickHints::default())
    }

    fn value<V: StateValue>(&self, key: B256) -> V {
        V::decode(self.state.0.get(&key).map(Vec::as_slice)).unwrap()
    }
}

/// A base quantity: a small literal or a full U256.
trait Qty {
    fn base(self) -> U256;
}
impl Qty for u64 {
    fn base(self) -> U256 {
        U256::from(self)
    }
}
impl Qty for U256 {
    fn base(self) -> U256 {
        self
    }
}

/// Execution does not check signatures (`validate_batch` does, before it).
fn unsigned(message: Message) -> SignedMessage {
    SignedMessage { message, signature: Signature([0; 65]) }
}

fn hints(prev: Option<i32>, next: Option<i32>) -> TickHints {
    TickHints { prev, next }
}

#[track_caller]
fn assert_rejected(outcome: MessageOutcome, reason: RejectReason) {
    assert_eq!(outcome, MessageOutcome::Rejected(reason));
}

#[track_caller]
fn assert_placed(outcome: MessageOutcome, filled: u64, rested: u64, cancelled: u64, fills: u32, new_tick: bool) {
    let expected = PlaceSummary {
        filled: U256::from(filled),
        rested: U256::from(rested),
        cancelled: U256::from(cancelled),
        fills,
        new_tick,
    };
    assert_eq!(outcome, MessageOutcome::Placed(expected));
}

// ---------------------------------------------------------------------------------------------
// Rejections (C12)
// ---------------------------------------------------------------------------------------------

#[test]
fn stateless_rejections_touch_only_the_nonce() {
    // C25 2.1: side, tif, tick ≤ 0, qty = 0, qty % lotSize, orderId = 0, in this order; a
    // rejection here touches nothing after the nonce's r, w (C25 1).
    let cases: [(u8, u8, u32, i32, u64, RejectReason); 12] = [
        (1, 2, GTC, 100, 10, RejectReason::BadSide),
        (1, 255, 7, 0, 0, RejectReason::BadSide),
        (2, BUY, 2, 100, 10, RejectReason::BadTimeInForce),
        (3, SELL, 9, -1, 0, RejectReason::BadTimeInForce),
        (4, BUY, GTC, 0, 10, RejectReason::NonPositiveTick),
        (5, SELL, IOC, -7, 0, RejectReason::NonPositiveTick),
        (6, BUY, GTC, i32::MIN, 15, RejectReason::NonPositiveTick),
        (7, BUY, GTC, 100, 0, RejectReason::ZeroQuantity),
        (0, SELL, GTC, 100, 0, RejectReason::ZeroQuantity),
        (8, BUY, GTC, 100, 15, RejectReason::QuantityNotLotMultiple),
        (0, SELL, GTC, 100, 7, RejectReason::QuantityNotLotMultiple),
        (0, BUY, GTC, 100, 10, RejectReason::ZeroOrderId),
    ];
    for (id, side, tif, tick, qty, reason) in cases {
        let mut m = Market::new();
        let message = m.place(ALICE, id, side, tif, tick, U256::from(qty));
        let (outcome, sequence) = m.run_plain(message);
        assert_rejected(outcome, reason);
        assert_sequence(&sequence, &[nonce(ALICE), nonce(ALICE)]);
    }
}

#[test]
fn price_and_lock_overflow_rejects_before_any_state_read() {
    // C25 2.1: the C13/C14 arithmetic is part of the stateless phase.
    // price = tick × tickSize overflows (C13).
    let mut m = Market::with_rules(Rules { tick_size: U256::MAX / U256::from(2), ..rules() });
    let message = m.place(ALICE, 1, SELL, GTC, 3, 10u64);
    let (outcome, sequence) = m.run_plain(message);
    assert_rejected(outcome, RejectReason::ArithmeticOverflow);
    assert_sequence(&sequence, &[nonce(ALICE), nonce(ALICE)]);

    // The BUY notional price × qty overflows (C14): 2^31·1e18 × 10·2^200 > 2^256.
    let mut m = Market::new();
    let message = m.place(ALICE, 1, BUY, GTC, i32::MAX, U256::from(10) << 200);
    let (outcome, sequence) = m.run_plain(message);
    assert_rejected(outcome, RejectReason::ArithmeticOverflow);
    assert_sequence(&sequence, &[nonce(ALICE), nonce(ALICE)]);
}

#[test]
fn resting_order_id_is_rejected_after_reading_it() {
    let mut m = Market::new();
    let setup = m.place(BOB, 1, SELL, GTC, 100, 10u64);
    m.setup(vec![setup]);
    let message = m.place(ALICE, 1, BUY, GTC, 90, 10u64);
    let (outcome, sequence) = m.run_plain(message);
    assert_rejected(outcome, RejectReason::OrderIdResting);
    // C25 2.2: r ORDER(orderId); resting → reject.
    assert_sequence(&sequence, &[nonce(ALICE), nonce(ALICE), order(1)]);
}

#[test]
fn insufficient_balance_rejects_after_the_balance_read() {
    // C25 2.3: r BAL(trader, lock asset); insufficient → reject, no write.
    let mut m = Market::new();
    let buy = m.place(ALICE, 2, BUY, GTC, 100, 100_000u64); // notional 10^7 > 10^6 quote
    let (outcome, sequence) = m.run_plain(buy);
    assert_rejected(outcome, RejectReason::InsufficientBalance);
    assert_sequence(&sequence, &[nonce(ALICE), nonce(ALICE), order(2), bal(ALICE, QUOTE)]);

    let sell = m.place(ALICE, 3, SELL, GTC, 100, 2 * FUNDS);
    let (outcome, sequence) = m.run_plain(sell);
    assert_rejected(outcome, RejectReason::InsufficientBalance);
    assert_sequence(&sequence, &[nonce(ALICE), nonce(ALICE), order(3), bal(ALICE, BASE)]);
}

#[test]
fn cancel_of_an_absent_or_foreign_order_reads_only_the_order() {
    // C25 3: r ORDER; absent or another trader's → reject.
    let mut m = Market::new();
    let setup = m.place(BOB, 1, SELL, GTC, 100, 10u64);
    m.setup(vec![setup]);

    let absent = m.cancel(ALICE, 9);
    let (outcome, sequence) = m.run_plain(absent);
    assert_rejected(outcome, RejectReason::OrderNotResting);
    assert_sequence(&sequence, &[nonce(ALICE), nonce(ALICE), order(9)]);

    let foreign = m.cancel(ALICE, 1);
    let (outcome, sequence) = m.run_plain(foreign);
    assert_rejected(outcome, RejectReason::NotOrderOwner);
    assert_sequence(&sequence, &[nonce(ALICE), nonce(ALICE), order(1)]);
}

#[test]
fn max_balance_breach_rejects_before_the_credit_write() {
    // Alice holds 1 000 000 base under a cap of 1 000 005: the fill's base credit of 10 breaches
    // it. C25: a check that fails after a read rejects before that read's write.
    let mut m = Market::with_rules(Rules { max_balance: U256::from(FUNDS + 5), ..rules() });
    let setup = m.place(BOB, 1, SELL, GTC, 100, 10u64);
    m.setup(vec![setup]);
    let message = m.place(ALICE, 2, BUY, GTC, 100, 10u64);
    let (outcome, sequence) = m.run_plain(message);
    assert_rejected(outcome, RejectReason::MaxBalanceExceeded);
    let (aq, ab) = (bal(ALICE, QUOTE), bal(ALICE, BASE));
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        aq, aq,                           // lock
        best(), ask(100), order(1),       // match: best crosses, its tick, the head order
        aq, aq,                           // taker debit
        ab,                               // taker credit: read, cap breached, no write
    ];
    assert_sequence(&sequence, &expected);
}

#[test]
fn tick_total_overflow_rejects_after_the_order_node_writes() {
    // Two SELLs of 2^255 at one tick: the second one's append overflows the tick's totalQty
    // (C16) when its TICK is written, after the ORDERNODE writes that precede it in C25 2.5.
    // node(2) is only written, by a message that is rejected: C25 still needs its proof.
    let mut m = Market::with_rules(Rules { lot_size: U256::from(1), max_balance: U256::MAX, ..rules() });
    let half = U256::from(1) << 255;
    m.fund(ALICE, BASE, half);
    m.fund(BOB, BASE, half);
    let setup = m.place(BOB, 1, SELL, GTC, 100, half);
    m.setup(vec![setup]);
    let message = m.place(ALICE, 2, SELL, GTC, 100, half);
    let (outcome, sequence) = m.run_plain(message);
    assert_rejected(outcome, RejectReason::ArithmeticOverflow);
    let ab = bal(ALICE, BASE);
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        ab, ab,                           // lock
        best(),                           // match: no bid
        ask(100),                         // rest: r TICK, active
        node(1), node(1), node(2),        // r, w ORDERNODE(tail); w ORDERNODE(orderId)
    ];
    assert_sequence(&sequence, &expected);
}

// ---------------------------------------------------------------------------------------------
// Matching (C25 2.4, C15, C16)
// ---------------------------------------------------------------------------------------------

#[test]
fn partial_maker_fill_writes_the_maker_order_back() {
    let mut m = Market::new();
    let setup = m.place(BOB, 1, SELL, GTC, 100, 30u64);
    m.setup(vec![setup]);
    let message = m.place(ALICE, 2, BUY, GTC, 100, 10u64);
    let (outcome, sequence) = m.run_plain(message);
    assert_placed(outcome, 10, 0, 0, 1, false);
    let (aq, ab, bq, bb) = (bal(ALICE, QUOTE), bal(ALICE, BASE), bal(BOB, QUOTE), bal(BOB, BASE));
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        aq, aq,                           // lock 1000 + 3 + 2
        best(), ask(100), order(1),
        aq, aq, ab, ab, bb, bb, bq, bq,   // taker debit, taker credit, maker debit, maker credit
        vault(), vault(),                 // fee 3 > 0
        ask(100),                         // w TICK
        order(1),                         // the maker keeps 20: w ORDER(maker)
        aq, aq,                           // filled: Release(2), no MARKETBEST read
    ];
    assert_sequence(&sequence, &expected);
}

#[test]
fn full_maker_fill_removes_the_maker_and_unlinks_its_tick_as_best() {
    let mut m = Market::new();
    let setup = m.place(BOB, 1, SELL, GTC, 100, 10u64);
    m.setup(vec![setup]);
    let message = m.place(ALICE, 2, BUY, GTC, 100, 10u64);
    let (outcome, sequence) = m.run_plain(message);
    assert_placed(outcome, 10, 0, 0, 1, false);
    let (aq, ab, bq, bb) = (bal(ALICE, QUOTE), bal(ALICE, BASE), bal(BOB, QUOTE), bal(BOB, BASE));
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        aq, aq,
        best(), ask(100), order(1),
        aq, aq, ab, ab, bb, bb, bq, bq,
        vault(), vault(),
        ask(100),
        // Release(maker leftover 0): nothing. RemoveOrder(1): r ORDERNODE, no neighbours,
        node(1),
        ask(100),                         // r TICK: now empty, Unlink:
        best(), best(),                   //   no prev: r, w MARKETBEST; no next
        ask(100),                         //   w TICK (delete)
        order(1), node(1),                // w ORDER, w ORDERNODE (deletes)
        aq, aq,                           // Release(2)
    ];
    assert_sequence(&sequence, &expected);
    assert_eq!(m.value::<MarketBest>(best()).get(Side::Sell), None);
    assert!(!m.state.0.contains_key(&ask(100)));
}

#[test]
fn full_maker_fill_with_a_fifo_successor_keeps_the_tick() {
    let mut m = Market::new();
    let setup = vec![m.place(BOB, 1, SELL, GTC, 100, 10u64), m.place(CAROL, 3, SELL, GTC, 100, 10u64)];
    m.setup(setup);
    let message = m.place(ALICE, 2, BUY, GTC, 100, 10u64);
    let (outcome, sequence) = m.run_plain(message);
    assert_placed(outcome, 10, 0, 0, 1, false);
    let (aq, ab, bq, bb) = (bal(ALICE, QUOTE), bal(ALICE, BASE), bal(BOB, QUOTE), bal(BOB, BASE));
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        aq, aq,
        best(), ask(100), order(1),
        aq, aq, ab, ab, bb, bb, bq, bq,
        vault(), vault(),
        ask(100),
        node(1),                          // RemoveOrder(1)
        node(3), node(3),                 //   next: r, w ORDERNODE(next)
        ask(100), ask(100),               //   r TICK, not empty: w TICK
        order(1), node(1),
        aq, aq,
    ];
    assert_sequence(&sequence, &expected);
}

#[test]
fn filling_the_best_tick_empty_unlinks_it_from_its_worse_neighbour() {
    let mut m = Market::new();
    let setup = vec![m.place(BOB, 1, SELL, GTC, 100, 10u64), m.place(CAROL, 3, SELL, GTC, 110, 10u64)];
    m.setup(setup);
    let message = m.place(ALICE, 2, BUY, GTC, 100, 10u64);
    let (outcome, sequence) = m.run_plain(message);
    assert_placed(outcome, 10, 0, 0, 1, false);
    let (aq, ab, bq, bb) = (bal(ALICE, QUOTE), bal(ALICE, BASE), bal(BOB, QUOTE), bal(BOB, BASE));
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        aq, aq,
        best(), ask(100), order(1),
        aq, aq, ab, ab, bb, bb, bq, bq,
        vault(), vault(),
        ask(100),
        node(1), ask(100),                // RemoveOrder(1): tick now empty, Unlink:
        best(), best(),                   //   no prev: r, w MARKETBEST
        ask(110), ask(110),               //   next: r, w TICK(next)
        ask(100),                         //   w TICK (delete)
        order(1), node(1),
        aq, aq,
    ];
    assert_sequence(&sequence, &expected);
    assert_eq!(m.value::<MarketBest>(best()).get(Side::Sell), Some(110));
}

#[test]
fn buy_maker_leftover_lock_is_released_before_its_removal() {
    // price = tick × 1e16. Bob's BUY of 10 at tick 101 rests with ORDER.locked = ⌈10.1⌉ = 11;
    // Alice's SELL fills it at quoteAmt = ⌊10.1⌋ = 10, leaving 1 locked in the maker order.
    let mut m = Market::with_rules(Rules { tick_size: U256::from(PRICE_SCALE / 100), ..rules() });
    let setup = m.place(BOB, 1, BUY, GTC, 101, 10u64);
    m.setup(vec![setup]);
    let message = m.place(ALICE, 2, SELL, GTC, 101, 10u64);
    let (outcome, sequence) = m.run_plain(message);
    assert_placed(outcome, 10, 0, 0, 1, false);
    let (aq, ab, bq, bb) = (bal(ALICE, QUOTE), bal(ALICE, BASE), bal(BOB, QUOTE), bal(BOB, BASE));
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        ab, ab,                           // SELL locks base
        best(), bid(101), order(1),
        ab, ab, aq, aq, bq, bq, bb, bb,   // taker SELL: debit base, credit quote; maker: debit quote, credit base
        vault(), vault(),                 // fee ⌈10·30/10000⌉ = 1
        bid(101),
        bq, bq,                           // Release(maker leftover 1)
        node(1), bid(101), best(), best(), bid(101), order(1), node(1),
        // filled: Release(lock left 0) touches nothing
    ];
    assert_sequence(&sequence, &expected);
}

#[test]
fn zero_fee_skips_the_fee_vault_but_zero_legs_are_still_accessed() {
    // No taker fee, price = tick × 1e16: a fill of 10 at tick 1 has quoteAmt ⌊0.1⌋ = 0.
    let mut m = Market::with_rules(Rules { tick_size: U256::from(PRICE_SCALE / 100), taker_fee_bps: 0, ..rules() });
    let setup = m.place(BOB, 1, SELL, GTC, 1, 10u64);
    m.setup(vec![setup]);
    let message = m.place(ALICE, 2, BUY, GTC, 1, 10u64);
    let (outcome, sequence) = m.run_plain(message);
    assert_placed(outcome, 10, 0, 0, 1, false);
    let (aq, ab, bq, bb) = (bal(ALICE, QUOTE), bal(ALICE, BASE), bal(BOB, QUOTE), bal(BOB, BASE));
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        aq, aq,                           // lock ⌈0.1⌉ = 1, no reserve without a fee
        best(), ask(1), order(1),
        aq, aq, ab, ab, bb, bb, bq, bq,   // every leg, also the quote legs of 0
        ask(1),                           // fee 0: no FEEVAULT access
        node(1), ask(1), best(), best(), ask(1), order(1), node(1),
        aq, aq,                           // Release(1)
    ];
    assert_sequence(&sequence, &expected);
}

// ---------------------------------------------------------------------------------------------
// Remainder (C25 2.5, C17)
// ---------------------------------------------------------------------------------------------

#[test]
fn ioc_remainder_is_released_without_reading_the_best() {
    // Nothing crosses: the match loop reads MARKETBEST once, then IOC releases the whole lock.
    let mut m = Market::new();
    let setup = m.place(BOB, 1, SELL, GTC, 100, 10u64);
    m.setup(vec![setup]);
    let message = m.place(ALICE, 2, BUY, IOC, 90, 10u64);
    let (outcome, sequence) = m.run_plain(message);
    assert_placed(outcome, 0, 0, 10, 0, false);
    let aq = bal(ALICE, QUOTE);
    assert_sequence(&sequence, &[nonce(ALICE), nonce(ALICE), order(2), aq, aq, best(), aq, aq]);

    // One fill, the book empties, the loop's next MARKETBEST read stops it; IOC releases.
    let mut m = Market::new();
    let setup = m.place(BOB, 1, SELL, GTC, 100, 10u64);
    m.setup(vec![setup]);
    let message = m.place(ALICE, 2, BUY, IOC, 100, 20u64);
    let (outcome, sequence) = m.run_plain(message);
    assert_placed(outcome, 10, 0, 10, 1, false);
    let (ab, bq, bb) = (bal(ALICE, BASE), bal(BOB, QUOTE), bal(BOB, BASE));
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        aq, aq,
        best(), ask(100), order(1),
        aq, aq, ab, ab, bb, bb, bq, bq,
        vault(), vault(),
        ask(100),
        node(1), ask(100), best(), best(), ask(100), order(1), node(1),
        best(),                           // loop: 10 left, 1 fill < 2: no ask, stop
        aq, aq,                           // IOC: Release(rest), no second MARKETBEST read
    ];
    assert_sequence(&sequence, &expected);
}

#[test]
fn match_cap_with_the_book_still_crossing_cancels_the_remainder() {
    let mut m = Market::new();
    let setup = vec![
        m.place(BOB, 1, SELL, GTC, 100, 10u64),
        m.place(BOB, 3, SELL, GTC, 100, 10u64),
        m.place(BOB, 4, SELL, GTC, 100, 10u64),
    ];
    m.setup(setup);
    let message = m.place(ALICE, 2, BUY, GTC, 100, 30u64);
    let (outcome, sequence) = m.run_plain(message);
    assert_placed(outcome, 20, 0, 10, 2, false);
    let (aq, ab, bq, bb) = (bal(ALICE, QUOTE), bal(ALICE, BASE), bal(BOB, QUOTE), bal(BOB, BASE));
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        aq, aq,
        // fill 1 against order 1, whose FIFO successor is 3
        best(), ask(100), order(1),
        aq, aq, ab, ab, bb, bb, bq, bq,
        vault(), vault(),
        ask(100),
        node(1), node(3), node(3), ask(100), ask(100), order(1), node(1),
        // fill 2 against order 3, whose FIFO successor is 4
        best(), ask(100), order(3),
        aq, aq, ab, ab, bb, bb, bq, bq,
        vault(), vault(),
        ask(100),
        node(3), node(4), node(4), ask(100), ask(100), order(3), node(3),
        // 2 fills = maxMatchesPerOrder: the loop ends without a read; GTC at the cap:
        best(),                           // r MARKETBEST: ask 100 still crosses
        aq, aq,                           // Release(rest of the lock), stop
    ];
    assert_sequence(&sequence, &expected);
}

#[test]
fn match_cap_with_the_book_no_longer_crossing_rests_the_remainder() {
    let mut m = Market::new();
    let setup = vec![m.place(BOB, 1, SELL, GTC, 100, 10u64), m.place(BOB, 3, SELL, GTC, 100, 10u64)];
    m.setup(setup);
    let message = m.place(ALICE, 2, BUY, GTC, 100, 30u64);
    let (outcome, sequence) = m.run(message, hints(None, None));
    assert_placed(outcome, 20, 10, 0, 2, true);
    let (aq, ab, bq, bb) = (bal(ALICE, QUOTE), bal(ALICE, BASE), bal(BOB, QUOTE), bal(BOB, BASE));
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        aq, aq,
        best(), ask(100), order(1),
        aq, aq, ab, ab, bb, bb, bq, bq,
        vault(), vault(),
        ask(100),
        node(1), node(3), node(3), ask(100), ask(100), order(1), node(1),
        best(), ask(100), order(3),
        aq, aq, ab, ab, bb, bb, bq, bq,
        vault(), vault(),
        ask(100),
        node(3), ask(100), best(), best(), ask(100), order(3), node(3),
        best(),                           // at the cap: r MARKETBEST, no ask left
        aq, aq,                           // rest: Release(lock left − ORDER.locked) = 5
        bid(100),                         // r TICK(tickIndex): not active
        best(),                           // no prev hint: r MARKETBEST; no next hint
        best(), best(),                   // link: no prev hint: r, w MARKETBEST
        bid(100), order(2),               // w TICK(tickIndex), w ORDER(orderId)
    ];
    assert_sequence(&sequence, &expected);
}

#[test]
fn rest_at_an_active_tick_appends_at_its_tail() {
    // SELL: the lock equals ORDER.locked, so nothing is released before the append.
    let mut m = Market::new();
    let setup = m.place(BOB, 1, SELL, GTC, 100, 10u64);
    m.setup(vec![setup]);
    let message = m.place(ALICE, 2, SELL, GTC, 100, 10u64);
    let (outcome, sequence) = m.run_plain(message);
    assert_placed(outcome, 0, 10, 0, 0, false);
    let ab = bal(ALICE, BASE);
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        ab, ab,
        best(),                           // match: no bid; 0 fills: no second read
        ask(100),                         // r TICK: active
        node(1), node(1), node(2),        // r, w ORDERNODE(tail), w ORDERNODE(orderId)
        ask(100), order(2),               // w TICK, w ORDER(orderId)
    ];
    assert_sequence(&sequence, &expected);

    // BUY: the reserve (⌈900·30/10000⌉ + 2 = 5) is released first.
    let mut m = Market::new();
    let setup = m.place(BOB, 1, BUY, GTC, 90, 10u64);
    m.setup(vec![setup]);
    let message = m.place(ALICE, 2, BUY, GTC, 90, 10u64);
    let (outcome, sequence) = m.run_plain(message);
    assert_placed(outcome, 0, 10, 0, 0, false);
    let aq = bal(ALICE, QUOTE);
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        aq, aq,
        best(),
        aq, aq,                           // Release(5)
        bid(90), node(1), node(1), node(2), bid(90), order(2),
    ];
    assert_sequence(&sequence, &expected);
}

#[test]
fn rest_at_a_new_tick_without_hints_becomes_the_best() {
    let mut m = Market::new();
    let message = m.place(ALICE, 2, SELL, GTC, 100, 10u64);
    let (outcome, sequence) = m.run(message, hints(None, None));
    assert_placed(outcome, 0, 10, 0, 0, true);
    let ab = bal(ALICE, BASE);
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        ab, ab,
        best(),
        ask(100),                         // r TICK(tickIndex): not active
        best(),                           // check: no prev hint: r MARKETBEST
        best(), best(),                   // link: r, w MARKETBEST (a lone order has no ORDERNODE)
        ask(100), order(2),
    ];
    assert_sequence(&sequence, &expected);
    assert_eq!(m.value::<MarketBest>(best()).get(Side::Sell), Some(100));
}

#[test]
fn rest_at_a_new_tick_with_only_a_next_hint() {
    let mut m = Market::new();
    let setup = m.place(BOB, 1, SELL, GTC, 110, 10u64);
    m.setup(vec![setup]);
    let message = m.place(ALICE, 2, SELL, GTC, 100, 10u64);
    let (outcome, sequence) = m.run(message, hints(None, Some(110)));
    assert_placed(outcome, 0, 10, 0, 0, true);
    let ab = bal(ALICE, BASE);
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        ab, ab,
        best(),
        ask(100),
        best(),                           // check: no prev hint: r MARKETBEST
        ask(110),                         // check: r TICK(next)
        best(), best(),                   // link: r, w MARKETBEST
        ask(110),                         // w TICK(next), no second read
        ask(100), order(2),
    ];
    assert_sequence(&sequence, &expected);
}

#[test]
fn rest_at_a_new_tick_with_only_a_prev_hint() {
    let mut m = Market::new();
    let setup = m.place(BOB, 1, SELL, GTC, 100, 10u64);
    m.setup(vec![setup]);
    let message = m.place(ALICE, 2, SELL, GTC, 110, 10u64);
    let (outcome, sequence) = m.run(message, hints(Some(100), None));
    assert_placed(outcome, 0, 10, 0, 0, true);
    let ab = bal(ALICE, BASE);
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        ab, ab,
        best(),
        ask(110),
        ask(100),                         // check: r TICK(prev)
        ask(100),                         // link: w TICK(prev), no second read
        ask(110), order(2),
    ];
    assert_sequence(&sequence, &expected);

    // The same on the bid side, where the better neighbour is the higher tick; the BUY
    // releases its reserve before resting.
    let mut m = Market::new();
    let setup = m.place(BOB, 1, BUY, GTC, 100, 10u64);
    m.setup(vec![setup]);
    let message = m.place(ALICE, 2, BUY, GTC, 90, 10u64);
    let (outcome, sequence) = m.run(message, hints(Some(100), None));
    assert_placed(outcome, 0, 10, 0, 0, true);
    let aq = bal(ALICE, QUOTE);
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        aq, aq, best(), aq, aq,
        bid(90), bid(100), bid(100), bid(90), order(2),
    ];
    assert_sequence(&sequence, &expected);
}

#[test]
fn rest_at_a_new_tick_between_two_hints() {
    let mut m = Market::new();
    let setup = vec![m.place(BOB, 1, SELL, GTC, 100, 10u64), m.place(BOB, 3, SELL, GTC, 120, 10u64)];
    m.setup(setup);
    let message = m.place(ALICE, 2, SELL, GTC, 110, 10u64);
    let (outcome, sequence) = m.run(message, hints(Some(100), Some(120)));
    assert_placed(outcome, 0, 10, 0, 0, true);
    let ab = bal(ALICE, BASE);
    #[rustfmt::skip]
    let expected = [
        nonce(ALICE), nonce(ALICE), order(2),
        ab, ab,
        best(),
        ask(110),
        ask(100), ask(120),               // checks: r TICK(prev), r TICK(next)
        ask(100), ask(120),               // link: w TICK(prev), w TICK(next)
        ask(110), order(2),
    ];
    assert_sequence(&sequence, &expected);
}

// ---------------------------------------------------------------------------------------------
// Cancel (C25 3, C18)
// ---------------------------------------------------------------------------------------------

#[test]
fn cancel_of_a_middle_order_relinks_both_fifo_neighbours() {
    let mut m = Market::new();
    let setup = vec![
        m.place(BOB, 1, SELL, GTC, 100, 10u64),
        m.place(BOB, 3, SELL, GTC, 100, 20u64),
        m.place(BOB, 4, SELL, GTC, 100, 10u64),
    ];
    m.setup(setup);
    let message = m.cancel(BOB, 3);
    let (outcome, sequence) = m.run_plain(message);
    assert_eq!(outcome, MessageOutcome::Cancelled { released: U256::from(20), remaining: U256::from(20) });
    let bb = bal(BOB, BASE);
    #[rustfmt::skip]
    let expected = [
        nonce(BOB), nonce(BOB), order(3),
        node(3),                          // RemoveOrder(3)
        node(1), node(1),                 //   prev: r, w ORDERNODE(prev)
        node(4), node(4),                 //   next: r, w ORDERNODE(next)
        ask(100), ask(100),               //   r TICK, not empty: w TICK
        order(3), node(3),                //   deletes
        bb, bb,                           // Release(20 base)
    ];
    assert_sequence(&sequence, &expected);
}

#[test]
fn cancel_unlinks_a_tick_between_two_neighbours() {
    let mut m = Market::new();
    let setup = vec![
        m.place(BOB, 1, SELL, GTC, 100, 10u64),
        m.place(BOB, 3, SELL, GTC, 110, 10u64),
        m.place(BOB, 4, SELL, GTC, 120, 10u64),
    ];
    m.setup(setup);
    let message = m.cancel(BOB, 3);
    let (outcome, sequence) = m.run_plain(message);
    assert!(outcome.is_accepted());
    let bb = bal(BOB, BASE);
    #[rustfmt::skip]
    let expected = [
        nonce(BOB), nonce(BOB), order(3),
        node(3), ask(110),                // RemoveOrder(3): tick now empty, Unlink(110):
        ask(100), ask(100),               //   prev: r, w TICK(prev)
        ask(120), ask(120),               //   next: r, w TICK(next)
        ask(110),                         //   w TICK (delete)
        order(3), node(3),
        bb, bb,
    ];
    assert_sequence(&sequence, &expected);
}

#[test]
fn cancel_unlinks_the_worst_tick() {
    let mut m = Market::new();
    let setup = vec![m.place(BOB, 1, SELL, GTC, 100, 10u64), m.place(BOB, 3, SELL, GTC, 110, 10u64)];
    m.setup(setup);
    let message = m.cancel(BOB, 3);
    let (outcome, sequence) = m.run_plain(message);
    assert!(outcome.is_accepted());
    let bb = bal(BOB, BASE);
    #[rustfmt::skip]
    let expected = [
        nonce(BOB), nonce(BOB), order(3),
        node(3), ask(110),
        ask(100), ask(100),               // prev only
        ask(110), order(3), node(3),
        bb, bb,
    ];
    assert_sequence(&sequence, &expected);
}

#[test]
fn cancel_of_the_only_bid_clears_the_best_bid() {
    // Bob's BUY of 10 at 100 rests with ORDER.locked = 1000 quote.
    let mut m = Market::new();
    let setup = m.place(BOB, 1, BUY, GTC, 100, 10u64);
    m.setup(vec![setup]);
    let message = m.cancel(BOB, 1);
    let (outcome, sequence) = m.run_plain(message);
    assert_eq!(outcome, MessageOutcome::Cancelled { released: U256::from(1000), remaining: U256::from(10) });
    let bq = bal(BOB, QUOTE);
    #[rustfmt::skip]
    let expected = [
        nonce(BOB), nonce(BOB), order(1),
        node(1), bid(100),
        best(), best(),                   // no prev: r, w MARKETBEST
        bid(100), order(1), node(1),
        bq, bq,                           // Release(1000 quote)
    ];
    assert_sequence(&sequence, &expected);
    assert_eq!(m.value::<MarketBest>(best()), MarketBest::default());
}

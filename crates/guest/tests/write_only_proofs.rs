//! C25: every key in the touched log needs a proof, "including a key that is only written, and
//! including keys touched by a message that is later rejected". A rejected message's writes
//! are dropped, so without a check at the write itself such a key would never meet the
//! witness; the guest must still refuse a blob that lacks its proof (`missing_proof`, C11).
//!
//! The write-only key here is the ORDERNODE of a Place appended at an active tick (C25 2.5:
//! `w ORDERNODE(orderId)` with no read before it). Batches are built by the host builder,
//! which proves exactly the touched keys; the test then drops that one proof.

use alloy_primitives::{Address, B256, U256};
use numo_guest::GuestInput;
use numo_host::{build_batch, BuiltBatch, FullState};
use numo_stf::exec::RejectReason;
use numo_stf::keys::{balance_key, order_node_key};
use numo_stf::limits::PRICE_SCALE;
use numo_stf::signature::{secret_key_address, sign_digest};
use numo_stf::values::{Balance, StateValue};
use numo_stf::{BatchError, MarketContext, Message, MessageOutcome, Place, Rules, SignedMessage, StateError};
use secp256k1::SecretKey;

const SELL: u8 = 1;
const GTC: u32 = 0;

/// A market with `lotSize` 1 and no balance cap, so that two SELLs of 2^255 at one tick can
/// overflow the tick's `totalQty` (C16).
fn context() -> MarketContext {
    let rules = Rules {
        base_asset: B256::new([0xba; 32]),
        quote_asset: B256::new([0x9e; 32]),
        price_scale: U256::from(PRICE_SCALE),
        tick_size: U256::from(PRICE_SCALE),
        lot_size: U256::from(1),
        taker_fee_bps: 30,
        maker_fee_bps: 0,
        max_orders_per_batch: 16,
        max_matches_per_order: 8,
        max_balance: U256::MAX,
    };
    MarketContext { chain_id: 1, venue_id: B256::new([0x5e; 32]), market_id: B256::new([0x4d; 32]), rules }
}

struct Trader {
    key: SecretKey,
    address: Address,
}

fn trader(seed: u8) -> Trader {
    let key = SecretKey::from_secret_bytes([seed; 32]).unwrap();
    Trader { address: secret_key_address(&key), key }
}

fn sell(ctx: &MarketContext, trader: &Trader, id: u8, qty: U256) -> SignedMessage {
    let message = Message::Place(Place {
        trader: trader.address,
        nonce: 0,
        order_id: B256::with_last_byte(id),
        side: SELL,
        tif: GTC,
        tick: 100,
        qty,
    });
    SignedMessage { message, signature: sign_digest(&trader.key, &message.hash(&ctx.domain_separator())) }
}

/// Bob rests a SELL of `qty` at tick 100, then Alice appends a SELL of `qty` at that tick.
fn two_sells_at_one_tick(qty: U256) -> (MarketContext, BuiltBatch, B256) {
    let ctx = context();
    let (alice, bob) = (trader(0xa1), trader(0xb0));
    let funds = Balance { available: qty, locked: U256::ZERO }.encode();
    let mut state = FullState::from_entries([
        (balance_key(&alice.address, &ctx.rules.base_asset), funds.clone()),
        (balance_key(&bob.address, &ctx.rules.base_asset), funds),
    ]);
    let messages = vec![sell(&ctx, &bob, 1, qty), sell(&ctx, &alice, 2, qty)];
    let built = build_batch(&mut state, &ctx, 1, 0, messages).expect("the batch is valid");
    let alice_node = order_node_key(&ctx.market_id, &B256::with_last_byte(2));
    (ctx, built, alice_node)
}

/// Runs the guest on `blob` without the proof of `key`.
fn run_without_proof_of(blob: &[u8], key: &B256) -> Result<numo_guest::GuestOutput, BatchError> {
    let mut input = GuestInput::decode(blob).unwrap();
    let before = input.proofs.len();
    input.proofs.retain(|proof| proof.key != *key);
    assert_eq!(input.proofs.len(), before - 1, "the builder proved {key}");
    numo_guest::run(&input.encode())
}

#[test]
fn write_only_key_of_a_rejected_message_needs_a_proof() {
    let (_, built, alice_node) = two_sells_at_one_tick(U256::from(1) << 255);
    // The fixture does what the test relies on: Alice's Place is rejected (totalQty overflow),
    // after it wrote its ORDERNODE, which nothing reads and whose write was rolled back.
    assert!(built.report.outcomes[0].is_accepted());
    assert_eq!(built.report.outcomes[1], MessageOutcome::Rejected(RejectReason::ArithmeticOverflow));
    assert!(built.report.touched.keys().unwrap().contains(&alice_node));
    assert!(!built.writes.contains_key(&alice_node));
    // With every proof the guest agrees with the builder.
    assert_eq!(numo_guest::run(&built.blob).unwrap().public_inputs, built.public_inputs);

    let error = run_without_proof_of(&built.blob, &alice_node).expect_err("the guest must refuse the blob");
    assert_eq!(error, BatchError::State(StateError::MissingWitness { key: alice_node }));
    assert_eq!(error.code(), "missing_proof");
}

#[test]
fn write_only_key_of_an_accepted_message_needs_a_proof() {
    // The same two Places with quantities that fit: Alice's is appended and accepted.
    let (_, built, alice_node) = two_sells_at_one_tick(U256::from(10));
    assert!(built.report.outcomes.iter().all(MessageOutcome::is_accepted));
    assert!(built.writes.get(&alice_node).is_some_and(Option::is_some));
    assert_eq!(numo_guest::run(&built.blob).unwrap().public_inputs, built.public_inputs);

    let error = run_without_proof_of(&built.blob, &alice_node).expect_err("the guest must refuse the blob");
    assert_eq!(error, BatchError::State(StateError::MissingWitness { key: alice_node }));
}

//! Fair order and proposal validity (docs/PROTOCOL.md K2, K3): an honest proposer's canonical
//! order passes and executes without a drop; every other order of the same messages, a forged
//! signature, a nonce gap or repeat, a wrong parent, height or time is refused with its code.

use alloy_primitives::{Address, B256, U256};
use numo_chain::order::{canonical_order, priority, sort_canonical};
use numo_chain::{
    execute_block, validate_value, BlockOptions, BlockValue, ChainTip, ClobEntry, Entry, Proposal, ProposalError,
    ValidationRules, Venue,
};
use numo_core::signature::{secret_key_address, sign_digest};
use numo_funding::{Deposit, FundingMessage};
use numo_host::FullState;
use numo_stf::keys::balance_key;
use numo_stf::limits::PRICE_SCALE;
use numo_stf::values::{Balance, StateValue};
use numo_stf::{Cancel, MarketContext, Message, Place, Rules, Signature, SignedMessage};
use proptest::prelude::*;
use secp256k1::SecretKey;

const BASE: B256 = B256::new([0xba; 32]);
const QUOTE: B256 = B256::new([0x0c; 32]);
const TRADERS: usize = 4;
const NOW: u64 = 1_700_000_000_000;

fn market(id: u8) -> MarketContext {
    let rules = Rules {
        base_asset: BASE,
        quote_asset: QUOTE,
        price_scale: U256::from(PRICE_SCALE),
        tick_size: U256::from(PRICE_SCALE),
        lot_size: U256::from(1),
        taker_fee_bps: 30,
        maker_fee_bps: 0,
        max_orders_per_batch: 64,
        max_matches_per_order: 8,
        max_balance: U256::from(u64::MAX),
    };
    MarketContext { chain_id: 7, venue_id: B256::repeat_byte(0x5e), market_id: B256::repeat_byte(id), rules }
}

struct World {
    venue: Venue,
    keys: Vec<SecretKey>,
    traders: Vec<Address>,
    state: FullState,
    tip: ChainTip,
}

impl World {
    fn new() -> Self {
        let keys: Vec<SecretKey> =
            (0..TRADERS).map(|i| SecretKey::from_secret_bytes([i as u8 + 1; 32]).unwrap()).collect();
        let traders: Vec<Address> = keys.iter().map(secret_key_address).collect();
        let funds = Balance { available: U256::from(1_000_000u64), locked: U256::ZERO }.encode();
        let state = FullState::from_entries(
            traders
                .iter()
                .flat_map(|t| [(balance_key(t, &BASE), funds.clone()), (balance_key(t, &QUOTE), funds.clone())]),
        );
        let tip = ChainTip { timestamp_ms: NOW - 100, ..ChainTip::genesis(state.root()) };
        Self { venue: Venue::new([market(0x4d), market(0x4e)]), keys, traders, state, tip }
    }

    fn sign(&self, trader: usize, market: u8, message: Message) -> ClobEntry {
        let ctx = self.venue.market(&B256::repeat_byte(market)).unwrap();
        let signature = sign_digest(&self.keys[trader], &message.hash(&ctx.domain_separator()));
        ClobEntry { market_id: ctx.market_id, signed: SignedMessage { message, signature } }
    }

    fn place(&self, trader: usize, market: u8, nonce: u64, side: u8, tick: i32) -> ClobEntry {
        let order_id = B256::left_padding_from(&[trader as u8 + 1, market, nonce as u8]);
        let message = Message::Place(Place {
            trader: self.traders[trader],
            nonce,
            order_id,
            side,
            tif: 0,
            tick,
            qty: U256::from(2),
        });
        self.sign(trader, market, message)
    }

    fn cancel(&self, trader: usize, market: u8, nonce: u64, order_nonce: u64) -> ClobEntry {
        let order_id = B256::left_padding_from(&[trader as u8 + 1, market, order_nonce as u8]);
        self.sign(trader, market, Message::Cancel(Cancel { trader: self.traders[trader], nonce, order_id }))
    }

    fn value(&self, entries: Vec<ClobEntry>) -> BlockValue {
        BlockValue {
            parent_hash: self.tip.hash,
            proposal: Proposal {
                height: 1,
                timestamp_ms: NOW,
                entries: entries.into_iter().map(Entry::Clob).collect(),
            },
        }
    }

    fn check(&self, value: &BlockValue) -> Result<(), ProposalError> {
        let rules = ValidationRules { now_ms: Some(NOW), max_entries: 64, funding_allowed: false };
        // The genesis state holds no nonces: every (trader, market) starts at 0 (C9).
        validate_value(&self.venue, &self.tip, value, rules, |_, _| 0, |_| false)
    }
}

/// A mixed set: two traders' places on both sides, a trader whose place precedes its own cancel,
/// and a lone cancel.
fn mixed(world: &World) -> Vec<ClobEntry> {
    vec![
        world.place(0, 0x4d, 0, 0, 100),
        world.place(1, 0x4d, 0, 1, 100),
        world.place(0, 0x4d, 1, 0, 99),
        world.cancel(0, 0x4d, 2, 0),
        world.place(2, 0x4e, 0, 1, 101),
        world.cancel(3, 0x4d, 0, 9),
        world.place(1, 0x4e, 0, 0, 101),
    ]
}

#[test]
fn cancels_go_first_unless_the_traders_own_nonce_order_says_otherwise() {
    let world = World::new();
    let sorted = sort_canonical(&world.venue, &world.tip.hash, mixed(&world)).unwrap();
    // Trader 3's cancel has nothing before it in its queue: it leads.
    assert!(matches!(sorted[0].signed.message, Message::Cancel(c) if c.trader == world.traders[3]));
    // Trader 0's cancel (nonce 2) must follow its places (nonces 0, 1), whatever its priority.
    let position = |trader: usize, nonce: u64| {
        sorted
            .iter()
            .position(|e| e.signed.message.trader() == world.traders[trader] && e.signed.message.nonce() == nonce)
            .unwrap()
    };
    assert!(position(0, 0) < position(0, 1) && position(0, 1) < position(0, 2));
    // Places of different queues are sorted by keccak(msgHash ‖ parentHash) when both are heads.
    let heads: Vec<(u8, B256)> = [(1, 0x4d), (2, 0x4e), (1, 0x4e)]
        .iter()
        .map(|&(trader, market)| {
            let e = sorted
                .iter()
                .find(|e| {
                    e.signed.message.trader() == world.traders[trader] && e.market_id == B256::repeat_byte(market)
                })
                .unwrap();
            let ctx = world.venue.market(&e.market_id).unwrap();
            priority(&e.signed.message, &e.signed.message.hash(&ctx.domain_separator()), &world.tip.hash)
        })
        .collect();
    let mut by_priority = heads.clone();
    by_priority.sort();
    let order_of = |p: &(u8, B256)| heads.iter().position(|h| h == p).unwrap();
    let positions: Vec<usize> = [(1usize, 0x4du8), (2, 0x4e), (1, 0x4e)]
        .iter()
        .map(|&(t, m)| {
            sorted
                .iter()
                .position(|e| e.signed.message.trader() == world.traders[t] && e.market_id == B256::repeat_byte(m))
                .unwrap()
        })
        .collect();
    let mut expected_positions = positions.clone();
    expected_positions.sort();
    for (rank, p) in by_priority.iter().enumerate() {
        assert_eq!(positions[order_of(p)], expected_positions[rank]);
    }
    assert_eq!(world.check(&world.value(sorted)), Ok(()));
}

#[test]
fn the_order_changes_with_the_parent_and_no_one_chooses_it() {
    let world = World::new();
    let entries: Vec<ClobEntry> = (0..TRADERS).map(|t| world.place(t, 0x4d, 0, (t % 2) as u8, 100)).collect();
    let orders: std::collections::BTreeSet<Vec<usize>> =
        (0u8..16).map(|parent| canonical_order(&world.venue, &B256::repeat_byte(parent), &entries).unwrap()).collect();
    assert!(orders.len() > 1, "sixteen parents gave one order: the parent does not enter the priority");
}

#[test]
fn a_validator_refuses_every_broken_proposal_with_its_code() {
    let world = World::new();
    let sorted = sort_canonical(&world.venue, &world.tip.hash, mixed(&world)).unwrap();
    let code = |value: &BlockValue| world.check(value).map_err(|e| e.code());

    // Reordering two independent heads is front-running: refused.
    let mut swapped = sorted.clone();
    let (a, b) = (sorted.len() - 2, sorted.len() - 1);
    assert_ne!(sorted[a].signed.message.trader(), sorted[b].signed.message.trader());
    swapped.swap(a, b);
    assert_eq!(code(&world.value(swapped)), Err("unfair_order"));

    // A forged signature.
    let mut forged = sorted.clone();
    forged[1].signed.signature = Signature([7; 65]);
    assert_eq!(code(&world.value(forged)), Err("bad_signature"));
    let mut other_signer = sorted.clone();
    let message = other_signer[1].signed.message;
    let ctx = world.venue.market(&other_signer[1].market_id).unwrap();
    other_signer[1].signed.signature = sign_digest(&world.keys[3], &message.hash(&ctx.domain_separator()));
    if message.trader() != world.traders[3] {
        assert_eq!(code(&world.value(other_signer)), Err("bad_signature"));
    }

    // A nonce gap and a repeated nonce.
    let gap = vec![world.place(0, 0x4d, 1, 0, 100)];
    assert_eq!(code(&world.value(gap)), Err("bad_nonce"));
    let twice = vec![world.place(0, 0x4d, 0, 0, 100), world.place(0, 0x4d, 0, 1, 100)];
    assert_eq!(code(&world.value(twice)), Err("duplicate_nonce"));

    // Parent, height, time.
    let mut value = world.value(sorted.clone());
    value.parent_hash = B256::repeat_byte(1);
    assert_eq!(code(&value), Err("wrong_parent"));
    let mut value = world.value(sorted.clone());
    value.proposal.height = 2;
    assert_eq!(code(&value), Err("wrong_height"));
    let mut value = world.value(sorted.clone());
    value.proposal.timestamp_ms = world.tip.timestamp_ms - 1;
    assert_eq!(code(&value), Err("timestamp_backwards"));
    let mut value = world.value(sorted.clone());
    value.proposal.timestamp_ms = NOW + 1_001;
    assert_eq!(code(&value), Err("clock_drift"));
    // A synced value (no clock reading) is not drift-checked.
    let synced = ValidationRules { now_ms: None, max_entries: 64, funding_allowed: false };
    assert_eq!(validate_value(&world.venue, &world.tip, &value, synced, |_, _| 0, |_| false), Ok(()));

    // Size, markets, funding.
    let tight = ValidationRules { now_ms: Some(NOW), max_entries: 2, funding_allowed: false };
    let err =
        validate_value(&world.venue, &world.tip, &world.value(sorted.clone()), tight, |_, _| 0, |_| false).unwrap_err();
    assert_eq!(err.code(), "too_many_entries");
    let mut unknown = vec![world.place(0, 0x4d, 0, 0, 100)];
    unknown[0].market_id = B256::repeat_byte(0x99);
    assert_eq!(code(&world.value(unknown)), Err("unknown_market"));
    let mut value = world.value(sorted);
    let deposit =
        Deposit { index: 0, asset_id: BASE, from: Address::ZERO, to: world.traders[0], amount: U256::from(1) };
    value.proposal.entries.insert(0, Entry::Funding(FundingMessage::Deposit(deposit)));
    assert_eq!(code(&value), Err("funding_unavailable"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// For any set of messages, the canonical order validates and executes with nothing dropped
    /// and one global index per message; any other order of the same set is refused.
    #[test]
    fn canonical_blocks_validate_and_drop_nothing(
        plan in proptest::collection::vec((0..TRADERS, any::<bool>(), 0u8..3, 95i32..105), 1..24),
        swap in (0usize..24, 0usize..24),
    ) {
        let mut world = World::new();
        let mut nonces = [[0u64; 2]; TRADERS];
        let entries: Vec<ClobEntry> = plan
            .iter()
            .map(|&(trader, second_market, kind, tick)| {
                let m = usize::from(second_market);
                let market = if second_market { 0x4e } else { 0x4d };
                let nonce = nonces[trader][m];
                nonces[trader][m] += 1;
                if kind == 0 && nonce > 0 {
                    world.cancel(trader, market, nonce, nonce - 1)
                } else {
                    world.place(trader, market, nonce, kind % 2, tick)
                }
            })
            .collect();
        let sorted = sort_canonical(&world.venue, &world.tip.hash, entries).unwrap();
        let value = world.value(sorted.clone());
        prop_assert_eq!(world.check(&value), Ok(()));
        let output = execute_block(&world.venue, &mut world.state, &world.tip, &value.proposal, BlockOptions::ADMITTED).unwrap();
        prop_assert!(output.dropped.is_empty());
        prop_assert_eq!(output.tip.next_global_index as usize, sorted.len());

        let (a, b) = (swap.0 % sorted.len(), swap.1 % sorted.len());
        let mut reordered = sorted.clone();
        reordered.swap(a, b);
        if reordered != sorted {
            let code = world.check(&world.value(reordered)).unwrap_err().code();
            // Swapping inside one trader's queue breaks its nonce order; across queues, the fair order.
            prop_assert!(code == "unfair_order" || code == "bad_nonce", "{}", code);
        }
    }
}

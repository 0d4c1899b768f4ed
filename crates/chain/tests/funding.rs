//! Funding batches in the block function (F8): they run before the block's CLOB batches, take
//! the block's first `batchSeq`s and global indexes, are covered by the header's batchesRoot in
//! execution order, and a batch-invalid funding chunk is dropped whole without consuming a
//! `batchSeq`. A property checks that funding and trading together conserve value: per asset,
//! balances + fee vaults + withdrawal records always equal genesis + deposits.

use alloy_primitives::{Address, B256, U256};
use numo_chain::{execute_block, BlockHeader, BlockOptions, BlockOutput, ChainTip, Entry, Proposal, Venue};
use numo_core::signature::{secret_key_address, sign_digest};
use numo_funding::{Deposit, ForcedWithdrawal, FundingMessage, FundingOutcome, SignedWithdraw, Withdraw};
use numo_host::{witness, FullState};
use numo_stf::keys::{balance_key, fee_vault_key};
use numo_stf::limits::PRICE_SCALE;
use numo_stf::values::{Balance, FeeVault, StateValue};
use numo_stf::{MarketContext, Message, Place, Rules, SignedMessage};
use proptest::prelude::*;
use secp256k1::SecretKey;
use std::collections::BTreeMap;

const BASE: B256 = B256::new([0xba; 32]);
const QUOTE: B256 = B256::new([0x0c; 32]);
/// No market lists it: deposits of it are refunded.
const OTHER: B256 = B256::new([0xee; 32]);
const ASSETS: [B256; 3] = [BASE, QUOTE, OTHER];
const L1: Address = Address::new([0xf0; 20]);
const CAP: u64 = 1_000_000;
const GENESIS_FUNDS: u64 = 10_000;
const TRADERS: usize = 3;

/// A dev-like market (price = tick, lots of 1, 30 bps taker fee) whose traders the test signs
/// for, with a cap small enough that deposits can pass it.
fn market() -> MarketContext {
    let rules = Rules {
        base_asset: BASE,
        quote_asset: QUOTE,
        price_scale: U256::from(PRICE_SCALE),
        tick_size: U256::from(PRICE_SCALE),
        lot_size: U256::from(1),
        taker_fee_bps: 30,
        maker_fee_bps: 0,
        max_orders_per_batch: 16,
        max_matches_per_order: 8,
        max_balance: U256::from(CAP),
    };
    MarketContext { chain_id: 1, venue_id: B256::repeat_byte(0x5e), market_id: B256::repeat_byte(0x4d), rules }
}

/// Signs for the traders and keeps their market and funding nonces, deposit and forced queue
/// positions and order ids.
struct World {
    ctx: MarketContext,
    venue: Venue,
    keys: Vec<SecretKey>,
    traders: Vec<Address>,
    clob_nonces: Vec<u64>,
    funding_nonces: Vec<u64>,
    next_deposit: u64,
    next_forced: u64,
    next_order: u64,
}

impl World {
    /// The world and its genesis state: every trader holds `GENESIS_FUNDS` of BASE and QUOTE,
    /// except trader 2, who holds nothing.
    fn new() -> (Self, FullState) {
        let ctx = market();
        let keys: Vec<SecretKey> =
            (0..TRADERS).map(|i| SecretKey::from_secret_bytes([i as u8 + 1; 32]).unwrap()).collect();
        let traders: Vec<Address> = keys.iter().map(secret_key_address).collect();
        let funds = Balance { available: U256::from(GENESIS_FUNDS), locked: U256::ZERO }.encode();
        let state = FullState::from_entries(
            traders[..2]
                .iter()
                .flat_map(|t| [(balance_key(t, &BASE), funds.clone()), (balance_key(t, &QUOTE), funds.clone())]),
        );
        let world = Self {
            venue: Venue::new([ctx]),
            ctx,
            keys,
            traders,
            clob_nonces: vec![0; TRADERS],
            funding_nonces: vec![0; TRADERS],
            next_deposit: 0,
            next_forced: 0,
            next_order: 1,
        };
        (world, state)
    }

    fn place(&mut self, trader: usize, side: u8, tick: i32, qty: u64) -> Entry {
        let message = Message::Place(Place {
            trader: self.traders[trader],
            nonce: self.clob_nonces[trader],
            order_id: B256::left_padding_from(&self.next_order.to_be_bytes()),
            side,
            tif: 0,
            tick,
            qty: U256::from(qty),
        });
        self.clob_nonces[trader] += 1;
        self.next_order += 1;
        let signature = sign_digest(&self.keys[trader], &message.hash(&self.ctx.domain_separator()));
        Entry::clob(self.ctx.market_id, SignedMessage { message, signature })
    }

    fn deposit(&mut self, asset_id: B256, to: usize, amount: u64) -> Entry {
        let index = self.next_deposit;
        self.next_deposit += 1;
        Entry::Funding(FundingMessage::Deposit(Deposit {
            index,
            asset_id,
            from: L1,
            to: self.traders[to],
            amount: U256::from(amount),
        }))
    }

    fn withdraw(&mut self, owner: usize, asset_id: B256, amount: u64) -> Entry {
        let withdraw = Withdraw {
            owner: self.traders[owner],
            nonce: self.funding_nonces[owner],
            asset_id,
            amount: U256::from(amount),
            recipient: L1,
        };
        self.funding_nonces[owner] += 1;
        let domain = self.venue.funding.as_ref().unwrap().domain_separator();
        let signature = sign_digest(&self.keys[owner], &withdraw.hash(&domain));
        Entry::Funding(FundingMessage::Withdraw(SignedWithdraw { withdraw, signature }))
    }

    fn forced(&mut self, owner: usize, asset_id: B256, amount: u64) -> Entry {
        let index = self.next_forced;
        self.next_forced += 1;
        Entry::Funding(FundingMessage::Forced(ForcedWithdrawal {
            index,
            owner: self.traders[owner],
            asset_id,
            amount: U256::from(amount),
        }))
    }
}

fn proposal(tip: &ChainTip, entries: Vec<Entry>) -> Proposal {
    Proposal { height: tip.height + 1, timestamp_ms: 1_795_000_000_000 + 1_000 * tip.height, entries }
}

/// Trader 2 starts with nothing. One block: a Place by trader 0, a deposit of QUOTE to trader
/// 2, trader 2's BUY paid with that deposit, a withdrawal by trader 1 and a forced withdrawal.
fn mixed_block() -> (World, FullState, ChainTip, Proposal) {
    let (mut w, state) = World::new();
    let tip = ChainTip::genesis(state.root());
    let entries = vec![
        w.place(0, 1, 100, 10),
        w.deposit(QUOTE, 2, 5_000),
        w.place(2, 0, 100, 10),
        w.withdraw(1, BASE, 2_500),
        w.forced(0, QUOTE, 3_000),
    ];
    let proposal = proposal(&tip, entries);
    (w, state, tip, proposal)
}

/// F8: the funding batch runs first with the block's first `batchSeq` and global indexes; the
/// header's batchesRoot covers the funding then the trading public inputs; a deposit is
/// spendable by a Place of the same block.
#[test]
fn funding_batch_runs_first_and_its_deposit_is_usable_in_the_same_block() {
    let (w, mut state, tip, proposal) = mixed_block();
    let output = execute_block(&w.venue, &mut state, &tip, &proposal, BlockOptions::VERIFYING).unwrap();
    assert!(output.dropped.is_empty(), "{:?}", output.dropped);
    assert_eq!(output.funding.len(), 1);
    assert_eq!(output.batches.len(), 1);
    let funding = &output.funding[0];
    let clob = &output.batches[0];
    assert_eq!(funding.batch_seq, tip.next_batch_seq);
    assert_eq!(funding.first_global_index, tip.next_global_index);
    assert_eq!(funding.entries, vec![1, 3, 4]);
    assert_eq!(clob.batch_seq, tip.next_batch_seq + 1);
    assert_eq!(clob.first_global_index, tip.next_global_index + 3);
    assert_eq!(clob.entries, vec![0, 2]);
    assert_eq!(output.tip.next_batch_seq, tip.next_batch_seq + 2);
    assert_eq!(output.tip.next_global_index, tip.next_global_index + 5);
    assert_eq!(output.header.batch_seqs, vec![funding.batch_seq, clob.batch_seq]);
    // The trading batch starts from the state the funding batch left.
    assert_eq!(funding.prev_root, tip.state_root);
    assert_eq!(clob.prev_root, funding.public_inputs.new_root);
    assert_eq!(output.header.state_root, clob.public_inputs.new_root);
    // batchesRoot over both kinds in execution order (and not in another order).
    let pis = vec![funding.public_inputs.to_vec(), clob.public_inputs.to_vec()];
    let expected =
        BlockHeader::new(1, tip.hash, proposal.timestamp_ms, state.root(), &pis, output.header.batch_seqs.clone());
    assert_eq!(output.header.batches_root, expected.batches_root);
    assert_eq!(output.header.hash, expected.hash);
    let swapped =
        BlockHeader::new(1, tip.hash, proposal.timestamp_ms, state.root(), &[pis[1].clone(), pis[0].clone()], vec![]);
    assert_ne!(swapped.batches_root, expected.batches_root);

    // The deposit was credited and trader 2's BUY, funded by it alone, was accepted and traded.
    assert_eq!(funding.report.outcomes[0], FundingOutcome::Credited);
    assert!(matches!(funding.report.outcomes[1], FundingOutcome::Withdrawn { .. }));
    assert!(matches!(funding.report.outcomes[2], FundingOutcome::Forced(Some(_))));
    assert!(clob.report.outcomes.iter().all(|o| o.is_accepted()), "{:?}", clob.report.outcomes);
    assert!(!clob.report.trades.is_empty());

    // Both witnesses re-execute in their guest.
    let blob = witness::expand_funding(&funding.witness).unwrap();
    assert_eq!(numo_guest::funding::run_funding(&blob).unwrap().public_inputs, funding.public_inputs);
    let blob = witness::expand(&clob.witness).unwrap();
    assert_eq!(numo_guest::run(&blob).unwrap().public_inputs, clob.public_inputs);
}

/// Without the deposit trader 2 has nothing, so the same BUY is rejected: the deposit above is
/// what paid for it.
#[test]
fn without_the_deposit_the_same_buy_is_rejected() {
    let (mut w, mut state) = World::new();
    let tip = ChainTip::genesis(state.root());
    let entries = vec![w.place(0, 1, 100, 10), w.place(2, 0, 100, 10)];
    let output = execute_block(&w.venue, &mut state, &tip, &proposal(&tip, entries), BlockOptions::VERIFYING).unwrap();
    assert!(output.batches[0].report.outcomes[0].is_accepted());
    assert!(!output.batches[0].report.outcomes[1].is_accepted());
}

/// A forged Withdraw signature makes the whole funding chunk batch-invalid: all its entries
/// are dropped (`bad_signature`), it takes no `batchSeq` or global index, and the CLOB batch
/// gets the block's first `batchSeq`.
#[test]
fn funding_chunk_with_a_forged_signature_is_dropped_whole() {
    let (w, mut state, tip, mut proposal) = mixed_block();
    let Entry::Funding(FundingMessage::Withdraw(mut signed)) = proposal.entries[3] else { panic!("entry 3 withdraws") };
    signed.signature.0[7] ^= 1;
    proposal.entries[3] = Entry::Funding(FundingMessage::Withdraw(signed));
    let output = execute_block(&w.venue, &mut state, &tip, &proposal, BlockOptions::VERIFYING).unwrap();
    assert!(output.funding.is_empty());
    assert_eq!(output.dropped.len(), 1);
    assert_eq!(output.dropped[0].entries, vec![1, 3, 4]);
    assert_eq!(output.dropped[0].reason.code(), "bad_signature");
    assert_eq!(output.dropped[0].market_id, None);
    assert_eq!(output.batches.len(), 1);
    assert_eq!(output.batches[0].batch_seq, tip.next_batch_seq);
    assert_eq!(output.batches[0].first_global_index, tip.next_global_index);
    assert_eq!(output.header.batch_seqs, vec![tip.next_batch_seq]);
    // Without the deposit, trader 2's BUY is rejected.
    assert!(!output.batches[0].report.outcomes[1].is_accepted());
}

fn block_bytes(output: &BlockOutput) -> Vec<Vec<u8>> {
    let mut out = vec![output.header.encode_record(), output.header.hash.to_vec()];
    for batch in &output.funding {
        out.push(batch.public_inputs.to_vec());
        out.push(batch.witness.clone());
        out.push(
            format!(
                "{} {:?} {:?} {:?}",
                batch.batch_seq, batch.entries, batch.report.outcomes, batch.report.withdrawals
            )
            .into_bytes(),
        );
    }
    for batch in &output.batches {
        out.push(batch.public_inputs.to_vec());
        out.push(batch.witness.clone());
    }
    for (key, value) in &output.state_writes {
        out.push(key.to_vec());
        out.push(value.clone().unwrap_or_default());
    }
    out.push(format!("{:?} {:?}", output.dropped, output.tip).into_bytes());
    out
}

/// Two runs of a block with funding entries, on independent states, are byte-identical, with
/// or without the node's admission shortcut.
#[test]
fn blocks_with_funding_are_deterministic() {
    let (w, mut a, tip, proposal) = mixed_block();
    let (_, mut b, _, _) = mixed_block();
    let (_, mut c, _, _) = mixed_block();
    let first = execute_block(&w.venue, &mut a, &tip, &proposal, BlockOptions::VERIFYING).unwrap();
    let second = execute_block(&w.venue, &mut b, &tip, &proposal, BlockOptions::VERIFYING).unwrap();
    let admitted = execute_block(&w.venue, &mut c, &tip, &proposal, BlockOptions::ADMITTED).unwrap();
    assert_eq!(block_bytes(&first), block_bytes(&second));
    assert_eq!(block_bytes(&first), block_bytes(&admitted));
    assert_eq!(a.root(), b.root());
}

/// A venue without markets has no funding context: funding entries are `funding_disabled`.
#[test]
fn a_venue_without_markets_drops_funding_entries() {
    let (mut w, mut state) = World::new();
    let tip = ChainTip::genesis(state.root());
    let entries = vec![w.deposit(QUOTE, 0, 1)];
    let output =
        execute_block(&Venue::default(), &mut state, &tip, &proposal(&tip, entries), BlockOptions::VERIFYING).unwrap();
    assert_eq!(output.dropped.len(), 1);
    assert_eq!(output.dropped[0].reason.code(), "funding_disabled");
    assert_eq!(output.tip.next_batch_seq, tip.next_batch_seq);
}

// ---------------------------------------------------------------------------------------------
// Conservation
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Deposit { asset: usize, to: usize, amount: u64 },
    Withdraw { owner: usize, asset: usize, amount: u64 },
    Forced { owner: usize, asset: usize, amount: u64 },
    Place { trader: usize, side: u8, tick: i32, qty: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        // Amounts up to 1.2 × CAP: some deposits pass the cap and are refunded.
        3 => (0..3usize, 0..TRADERS, 0..=1_200_000u64).prop_map(|(asset, to, amount)| Op::Deposit { asset, to, amount }),
        2 => (0..TRADERS, 0..3usize, 0..=30_000u64).prop_map(|(owner, asset, amount)| Op::Withdraw { owner, asset, amount }),
        1 => (0..TRADERS, 0..3usize, 0..=30_000u64).prop_map(|(owner, asset, amount)| Op::Forced { owner, asset, amount }),
        4 => (0..TRADERS, 0..=1u8, 95..=105i32, 1..=60u64).prop_map(|(trader, side, tick, qty)| Op::Place { trader, side, tick, qty }),
    ]
}

/// Per asset: every BAL (available + locked) of every trader, plus the fee vault.
fn holdings(state: &FullState, traders: &[Address]) -> BTreeMap<B256, U256> {
    ASSETS
        .iter()
        .map(|asset| {
            let mut total = FeeVault::decode(state.value(&fee_vault_key(asset))).unwrap().0;
            for trader in traders {
                let balance = Balance::decode(state.value(&balance_key(trader, asset))).unwrap();
                total += balance.available + balance.locked;
            }
            (*asset, total)
        })
        .collect()
}

/// Runs the blocks of `ops` from genesis and checks conservation after every block.
/// Returns the header hashes and the final root.
fn run_blocks(blocks: &[Vec<Op>]) -> Result<(Vec<B256>, B256), TestCaseError> {
    let (mut w, mut state) = World::new();
    let mut tip = ChainTip::genesis(state.root());
    let genesis = holdings(&state, &w.traders);
    let mut deposited: BTreeMap<B256, U256> = BTreeMap::new();
    let mut withdrawn: BTreeMap<B256, U256> = BTreeMap::new();
    let mut hashes = Vec::new();
    for ops in blocks {
        let entries: Vec<Entry> = ops
            .iter()
            .map(|op| match *op {
                Op::Deposit { asset, to, amount } => {
                    *deposited.entry(ASSETS[asset]).or_default() += U256::from(amount);
                    w.deposit(ASSETS[asset], to, amount)
                }
                Op::Withdraw { owner, asset, amount } => w.withdraw(owner, ASSETS[asset], amount),
                Op::Forced { owner, asset, amount } => w.forced(owner, ASSETS[asset], amount),
                Op::Place { trader, side, tick, qty } => w.place(trader, side, tick, qty),
            })
            .collect();
        let output =
            execute_block(&w.venue, &mut state, &tip, &proposal(&tip, entries), BlockOptions::VERIFYING).unwrap();
        prop_assert!(output.dropped.is_empty(), "{:?}", output.dropped);
        for batch in &output.funding {
            for record in &batch.report.withdrawals {
                *withdrawn.entry(record.asset_id).or_default() += record.amount;
            }
        }
        let now = holdings(&state, &w.traders);
        for asset in ASSETS {
            let left = now[&asset] + withdrawn.get(&asset).copied().unwrap_or_default();
            let right = genesis[&asset] + deposited.get(&asset).copied().unwrap_or_default();
            prop_assert_eq!(left, right, "asset {} after block {}", asset, output.header.height);
        }
        hashes.push(output.header.hash);
        tip = output.tip;
    }
    Ok((hashes, state.root()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Value is neither created nor destroyed by funding and trading together: per asset,
    /// balances (available + locked) + fee vaults + withdrawal records = genesis + deposits,
    /// after every block; and replaying the same proposals on a fresh genesis gives the same
    /// headers and root.
    #[test]
    fn funding_and_trading_conserve_every_asset(
        blocks in proptest::collection::vec(proptest::collection::vec(op(), 0..12), 1..4),
    ) {
        let (hashes, root) = run_blocks(&blocks)?;
        let (replayed, replayed_root) = run_blocks(&blocks)?;
        prop_assert_eq!(hashes, replayed);
        prop_assert_eq!(root, replayed_root);
    }
}

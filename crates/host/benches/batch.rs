//! Benchmarks of one 128-message batch on a deep book: native execution (matching only),
//! execution plus the new state root, the full host build (proofs and blob), the guest's
//! re-execution of that blob, and signature recovery. Prints the blob size.
//!
//! The book: 64 traders, 40 ask ticks and 40 bid ticks with 4 orders each. The batch:
//! 64 crossing takers (BUY and SELL, several fills each), 32 Places that link new ticks
//! between existing ones (hints), 32 Cancels.

use alloy_primitives::{Address, B256, U256};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use numo_host::{build_batch, FullState};
use numo_stf::keys::balance_key;
use numo_stf::signature::{secret_key_address, sign_digest};
use numo_stf::values::{Balance, StateValue};
use numo_stf::{
    execute_messages, validate_batch, Cancel, DiscoveredHints, MarketContext, Message, Overlay, Place, Rules,
    SignedMessage, TouchLog,
};
use secp256k1::SecretKey;

const TRADERS: usize = 64;

struct Scenario {
    ctx: MarketContext,
    keys: Vec<SecretKey>,
    traders: Vec<Address>,
    nonces: Vec<u64>,
    next_order: u64,
    seq: u64,
}

impl Scenario {
    fn new() -> (Self, FullState) {
        let rules = Rules {
            base_asset: B256::repeat_byte(0xba),
            quote_asset: B256::repeat_byte(0x0c),
            price_scale: U256::from(10u64.pow(18)),
            tick_size: U256::from(10u64.pow(16)),
            lot_size: U256::from(10u64.pow(15)),
            taker_fee_bps: 30,
            maker_fee_bps: 0,
            max_orders_per_batch: 128,
            max_matches_per_order: 64,
            max_balance: U256::from(10u128.pow(30)),
        };
        let ctx = MarketContext { chain_id: 1, venue_id: B256::repeat_byte(1), market_id: B256::repeat_byte(2), rules };
        let keys: Vec<SecretKey> = (0..TRADERS)
            .map(|i| SecretKey::from_secret_bytes(B256::left_padding_from(&[i as u8 + 1]).0).unwrap())
            .collect();
        let traders: Vec<Address> = keys.iter().map(secret_key_address).collect();
        let rich = Balance { available: U256::from(10u128.pow(24)), locked: U256::ZERO }.encode();
        let entries = traders.iter().flat_map(|t| {
            [(balance_key(t, &rules.base_asset), rich.clone()), (balance_key(t, &rules.quote_asset), rich.clone())]
        });
        let state = FullState::from_entries(entries.collect::<Vec<_>>());
        let scenario = Self { ctx, keys, traders, nonces: vec![0; TRADERS], next_order: 1, seq: 1 };
        (scenario, state)
    }

    fn sign(&mut self, trader: usize, make: impl FnOnce(Address, u64) -> Message) -> SignedMessage {
        let message = make(self.traders[trader], self.nonces[trader]);
        self.nonces[trader] += 1;
        let signature = sign_digest(&self.keys[trader], &message.hash(&self.ctx.domain_separator()));
        SignedMessage { message, signature }
    }

    fn place(&mut self, trader: usize, side: u8, tif: u32, tick: i32, lots: u64) -> SignedMessage {
        let order_id = B256::left_padding_from(&self.next_order.to_be_bytes());
        self.next_order += 1;
        let qty = U256::from(lots) * self.ctx.rules.lot_size;
        self.sign(trader, |trader, nonce| Message::Place(Place { trader, nonce, order_id, side, tif, tick, qty }))
    }

    fn cancel(&mut self, trader: usize, order: u64) -> SignedMessage {
        let order_id = B256::left_padding_from(&order.to_be_bytes());
        self.sign(trader, |trader, nonce| Message::Cancel(Cancel { trader, nonce, order_id }))
    }

    /// Rests 4 orders on each of 40 ask ticks (2000, 2002, …) and 40 bid ticks (1998, 1996, …).
    fn seed_book(&mut self, state: &mut FullState) {
        let mut messages = Vec::new();
        for level in 0..40 {
            for k in 0..4 {
                let trader = (level * 4 + k) % TRADERS;
                messages.push(self.place(trader, 1, 0, 2000 + 2 * level as i32, 10 + k as u64));
                messages.push(self.place(trader, 0, 0, 1998 - 2 * level as i32, 10 + k as u64));
            }
        }
        for chunk in messages.chunks(128) {
            build_batch(state, &self.ctx, self.seq, 0, chunk.to_vec()).expect("seed batch");
            self.seq += 1;
        }
    }

    /// The measured batch: 64 crossing takers, 32 new-tick Places, 32 Cancels.
    fn batch(&mut self) -> Vec<SignedMessage> {
        let mut messages = Vec::with_capacity(128);
        for i in 0..32 {
            messages.push(self.place(i % TRADERS, 0, i as u32 % 2, 2010, 30));
            messages.push(self.place((i + 7) % TRADERS, 1, i as u32 % 2, 1990, 30));
        }
        for i in 0..32 {
            let (side, tick) = if i % 2 == 0 { (1, 2041 + 2 * (i as i32 / 2)) } else { (0, 1957 - 2 * (i as i32 / 2)) };
            messages.push(self.place((i + 13) % TRADERS, side, 0, tick, 5));
        }
        for i in 0..32u64 {
            // Orders 2i+1 and 2i+2 of the seed rest on the far ticks; cancel the deep ones.
            let order = 320 - 2 * i;
            let trader = ((order - 1) / 2) as usize % TRADERS;
            messages.push(self.cancel(trader, order));
        }
        messages
    }
}

fn benches(c: &mut Criterion) {
    let (mut scenario, mut state) = Scenario::new();
    scenario.seed_book(&mut state);
    let messages = scenario.batch();
    let ctx = scenario.ctx;
    let seq = scenario.seq;
    let entries: Vec<(B256, Vec<u8>)> = state.entries().map(|(k, v)| (*k, v.clone())).collect();

    let probe =
        build_batch(&mut FullState::from_entries(entries.clone()), &ctx, seq, 0, messages.clone()).expect("valid");
    let accepted = probe.report.outcomes.iter().filter(|o| o.is_accepted()).count();
    println!(
        "batch: {} messages ({} accepted), {} trades, {} touched keys, blob {} bytes ({} per message)",
        messages.len(),
        accepted,
        probe.report.trades.len(),
        probe.report.touched.keys().map_or(0, |k| k.len()),
        probe.blob.len(),
        probe.blob.len() / messages.len()
    );

    let mut group = c.benchmark_group("batch128");
    group.sample_size(20);
    group.bench_function("verify_signatures", |b| b.iter(|| validate_batch(&ctx, seq, &messages).unwrap()));
    group.bench_function("execute_matching_only", |b| {
        b.iter(|| {
            let mut overlay = Overlay::new(&mut state);
            let report = execute_messages(
                &ctx,
                &mut overlay,
                &messages,
                &mut DiscoveredHints::default(),
                TouchLog::digest_only(),
            );
            report.unwrap()
        })
    });
    group.bench_function("execute_and_new_root", |b| {
        b.iter_batched(
            || FullState::from_entries(entries.clone()),
            |mut fresh| {
                let mut overlay = Overlay::new(&mut fresh);
                execute_messages(
                    &ctx,
                    &mut overlay,
                    &messages,
                    &mut DiscoveredHints::default(),
                    TouchLog::digest_only(),
                )
                .unwrap();
                let (_, writes) = overlay.into_parts();
                fresh.apply(writes);
                fresh.root()
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("host_build_with_proofs_and_blob", |b| {
        b.iter_batched(
            || FullState::from_entries(entries.clone()),
            |mut fresh| build_batch(&mut fresh, &ctx, seq, 0, messages.clone()).unwrap(),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("guest_reexecution", |b| b.iter(|| numo_guest::run(&probe.blob).unwrap()));
    group.finish();
}

criterion_group!(batch, benches);
criterion_main!(batch);

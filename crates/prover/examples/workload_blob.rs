//! Writes the guest input blob of a measured workload batch, for `numo prove` (docs/PROVING.md).
//!
//! `cargo run --release -p numo-prover --example workload_blob -- MESSAGES OUT`
//!
//! The book (as in numo-host's batch bench): 64 traders, 40 ask and 40 bid ticks with 4 resting
//! orders each, built by earlier batches. The measured batch has MESSAGES (1–128) messages in
//! the bench's proportions: half crossing takers with several fills each, a quarter Places
//! that open new ticks (hints), a quarter Cancels. Prints the message count, accepted count,
//! trades, touched keys and blob size.

use alloy_primitives::{Address, B256, U256};
use numo_host::{build_batch, FullState};
use numo_stf::keys::balance_key;
use numo_stf::signature::{secret_key_address, sign_digest};
use numo_stf::values::{Balance, StateValue};
use numo_stf::{Cancel, MarketContext, Message, Place, Rules, SignedMessage};
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
            .map(|i| SecretKey::from_secret_bytes(B256::left_padding_from(&[i as u8 + 1]).0).expect("valid key"))
            .collect();
        let traders: Vec<Address> = keys.iter().map(secret_key_address).collect();
        let rich = Balance { available: U256::from(10u128.pow(24)), locked: U256::ZERO }.encode();
        let entries = traders.iter().flat_map(|t| {
            [(balance_key(t, &rules.base_asset), rich.clone()), (balance_key(t, &rules.quote_asset), rich.clone())]
        });
        let state = FullState::from_entries(entries.collect::<Vec<_>>());
        (Self { ctx, keys, traders, nonces: vec![0; TRADERS], next_order: 1, seq: 1 }, state)
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

    /// `count` messages: half crossing takers, a quarter new-tick Places, a quarter Cancels.
    fn batch(&mut self, count: usize) -> Vec<SignedMessage> {
        let quarter = count / 4;
        let takers = count - 2 * quarter;
        let mut messages = Vec::with_capacity(count);
        for i in 0..takers {
            let (trader, side, tick) = if i % 2 == 0 { (i / 2, 0, 2010) } else { (i / 2 + 7, 1, 1990) };
            messages.push(self.place(trader % TRADERS, side, (i / 2) as u32 % 2, tick, 30));
        }
        for i in 0..quarter {
            let (side, tick) = if i % 2 == 0 { (1, 2041 + 2 * (i as i32 / 2)) } else { (0, 1957 - 2 * (i as i32 / 2)) };
            messages.push(self.place((i + 13) % TRADERS, side, 0, tick, 5));
        }
        for i in 0..quarter as u64 {
            // Orders 2i+1 and 2i+2 of the seed rest on the far ticks; cancel the deep ones.
            let order = 320 - 2 * i;
            let trader = ((order - 1) / 2) as usize % TRADERS;
            messages.push(self.cancel(trader, order));
        }
        messages
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(count), Some(out)) = (args.get(1).and_then(|n| n.parse::<usize>().ok()), args.get(2)) else {
        eprintln!("usage: workload_blob MESSAGES(1-128) OUT");
        std::process::exit(2);
    };
    assert!((1..=128).contains(&count), "MESSAGES must be 1..=128");
    let (mut scenario, mut state) = Scenario::new();
    scenario.seed_book(&mut state);
    let messages = scenario.batch(count);
    let built = build_batch(&mut state, &scenario.ctx, scenario.seq, 0, messages).expect("valid batch");
    std::fs::write(out, &built.blob).expect("writing the blob");
    let accepted = built.report.outcomes.iter().filter(|outcome| outcome.is_accepted()).count();
    println!(
        "{count} messages ({accepted} accepted), {} trades, {} touched keys, blob {} bytes -> {out}",
        built.report.trades.len(),
        built.report.touched.keys().map_or(0, |keys| keys.len()),
        built.blob.len()
    );
}

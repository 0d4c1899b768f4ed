//! A measured workload: one batch against a deep book, shared by the host's batch bench and the
//! prover's `workload_blob` example so both measure exactly the same batch.
//!
//! The book: 64 traders, 40 ask ticks (2000, 2002, …) and 40 bid ticks (1998, 1996, …) with 4
//! resting orders each, built by earlier batches. The measured batch of `count` (≤ 128)
//! messages: half crossing takers with several fills each, a quarter Places that link new ticks
//! between existing ones (hints), a quarter Cancels of deep resting orders.

use crate::{build_batch, FullState};
use alloy_primitives::{Address, B256, U256};
use numo_core::signature::{secret_key_address, sign_digest};
use numo_stf::keys::balance_key;
use numo_stf::values::{Balance, StateValue};
use numo_stf::{Cancel, MarketContext, Message, Place, Rules, SignedMessage};
use secp256k1::SecretKey;

/// Traders of the scenario, each funded with 10^24 of both assets.
pub const TRADERS: usize = 64;

/// The market, its funded traders and their nonces; [`DeepBook::new`] also gives the state.
pub struct DeepBook {
    /// The one market (30 bps taker fee, lots of 10^15, ticks of 10^16).
    pub ctx: MarketContext,
    keys: Vec<SecretKey>,
    traders: Vec<Address>,
    nonces: Vec<u64>,
    next_order: u64,
    /// The next batch sequence number.
    pub seq: u64,
}

impl DeepBook {
    /// The scenario with its deep book already resting in the returned state.
    pub fn new() -> (Self, FullState) {
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
        let mut state = FullState::from_entries(entries.collect::<Vec<_>>());
        let mut scenario = Self { ctx, keys, traders, nonces: vec![0; TRADERS], next_order: 1, seq: 1 };
        scenario.seed_book(&mut state);
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

    /// Rests 4 orders on each of the 40 ask and 40 bid ticks.
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

    /// The measured batch of `count` messages (at most 128, the market's batch size): half
    /// crossing takers, a quarter new-tick Places, a quarter Cancels.
    pub fn batch(&mut self, count: usize) -> Vec<SignedMessage> {
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

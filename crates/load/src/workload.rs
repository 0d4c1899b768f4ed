//! The order mix: one deterministic message stream per (account, market) pair, signed before
//! the clock starts.
//!
//! Per pair: a cancel of the pair's oldest resting order when it has [`MAX_RESTING`], else
//! 20 % cancels of the oldest, 25 % IOC orders crossing the whole band (one to a few fills
//! each), 55 % GTC orders resting at a random tick within the band around the mid (often a new
//! tick, so the tick lists keep changing). Many pairs interleaved make makers, takers and
//! cancel/replace traffic on both sides of the book.

use alloy_primitives::{Address, B256, U256};
use numo_stf::signature::{secret_key_address, sign_digest};
use numo_stf::{Cancel, Message, Place, SignedMessage};
use secp256k1::SecretKey;
use std::collections::VecDeque;

/// Resting orders go within this many ticks of the mid (less on a market whose mid is low);
/// IOC orders cross the whole band.
pub const BAND: i32 = 500;
/// A pair cancels its oldest order rather than rest more than this many (bounds the book).
pub const MAX_RESTING: usize = 8;

/// What the generator needs to know about a market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketInfo {
    /// `marketId`.
    pub id: B256,
    /// `domainSeparator`, signed under.
    pub domain: B256,
    /// Mid price in ticks: makers rest around it, takers cross it.
    pub mid: i32,
    /// `lotSize`: quantities are 10–50 lots.
    pub lot: U256,
}

impl MarketInfo {
    /// Ticks either side of the mid used by this market: [`BAND`], or half the mid when that
    /// is smaller, so every tick stays positive.
    pub fn band(&self) -> i32 {
        BAND.min(self.mid / 2).max(1)
    }
}

/// A signing account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trader {
    /// Small number naming the account within the run (part of its order ids and its seed).
    pub index: u32,
    /// Its key.
    pub secret: SecretKey,
    /// `secret_key_address(secret)`.
    pub address: Address,
}

impl Trader {
    /// The account of `secret`, numbered `index`.
    pub fn new(index: u32, secret: SecretKey) -> Self {
        Self { index, secret, address: secret_key_address(&secret) }
    }
}

/// The message stream of one (account, market) pair.
#[derive(Debug, Clone)]
pub struct PairGen {
    trader: Trader,
    market: MarketInfo,
    nonce: u64,
    run_id: u64,
    next_order: u64,
    resting: VecDeque<B256>,
    rng: u64,
}

impl PairGen {
    /// Starts at `first_nonce` (the account's next nonce on that market). `seed` varies the
    /// random choices; `run_id` goes into every order id (bytes 16..24), so the orders of two
    /// runs against one node never share an id (C10: an id may not be placed while it rests).
    pub fn new(trader: Trader, market: MarketInfo, first_nonce: u64, seed: u64, run_id: u64) -> Self {
        let rng = 0x9e37_79b9_7f4a_7c15 ^ (u64::from(trader.index) << 8) ^ (u64::from(market.mid as u32) << 32) ^ seed;
        Self { trader, market, nonce: first_nonce, run_id, next_order: 1, resting: VecDeque::new(), rng }
    }

    /// The market of this pair.
    pub fn market(&self) -> &MarketInfo {
        &self.market
    }

    fn rand(&mut self, below: u64) -> u64 {
        // splitmix64: fast, deterministic, good enough for a workload.
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % below
    }

    fn order_id(&mut self) -> B256 {
        let mut id = [0u8; 32];
        id[16..24].copy_from_slice(&self.run_id.to_be_bytes());
        id[24..].copy_from_slice(&((u64::from(self.trader.index) + 1) << 40 | self.next_order).to_be_bytes());
        self.next_order += 1;
        B256::from(id)
    }

    /// The next message, signed (see the module docs for the mix).
    pub fn next_signed(&mut self) -> SignedMessage {
        let roll = self.rand(100);
        let trader = self.trader.address;
        let nonce = self.nonce;
        self.nonce += 1;
        let message = if (roll < 20 && !self.resting.is_empty()) || self.resting.len() >= MAX_RESTING {
            let order_id = self.resting.pop_front().expect("non-empty");
            Message::Cancel(Cancel { trader, nonce, order_id })
        } else {
            let order_id = self.order_id();
            let side = self.rand(2) as u8;
            let (mid, band) = (self.market.mid, self.market.band());
            let (tif, tick, lots) = if roll < 45 {
                let tick = if side == 0 { mid + band + 1 } else { mid - band - 1 };
                (1, tick.max(1), 10 + self.rand(30))
            } else {
                let away = 1 + self.rand(band as u64) as i32;
                self.resting.push_back(order_id);
                (0, if side == 0 { (mid - away).max(1) } else { mid + away }, 10 + self.rand(40))
            };
            let qty = U256::from(lots) * self.market.lot;
            Message::Place(Place { trader, nonce, order_id, side, tif, tick, qty })
        };
        let signature = sign_digest(&self.trader.secret, &message.hash(&self.market.domain));
        SignedMessage { message, signature }
    }
}

/// Every (trader, market) pair, trader-major: pair `p` is trader `p / markets.len()`.
/// `first_nonce` gives each pair's starting nonce.
pub fn pairs(
    traders: &[Trader],
    markets: &[MarketInfo],
    first_nonce: impl Fn(&Trader, &MarketInfo) -> u64,
    seed: u64,
    run_id: u64,
) -> Vec<PairGen> {
    traders
        .iter()
        .flat_map(|t| markets.iter().map(move |m| (t, m)))
        .map(|(t, m)| PairGen::new(*t, *m, first_nonce(t, m), seed, run_id))
        .collect()
}

/// One pair's signed messages, in nonce order.
#[derive(Debug, Clone)]
pub struct PairStream {
    /// The market they are signed for.
    pub market: B256,
    /// The messages.
    pub messages: Vec<SignedMessage>,
}

/// Signs `per_pair(p)` messages for each pair `p`, on every core (signing is the client's
/// heaviest work, so it happens before any clock starts).
pub fn sign_streams(pairs: Vec<PairGen>, per_pair: impl Fn(usize) -> usize + Sync) -> Vec<PairStream> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut slots: Vec<Option<PairStream>> = (0..pairs.len()).map(|_| None).collect();
    let mut work: Vec<(usize, PairGen)> = pairs.into_iter().enumerate().collect();
    let chunk = work.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = work
            .chunks_mut(chunk)
            .map(|part| {
                let per_pair = &per_pair;
                scope.spawn(move || {
                    part.iter_mut()
                        .map(|(index, pair)| {
                            let messages = (0..per_pair(*index)).map(|_| pair.next_signed()).collect();
                            (*index, PairStream { market: pair.market.id, messages })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            for (index, stream) in handle.join().expect("signer thread") {
                slots[index] = Some(stream);
            }
        }
    });
    slots.into_iter().map(|s| s.expect("every pair signed")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use numo_stf::signature::recover_signer;

    fn trader(index: u32) -> Trader {
        Trader::new(index, SecretKey::from_secret_bytes([index as u8 + 1; 32]).unwrap())
    }

    fn market(mid: i32) -> MarketInfo {
        MarketInfo { id: B256::repeat_byte(7), domain: B256::repeat_byte(9), mid, lot: U256::from(100u64) }
    }

    #[test]
    fn streams_are_signed_in_nonce_order_with_the_documented_mix() {
        let traders = [trader(0), trader(1)];
        let streams = sign_streams(pairs(&traders, &[market(300_000)], |t, _| 5 + u64::from(t.index), 1, 42), |_| 400);
        assert_eq!(streams.len(), 2);
        for (p, stream) in streams.iter().enumerate() {
            let mut resting: Vec<B256> = Vec::new();
            let (mut cancels, mut iocs, mut gtcs) = (0, 0, 0);
            for (i, signed) in stream.messages.iter().enumerate() {
                let message = signed.message;
                assert_eq!(message.nonce(), 5 + p as u64 + i as u64);
                let signer = recover_signer(&message.hash(&B256::repeat_byte(9)), &signed.signature).unwrap();
                assert_eq!(signer, traders[p].address);
                match message {
                    Message::Cancel(c) => {
                        // Always the pair's oldest resting order.
                        assert_eq!(c.order_id, resting.remove(0));
                        cancels += 1;
                    }
                    Message::Place(place) => {
                        assert_eq!(&place.order_id[16..24], &42u64.to_be_bytes());
                        assert!(place.qty >= U256::from(1_000u64) && place.qty < U256::from(5_000u64));
                        if place.tif == 1 {
                            iocs += 1;
                            assert!(place.tick == 300_501 || place.tick == 299_499, "crosses the band");
                        } else {
                            gtcs += 1;
                            assert!((place.tick - 300_000).abs() <= BAND && place.tick != 300_000);
                            resting.push(place.order_id);
                        }
                    }
                }
                assert!(resting.len() <= MAX_RESTING);
            }
            // 400 draws: each kind well represented.
            assert!(cancels > 60 && iocs > 60 && gtcs > 120, "{cancels} {iocs} {gtcs}");
        }
    }

    #[test]
    fn a_low_mid_keeps_every_tick_positive() {
        let streams = sign_streams(pairs(&[trader(3)], &[market(3)], |_, _| 0, 2, 0), |_| 200);
        for signed in &streams[0].messages {
            if let Message::Place(p) = signed.message {
                assert!(p.tick > 0, "{}", p.tick);
            }
        }
    }
}

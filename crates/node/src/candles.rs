//! Candles (OHLCV) per market and interval, kept at block commit like an exchange keeps them:
//! each block folds its trades into the bucket of its header time, in the block's one redb
//! transaction, so charts survive restarts and reach back past the recent trades kept in memory.
//!
//! A candle is kept in ticks and smallest units (exact integers); the API renders human prices
//! with [`crate::units::DisplayGrid`]. Buckets without trades have no row.

use alloy_primitives::{B256, U256};
use numo_stf::codec::{Reader, Writer};
use numo_stf::records::Trade;
use std::collections::BTreeMap;

/// Version byte of a stored [`Candle`].
pub const CANDLE_RECORD_VERSION: u8 = 1;

/// Length of a candle key: `B32 marketId ‖ U8 interval ‖ U64 bucketStartS` (big-endian, so keys
/// sort by market, then interval, then time).
pub const CANDLE_KEY_LEN: usize = 32 + 1 + 8;

/// A candle's table key.
pub type CandleKey = [u8; CANDLE_KEY_LEN];

/// A candle width the node keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Interval {
    /// One minute.
    Minute = 1,
    /// Five minutes.
    FiveMinutes = 2,
    /// One hour.
    Hour = 3,
}

impl Interval {
    /// Every interval, each maintained for every trade.
    pub const ALL: [Interval; 3] = [Interval::Minute, Interval::FiveMinutes, Interval::Hour];

    /// Width in seconds.
    pub const fn seconds(self) -> u64 {
        match self {
            Interval::Minute => 60,
            Interval::FiveMinutes => 300,
            Interval::Hour => 3_600,
        }
    }

    /// The query name: `1m`, `5m` or `1h`.
    pub const fn name(self) -> &'static str {
        match self {
            Interval::Minute => "1m",
            Interval::FiveMinutes => "5m",
            Interval::Hour => "1h",
        }
    }

    /// The interval named `name` (as [`Interval::name`] spells it).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.name() == name)
    }

    /// Start, in Unix seconds, of the bucket holding `timestamp_ms`.
    pub const fn bucket_start_s(self, timestamp_ms: u64) -> u64 {
        let seconds = timestamp_ms / 1_000;
        seconds - seconds % self.seconds()
    }
}

/// The key of `market`'s `interval` candle starting at `bucket_start_s`.
pub fn candle_key(market: &B256, interval: Interval, bucket_start_s: u64) -> CandleKey {
    let mut key = [0u8; CANDLE_KEY_LEN];
    key[..32].copy_from_slice(market.as_slice());
    key[32] = interval as u8;
    key[33..].copy_from_slice(&bucket_start_s.to_be_bytes());
    key
}

/// The bucket start of a key written by [`candle_key`].
pub fn key_bucket_start_s(key: &[u8]) -> Option<u64> {
    let bytes: [u8; 8] = key.get(33..CANDLE_KEY_LEN)?.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

/// One bucket's trades: prices in ticks, amounts in smallest units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candle {
    /// Tick of the bucket's first trade.
    pub open: i32,
    /// Highest tick traded.
    pub high: i32,
    /// Lowest tick traded.
    pub low: i32,
    /// Tick of the bucket's last trade.
    pub close: i32,
    /// Base traded, smallest units.
    pub volume: U256,
    /// Quote traded (before fees), smallest units.
    pub quote_volume: U256,
    /// Number of trades.
    pub trades: u64,
}

impl Candle {
    /// The candle of one trade.
    pub fn of_trade(trade: &Trade) -> Self {
        let tick = trade.maker_tick;
        Self {
            open: tick,
            high: tick,
            low: tick,
            close: tick,
            volume: trade.qty,
            quote_volume: trade.quote_amount,
            trades: 1,
        }
    }

    /// Folds in `later`, the candle of trades after this one's in the same bucket.
    pub fn absorb(&mut self, later: &Candle) {
        self.high = self.high.max(later.high);
        self.low = self.low.min(later.low);
        self.close = later.close;
        self.volume = self.volume.saturating_add(later.volume);
        self.quote_volume = self.quote_volume.saturating_add(later.quote_volume);
        self.trades = self.trades.saturating_add(later.trades);
    }

    /// `U8 version ‖ I32 open ‖ I32 high ‖ I32 low ‖ I32 close ‖ U256 volume ‖
    /// U256 quoteVolume ‖ U64 trades`.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(1 + 4 * 4 + 32 * 2 + 8);
        w.u8(CANDLE_RECORD_VERSION).i32(self.open).i32(self.high).i32(self.low).i32(self.close);
        w.u256(&self.volume).u256(&self.quote_volume).u64(self.trades);
        w.into_bytes()
    }

    /// Strict inverse of [`Candle::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, crate::stored::RecordError> {
        let mut r = Reader::new(bytes);
        let version = r.u8()?;
        if version != CANDLE_RECORD_VERSION {
            return Err(crate::stored::RecordError::Version { found: version, expected: CANDLE_RECORD_VERSION });
        }
        let (open, high, low, close) = (r.i32()?, r.i32()?, r.i32()?, r.i32()?);
        let (volume, quote_volume, trades) = (r.u256()?, r.u256()?, r.u64()?);
        r.finish()?;
        Ok(Self { open, high, low, close, volume, quote_volume, trades })
    }
}

/// The one-minute buckets a 24-hour ticker covers: the one holding its end and the 1,439
/// before it.
pub const DAY_MINUTES: u64 = 24 * 60;

/// Start, in Unix seconds, of the first one-minute bucket of the 24 hours that end at
/// `end_ms` (see [`DAY_MINUTES`]).
pub const fn day_window_start_s(end_ms: u64) -> u64 {
    Interval::Minute.bucket_start_s(end_ms).saturating_sub((DAY_MINUTES - 1) * Interval::Minute.seconds())
}

/// The candles of a window folded into one (`None` for a window without trades).
pub fn fold<'a>(candles: impl IntoIterator<Item = &'a Candle>) -> Option<Candle> {
    candles.into_iter().fold(None, |folded, candle| match folded {
        None => Some(*candle),
        Some(mut folded) => {
            folded.absorb(candle);
            Some(folded)
        }
    })
}

/// The change from `open` to `last` as a percentage with two decimals (`"-1.25"`, `"0.00"`),
/// rounded half away from zero; ticks are positive (C12), so `open` is never zero on a traded
/// market (`None` if it is).
pub fn change_percent(open: i32, last: i32) -> Option<String> {
    if open == 0 {
        return None;
    }
    let (open, last) = (i128::from(open), i128::from(last));
    let numerator = (last - open) * 10_000;
    let hundredths = (2 * numerator.abs() + open.abs()) / (2 * open.abs());
    let negative = (numerator < 0) != (open < 0) && hundredths != 0;
    Some(format!("{}{}.{:02}", if negative { "-" } else { "" }, hundredths / 100, hundredths % 100))
}

/// What one block adds to the candles: per key, the candle of the block's trades in that
/// bucket, to be folded into the stored one (see [`Candle::absorb`]).
pub type CandleUpdates = BTreeMap<CandleKey, Candle>;

/// The candle updates of a block at `timestamp_ms` whose trades, in execution order, are
/// `trades` (each names its market). Every trade of a block shares the block's time, so each
/// (market, interval) gets one bucket.
pub fn block_updates<'a>(timestamp_ms: u64, trades: impl IntoIterator<Item = &'a Trade>) -> CandleUpdates {
    let mut updates = CandleUpdates::new();
    for trade in trades {
        let candle = Candle::of_trade(trade);
        for interval in Interval::ALL {
            let key = candle_key(&trade.market_id, interval, interval.bucket_start_s(timestamp_ms));
            updates.entry(key).and_modify(|c| c.absorb(&candle)).or_insert(candle);
        }
    }
    updates
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::Address;
    use numo_stf::Side;

    fn trade(market: u8, tick: i32, qty: u64) -> Trade {
        Trade {
            market_id: B256::repeat_byte(market),
            maker_order_id: B256::ZERO,
            taker_order_id: B256::ZERO,
            maker: Address::ZERO,
            taker: Address::ZERO,
            taker_side: Side::Buy,
            maker_tick: tick,
            qty: U256::from(qty),
            quote_amount: U256::from(qty) * U256::from(tick.unsigned_abs()),
            taker_fee: U256::ZERO,
        }
    }

    #[test]
    fn buckets_start_on_interval_boundaries() {
        assert_eq!(Interval::Minute.bucket_start_s(1_700_000_059_999), 1_700_000_040);
        assert_eq!(Interval::Minute.bucket_start_s(1_700_000_100_000), 1_700_000_100);
        assert_eq!(Interval::FiveMinutes.bucket_start_s(1_700_000_299_000), 1_700_000_100);
        assert_eq!(Interval::Hour.bucket_start_s(1_700_002_799_999), 1_699_999_200);
        assert_eq!(Interval::Hour.bucket_start_s(1_700_002_800_000), 1_700_002_800);
        assert_eq!(Interval::Hour.bucket_start_s(0), 0);
        for interval in Interval::ALL {
            assert_eq!(Interval::parse(interval.name()), Some(interval));
        }
        assert_eq!(Interval::parse("1d"), None);
    }

    #[test]
    fn a_block_folds_its_trades_in_execution_order() {
        let trades = [trade(1, 100, 2), trade(1, 105, 1), trade(1, 98, 4), trade(1, 101, 3), trade(2, 7, 1)];
        let updates = block_updates(60_500, &trades);
        assert_eq!(updates.len(), 6, "two markets × three intervals");
        let one = updates[&candle_key(&B256::repeat_byte(1), Interval::Minute, 60)];
        let expected = Candle {
            open: 100,
            high: 105,
            low: 98,
            close: 101,
            volume: U256::from(10u64),
            quote_volume: U256::from(200 + 105 + 392 + 303u64),
            trades: 4,
        };
        assert_eq!(one, expected);
        assert_eq!(updates[&candle_key(&B256::repeat_byte(1), Interval::Hour, 0)], expected);
        let mut stored = Candle::of_trade(&trade(1, 90, 1));
        stored.absorb(&one);
        assert_eq!((stored.open, stored.low, stored.high, stored.close, stored.trades), (90, 90, 105, 101, 5));
    }

    #[test]
    fn changes_are_percentages_rounded_half_away_from_zero() {
        assert_eq!(change_percent(300_000, 296_250).as_deref(), Some("-1.25"));
        assert_eq!(change_percent(300_000, 300_000).as_deref(), Some("0.00"));
        assert_eq!(change_percent(300, 301).as_deref(), Some("0.33"));
        assert_eq!(change_percent(200, 201).as_deref(), Some("0.50"));
        assert_eq!(change_percent(80_000, 80_001).as_deref(), Some("0.00"), "0.00125% rounds to 0.00");
        assert_eq!(change_percent(80_000, 79_999).as_deref(), Some("0.00"), "and has no sign");
        assert_eq!(change_percent(8_000, 7_999).as_deref(), Some("-0.01"), "-0.0125% rounds away from zero");
        assert_eq!(change_percent(1, 3).as_deref(), Some("200.00"));
        assert_eq!(change_percent(1, i32::MAX).as_deref(), Some("214748364600.00"));
        assert_eq!(change_percent(0, 5), None);
    }

    #[test]
    fn a_day_window_is_the_1440_minutes_ending_with_the_latest() {
        assert_eq!(day_window_start_s(86_400_000 + 59_999), 60);
        assert_eq!(day_window_start_s(86_400_000), 60);
        assert_eq!(day_window_start_s(5_000), 0);
        let candles =
            [Candle::of_trade(&trade(1, 10, 1)), Candle::of_trade(&trade(1, 12, 2)), Candle::of_trade(&trade(1, 9, 1))];
        let day = fold(&candles).unwrap();
        assert_eq!((day.open, day.high, day.low, day.close, day.trades), (10, 12, 9, 9, 3));
        assert_eq!(day.volume, U256::from(4u64));
        assert_eq!(fold(&[]), None);
    }

    #[test]
    fn candles_round_trip_and_refuse_other_versions() {
        let candle = block_updates(0, &[trade(1, -3, 9), trade(1, i32::MAX, 1)]).into_values().next().unwrap();
        let bytes = candle.encode();
        assert_eq!(Candle::decode(&bytes), Ok(candle));
        for cut in 0..bytes.len() {
            assert!(Candle::decode(&bytes[..cut]).is_err(), "prefix of {cut} bytes");
        }
        let mut other = bytes.clone();
        other[0] = 9;
        assert!(Candle::decode(&other).unwrap_err().to_string().contains("record version 9"));
        let key = candle_key(&B256::repeat_byte(3), Interval::FiveMinutes, 1_700_000_100);
        assert_eq!(key_bucket_start_s(&key), Some(1_700_000_100));
        assert!(
            candle_key(&B256::ZERO, Interval::Minute, u64::MAX) < candle_key(&B256::ZERO, Interval::FiveMinutes, 0)
        );
    }
}

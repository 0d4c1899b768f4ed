//! Protocol integers as human numbers, for display: the API's market data (candles, tickers,
//! order history) and the CLI's tables print prices and sizes with these, so a price reads the
//! same everywhere.
//!
//! A market trades base against quote; the protocol counts smallest units and prices in ticks:
//! `price = tick × tickSize` is quote smallest units per base smallest unit scaled by
//! `priceScale` (1e18 in V1), so the human price of a tick (whole quote per whole base) is
//! `tick × tickSize × 10^baseDecimals / (10^quoteDecimals × priceScale)` — exact in decimal,
//! because the denominator is a power of ten (on the dev WETH/USDC, tick 300000 is 3000).

use crate::genesis::{MarketSpec, VenueGenesis};
use alloy_primitives::U256;

/// `10^exp`, saturating at `U256::MAX` (only absurd decimals get there).
fn pow10(exp: u32) -> U256 {
    U256::from(10u64).checked_pow(U256::from(exp)).unwrap_or(U256::MAX)
}

/// `amount × 10^-decimals` in plain decimal notation, trailing fraction zeros dropped.
pub fn format_units(amount: U256, decimals: u32) -> String {
    format_units_min(amount, decimals, 0)
}

/// Like [`format_units`], keeping at least `min_fraction` fraction digits (table columns).
pub fn format_units_min(amount: U256, decimals: u32, min_fraction: u32) -> String {
    let text = amount.to_string();
    let decimals = decimals as usize;
    let padded = format!("{text:0>width$}", width = decimals + 1);
    let (whole, fraction) = padded.split_at(padded.len() - decimals);
    let keep = fraction.trim_end_matches('0').len().max(min_fraction as usize).min(fraction.len());
    if keep == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", &fraction[..keep])
    }
}

/// `log10(value)` when `value` is a power of ten (`priceScale` must be one).
pub fn power_of_ten_exponent(value: U256) -> Option<u32> {
    let text = value.to_string();
    (text.starts_with('1') && text[1..].bytes().all(|b| b == b'0')).then(|| text.len() as u32 - 1)
}

/// How one market's ticks and smallest units read as human numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisplayGrid {
    /// Quote smallest units per base smallest unit, `priceScale`-scaled, per tick.
    pub tick_size: U256,
    /// `log10(priceScale)`: 18 in V1.
    pub price_scale_exponent: u32,
    /// Display decimals of the base asset.
    pub base_decimals: u32,
    /// Display decimals of the quote asset.
    pub quote_decimals: u32,
}

impl DisplayGrid {
    /// The grid of a market of `genesis`. Genesis validation makes `priceScale` 1e18 and every
    /// market's assets venue assets, so neither fallback (18, 0 decimals) is reached.
    pub fn of(market: &MarketSpec, genesis: &VenueGenesis) -> Self {
        let rules = &market.context.rules;
        let decimals = |asset| genesis.asset_by_id(asset).map_or(0, |a| u32::from(a.decimals));
        Self {
            tick_size: rules.tick_size,
            price_scale_exponent: power_of_ten_exponent(rules.price_scale).unwrap_or(18),
            base_decimals: decimals(&rules.base_asset),
            quote_decimals: decimals(&rules.quote_asset),
        }
    }

    /// Human price of `tick` (whole quote per whole base), exact, trailing zeros dropped.
    pub fn price(&self, tick: i64) -> String {
        self.price_min(tick, 0)
    }

    /// [`DisplayGrid::price`] with at least `min_fraction` fraction digits.
    pub fn price_min(&self, tick: i64, min_fraction: u32) -> String {
        let sign = if tick < 0 { "-" } else { "" };
        let numerator =
            U256::from(tick.unsigned_abs()).saturating_mul(self.tick_size).saturating_mul(pow10(self.base_decimals));
        format!("{sign}{}", format_units_min(numerator, self.quote_decimals + self.price_scale_exponent, min_fraction))
    }

    /// Human base quantity of `qty` smallest units.
    pub fn qty(&self, qty: U256) -> String {
        format_units(qty, self.base_decimals)
    }

    /// Human quote amount of `amount` smallest units.
    pub fn quote(&self, amount: U256) -> String {
        format_units(amount, self.quote_decimals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_market_prices_and_sizes_read_as_documented() {
        let genesis = VenueGenesis::dev();
        let grid =
            |symbol: &str| DisplayGrid::of(genesis.markets.iter().find(|m| m.symbol == symbol).unwrap(), &genesis);
        let weth = grid("WETH/USDC");
        assert_eq!((weth.base_decimals, weth.quote_decimals, weth.price_scale_exponent), (18, 6, 18));
        assert_eq!(weth.price(300_000), "3000");
        assert_eq!(weth.price(299_999), "2999.99");
        assert_eq!(weth.price_min(300_000, 2), "3000.00");
        assert_eq!(weth.qty(U256::from(15u64) * pow10(17)), "1.5");
        assert_eq!(weth.quote(U256::from(3_000_500_000u64)), "3000.5");
        assert_eq!(grid("WBTC/USDC").price(6_000_001), "60000.01");
    }

    #[test]
    fn units_format_exactly() {
        assert_eq!(format_units(U256::from(1_500_000u64), 6), "1.5");
        assert_eq!(format_units(U256::from(5u64), 6), "0.000005");
        assert_eq!(format_units(U256::ZERO, 6), "0");
        assert_eq!(format_units_min(U256::from(1_000_000u64), 6, 2), "1.00");
        assert_eq!(format_units(U256::from(7u64), 0), "7");
        assert_eq!(power_of_ten_exponent(pow10(18)), Some(18));
        assert_eq!(power_of_ten_exponent(U256::from(1u64)), Some(0));
        assert_eq!(power_of_ten_exponent(U256::from(20u64)), None);
    }
}

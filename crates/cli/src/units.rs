//! Human amounts ↔ protocol integers. A market trades base against quote; the protocol counts
//! smallest units and prices in ticks: `price = tick × tickSize` is quote smallest units per
//! base smallest unit scaled by `priceScale` (1e18 in V1), so a human price `P` (whole quote
//! per whole base) is tick `P × 10^quoteDecimals × priceScale / (10^baseDecimals × tickSize)`
//! (on the dev WETH/USDC, 3000 USDC is tick 300000). Quantities are base smallest units, a
//! multiple of `lotSize`. Conversions are exact: a value between grid points is refused with
//! the nearest valid values, never rounded silently.

use crate::failure::Failure;
use alloy_primitives::U256;
use anyhow::{bail, Context, Result};
/// The node's display formatting, so the CLI prints prices and sizes as the API does.
pub(crate) use numo_node::units::{format_units, format_units_min};
use numo_node::units::{power_of_ten_exponent, DisplayGrid};

/// A non-negative decimal number: `digits × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decimal {
    digits: U256,
    scale: u32,
}

/// Parses `123`, `123.45`, `.5`: plain decimal notation, no sign, no exponent.
pub(crate) fn parse_decimal(text: &str) -> Result<Decimal> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let all = format!("{whole}{fraction}");
    if all.is_empty() || !all.bytes().all(|b| b.is_ascii_digit()) {
        bail!("`{text}` is not a decimal number (digits with an optional `.`)");
    }
    if all.len() > 60 {
        bail!("`{text}` has too many digits");
    }
    let digits = all.parse::<U256>().with_context(|| format!("`{text}` is not a decimal number"))?;
    Ok(Decimal { digits, scale: fraction.len() as u32 })
}

fn pow10(exp: u32) -> Result<U256> {
    U256::from(10u64).checked_pow(U256::from(exp)).context("number too large")
}

/// Number of fraction digits `format_units` prints for `amount` (the precision of a step).
fn fraction_digits(amount: U256, decimals: u32) -> u32 {
    format_units(amount, decimals).split_once('.').map_or(0, |(_, f)| f.len() as u32)
}

/// The smallest units of a token amount typed in whole tokens (`1000`, `0.25`): exact, so more
/// fraction digits than the asset has decimals is refused (`too_many_decimals`) rather than
/// rounded, and zero is refused (`zero_amount`: the bridge and F7 both refuse it, and a refused
/// withdrawal still spends its funding nonce).
pub(crate) fn parse_token_amount(text: &str, decimals: u32, symbol: &str) -> Result<U256> {
    let amount = parse_decimal(text).map_err(|e| Failure::error("bad_amount", format!("amount `{text}`: {e}")))?;
    if amount.scale > decimals {
        return Err(Failure::error(
            "too_many_decimals",
            format!(
                "amount {text} has {} fraction digits but {symbol} has {decimals} decimals (its smallest unit is {})",
                amount.scale,
                format_units(U256::from(1u64), decimals)
            ),
        ));
    }
    let units = amount
        .digits
        .checked_mul(pow10(decimals - amount.scale)?)
        .ok_or_else(|| Failure::error("bad_amount", format!("amount {text} {symbol} is too large")))?;
    if units.is_zero() {
        return Err(Failure::error("zero_amount", format!("amount {text} {symbol} is zero")));
    }
    Ok(units)
}

/// A market's price and quantity grids, with its assets' display decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Grid {
    pub(crate) tick_size: U256,
    pub(crate) lot_size: U256,
    /// `log10(priceScale)`: V1 fixes `priceScale = 1e18`.
    pub(crate) price_scale_exp: u32,
    pub(crate) base_decimals: u32,
    pub(crate) quote_decimals: u32,
}

impl Grid {
    /// The grid; `price_scale` must be a power of ten (it is 1e18 in V1).
    pub(crate) fn new(
        tick_size: U256,
        lot_size: U256,
        price_scale: U256,
        base_decimals: u32,
        quote_decimals: u32,
    ) -> Result<Self> {
        let Some(price_scale_exp) = power_of_ten_exponent(price_scale) else {
            bail!("priceScale {price_scale} is not a power of ten");
        };
        if tick_size.is_zero() || lot_size.is_zero() {
            bail!("tickSize and lotSize must be positive");
        }
        Ok(Self { tick_size, lot_size, price_scale_exp, base_decimals, quote_decimals })
    }

    /// The node's display grid of the same market.
    fn display(&self) -> DisplayGrid {
        DisplayGrid {
            tick_size: self.tick_size,
            price_scale_exponent: self.price_scale_exp,
            base_decimals: self.base_decimals,
            quote_decimals: self.quote_decimals,
        }
    }

    /// Human price of `tick`: `tick × tickSize × 10^baseDecimals / (10^quoteDecimals × priceScale)`,
    /// exact (the denominator is a power of ten).
    pub(crate) fn price(&self, tick: i64) -> String {
        self.price_min(tick, 0)
    }

    /// [`Grid::price`] with at least the fraction digits of one tick (aligned columns).
    pub(crate) fn price_aligned(&self, tick: i64) -> String {
        self.price_min(tick, self.price_digits())
    }

    fn price_min(&self, tick: i64, min_fraction: u32) -> String {
        self.display().price_min(tick, min_fraction)
    }

    /// Fraction digits of one tick's price (2 for a cent grid).
    pub(crate) fn price_digits(&self) -> u32 {
        let step = self.tick_size.saturating_mul(pow10(self.base_decimals).unwrap_or(U256::MAX));
        fraction_digits(step, self.quote_decimals + self.price_scale_exp)
    }

    /// Fraction digits of one lot (4 for 0.0001 WETH).
    pub(crate) fn qty_digits(&self) -> u32 {
        fraction_digits(self.lot_size, self.base_decimals)
    }

    /// Human base quantity of `qty` smallest units.
    pub(crate) fn qty(&self, qty: U256) -> String {
        self.display().qty(qty)
    }

    /// [`Grid::qty`] with at least one lot's fraction digits.
    pub(crate) fn qty_aligned(&self, qty: U256) -> String {
        format_units_min(qty, self.base_decimals, self.qty_digits())
    }

    /// Human quote amount of `amount` smallest units.
    pub(crate) fn quote(&self, amount: U256) -> String {
        self.display().quote(amount)
    }

    /// The tick of a human price, refused with the two nearest valid prices when it is not
    /// on the grid or out of the tick range (1 ..= i32::MAX).
    pub(crate) fn tick_of(&self, price_text: &str) -> Result<i32> {
        let price = parse_decimal(price_text).with_context(|| format!("price `{price_text}`"))?;
        let numerator =
            price.digits.checked_mul(pow10(self.quote_decimals + self.price_scale_exp)?).context("price too large")?;
        let denominator =
            pow10(price.scale + self.base_decimals)?.checked_mul(self.tick_size).context("price too precise")?;
        let (tick, remainder) = numerator.div_rem(denominator);
        let max = U256::from(i32::MAX);
        if !remainder.is_zero() {
            let below = tick;
            let above = tick + U256::from(1u64);
            let mut nearest = Vec::new();
            if !below.is_zero() && below <= max {
                nearest.push(format!("{} (tick {below})", self.price(below.to::<i64>())));
            }
            if above <= max {
                nearest.push(format!("{} (tick {above})", self.price(above.to::<i64>())));
            }
            return Err(Failure::error(
                "off_grid",
                format!(
                    "price {price_text} is not on the tick grid (one tick = {}); nearest valid: {}",
                    self.price(1),
                    nearest.join(" or ")
                ),
            ));
        }
        if tick.is_zero() || tick > max {
            return Err(Failure::error(
                "off_grid",
                format!(
                    "price {price_text} is out of range: ticks go from 1 ({}) to {} ({})",
                    self.price(1),
                    i32::MAX,
                    self.price(i64::from(i32::MAX))
                ),
            ));
        }
        Ok(tick.to::<i32>())
    }

    /// The base smallest units of a human quantity, refused with the nearest valid quantities
    /// when it is not a positive multiple of `lotSize`.
    pub(crate) fn qty_of(&self, qty_text: &str) -> Result<U256> {
        let qty = parse_decimal(qty_text).with_context(|| format!("quantity `{qty_text}`"))?;
        let numerator = qty.digits.checked_mul(pow10(self.base_decimals)?).context("quantity too large")?;
        let (units, remainder) = numerator.div_rem(pow10(qty.scale)?);
        let (lots, lot_remainder) = units.div_rem(self.lot_size);
        if !remainder.is_zero() || !lot_remainder.is_zero() || units.is_zero() {
            let below = lots * self.lot_size;
            let above = below + self.lot_size;
            let mut nearest = Vec::new();
            if !below.is_zero() {
                nearest.push(format!("{} ({lots} lots)", self.qty(below)));
            }
            nearest.push(format!("{} ({} lots)", self.qty(above), lots + U256::from(1u64)));
            return Err(Failure::error(
                "off_grid",
                format!(
                    "quantity {qty_text} is not a positive multiple of the lot size {}; nearest valid: {}",
                    self.qty(self.lot_size),
                    nearest.join(" or ")
                ),
            ));
        }
        Ok(units)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dev markets (see `VenueGenesis::dev`).
    fn weth_usdc() -> Grid {
        Grid::new(
            U256::from(10_000u64),
            U256::from(10u64).pow(U256::from(14)),
            U256::from(10u64).pow(U256::from(18)),
            18,
            6,
        )
        .unwrap()
    }

    fn wbtc_usdc() -> Grid {
        Grid::new(
            U256::from(10u64).pow(U256::from(14)),
            U256::from(10_000u64),
            U256::from(10u64).pow(U256::from(18)),
            8,
            6,
        )
        .unwrap()
    }

    #[test]
    fn dev_prices_map_to_the_documented_ticks() {
        let g = weth_usdc();
        assert_eq!(g.tick_of("3000").unwrap(), 300_000);
        assert_eq!(g.tick_of("3000.00").unwrap(), 300_000);
        assert_eq!(g.tick_of("2999.99").unwrap(), 299_999);
        assert_eq!(g.tick_of("0.01").unwrap(), 1);
        assert_eq!(g.price(300_000), "3000");
        assert_eq!(g.price(299_999), "2999.99");
        assert_eq!(g.price_aligned(300_000), "3000.00");
        assert_eq!(wbtc_usdc().tick_of("60000").unwrap(), 6_000_000);
        assert_eq!(wbtc_usdc().price(6_000_001), "60000.01");
    }

    #[test]
    fn off_grid_prices_name_the_nearest_ticks() {
        let error = weth_usdc().tick_of("3000.005").unwrap_err().to_string();
        assert!(error.contains("3000 (tick 300000) or 3000.01 (tick 300001)"), "{error}");
        assert!(error.contains("one tick = 0.01"), "{error}");
        assert!(weth_usdc().tick_of("0.001").unwrap_err().to_string().contains("nearest valid: 0.01 (tick 1)"));
        assert!(weth_usdc().tick_of("0").unwrap_err().to_string().contains("out of range"));
        assert!(weth_usdc().tick_of("99999999").unwrap_err().to_string().contains("out of range"));
        for bad in ["", "-1", "1e3", "3,000", "1.2.3", "abc"] {
            assert!(weth_usdc().tick_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quantities_are_whole_lots() {
        let g = weth_usdc();
        assert_eq!(g.qty_of("1").unwrap(), U256::from(10u64).pow(U256::from(18)));
        assert_eq!(g.qty_of("0.0001").unwrap(), U256::from(10u64).pow(U256::from(14)));
        assert_eq!(g.qty_of("2.5").unwrap(), U256::from(25u64) * U256::from(10u64).pow(U256::from(17)));
        let error = g.qty_of("0.00015").unwrap_err().to_string();
        assert!(error.contains("0.0001 (1 lots) or 0.0002 (2 lots)"), "{error}");
        let error = g.qty_of("0.00001").unwrap_err().to_string();
        assert!(error.contains("nearest valid: 0.0001 (1 lots)"), "{error}");
        assert!(g.qty_of("0").is_err());
        // More decimals than the asset has.
        assert!(wbtc_usdc().qty_of("0.000000001").is_err());
        assert_eq!(g.qty_aligned(U256::from(10u64).pow(U256::from(18))), "1.0000");
        assert_eq!(g.qty(U256::from(15u64) * U256::from(10u64).pow(U256::from(17))), "1.5");
    }

    #[test]
    fn token_amounts_are_exact() {
        let code = |r: Result<U256>| r.unwrap_err().downcast::<Failure>().unwrap().code;
        assert_eq!(parse_token_amount("1000", 6, "USDC").unwrap(), U256::from(1_000_000_000u64));
        assert_eq!(parse_token_amount("0.000001", 6, "USDC").unwrap(), U256::from(1u64));
        assert_eq!(parse_token_amount("1.50", 6, "USDC").unwrap(), U256::from(1_500_000u64));
        assert_eq!(code(parse_token_amount("0.0000001", 6, "USDC")), "too_many_decimals");
        assert_eq!(code(parse_token_amount("1.0000000", 6, "USDC")), "too_many_decimals");
        assert_eq!(code(parse_token_amount("0", 6, "USDC")), "zero_amount");
        assert_eq!(code(parse_token_amount("-1", 6, "USDC")), "bad_amount");
        assert_eq!(code(parse_token_amount("1e6", 6, "USDC")), "bad_amount");
    }
}

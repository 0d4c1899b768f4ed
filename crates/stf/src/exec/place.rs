//! Place (C12–C17), in named phases: [`check_fields`] (stateless rejections),
//! [`compute_lock`] (C13, C14), then lock, [`match_against_book`] (C15, C16) and
//! [`settle_remainder`] (C17).

use super::book;
use super::hints::HintSource;
use super::journal::Journal;
use super::ledger::{Bucket, Ledger};
use super::math::{add, mul, mul_div_down, mul_div_up, sub};
use super::{Fault, MessageOutcome, PlaceSummary, RejectReason};
use crate::keys::{fee_vault_key, order_key, tick_node_key};
use crate::limits::{FEE_BPS_DENOMINATOR, PRICE_SCALE};
use crate::message::Place;
use crate::records::Trade;
use crate::rules::{MarketContext, Rules};
use crate::state::State;
use crate::units::{Side, TimeInForce};
use crate::values::{FeeVault, Order, TickNode};
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};

/// Trades and fees of one message, kept apart until the message commits (C12).
#[derive(Debug, Default)]
pub struct PlaceEffects {
    /// Fills in execution order.
    pub trades: Vec<Trade>,
    /// Sum of taker fees, in the quote asset.
    pub fees: U256,
}

/// A Place whose fields passed the C12 checks.
struct Taker<'m> {
    place: &'m Place,
    side: Side,
    tif: TimeInForce,
    price: U256,
    /// Collateral locked at entry and not yet spent or released.
    lock_left: U256,
    remaining: U256,
    fills: u32,
}

/// Executes one Place inside the message's journal.
pub fn execute<S: State, H: HintSource>(
    j: &mut Journal<'_, S>,
    ctx: &MarketContext,
    index: usize,
    place: &Place,
    hints: &mut H,
    effects: &mut PlaceEffects,
) -> Result<MessageOutcome, Fault> {
    let (side, tif) = check_fields(&ctx.rules, place)?;
    let price = tick_price(place.tick, &ctx.rules)?;
    let lock = compute_lock(&ctx.rules, side, price, place.qty)?;
    let resting: Order = j.read(&order_key(&ctx.market_id, &place.order_id))?;
    if resting != Order::default() {
        return Err(RejectReason::OrderIdResting.into());
    }
    let ledger = Ledger::new(ctx.rules.max_balance);
    ledger.lock(j, &place.trader, &collateral_asset(&ctx.rules, side), lock)?;
    let mut taker = Taker { place, side, tif, price, lock_left: lock, remaining: place.qty, fills: 0 };
    match_against_book(j, ctx, &ledger, &mut taker, effects)?;
    settle_remainder(j, ctx, &ledger, index, &mut taker, hints)
}

/// The stateless rejections of C12, in the C25 order (side, tif, tick, quantity, lot, orderId).
/// The one copy: execution runs it first, and the node's admission runs it to refuse such a
/// message up front, before it consumes a nonce.
pub fn check_fields(rules: &Rules, place: &Place) -> Result<(Side, TimeInForce), RejectReason> {
    let side = Side::from_u8(place.side).ok_or(RejectReason::BadSide)?;
    let tif = TimeInForce::from_u32(place.tif).ok_or(RejectReason::BadTimeInForce)?;
    if place.tick <= 0 {
        return Err(RejectReason::NonPositiveTick);
    }
    if place.qty.is_zero() {
        return Err(RejectReason::ZeroQuantity);
    }
    if !(place.qty % rules.lot_size).is_zero() {
        return Err(RejectReason::QuantityNotLotMultiple);
    }
    if place.order_id.is_zero() {
        return Err(RejectReason::ZeroOrderId);
    }
    Ok((side, tif))
}

/// C13: `price = tickIndex × tickSize`, checked. Ticks of resting orders are positive.
fn tick_price(tick: i32, rules: &Rules) -> Result<U256, RejectReason> {
    let tick = u32::try_from(tick).map_err(|_| RejectReason::NonPositiveTick)?;
    mul(U256::from(tick), rules.tick_size)
}

/// C14: SELL locks `qty` base; BUY locks `notional + reserve` quote, where the reserve covers
/// the taker fee plus one unit of round-up per possible fill.
fn compute_lock(rules: &Rules, side: Side, price: U256, qty: U256) -> Result<U256, RejectReason> {
    match side {
        Side::Sell => Ok(qty),
        Side::Buy => {
            let notional = mul_div_up(price, qty, U256::from(PRICE_SCALE))?;
            let fee_reserve = mul_div_up(notional, U256::from(rules.taker_fee_bps), U256::from(FEE_BPS_DENOMINATOR))?;
            let round_up_reserve =
                if rules.taker_fee_bps > 0 { U256::from(rules.max_matches_per_order) } else { U256::ZERO };
            add(notional, add(fee_reserve, round_up_reserve)?)
        }
    }
}

/// The asset an order of `side` locks: quote for BUY, base for SELL (C8).
fn collateral_asset(rules: &Rules, side: Side) -> B256 {
    match side {
        Side::Buy => rules.quote_asset,
        Side::Sell => rules.base_asset,
    }
}

/// C15: fill against the opposite side, best tick first and FIFO inside a tick, until the
/// taker is filled, nothing crosses, or `maxMatchesPerOrder` fills happened.
fn match_against_book<S: State>(
    j: &mut Journal<'_, S>,
    ctx: &MarketContext,
    ledger: &Ledger,
    taker: &mut Taker<'_>,
    effects: &mut PlaceEffects,
) -> Result<(), Fault> {
    let book_side = taker.side.opposite();
    while !taker.remaining.is_zero() && taker.fills < ctx.rules.max_matches_per_order {
        let Some(best_tick) = book::best(j, &ctx.market_id)?.get(book_side) else {
            break;
        };
        if !taker.side.crosses(taker.place.tick, best_tick) {
            break;
        }
        fill_head_order(j, ctx, ledger, taker, best_tick, effects)?;
    }
    Ok(())
}

/// One fill against the oldest order of `maker_tick`.
fn fill_head_order<S: State>(
    j: &mut Journal<'_, S>,
    ctx: &MarketContext,
    ledger: &Ledger,
    taker: &mut Taker<'_>,
    maker_tick: i32,
    effects: &mut PlaceEffects,
) -> Result<(), Fault> {
    let market = &ctx.market_id;
    let rules = &ctx.rules;
    let book_side = taker.side.opposite();
    let tick_key = tick_node_key(market, book_side, maker_tick);
    let mut tick: TickNode = j.read(&tick_key)?;
    let maker_id = tick.head;
    let maker_key = order_key(market, &maker_id);
    let mut maker: Order = j.read(&maker_key)?;

    let fill = taker.remaining.min(maker.remaining);
    let maker_price = tick_price(maker_tick, rules)?;
    let quote_amount = mul_div_down(maker_price, fill, U256::from(PRICE_SCALE))?;
    let fee = mul_div_up(quote_amount, U256::from(rules.taker_fee_bps), U256::from(FEE_BPS_DENOMINATOR))?;
    let maker_spent = settle_fill(j, rules, ledger, taker, &maker.trader, fill, quote_amount, fee)?;
    maker.locked = sub(maker.locked, maker_spent)?;
    if !fee.is_zero() {
        let vault_key = fee_vault_key(&rules.quote_asset);
        let vault: FeeVault = j.read(&vault_key)?;
        j.write(&vault_key, &FeeVault(add(vault.0, fee)?))?;
        effects.fees = add(effects.fees, fee)?;
    }
    effects.trades.push(Trade {
        market_id: *market,
        maker_order_id: maker_id,
        taker_order_id: taker.place.order_id,
        maker: maker.trader,
        taker: taker.place.trader,
        taker_side: taker.side,
        maker_tick,
        qty: fill,
        quote_amount,
        taker_fee: fee,
    });

    maker.remaining = sub(maker.remaining, fill)?;
    tick.total_qty = sub(tick.total_qty, fill)?;
    taker.remaining = sub(taker.remaining, fill)?;
    taker.fills += 1;
    j.write(&tick_key, &tick)?;
    if maker.remaining.is_zero() {
        ledger.release(j, &maker.trader, &collateral_asset(rules, book_side), maker.locked)?;
        book::remove_order(j, market, &maker_id, &maker)?;
    } else {
        j.write(&maker_key, &maker)?;
    }
    Ok(())
}

/// The four balance changes of a fill in the C16 order (taker debit, taker credit, maker
/// debit, maker credit), each credit cap-checked right after it. Returns what the maker's
/// order spent from its `ORDER.locked`.
#[allow(clippy::too_many_arguments)]
fn settle_fill<S: State>(
    j: &mut Journal<'_, S>,
    rules: &Rules,
    ledger: &Ledger,
    taker: &mut Taker<'_>,
    maker: &Address,
    fill: U256,
    quote_amount: U256,
    fee: U256,
) -> Result<U256, Fault> {
    let (base, quote) = (&rules.base_asset, &rules.quote_asset);
    let trader = taker.place.trader;
    match taker.side {
        Side::Buy => {
            let spent = add(quote_amount, fee)?;
            ledger.debit(j, &trader, quote, Bucket::Locked, spent)?;
            ledger.credit(j, &trader, base, Bucket::Available, fill)?;
            ledger.debit(j, maker, base, Bucket::Locked, fill)?;
            ledger.credit(j, maker, quote, Bucket::Available, quote_amount)?;
            taker.lock_left = sub(taker.lock_left, spent)?;
            Ok(fill)
        }
        Side::Sell => {
            ledger.debit(j, &trader, base, Bucket::Locked, fill)?;
            ledger.credit(j, &trader, quote, Bucket::Available, sub(quote_amount, fee)?)?;
            ledger.debit(j, maker, quote, Bucket::Locked, quote_amount)?;
            ledger.credit(j, maker, base, Bucket::Available, fill)?;
            taker.lock_left = sub(taker.lock_left, fill)?;
            Ok(quote_amount)
        }
    }
}

/// C17: rest the remainder (GTC), or cancel it (IOC, or the match cap was hit while the book
/// still crosses), and give back whatever of the entry lock the order no longer needs.
fn settle_remainder<S: State, H: HintSource>(
    j: &mut Journal<'_, S>,
    ctx: &MarketContext,
    ledger: &Ledger,
    index: usize,
    taker: &mut Taker<'_>,
    hints: &mut H,
) -> Result<MessageOutcome, Fault> {
    let place = taker.place;
    let collateral = collateral_asset(&ctx.rules, taker.side);
    let mut summary =
        PlaceSummary { filled: sub(place.qty, taker.remaining)?, fills: taker.fills, ..PlaceSummary::default() };
    if taker.remaining.is_zero() {
        ledger.release(j, &place.trader, &collateral, taker.lock_left)?;
        return Ok(MessageOutcome::Placed(summary));
    }
    if taker.tif == TimeInForce::Ioc || still_crosses_at_cap(j, ctx, taker)? {
        ledger.release(j, &place.trader, &collateral, taker.lock_left)?;
        summary.cancelled = taker.remaining;
        return Ok(MessageOutcome::Placed(summary));
    }
    let order_locked = match taker.side {
        Side::Buy => mul_div_up(taker.price, taker.remaining, U256::from(PRICE_SCALE))?,
        Side::Sell => taker.remaining,
    };
    ledger.release(j, &place.trader, &collateral, sub(taker.lock_left, order_locked)?)?;
    summary.new_tick =
        book::append_order(j, hints, index, &ctx.market_id, taker.side, place.tick, &place.order_id, taker.remaining)?;
    let order = Order {
        trader: place.trader,
        side: taker.side,
        tick: place.tick,
        remaining: taker.remaining,
        locked: order_locked,
    };
    j.write(&order_key(&ctx.market_id, &place.order_id), &order)?;
    summary.rested = taker.remaining;
    Ok(MessageOutcome::Placed(summary))
}

/// C17 **DEVIATION**: after `maxMatchesPerOrder` fills a GTC remainder does not rest if the
/// opposite best tick still crosses its limit (resting would cross the book).
fn still_crosses_at_cap<S: State>(
    j: &mut Journal<'_, S>,
    ctx: &MarketContext,
    taker: &Taker<'_>,
) -> Result<bool, Fault> {
    if taker.fills < ctx.rules.max_matches_per_order {
        return Ok(false);
    }
    let best = book::best(j, &ctx.market_id)?.get(taker.side.opposite());
    Ok(best.is_some_and(|best_tick| taker.side.crosses(taker.place.tick, best_tick)))
}

//! Cancel (C18): remove a resting order of the trader and release its collateral.

use super::book;
use super::journal::Journal;
use super::ledger::Ledger;
use super::{Fault, MessageOutcome, RejectReason};
use crate::keys::order_key;
use crate::message::Cancel;
use crate::rules::MarketContext;
use crate::state::State;
use crate::units::Side;
use crate::values::Order;

/// Executes one Cancel inside the message's journal.
pub fn execute<S: State>(
    j: &mut Journal<'_, S>,
    ctx: &MarketContext,
    cancel: &Cancel,
) -> Result<MessageOutcome, Fault> {
    let order: Order = j.read(&order_key(&ctx.market_id, &cancel.order_id))?;
    if order == Order::default() {
        return Err(RejectReason::OrderNotResting.into());
    }
    if order.trader != cancel.trader {
        return Err(RejectReason::NotOrderOwner.into());
    }
    book::remove_order(j, &ctx.market_id, &cancel.order_id, &order)?;
    let collateral = match order.side {
        Side::Buy => ctx.rules.quote_asset,
        Side::Sell => ctx.rules.base_asset,
    };
    Ledger::new(ctx.rules.max_balance).release(j, &order.trader, &collateral, order.locked)?;
    Ok(MessageOutcome::Cancelled { released: order.locked, remaining: order.remaining })
}

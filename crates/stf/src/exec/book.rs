//! The order book in state: per side a doubly linked list of active ticks, best first (C8),
//! and per tick a FIFO list of orders, head = oldest. These are the only functions that
//! write `NS_TICKNODE`, `NS_ORDERNODE` and `NS_MARKETBEST`.

use super::hints::{self, HintSource};
use super::journal::Journal;
use super::math::{add, sub};
use super::Fault;
use crate::keys::{market_best_key, order_key, order_node_key, tick_node_key};
use crate::state::State;
use crate::units::Side;
use crate::values::{MarketBest, Order, OrderNode, TickNode};
use alloy_primitives::{B256, U256};

/// Best bid and ask of `market`.
pub fn best<S: State>(j: &mut Journal<'_, S>, market: &B256) -> Result<MarketBest, Fault> {
    Ok(j.read(&market_best_key(market))?)
}

/// Appends `order_id` with `qty` at the tail of `tick` (C17). If the tick is not active it is
/// linked using the hints of message `index`, which are checked first. Returns whether a new
/// tick was linked.
#[allow(clippy::too_many_arguments)]
pub fn append_order<S: State, H: HintSource>(
    j: &mut Journal<'_, S>,
    hint_source: &mut H,
    index: usize,
    market: &B256,
    side: Side,
    tick: i32,
    order_id: &B256,
    qty: U256,
) -> Result<bool, Fault> {
    let tick_key = tick_node_key(market, side, tick);
    let mut node: TickNode = j.read(&tick_key)?;
    if node != TickNode::default() {
        let old_tail = node.tail;
        let old_tail_key = order_node_key(market, &old_tail);
        let mut old_tail_node: OrderNode = j.read(&old_tail_key)?;
        old_tail_node.next = *order_id;
        j.write(&old_tail_key, &old_tail_node)?;
        j.write(&order_node_key(market, order_id), &OrderNode { prev: old_tail, next: B256::ZERO })?;
        node.tail = *order_id;
        node.total_qty = add(node.total_qty, qty)?;
        j.write(&tick_key, &node)?;
        return Ok(false);
    }
    let given = hint_source.tick_hints(index, j, market, side, tick)?;
    let (prev, next) = hints::verify(j, index, market, side, tick, &given)?;
    link_tick(j, market, side, tick, &given, prev, next)?;
    let new_node = TickNode { prev: given.prev, next: given.next, head: *order_id, tail: *order_id, total_qty: qty };
    j.write(&tick_key, &new_node)?;
    Ok(true)
}

/// Points the verified neighbours (or MARKETBEST) at the new `tick`.
fn link_tick<S: State>(
    j: &mut Journal<'_, S>,
    market: &B256,
    side: Side,
    tick: i32,
    given: &hints::TickHints,
    prev: Option<TickNode>,
    next: Option<TickNode>,
) -> Result<(), Fault> {
    match (given.prev, prev) {
        (Some(prev_tick), Some(mut prev_node)) => {
            prev_node.next = Some(tick);
            j.write(&tick_node_key(market, side, prev_tick), &prev_node)?;
        }
        _ => set_best(j, market, side, Some(tick))?,
    }
    if let (Some(next_tick), Some(mut next_node)) = (given.next, next) {
        next_node.prev = Some(tick);
        j.write(&tick_node_key(market, side, next_tick), &next_node)?;
    }
    Ok(())
}

fn set_best<S: State>(j: &mut Journal<'_, S>, market: &B256, side: Side, tick: Option<i32>) -> Result<(), Fault> {
    let key = market_best_key(market);
    let mut best: MarketBest = j.read(&key)?;
    best.set(side, tick);
    j.write(&key, &best)?;
    Ok(())
}

/// Removes an emptied tick from its side's list (C15, C18): neighbours relinked, MARKETBEST
/// updated when it was the best, TICKNODE deleted.
pub fn unlink_tick<S: State>(
    j: &mut Journal<'_, S>,
    market: &B256,
    side: Side,
    tick: i32,
    node: &TickNode,
) -> Result<(), Fault> {
    match node.prev {
        Some(prev_tick) => {
            let key = tick_node_key(market, side, prev_tick);
            let mut prev: TickNode = j.read(&key)?;
            prev.next = node.next;
            j.write(&key, &prev)?;
        }
        None => set_best(j, market, side, node.next)?,
    }
    if let Some(next_tick) = node.next {
        let key = tick_node_key(market, side, next_tick);
        let mut next: TickNode = j.read(&key)?;
        next.prev = node.prev;
        j.write(&key, &next)?;
    }
    j.delete(&tick_node_key(market, side, tick))?;
    Ok(())
}

/// Takes a resting order out of its tick's FIFO (C15 maker exit, C18 cancel): links its
/// neighbours, lowers `totalQty` by what was still open, unlinks an emptied tick, and deletes
/// ORDER and ORDERNODE. Collateral is the caller's business.
pub fn remove_order<S: State>(
    j: &mut Journal<'_, S>,
    market: &B256,
    order_id: &B256,
    order: &Order,
) -> Result<(), Fault> {
    let side = order.side;
    let node_key = order_node_key(market, order_id);
    let links: OrderNode = j.read(&node_key)?;
    relink_neighbour(j, market, &links.prev, |n| n.next = links.next)?;
    relink_neighbour(j, market, &links.next, |n| n.prev = links.prev)?;
    let tick_key = tick_node_key(market, side, order.tick);
    let mut tick: TickNode = j.read(&tick_key)?;
    if tick.head == *order_id {
        tick.head = links.next;
    }
    if tick.tail == *order_id {
        tick.tail = links.prev;
    }
    tick.total_qty = sub(tick.total_qty, order.remaining)?;
    if tick.head.is_zero() {
        unlink_tick(j, market, side, order.tick, &tick)?;
    } else {
        j.write(&tick_key, &tick)?;
    }
    j.delete(&order_key(market, order_id))?;
    j.delete(&node_key)?;
    Ok(())
}

fn relink_neighbour<S: State>(
    j: &mut Journal<'_, S>,
    market: &B256,
    neighbour: &B256,
    edit: impl FnOnce(&mut OrderNode),
) -> Result<(), Fault> {
    if neighbour.is_zero() {
        return Ok(());
    }
    let key = order_node_key(market, neighbour);
    let mut node: OrderNode = j.read(&key)?;
    edit(&mut node);
    j.write(&key, &node)?;
    Ok(())
}

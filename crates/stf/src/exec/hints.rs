//! Tick hints (section E, C17): where a new tick goes in its side's list. The host supplies
//! them outside the signed message; execution checks them against state, so a wrong hint
//! can only make the batch invalid, never change its result.

use super::journal::Journal;
use crate::codec::{DecodeError, Reader, Writer};
use crate::error::BatchError;
use crate::keys::{market_best_key, tick_node_key};
use crate::state::State;
use crate::units::Side;
use crate::values::{MarketBest, TickNode};
use alloc::collections::BTreeMap;
use alloy_primitives::B256;

/// `prevTickHint` (better neighbour) and `nextTickHint` (worse neighbour), `None` = no such tick.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickHints {
    /// The better active neighbour on the same side.
    pub prev: Option<i32>,
    /// The worse active neighbour on the same side.
    pub next: Option<i32>,
}

impl TickHints {
    /// `U8 hasPrev ‖ I32 prevTickHint ‖ U8 hasNext ‖ I32 nextTickHint` (C22).
    pub fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { prev: r.optional_tick(DecodeError::BadHintFlag)?, next: r.optional_tick(DecodeError::BadHintFlag)? })
    }

    /// Appends the C22 layout.
    pub fn write(&self, w: &mut Writer) {
        w.optional_tick(self.prev).optional_tick(self.next);
    }
}

/// Which C17 check a hint failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HintError {
    /// A present hint names a tick that is not active on that side.
    #[error("hinted tick {0} is not active")]
    Inactive(i32),
    /// `prevTickHint` is not strictly better than the new tick.
    #[error("prev hint {0} is not better than the new tick")]
    PrevNotBetter(i32),
    /// `nextTickHint` is not strictly worse than the new tick.
    #[error("next hint {0} is not worse than the new tick")]
    NextNotWorse(i32),
    /// `prev.next ≠ nextHint` (or, without prev, the side's best ≠ nextHint).
    #[error("prev hint is not adjacent to next hint")]
    PrevNotAdjacent,
    /// `next.prev ≠ prevHint`.
    #[error("next hint is not adjacent to prev hint")]
    NextNotAdjacent,
}

/// Supplies hints when a Place links a new tick. The guest reads them from its input; the
/// host discovers them from the book.
pub trait HintSource {
    /// Hints for message `index`, which links `tick` on `side` of `market`.
    fn tick_hints<S: State>(
        &mut self,
        index: usize,
        j: &mut Journal<'_, S>,
        market: &B256,
        side: Side,
        tick: i32,
    ) -> Result<TickHints, BatchError>;
}

/// Hints given per message (the guest input, C22). Indexed by message position.
#[derive(Debug, Clone, Copy)]
pub struct GivenHints<'a>(pub &'a [TickHints]);

impl HintSource for GivenHints<'_> {
    fn tick_hints<S: State>(
        &mut self,
        index: usize,
        _: &mut Journal<'_, S>,
        _: &B256,
        _: Side,
        _: i32,
    ) -> Result<TickHints, BatchError> {
        Ok(self.0.get(index).copied().unwrap_or_default())
    }
}

/// Host side: finds the neighbours by walking the side's list from its best tick with
/// unrecorded reads, and remembers the hints each message used.
#[derive(Debug, Clone, Default)]
pub struct DiscoveredHints {
    /// Hints by message index, for the Places that linked a new tick.
    pub used: BTreeMap<usize, TickHints>,
}

impl HintSource for DiscoveredHints {
    fn tick_hints<S: State>(
        &mut self,
        index: usize,
        j: &mut Journal<'_, S>,
        market: &B256,
        side: Side,
        tick: i32,
    ) -> Result<TickHints, BatchError> {
        let hints = discover(j, market, side, tick)?;
        self.used.insert(index, hints);
        Ok(hints)
    }
}

/// Walks `side` from its best tick to the first tick not better than `tick`.
pub fn discover<S: State>(
    j: &mut Journal<'_, S>,
    market: &B256,
    side: Side,
    tick: i32,
) -> Result<TickHints, BatchError> {
    let best: MarketBest = j.peek(&market_best_key(market))?;
    let mut hints = TickHints { prev: None, next: best.get(side) };
    while let Some(current) = hints.next.filter(|current| side.is_better(*current, tick)) {
        let node: TickNode = j.peek(&tick_node_key(market, side, current))?;
        hints = TickHints { prev: Some(current), next: node.next };
    }
    Ok(hints)
}

/// Checks hints for a new `tick` against state (C17) and returns the neighbours' nodes, which
/// the caller relinks. `None` for a neighbour that does not exist.
pub fn verify<S: State>(
    j: &mut Journal<'_, S>,
    index: usize,
    market: &B256,
    side: Side,
    tick: i32,
    hints: &TickHints,
) -> Result<(Option<TickNode>, Option<TickNode>), BatchError> {
    let prev = match hints.prev {
        Some(prev_tick) => {
            let node = read_active(j, index, market, side, prev_tick)?;
            check(side.is_better(prev_tick, tick), index, HintError::PrevNotBetter(prev_tick))?;
            check(node.next == hints.next, index, HintError::PrevNotAdjacent)?;
            Some(node)
        }
        None => {
            let best: MarketBest = j.read(&market_best_key(market))?;
            check(best.get(side) == hints.next, index, HintError::PrevNotAdjacent)?;
            None
        }
    };
    let next = match hints.next {
        Some(next_tick) => {
            let node = read_active(j, index, market, side, next_tick)?;
            check(side.is_better(tick, next_tick), index, HintError::NextNotWorse(next_tick))?;
            check(node.prev == hints.prev, index, HintError::NextNotAdjacent)?;
            Some(node)
        }
        None => None,
    };
    Ok((prev, next))
}

fn read_active<S: State>(
    j: &mut Journal<'_, S>,
    index: usize,
    market: &B256,
    side: Side,
    tick: i32,
) -> Result<TickNode, BatchError> {
    let node: TickNode = j.read(&tick_node_key(market, side, tick))?;
    check(node != TickNode::default(), index, HintError::Inactive(tick))?;
    Ok(node)
}

/// Turns a failed C17 check of message `index` into a batch error.
fn check(ok: bool, index: usize, reason: HintError) -> Result<(), BatchError> {
    if ok {
        Ok(())
    } else {
        Err(BatchError::BadTickHints { index, reason })
    }
}

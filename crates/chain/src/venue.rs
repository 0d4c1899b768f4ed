//! The static context of a venue that execution needs: its markets' contexts (C19, C22 part 2
//! and 3), by id in ascending order — the fixed order per-market batches are cut in.

use alloy_primitives::B256;
use numo_stf::MarketContext;
use std::collections::BTreeMap;

/// Markets of one venue.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Venue {
    /// Market contexts by market id.
    pub markets: BTreeMap<B256, MarketContext>,
}

impl Venue {
    /// A venue of these markets.
    pub fn new(markets: impl IntoIterator<Item = MarketContext>) -> Self {
        Self { markets: markets.into_iter().map(|ctx| (ctx.market_id, ctx)).collect() }
    }

    /// The context of `market_id`.
    pub fn market(&self, market_id: &B256) -> Option<&MarketContext> {
        self.markets.get(market_id)
    }
}

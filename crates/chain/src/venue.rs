//! The static context of a venue that execution needs: its markets' contexts (C19, C22 part 2
//! and 3), by id in ascending order — the fixed order per-market batches are cut in — and its
//! funding context (F1, F6) and EVM context (E2, E7), derived from the markets.

use alloy_primitives::B256;
use numo_evm::EvmVenue;
use numo_funding::FundingContext;
use numo_stf::MarketContext;
use std::collections::BTreeMap;

/// Markets of one venue.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Venue {
    /// Market contexts by market id.
    pub markets: BTreeMap<B256, MarketContext>,
    /// The funding domain and asset table, `None` for a venue without markets (F8: its
    /// funding entries are dropped as `funding_disabled`).
    pub funding: Option<FundingContext>,
    /// The EVM engine's context (chain id, venue id, markets: E2, E7), `None` for a venue
    /// without markets. The EVM runs only on a state whose genesis wrote its head (E8).
    pub evm: Option<EvmVenue>,
}

impl Venue {
    /// A venue of these markets.
    pub fn new(markets: impl IntoIterator<Item = MarketContext>) -> Self {
        let markets: BTreeMap<B256, MarketContext> = markets.into_iter().map(|ctx| (ctx.market_id, ctx)).collect();
        let funding = markets
            .values()
            .next()
            .map(|first| FundingContext::from_markets(first.chain_id, first.venue_id, markets.values()));
        let evm = markets
            .values()
            .next()
            .map(|first| EvmVenue::new(first.chain_id, first.venue_id, markets.values().copied()));
        Self { markets, funding, evm }
    }

    /// The context of `market_id`.
    pub fn market(&self, market_id: &B256) -> Option<&MarketContext> {
        self.markets.get(market_id)
    }
}

//! What an EVM batch executes in: the exchange block it belongs to ([`EvmEnv`]) and the venue's
//! static context ([`EvmVenue`]: chain id, venue id, markets, the funding asset table).

use alloc::collections::BTreeMap;
use alloy_primitives::B256;
use numo_core::codec::Writer;
use numo_core::hash::keccak256;
use numo_funding::FundingContext;
use numo_stf::MarketContext;

/// The exchange block an EVM batch runs in (E1, E5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvmEnv {
    /// The venue's chain id, which is the EVM's (E2).
    pub chain_id: u64,
    /// The exchange block's height.
    pub height: u64,
    /// The exchange block's timestamp (Unix ms); the EVM block's is `floor(ms / 1000)`.
    pub timestamp_ms: u64,
    /// The exchange block's parent hash (K1): the EVM block's `prevrandao` (E5).
    pub parent_hash: B256,
}

impl EvmEnv {
    /// The EVM block's timestamp in seconds (E5).
    pub const fn timestamp(&self) -> u64 {
        self.timestamp_ms / 1000
    }
}

/// The venue's static context an EVM batch needs: the markets a system Place or Cancel may name
/// (E7), and the funding asset table a system Transfer checks (F6, F7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvmVenue {
    /// Chain id (E2).
    pub chain_id: u64,
    /// Venue id.
    pub venue_id: B256,
    /// Markets by id, ascending.
    pub markets: BTreeMap<B256, MarketContext>,
    /// Fundable assets and their caps, derived from the markets (F6).
    pub funding: FundingContext,
}

impl EvmVenue {
    /// The venue `chain_id`/`venue_id` with `markets` (their own chain and venue ids must be
    /// these; the funding table is derived from them as F6 says).
    pub fn new(chain_id: u64, venue_id: B256, markets: impl IntoIterator<Item = MarketContext>) -> Self {
        let markets: BTreeMap<B256, MarketContext> = markets.into_iter().map(|ctx| (ctx.market_id, ctx)).collect();
        let funding = FundingContext::from_markets(chain_id, venue_id, markets.values());
        Self { chain_id, venue_id, markets, funding }
    }

    /// E10 `contextDigest = keccak256(U64 chainId ‖ B32 venueId ‖ for each market ascending:
    /// B32 marketId ‖ rulesHash)`.
    pub fn context_digest(&self) -> B256 {
        let mut w = Writer::with_capacity(8 + 32 + 64 * self.markets.len());
        w.u64(self.chain_id).b32(&self.venue_id);
        for (id, ctx) in &self.markets {
            w.b32(id).b32(&ctx.rules.hash());
        }
        keccak256(w.into_bytes())
    }
}

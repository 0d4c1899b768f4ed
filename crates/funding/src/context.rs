//! The venue's funding context: its domain (F1) and asset table (F6).

use crate::error::FundingError;
use crate::limits::ASSET_RULE_LEN;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use alloy_primitives::{B256, U256};
use numo_core::codec::{DecodeError, Reader, Writer};
use numo_core::hash::{keccak256, keccak_concat};
use numo_stf::MarketContext;

/// ASCII tag of the funding domain (F1).
pub const FUNDING_DOMAIN_TAG: &[u8] = b"NUMO_FUNDING_V1";

/// One fundable asset and the cap a deposit must respect (F6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetRule {
    /// The asset.
    pub asset_id: B256,
    /// The smallest `maxBalance` of the markets listing it.
    pub max_balance: U256,
}

/// What funding execution needs to know about the venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingContext {
    /// The venue's chain id (F1).
    pub chain_id: u64,
    /// The venue id (F1).
    pub venue_id: B256,
    /// Fundable assets, strictly ascending by id (F6).
    pub assets: Vec<AssetRule>,
}

impl FundingContext {
    /// The context of a venue whose markets are `markets` (F6: an asset is fundable if a
    /// market lists it; its cap is the smallest of those markets' `maxBalance`).
    pub fn from_markets<'a>(
        chain_id: u64,
        venue_id: B256,
        markets: impl IntoIterator<Item = &'a MarketContext>,
    ) -> Self {
        let mut caps: BTreeMap<B256, U256> = BTreeMap::new();
        for market in markets {
            for asset in [market.rules.base_asset, market.rules.quote_asset] {
                let cap = caps.entry(asset).or_insert(market.rules.max_balance);
                *cap = (*cap).min(market.rules.max_balance);
            }
        }
        let assets = caps.into_iter().map(|(asset_id, max_balance)| AssetRule { asset_id, max_balance }).collect();
        Self { chain_id, venue_id, assets }
    }

    /// `fundingDomainSeparator` (F1).
    pub fn domain_separator(&self) -> B256 {
        funding_domain_separator(self.chain_id, &self.venue_id)
    }

    /// The F6 serialization of the asset table.
    pub fn write_assets(&self, w: &mut Writer) {
        w.u32(self.assets.len() as u32);
        for rule in &self.assets {
            w.b32(&rule.asset_id).u256(&rule.max_balance);
        }
    }

    /// `fundingRulesHash = keccak256(asset table)` (F6).
    pub fn rules_hash(&self) -> B256 {
        let mut w = Writer::with_capacity(4 + self.assets.len() * ASSET_RULE_LEN);
        self.write_assets(&mut w);
        keccak256(w.into_bytes())
    }

    /// Reads an asset table (F6); validity is [`FundingContext::validate`]'s.
    pub fn read_assets(r: &mut Reader<'_>) -> Result<Vec<AssetRule>, DecodeError> {
        let count = r.u32()? as usize;
        let mut assets = Vec::with_capacity(count.min(r.remaining() / ASSET_RULE_LEN));
        for _ in 0..count {
            assets.push(AssetRule { asset_id: r.b32()?, max_balance: r.u256()? });
        }
        Ok(assets)
    }

    /// F6: ids strictly ascending, every cap positive.
    pub fn validate(&self) -> Result<(), FundingError> {
        for pair in self.assets.windows(2) {
            if pair[0].asset_id >= pair[1].asset_id {
                return Err(FundingError::BadAssetTable);
            }
        }
        if self.assets.iter().any(|rule| rule.max_balance.is_zero()) {
            return Err(FundingError::BadAssetTable);
        }
        Ok(())
    }

    /// The cap of `asset_id`, if it is fundable.
    pub fn max_balance(&self, asset_id: &B256) -> Option<U256> {
        self.assets
            .binary_search_by(|rule| rule.asset_id.cmp(asset_id))
            .ok()
            .map(|index| self.assets[index].max_balance)
    }
}

/// `keccak256("NUMO_FUNDING_V1" ‖ U64 chainId ‖ B32 venueId)` (F1).
pub fn funding_domain_separator(chain_id: u64, venue_id: &B256) -> B256 {
    keccak_concat(&[FUNDING_DOMAIN_TAG, &chain_id.to_be_bytes(), venue_id.as_slice()])
}

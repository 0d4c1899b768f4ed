//! Market Rules (section C): serialization, `rulesHash` and the C11 validity checks.

use crate::codec::{DecodeError, Reader, Writer};
use crate::hash::keccak256;
use crate::limits::{PRICE_SCALE, RULES_LEN, TAKER_FEE_BPS_MAX};
use alloc::vec::Vec;
use alloy_primitives::{B256, U256};

/// The parameters of one market, committed to by `rulesHash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Asset sold by SELL orders.
    pub base_asset: B256,
    /// Asset paid by BUY orders and in which fees are charged (section D).
    pub quote_asset: B256,
    /// Fixed-point scale of prices; must be 1e18 (C11).
    pub price_scale: U256,
    /// Quote units per tick: `price = tickIndex × tickSize` (C13).
    pub tick_size: U256,
    /// Every quantity is a multiple of it (C12).
    pub lot_size: U256,
    /// Taker fee in basis points of the quote amount (C15).
    pub taker_fee_bps: u32,
    /// Must be 0 in V1 (C11).
    pub maker_fee_bps: u32,
    /// Bound on messages per batch (C11).
    pub max_orders_per_batch: u32,
    /// Bound on fills per taker order (C15).
    pub max_matches_per_order: u32,
    /// Cap on `available + locked` of every balance (C16).
    pub max_balance: U256,
}

/// Why a Rules set is invalid (C11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// `priceScale ≠ 1e18`.
    #[error("priceScale must be 1e18")]
    PriceScale,
    /// `makerFeeBps ≠ 0`.
    #[error("makerFeeBps must be 0")]
    MakerFee,
    /// `takerFeeBps > 10000`.
    #[error("takerFeeBps exceeds 10000")]
    TakerFee,
    /// `tickSize = 0`.
    #[error("tickSize is 0")]
    TickSize,
    /// `lotSize = 0`.
    #[error("lotSize is 0")]
    LotSize,
    /// `maxOrdersPerBatch = 0`.
    #[error("maxOrdersPerBatch is 0")]
    MaxOrdersPerBatch,
    /// `maxMatchesPerOrder = 0`.
    #[error("maxMatchesPerOrder is 0")]
    MaxMatchesPerOrder,
}

impl Rules {
    /// The fixed-order serialization of section C (208 bytes).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(RULES_LEN);
        self.write(&mut w);
        w.into_bytes()
    }

    /// Appends the serialization to `w`.
    pub fn write(&self, w: &mut Writer) {
        w.b32(&self.base_asset)
            .b32(&self.quote_asset)
            .u256(&self.price_scale)
            .u256(&self.tick_size)
            .u256(&self.lot_size)
            .u32(self.taker_fee_bps)
            .u32(self.maker_fee_bps)
            .u32(self.max_orders_per_batch)
            .u32(self.max_matches_per_order)
            .u256(&self.max_balance);
    }

    /// Reads the serialization; validity is checked separately by [`Rules::validate`].
    pub fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            base_asset: r.b32()?,
            quote_asset: r.b32()?,
            price_scale: r.u256()?,
            tick_size: r.u256()?,
            lot_size: r.u256()?,
            taker_fee_bps: r.u32()?,
            maker_fee_bps: r.u32()?,
            max_orders_per_batch: r.u32()?,
            max_matches_per_order: r.u32()?,
            max_balance: r.u256()?,
        })
    }

    /// `rulesHash = keccak256(serialize(Rules))`.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }

    /// The C11 checks: a batch under invalid Rules is invalid as a whole.
    pub fn validate(&self) -> Result<(), RulesError> {
        if self.price_scale != U256::from(PRICE_SCALE) {
            return Err(RulesError::PriceScale);
        }
        if self.maker_fee_bps != 0 {
            return Err(RulesError::MakerFee);
        }
        if self.taker_fee_bps > TAKER_FEE_BPS_MAX {
            return Err(RulesError::TakerFee);
        }
        if self.tick_size.is_zero() {
            return Err(RulesError::TickSize);
        }
        if self.lot_size.is_zero() {
            return Err(RulesError::LotSize);
        }
        if self.max_orders_per_batch == 0 {
            return Err(RulesError::MaxOrdersPerBatch);
        }
        if self.max_matches_per_order == 0 {
            return Err(RulesError::MaxMatchesPerOrder);
        }
        Ok(())
    }
}

/// Where a batch executes: the domain fields plus the market's Rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketContext {
    /// Settlement chain id.
    pub chain_id: u64,
    /// The venue (exchange instance); `batchSeq` is global to it (C19).
    pub venue_id: B256,
    /// The market a batch belongs to (C19: one market per batch).
    pub market_id: B256,
    /// That market's parameters.
    pub rules: Rules,
}

impl MarketContext {
    /// `domainSeparator = keccak256("NUMO_SPOT_CLOB_V1" ‖ U64 chainId ‖ B32 venueId ‖ B32 marketId)`.
    pub fn domain_separator(&self) -> B256 {
        domain_separator(self.chain_id, &self.venue_id, &self.market_id)
    }
}

/// ASCII tag of the V1 domain (C1: raw bytes, no length, no terminator).
pub const DOMAIN_TAG: &[u8] = b"NUMO_SPOT_CLOB_V1";

/// `domainSeparator` of section C.
pub fn domain_separator(chain_id: u64, venue_id: &B256, market_id: &B256) -> B256 {
    let mut w = Writer::with_capacity(DOMAIN_TAG.len() + 8 + 64);
    w.bytes(DOMAIN_TAG).u64(chain_id).b32(venue_id).b32(market_id);
    keccak256(w.into_bytes())
}

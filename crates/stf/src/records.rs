//! Trade and fee records (section F) emitted by execution.

use crate::codec::Writer;
use crate::commitments::{merkle_root, record_leaf};
use crate::units::Side;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};

/// One fill, in execution order (C15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trade {
    /// Market of the batch.
    pub market_id: B256,
    /// Resting order that was hit.
    pub maker_order_id: B256,
    /// Incoming order.
    pub taker_order_id: B256,
    /// Owner of the maker order.
    pub maker: Address,
    /// Owner of the taker order.
    pub taker: Address,
    /// Side of the taker.
    pub taker_side: Side,
    /// Trade price in ticks (section D: the maker's tick).
    pub maker_tick: i32,
    /// Base quantity filled.
    pub qty: U256,
    /// `mulDivDown(makerPrice, qty, 1e18)`.
    pub quote_amount: U256,
    /// Taker fee in quote, `mulDivUp(quoteAmt, takerFeeBps, 10000)`.
    pub taker_fee: U256,
}

/// Length of an encoded trade record.
pub const TRADE_RECORD_LEN: usize = 32 * 3 + 20 * 2 + 1 + 4 + 32 * 3;

impl Trade {
    /// `B32 marketId ‖ B32 makerOrderId ‖ B32 takerOrderId ‖ ADDR maker ‖ ADDR taker ‖
    /// U8 sideTaker ‖ I32 makerTickIndex ‖ U256 qtyBase ‖ U256 quoteAmt ‖ U256 takerFeeQuote`.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(TRADE_RECORD_LEN);
        w.b32(&self.market_id).b32(&self.maker_order_id).b32(&self.taker_order_id);
        w.address(&self.maker).address(&self.taker).u8(self.taker_side as u8).i32(self.maker_tick);
        w.u256(&self.qty).u256(&self.quote_amount).u256(&self.taker_fee);
        w.into_bytes()
    }

    /// `tradeLeaf = keccak256(record)`.
    pub fn leaf(&self) -> B256 {
        record_leaf(&self.encode())
    }
}

/// `tradesRoot` over trades in execution order (C21).
pub fn trades_root(trades: &[Trade]) -> B256 {
    let leaves: Vec<B256> = trades.iter().map(Trade::leaf).collect();
    merkle_root(&leaves)
}

/// `B32 assetId ‖ U256 totalFee`.
pub fn fee_record(asset: &B256, total: &U256) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(asset.as_slice());
    out[32..].copy_from_slice(&total.to_be_bytes::<32>());
    out
}

/// `feesRoot` over the batch fee totals (C21): only assets with a total > 0, ascending by
/// asset id (a `BTreeMap` iterates in that order).
pub fn fees_root(totals: &BTreeMap<B256, U256>) -> B256 {
    let leaves: Vec<B256> = totals
        .iter()
        .filter(|(_, total)| !total.is_zero())
        .map(|(asset, total)| record_leaf(&fee_record(asset, total)))
        .collect();
    merkle_root(&leaves)
}

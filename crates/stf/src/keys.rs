//! State keys: `key32 = keccak256(namespace32 ‖ 0x1f ‖ material)` (section A, C2, key table).

use crate::{codec::Writer, hash::keccak_concat, units::Side};
use alloy_primitives::{Address, B256};

/// The seven V1 namespaces (C2). Their `namespace32` is the ASCII name padded with zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Namespace {
    /// Balances per (owner, asset).
    Bal,
    /// Next nonce per (trader, market) (C9).
    Nonce,
    /// Resting orders per (market, orderId).
    Order,
    /// FIFO links of an order inside its tick.
    OrderNode,
    /// Active ticks per (market, side, tick), doubly linked best to worst (C8).
    TickNode,
    /// Best bid and ask per market.
    MarketBest,
    /// Collected fees per asset.
    FeeVault,
}

impl Namespace {
    /// All namespaces, in declaration order.
    pub const ALL: [Namespace; 7] = [
        Namespace::Bal,
        Namespace::Nonce,
        Namespace::Order,
        Namespace::OrderNode,
        Namespace::TickNode,
        Namespace::MarketBest,
        Namespace::FeeVault,
    ];

    /// The ASCII name, as written in the spec.
    pub const fn name(self) -> &'static str {
        match self {
            Namespace::Bal => "NS_BAL",
            Namespace::Nonce => "NS_NONCE",
            Namespace::Order => "NS_ORDER",
            Namespace::OrderNode => "NS_ORDERNODE",
            Namespace::TickNode => "NS_TICKNODE",
            Namespace::MarketBest => "NS_MARKETBEST",
            Namespace::FeeVault => "NS_FEEVAULT",
        }
    }

    /// `namespace32`: the name followed by zero bytes to 32 (C2).
    pub fn id(self) -> B256 {
        let mut out = [0u8; 32];
        let name = self.name().as_bytes();
        out[..name.len()].copy_from_slice(name);
        B256::from(out)
    }

    /// The state key of `material` in this namespace.
    pub fn key(self, material: &[u8]) -> B256 {
        namespaced_key(self.name(), material)
    }
}

/// `key32 = keccak256(namespace32 ‖ 0x1f ‖ material)` with `namespace32` the ASCII `name`
/// zero-padded to 32 bytes (section A, C2). Every engine's namespaces (the seven of V1, the
/// funding ones of F4) derive their keys here.
pub fn namespaced_key(name: &str, material: &[u8]) -> B256 {
    let mut namespace = [0u8; 32];
    namespace[..name.len()].copy_from_slice(name.as_bytes());
    keccak_concat(&[&namespace, &[0x1f], material])
}

/// `NS_BAL`: `ADDR owner ‖ B32 assetId`.
pub fn balance_key(owner: &Address, asset: &B256) -> B256 {
    Namespace::Bal.key(&balance_material(owner, asset))
}

/// Key material of a balance, exposed for conformance tests.
pub fn balance_material(owner: &Address, asset: &B256) -> [u8; 52] {
    let mut out = [0u8; 52];
    out[..20].copy_from_slice(owner.as_slice());
    out[20..].copy_from_slice(asset.as_slice());
    out
}

/// `NS_NONCE`: `ADDR trader ‖ B32 marketId` (C9: nonces are per trader and market).
pub fn nonce_key(trader: &Address, market: &B256) -> B256 {
    Namespace::Nonce.key(&balance_material(trader, market))
}

fn market_order_material(market: &B256, order_id: &B256) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(market.as_slice());
    out[32..].copy_from_slice(order_id.as_slice());
    out
}

/// `NS_ORDER`: `B32 marketId ‖ B32 orderId`.
pub fn order_key(market: &B256, order_id: &B256) -> B256 {
    Namespace::Order.key(&market_order_material(market, order_id))
}

/// `NS_ORDERNODE`: `B32 marketId ‖ B32 orderId`.
pub fn order_node_key(market: &B256, order_id: &B256) -> B256 {
    Namespace::OrderNode.key(&market_order_material(market, order_id))
}

/// Key material of a tick node: `B32 marketId ‖ U8 side ‖ I32 tickIndex`.
pub fn tick_node_material(market: &B256, side: Side, tick: i32) -> [u8; 37] {
    let mut w = Writer::with_capacity(37);
    w.b32(market).u8(side as u8).i32(tick);
    let mut out = [0u8; 37];
    out.copy_from_slice(&w.into_bytes());
    out
}

/// `NS_TICKNODE`: `B32 marketId ‖ U8 side ‖ I32 tickIndex`.
pub fn tick_node_key(market: &B256, side: Side, tick: i32) -> B256 {
    Namespace::TickNode.key(&tick_node_material(market, side, tick))
}

/// `NS_MARKETBEST`: `B32 marketId`.
pub fn market_best_key(market: &B256) -> B256 {
    Namespace::MarketBest.key(market.as_slice())
}

/// `NS_FEEVAULT`: `B32 assetId`.
pub fn fee_vault_key(asset: &B256) -> B256 {
    Namespace::FeeVault.key(asset.as_slice())
}

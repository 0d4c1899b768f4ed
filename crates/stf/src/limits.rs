//! Every fixed size and bound of V1 in one place, each with the spec item that sets it. The
//! sizes every engine shares (signature, PublicInputs) are numo-core's and re-exported here; the
//! tree's sizes are the tree's (`numo_smt::TREE_DEPTH`, `numo_smt::SIBLINGS_BYTES`), since this
//! crate knows nothing of trees.

pub use numo_core::limits::{PUBLIC_INPUTS_LEN, SIGNATURE_LEN};

/// `priceScale` must be exactly 1e18 (section C, C11): prices are 18-decimal fixed point.
pub const PRICE_SCALE: u64 = 1_000_000_000_000_000_000;
/// Basis-point denominator of the taker fee (section D, C15).
pub const FEE_BPS_DENOMINATOR: u32 = 10_000;
/// `takerFeeBps` above 100 % makes a rules set invalid (C11).
pub const TAKER_FEE_BPS_MAX: u32 = FEE_BPS_DENOMINATOR;

/// Place message: type, trader, nonce, orderId, side, tif, tickIndex, qtyBase (section C).
pub const PLACE_LEN: usize = 1 + 20 + 8 + 32 + 1 + 4 + 4 + 32;
/// Cancel message: type, trader, nonce, orderId (section C).
pub const CANCEL_LEN: usize = 1 + 20 + 8 + 32;
/// Tick hints of a Place in the guest input: two `U8 flag ‖ I32 tick` pairs (C22).
pub const HINTS_LEN: usize = 2 * (1 + 4);
/// Serialized Rules (section C): 2 × B32, 3 × U256, 4 × U32, U256.
pub const RULES_LEN: usize = 2 * 32 + 3 * 32 + 4 * 4 + 32;

/// Default `maxOrdersPerBatch` (section C); the batch bound actually enforced is the market's.
pub const DEFAULT_MAX_ORDERS_PER_BATCH: u32 = 128;
/// Default `maxMatchesPerOrder` (section C).
pub const DEFAULT_MAX_MATCHES_PER_ORDER: u32 = 64;

const _: () = assert!(PLACE_LEN == 102, "C22: a Place is 102 bytes");
const _: () = assert!(CANCEL_LEN == 61, "C22: a Cancel is 61 bytes");
const _: () = assert!(RULES_LEN == 208, "Rules serialize to 208 bytes");

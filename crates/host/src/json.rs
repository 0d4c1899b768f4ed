//! JSON shapes shared by the CLI, tests and tooling: genesis files and message lists.
//!
//! A genesis file is `{"context": {"chainId", "venueId", "marketId", "rules": {…}},
//! "balances": [{"owner", "assetId", "available", "locked"}], "genesisRoot"?}` — the shape of
//! `shared/spec/vectors/batches/genesis.json`. Integers wider than 53 bits are decimal (or
//! `0x` hex) strings.
//!
//! A message is either `{"bytes": "0x…", "signature": "0x…"}` (spec bytes) or the fields
//! `{"type": "place", "trader", "nonce", "orderId", "side": "buy"|"sell"|0|1,
//! "tif": "gtc"|"ioc"|0|1, "tickIndex", "qtyBase"}` / `{"type": "cancel", "trader", "nonce",
//! "orderId"}`, with either `"signature"` or `"privateKey"` (signed here, RFC 6979).

use crate::full_state::FullState;
use alloy_primitives::{hex, Address, B256, U256};
use numo_core::signature::{secret_key_address, sign_digest};
use numo_stf::keys::balance_key;
use numo_stf::values::{Balance, StateValue};
use numo_stf::{Cancel, MarketContext, Message, Place, Rules, Signature, SignedMessage};
use serde_json::Value;

/// A JSON document that does not have the expected shape.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct JsonError {
    /// Where in the document.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn err(path: &str, message: impl Into<String>) -> JsonError {
    JsonError { path: path.to_string(), message: message.into() }
}

fn field<'v>(v: &'v Value, path: &str, name: &str) -> Result<&'v Value, JsonError> {
    v.get(name).ok_or_else(|| err(path, format!("missing field `{name}`")))
}

/// Hex bytes (`0x` optional).
pub fn hex_bytes(v: &Value, path: &str) -> Result<Vec<u8>, JsonError> {
    let s = v.as_str().ok_or_else(|| err(path, "expected a hex string"))?;
    hex::decode(s).map_err(|e| err(path, e.to_string()))
}

/// A 32-byte hex value.
pub fn b256(v: &Value, path: &str) -> Result<B256, JsonError> {
    let bytes = hex_bytes(v, path)?;
    (bytes.len() == 32).then(|| B256::from_slice(&bytes)).ok_or_else(|| err(path, "expected 32 bytes"))
}

/// A 20-byte hex address.
pub fn address(v: &Value, path: &str) -> Result<Address, JsonError> {
    let bytes = hex_bytes(v, path)?;
    (bytes.len() == 20).then(|| Address::from_slice(&bytes)).ok_or_else(|| err(path, "expected 20 bytes"))
}

/// An unsigned integer: a JSON number, or a decimal / `0x` hex string.
pub fn u256(v: &Value, path: &str) -> Result<U256, JsonError> {
    match v {
        Value::Number(n) => n.as_u64().map(U256::from).ok_or_else(|| err(path, "expected an unsigned integer")),
        Value::String(s) => s.parse().map_err(|_| err(path, format!("`{s}` is not an unsigned integer"))),
        _ => Err(err(path, "expected an integer")),
    }
}

fn uint<T: TryFrom<U256>>(v: &Value, path: &str) -> Result<T, JsonError> {
    T::try_from(u256(v, path)?).map_err(|_| err(path, "out of range"))
}

fn i32_field(v: &Value, path: &str) -> Result<i32, JsonError> {
    v.as_i64().and_then(|n| i32::try_from(n).ok()).ok_or_else(|| err(path, "expected a 32-bit integer"))
}

/// Rules from `{"baseAssetId", "quoteAssetId", "priceScale", "tickSize", "lotSize",
/// "takerFeeBps", "makerFeeBps", "maxOrdersPerBatch", "maxMatchesPerOrder", "maxBalance"}`.
pub fn rules(v: &Value) -> Result<Rules, JsonError> {
    let f = |name: &str| field(v, "rules", name);
    Ok(Rules {
        base_asset: b256(f("baseAssetId")?, "rules.baseAssetId")?,
        quote_asset: b256(f("quoteAssetId")?, "rules.quoteAssetId")?,
        price_scale: u256(f("priceScale")?, "rules.priceScale")?,
        tick_size: u256(f("tickSize")?, "rules.tickSize")?,
        lot_size: u256(f("lotSize")?, "rules.lotSize")?,
        taker_fee_bps: uint(f("takerFeeBps")?, "rules.takerFeeBps")?,
        maker_fee_bps: uint(f("makerFeeBps")?, "rules.makerFeeBps")?,
        max_orders_per_batch: uint(f("maxOrdersPerBatch")?, "rules.maxOrdersPerBatch")?,
        max_matches_per_order: uint(f("maxMatchesPerOrder")?, "rules.maxMatchesPerOrder")?,
        max_balance: u256(f("maxBalance")?, "rules.maxBalance")?,
    })
}

/// Market context from `{"chainId", "venueId", "marketId", "rules"}`.
pub fn context(v: &Value) -> Result<MarketContext, JsonError> {
    Ok(MarketContext {
        chain_id: uint(field(v, "context", "chainId")?, "context.chainId")?,
        venue_id: b256(field(v, "context", "venueId")?, "context.venueId")?,
        market_id: b256(field(v, "context", "marketId")?, "context.marketId")?,
        rules: rules(field(v, "context", "rules")?)?,
    })
}

/// A parsed genesis file.
pub struct Genesis {
    /// The market.
    pub context: MarketContext,
    /// The initial state (balances).
    pub state: FullState,
}

/// Parses a genesis document and checks `genesisRoot` when it is given.
pub fn genesis(v: &Value) -> Result<Genesis, JsonError> {
    let context = context(field(v, "genesis", "context")?)?;
    let mut entries = Vec::new();
    let balances = field(v, "genesis", "balances")?.as_array().ok_or_else(|| err("balances", "expected an array"))?;
    for (i, b) in balances.iter().enumerate() {
        let path = format!("balances[{i}]");
        let owner = address(field(b, &path, "owner")?, &path)?;
        let asset = b256(field(b, &path, "assetId")?, &path)?;
        let available = u256(field(b, &path, "available")?, &path)?;
        let locked = b.get("locked").map(|l| u256(l, &path)).transpose()?.unwrap_or_default();
        if let Some(bytes) = (Balance { available, locked }).encode_canonical() {
            entries.push((balance_key(&owner, &asset), bytes));
        }
    }
    let state = FullState::from_entries(entries);
    if let Some(expected) = v.get("genesisRoot") {
        let expected = b256(expected, "genesisRoot")?;
        if expected != state.root() {
            return Err(err("genesisRoot", format!("given {expected}, computed {}", state.root())));
        }
    }
    Ok(Genesis { context, state })
}

/// Parses one message (either shape, see the module docs) and signs it under
/// `domain_separator` when it carries a `privateKey` instead of a `signature`.
pub fn signed_message(v: &Value, path: &str, domain_separator: &B256) -> Result<SignedMessage, JsonError> {
    let message = match v.get("bytes") {
        Some(bytes) => Message::decode(&hex_bytes(bytes, path)?).map_err(|e| err(path, e.to_string()))?,
        None => message_fields(v, path)?,
    };
    let signature = match (v.get("signature"), v.get("privateKey")) {
        (Some(sig), _) => {
            let bytes = hex_bytes(sig, path)?;
            Signature(bytes.try_into().map_err(|_| err(path, "signature must be 65 bytes"))?)
        }
        (None, Some(key)) => {
            let secret = secp256k1::SecretKey::from_secret_bytes(b256(key, path)?.0)
                .map_err(|e| err(path, format!("privateKey: {e}")))?;
            if secret_key_address(&secret) != message.trader() {
                return Err(err(path, "privateKey does not belong to the trader"));
            }
            sign_digest(&secret, &message.hash(domain_separator))
        }
        (None, None) => return Err(err(path, "needs `signature` or `privateKey`")),
    };
    Ok(SignedMessage { message, signature })
}

fn message_fields(v: &Value, path: &str) -> Result<Message, JsonError> {
    let f = |name: &str| field(v, path, name);
    let trader = address(f("trader")?, path)?;
    let nonce = uint(f("nonce")?, path)?;
    let order_id = b256(f("orderId")?, path)?;
    match f("type")?.as_str() {
        Some("place") => Ok(Message::Place(Place {
            trader,
            nonce,
            order_id,
            side: named_or_number(f("side")?, &["buy", "sell"], path)?,
            tif: named_or_number(f("tif")?, &["gtc", "ioc"], path)?,
            tick: i32_field(f("tickIndex")?, path)?,
            qty: u256(f("qtyBase")?, path)?,
        })),
        Some("cancel") => Ok(Message::Cancel(Cancel { trader, nonce, order_id })),
        _ => Err(err(path, "`type` must be \"place\" or \"cancel\"")),
    }
}

/// `"buy"`/`"sell"` style names map to their index; numbers pass through unchanged so that
/// out-of-range values can be sent (they are rejected by execution, C12).
fn named_or_number<T: TryFrom<U256> + TryFrom<usize>>(v: &Value, names: &[&str], path: &str) -> Result<T, JsonError> {
    if let Some(name) = v.as_str().filter(|s| !s.starts_with("0x") && s.parse::<u64>().is_err()) {
        let index = names.iter().position(|n| n.eq_ignore_ascii_case(name));
        let index = index.ok_or_else(|| err(path, format!("`{name}` is not one of {names:?}")))?;
        return T::try_from(index).map_err(|_| err(path, "out of range"));
    }
    uint(v, path)
}

/// Parses a JSON array of messages.
pub fn signed_messages(v: &Value, domain_separator: &B256) -> Result<Vec<SignedMessage>, JsonError> {
    let list = v.as_array().ok_or_else(|| err("messages", "expected an array"))?;
    list.iter().enumerate().map(|(i, m)| signed_message(m, &format!("messages[{i}]"), domain_separator)).collect()
}

//! JSON shapes shared by the node, the CLI, tests and tooling: genesis files, message lists and
//! PublicInputs.
//!
//! A genesis file is `{"context": {"chainId", "venueId", "marketId", "rules": {…}},
//! "balances": [{"owner", "assetId", "available", "locked"}], "genesisRoot"?}` — the shape of
//! `shared/spec/vectors/batches/genesis.json`. Integers wider than 53 bits are decimal (or
//! `0x` hex) strings.
//!
//! A message is read in the one vocabulary of [`crate::message_json`] (the node's too): spec
//! bytes (`"bytes"` or `"message"`) or the fields `{"type", "trader", "nonce", "orderId",
//! "side", "tif", "tick" | "tickIndex", "qty" | "qtyBase"}`, with either `"signature"` or
//! `"privateKey"` (signed here, RFC 6979).

use crate::full_state::FullState;
use crate::message_json;
use alloy_primitives::{hex, Address, B256, U256};
use numo_core::signature::{secret_key_address, sign_digest};
use numo_stf::keys::balance_key;
use numo_stf::values::{Balance, StateValue};
use numo_stf::{MarketContext, PublicInputs, Rules, SignedMessage};
use serde_json::{json, Value};

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
    message_json::unsigned_value(v).map_err(|problem| err(path, problem))
}

fn uint<T: TryFrom<U256>>(v: &Value, path: &str) -> Result<T, JsonError> {
    T::try_from(u256(v, path)?).map_err(|_| err(path, "out of range"))
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

/// Parses one message (see the module docs) and signs it under `domain_separator` when it
/// carries a `privateKey` instead of a `signature`.
pub fn signed_message(v: &Value, path: &str, domain_separator: &B256) -> Result<SignedMessage, JsonError> {
    let field = |e: message_json::FieldError| err(path, e.to_string());
    let message = message_json::message(v).map_err(field)?;
    let signature = match (message_json::signature(v).map_err(field)?, v.get("privateKey")) {
        (Some(signature), _) => signature,
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

/// PublicInputs (C23) field by field, as the node's batch view (`publicInputsDecoded`) and
/// `numo batch build` print them: one rendering, so a script reads both the same way.
pub fn public_inputs(pi: &PublicInputs) -> Value {
    json!({
        "prevRoot": pi.prev_root, "newRoot": pi.new_root, "batchDigest": pi.batch_digest,
        "rulesHash": pi.rules_hash, "domainSeparator": pi.domain_separator,
        "batchSeq": pi.batch_seq, "batchTimestamp": pi.batch_timestamp,
        "daCommitment": pi.da_commitment, "tradesRoot": pi.trades_root, "feesRoot": pi.fees_root,
    })
}

/// Parses a JSON array of messages.
pub fn signed_messages(v: &Value, domain_separator: &B256) -> Result<Vec<SignedMessage>, JsonError> {
    let list = v.as_array().ok_or_else(|| err("messages", "expected an array"))?;
    list.iter().enumerate().map(|(i, m)| signed_message(m, &format!("messages[{i}]"), domain_separator)).collect()
}

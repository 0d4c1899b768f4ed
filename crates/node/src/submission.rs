//! Parsing `POST /v1/messages` bodies: the canonical form `{"message", "signature"}` (spec
//! bytes) and the friendly form, which is encoded to the same bytes.

use crate::admission::Refusal;
use crate::genesis::MarketSpec;
use alloy_primitives::{hex, Address, B256, U256};
use numo_stf::{Cancel, Message, Place, Signature, SignedMessage};
use serde_json::Value;
use std::collections::BTreeMap;

/// A parsed submission: the signed message and the market the client named, if any.
pub struct Submission {
    /// Market named by the client (canonical form: optional; friendly form: required).
    pub market: Option<B256>,
    /// The message and its signature.
    pub signed: SignedMessage,
}

fn bad(message: impl Into<String>) -> Refusal {
    Refusal::new(400, "bad_request", message)
}

fn text<'v>(body: &'v Value, name: &str) -> Result<&'v str, Refusal> {
    body.get(name).and_then(Value::as_str).ok_or_else(|| bad(format!("`{name}` must be a string")))
}

fn hex_field(body: &Value, name: &str, len: usize) -> Result<Vec<u8>, Refusal> {
    let bytes = hex::decode(text(body, name)?).map_err(|e| Refusal::new(400, "bad_hex", format!("`{name}`: {e}")))?;
    if bytes.len() != len {
        return Err(Refusal::new(400, "bad_length", format!("`{name}` must be {len} bytes, got {}", bytes.len())));
    }
    Ok(bytes)
}

fn unsigned(body: &Value, name: &str) -> Result<U256, Refusal> {
    match body.get(name) {
        Some(Value::Number(n)) => n.as_u64().map(U256::from).ok_or_else(|| bad(format!("`{name}` must be unsigned"))),
        Some(Value::String(s)) => s.parse().map_err(|_| bad(format!("`{name}` is not an unsigned integer"))),
        _ => Err(bad(format!("`{name}` is missing"))),
    }
}

/// Resolves a market given as 0x id or as symbol (`WETH/USDC` or `WETH-USDC`).
pub fn resolve_market(markets: &BTreeMap<B256, MarketSpec>, given: &str) -> Result<B256, Refusal> {
    if given.starts_with("0x") {
        let id: B256 = given.parse().map_err(|_| Refusal::new(400, "bad_hex", "market id must be 32 bytes of hex"))?;
        return markets
            .contains_key(&id)
            .then_some(id)
            .ok_or_else(|| Refusal::new(404, "unknown_market", format!("no market {given}")));
    }
    let symbol = given.replace('-', "/");
    markets
        .values()
        .find(|m| m.symbol.eq_ignore_ascii_case(&symbol))
        .map(|m| m.context.market_id)
        .ok_or_else(|| Refusal::new(404, "unknown_market", format!("no market {given}")))
}

/// Parses either form.
pub fn parse(markets: &BTreeMap<B256, MarketSpec>, body: &Value) -> Result<Submission, Refusal> {
    if !body.is_object() {
        return Err(bad("body must be a JSON object"));
    }
    let market = match body.get("market") {
        Some(Value::String(m)) => Some(resolve_market(markets, m)?),
        Some(_) => return Err(bad("`market` must be a string")),
        None => None,
    };
    let signature = Signature(hex_field(body, "signature", 65)?.try_into().expect("length checked"));
    let message = match body.get("message") {
        Some(_) => {
            let bytes = hex::decode(text(body, "message")?)
                .map_err(|e| Refusal::new(400, "bad_hex", format!("`message`: {e}")))?;
            Message::decode(&bytes).map_err(|e| Refusal::new(400, "malformed_message", e.to_string()))?
        }
        None => friendly(body, market.is_some())?,
    };
    Ok(Submission { market, signed: SignedMessage { message, signature } })
}

fn friendly(body: &Value, has_market: bool) -> Result<Message, Refusal> {
    if !has_market {
        return Err(bad("the friendly form needs `market`"));
    }
    let trader: Address =
        text(body, "trader")?.parse().map_err(|_| Refusal::new(400, "bad_hex", "`trader` must be 20 bytes of hex"))?;
    let nonce = u64::try_from(unsigned(body, "nonce")?).map_err(|_| bad("`nonce` exceeds 64 bits"))?;
    let order_id = order_id(body)?;
    match text(body, "type")? {
        "place" => {
            let side = match text(body, "side")? {
                "buy" => 0,
                "sell" => 1,
                other => return Err(bad(format!("`side` must be buy or sell, not {other}"))),
            };
            let tif = match body.get("tif").and_then(Value::as_str).unwrap_or("gtc") {
                "gtc" => 0,
                "ioc" => 1,
                other => return Err(bad(format!("`tif` must be gtc or ioc, not {other}"))),
            };
            let tick = body.get("tick").and_then(Value::as_i64).and_then(|t| i32::try_from(t).ok());
            let tick = tick.ok_or_else(|| bad("`tick` must be a 32-bit integer"))?;
            let qty = unsigned(body, "qty")?;
            Ok(Message::Place(Place { trader, nonce, order_id, side, tif, tick, qty }))
        }
        "cancel" => Ok(Message::Cancel(Cancel { trader, nonce, order_id })),
        other => Err(bad(format!("`type` must be place or cancel, not {other}"))),
    }
}

/// `orderId`: 32 bytes of 0x hex, or an unsigned integer (left-padded to 32 bytes).
fn order_id(body: &Value) -> Result<B256, Refusal> {
    match body.get("orderId") {
        Some(Value::String(s)) if s.starts_with("0x") => Ok(B256::from_slice(&hex_field(body, "orderId", 32)?)),
        Some(_) => Ok(B256::from(unsigned(body, "orderId")?.to_be_bytes::<32>())),
        None => Err(bad("`orderId` is missing")),
    }
}

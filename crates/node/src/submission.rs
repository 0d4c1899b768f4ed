//! Parsing `POST /v1/messages` bodies: the canonical form `{"message", "signature"}` (spec
//! bytes) and the friendly form, which is encoded to the same bytes. Both are read in the one
//! message vocabulary of [`numo_host::message_json`], the one message files use too.

use crate::error::{Refusal, RefusalCode};
use crate::genesis::{symbol_key, MarketSpec};
use alloy_primitives::B256;
use numo_host::message_json::{self, FieldError, FieldErrorKind};
use numo_stf::SignedMessage;
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
    Refusal::new(RefusalCode::BadRequest, message)
}

/// Each kind of unreadable member has its own refusal code (docs/API.md).
fn refusal(error: FieldError) -> Refusal {
    let code = match error.kind {
        FieldErrorKind::Invalid => RefusalCode::BadRequest,
        FieldErrorKind::BadHex => RefusalCode::BadHex,
        FieldErrorKind::BadLength => RefusalCode::BadLength,
        FieldErrorKind::Malformed => RefusalCode::MalformedMessage,
    };
    Refusal::new(code, error.to_string())
}

/// Resolves a market given as 0x id or as symbol (`WETH/USDC` or `WETH-USDC`).
pub fn resolve_market(markets: &BTreeMap<B256, MarketSpec>, given: &str) -> Result<B256, Refusal> {
    if given.starts_with("0x") {
        let id: B256 =
            given.parse().map_err(|_| Refusal::new(RefusalCode::BadHex, "market id must be 32 bytes of hex"))?;
        return markets
            .contains_key(&id)
            .then_some(id)
            .ok_or_else(|| Refusal::new(RefusalCode::UnknownMarket, format!("no market {given}")));
    }
    let wanted = symbol_key(given);
    markets
        .values()
        .find(|m| symbol_key(&m.symbol) == wanted)
        .map(|m| m.context.market_id)
        .ok_or_else(|| Refusal::new(RefusalCode::UnknownMarket, format!("no market {given}")))
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
    let signature = message_json::signature(body).map_err(refusal)?.ok_or_else(|| bad("`signature` is missing"))?;
    if !message_json::has_bytes(body) && market.is_none() {
        return Err(bad("the friendly form needs `market`"));
    }
    let message = message_json::message(body).map_err(refusal)?;
    Ok(Submission { market, signed: SignedMessage { message, signature } })
}

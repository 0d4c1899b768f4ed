//! The client side of the stream protocol: parsing `subscribe` / `unsubscribe` requests into a
//! [`Topic`], and the JSON of acknowledgements, errors and book frames. Every bad request gets
//! an [`StreamError`] answer; none closes the connection.

use super::event::Level;
use crate::error::RefusalCode;
use crate::genesis::MarketSpec;
use crate::submission::resolve_market;
use alloy_primitives::{Address, B256, U256};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub use crate::limits::{BOOK_DEPTH_DEFAULT, BOOK_DEPTH_MAX};

/// What a subscription is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Topic {
    /// Every block header with its batches' PublicInputs.
    Blocks,
    /// A market's L2 book: snapshot, then per-block deltas.
    Book(B256),
    /// A market's trades, per block.
    Trades(B256),
    /// An address's order updates and fills, per block.
    Account(Address),
}

impl Topic {
    /// The channel name.
    pub fn channel(&self) -> &'static str {
        match self {
            Topic::Blocks => "blocks",
            Topic::Book(_) => "book",
            Topic::Trades(_) => "trades",
            Topic::Account(_) => "account",
        }
    }

    /// The acknowledgement fields naming this topic.
    pub fn describe(&self) -> Value {
        match self {
            Topic::Blocks => json!({ "channel": "blocks" }),
            Topic::Book(m) => json!({ "channel": "book", "market": m }),
            Topic::Trades(m) => json!({ "channel": "trades", "market": m }),
            Topic::Account(a) => json!({ "channel": "account", "address": a }),
        }
    }
}

/// A parsed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Start (or, for `book`, restart with a fresh snapshot) a subscription.
    Subscribe {
        /// What to.
        topic: Topic,
        /// Book depth (book only; otherwise the default, unused).
        depth: usize,
    },
    /// Stop one.
    Unsubscribe(Topic),
}

/// Why a stream request is refused: the stable `code` of its error frame (docs/API.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamErrorCode {
    /// The frame is not JSON.
    BadJson,
    /// A member is missing or has the wrong type, or the op is unknown.
    BadRequest,
    /// No such channel.
    UnknownChannel,
    /// No market has this id or symbol.
    UnknownMarket,
    /// The market is not a valid id or symbol.
    BadMarket,
    /// `depth` is not an integer in range.
    BadDepth,
    /// `address` is not 20 bytes of hex.
    BadAddress,
    /// The connection holds its maximum of subscriptions.
    TooManySubscriptions,
    /// Unsubscribe from a topic the connection does not follow.
    NotSubscribed,
}

impl StreamErrorCode {
    /// The code as clients see it.
    pub const fn as_str(self) -> &'static str {
        match self {
            StreamErrorCode::BadJson => "bad_json",
            StreamErrorCode::BadRequest => "bad_request",
            StreamErrorCode::UnknownChannel => "unknown_channel",
            StreamErrorCode::UnknownMarket => "unknown_market",
            StreamErrorCode::BadMarket => "bad_market",
            StreamErrorCode::BadDepth => "bad_depth",
            StreamErrorCode::BadAddress => "bad_address",
            StreamErrorCode::TooManySubscriptions => "too_many_subscriptions",
            StreamErrorCode::NotSubscribed => "not_subscribed",
        }
    }
}

/// A refused request: answered with `{"type": "error", "code", "message"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamError {
    /// Stable machine-readable code.
    pub code: StreamErrorCode,
    /// Human-readable detail.
    pub message: String,
}

impl StreamError {
    /// An error with `code` and `message`.
    pub fn new(code: StreamErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    /// The error frame, echoing the request's `id` if it had one.
    pub fn frame(&self, id: Option<&Value>) -> Value {
        let mut frame = json!({ "type": "error", "code": self.code.as_str(), "message": self.message });
        if let Some(id) = id {
            frame["id"] = id.clone();
        }
        frame
    }
}

/// Parses one text frame. Returns the request's `id` (echoed in the answer) and the request.
pub fn parse(markets: &BTreeMap<B256, MarketSpec>, text: &str) -> (Option<Value>, Result<Request, StreamError>) {
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => return (None, Err(StreamError::new(StreamErrorCode::BadJson, e.to_string()))),
    };
    let id = value.get("id").cloned();
    (id, parse_value(markets, &value))
}

fn parse_value(markets: &BTreeMap<B256, MarketSpec>, value: &Value) -> Result<Request, StreamError> {
    let object =
        value.as_object().ok_or_else(|| StreamError::new(StreamErrorCode::BadRequest, "a request is a JSON object"))?;
    let text = |field: &str| -> Result<Option<&str>, StreamError> {
        match object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(StreamError::new(StreamErrorCode::BadRequest, format!("`{field}` must be a string"))),
        }
    };
    let op = text("op")?
        .ok_or_else(|| StreamError::new(StreamErrorCode::BadRequest, "missing `op` (subscribe or unsubscribe)"))?;
    let channel = text("channel")?.ok_or_else(|| StreamError::new(StreamErrorCode::BadRequest, "missing `channel`"))?;
    let market = || -> Result<B256, StreamError> {
        let given = text("market")?.ok_or_else(|| StreamError::new(StreamErrorCode::BadRequest, "missing `market`"))?;
        resolve_market(markets, given).map_err(|r| {
            let code = if r.code == RefusalCode::UnknownMarket {
                StreamErrorCode::UnknownMarket
            } else {
                StreamErrorCode::BadMarket
            };
            StreamError::new(code, r.message)
        })
    };
    let topic = match channel {
        "blocks" => Topic::Blocks,
        "book" => Topic::Book(market()?),
        "trades" => Topic::Trades(market()?),
        "account" => {
            let given =
                text("address")?.ok_or_else(|| StreamError::new(StreamErrorCode::BadRequest, "missing `address`"))?;
            let address: Address = given
                .parse()
                .map_err(|_| StreamError::new(StreamErrorCode::BadAddress, "address must be 20 bytes of 0x hex"))?;
            Topic::Account(address)
        }
        other => {
            return Err(StreamError::new(
                StreamErrorCode::UnknownChannel,
                format!("no channel `{other}` (book, trades, blocks, account)"),
            ))
        }
    };
    match op {
        "subscribe" => {
            let depth = match (topic, object.get("depth")) {
                (Topic::Book(_), None | Some(Value::Null)) => BOOK_DEPTH_DEFAULT,
                (Topic::Book(_), Some(depth)) => {
                    depth.as_u64().filter(|d| (1..=BOOK_DEPTH_MAX as u64).contains(d)).ok_or_else(|| {
                        StreamError::new(
                            StreamErrorCode::BadDepth,
                            format!("depth must be an integer from 1 to {BOOK_DEPTH_MAX}"),
                        )
                    })? as usize
                }
                _ => BOOK_DEPTH_DEFAULT,
            };
            Ok(Request::Subscribe { topic, depth })
        }
        "unsubscribe" => Ok(Request::Unsubscribe(topic)),
        other => Err(StreamError::new(
            StreamErrorCode::BadRequest,
            format!("unknown op `{other}` (subscribe or unsubscribe)"),
        )),
    }
}

/// Levels as JSON: `{tick, price, qty}` with `price = tick × tickSize` and `qty` "0" for a level
/// that is gone.
pub fn levels_json(levels: impl IntoIterator<Item = Level>, tick_size: U256) -> Vec<Value> {
    levels
        .into_iter()
        .map(|(tick, qty)| {
            let price = U256::from(tick.unsigned_abs()) * tick_size;
            json!({ "tick": tick, "price": price.to_string(), "qty": qty.to_string() })
        })
        .collect()
}

/// What a client holding `old` must apply to get `new`: the levels of `new` whose total differs
/// (with the new total) and the levels of `old` absent from `new` (total 0), best first, where
/// `better(a, b)` says tick `a` is better than tick `b` on this side.
pub fn diff_levels(old: &[Level], new: &[Level], better: impl Fn(i32, i32) -> bool) -> Vec<Level> {
    let before: BTreeMap<i32, U256> = old.iter().copied().collect();
    let after: BTreeMap<i32, U256> = new.iter().copied().collect();
    let mut changed: Vec<Level> =
        after.iter().filter(|(t, q)| before.get(t) != Some(q)).map(|(t, q)| (*t, *q)).collect();
    changed.extend(before.keys().filter(|t| !after.contains_key(t)).map(|t| (*t, U256::ZERO)));
    changed.sort_by(|a, b| {
        if a.0 == b.0 {
            std::cmp::Ordering::Equal
        } else if better(a.0, b.0) {
            std::cmp::Ordering::Less
        } else {
            std::cmp::Ordering::Greater
        }
    });
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesis::VenueGenesis;

    fn markets() -> BTreeMap<B256, MarketSpec> {
        VenueGenesis::dev().markets.iter().map(|m| (m.context.market_id, m.clone())).collect()
    }

    #[test]
    fn requests_parse_and_bad_ones_get_codes() {
        let markets = markets();
        let weth = markets.values().find(|m| m.symbol == "WETH/USDC").unwrap().context.market_id;
        let ok = |text: &str| parse(&markets, text).1.unwrap();
        let code = |text: &str| parse(&markets, text).1.unwrap_err().code.as_str();
        assert_eq!(
            ok(r#"{"op":"subscribe","channel":"book","market":"WETH-USDC","depth":5}"#),
            Request::Subscribe { topic: Topic::Book(weth), depth: 5 }
        );
        assert_eq!(
            ok(&format!(r#"{{"op":"unsubscribe","channel":"trades","market":"{weth}"}}"#)),
            Request::Unsubscribe(Topic::Trades(weth))
        );
        assert_eq!(
            ok(r#"{"op":"subscribe","channel":"blocks"}"#),
            Request::Subscribe { topic: Topic::Blocks, depth: 20 }
        );
        assert_eq!(code("{"), "bad_json");
        assert_eq!(code("[]"), "bad_request");
        assert_eq!(code(r#"{"channel":"blocks"}"#), "bad_request");
        assert_eq!(code(r#"{"op":"dance","channel":"blocks"}"#), "bad_request");
        assert_eq!(code(r#"{"op":"subscribe","channel":"candles"}"#), "unknown_channel");
        assert_eq!(code(r#"{"op":"subscribe","channel":"book","market":"DOGE-USDC"}"#), "unknown_market");
        assert_eq!(code(r#"{"op":"subscribe","channel":"book","market":"0x12"}"#), "bad_market");
        assert_eq!(code(r#"{"op":"subscribe","channel":"book","market":"WETH-USDC","depth":0}"#), "bad_depth");
        assert_eq!(code(r#"{"op":"subscribe","channel":"book","market":"WETH-USDC","depth":"5"}"#), "bad_depth");
        assert_eq!(code(r#"{"op":"subscribe","channel":"account","address":"0xzz"}"#), "bad_address");
        assert_eq!(code(r#"{"op":"subscribe","channel":"account"}"#), "bad_request");
        assert_eq!(parse(&markets, r#"{"op":"x","channel":"blocks","id":7}"#).0, Some(json!(7)));
    }

    #[test]
    fn diffs_report_changed_added_and_removed_levels_best_first() {
        let q = U256::from;
        let old = [(10, q(5)), (9, q(3)), (8, q(1))];
        let new = [(11, q(2)), (10, q(5)), (9, q(4))];
        let bids = diff_levels(&old, &new, |a, b| a > b);
        assert_eq!(bids, vec![(11, q(2)), (9, q(4)), (8, q(0))]);
        assert!(diff_levels(&new, &new, |a, b| a > b).is_empty());
    }
}

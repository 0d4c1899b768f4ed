//! The one JSON vocabulary of a message: message files (`numo batch build`, [`crate::json`])
//! and the node's `POST /v1/messages` read a message through this module, so a message written
//! for one is read the same way by the other. Documented in `docs/API.md` ("Message JSON").
//!
//! A message is either its spec bytes, `{"message": "0x…"}` (`"bytes"` is a synonym, the name
//! the spec vectors use), or its fields:
//!
//! | field              | value                                                                   |
//! |--------------------|-------------------------------------------------------------------------|
//! | `type`             | `"place"` or `"cancel"`                                                 |
//! | `trader`           | 20 bytes of hex                                                         |
//! | `nonce`            | unsigned integer below 2^64                                             |
//! | `orderId`          | 32 bytes of `0x` hex, or an unsigned integer (left-padded to 32 bytes)  |
//! | `side` (place)     | `"buy"` / `"sell"`, or the U8 as a JSON number                          |
//! | `tif` (place)      | `"gtc"` / `"ioc"`, or the U32 as a JSON number; `"gtc"` when absent     |
//! | `tick` (place)     | a JSON integer within I32; `tickIndex` (the spec's name) is a synonym   |
//! | `qty` (place)      | unsigned integer, base smallest units; `qtyBase` is a synonym           |
//!
//! An unsigned integer is a JSON number or a decimal / `0x` hex string (amounts exceed the 53
//! bits a JSON number keeps exactly). `side` and `tif` as numbers are encoded as given, even
//! out of range, so that such messages can be built and their rejection by execution (C12)
//! tested; as strings only the names are accepted, so `"2"` is not a side. A field and its
//! synonym together are refused as ambiguous. Other members (`signature`, `market`,
//! `privateKey`, …) belong to the caller.

use alloy_primitives::{hex, Address, B256, U256};
use numo_stf::{Cancel, Message, Place, Signature};
use serde_json::Value;

/// What kind of problem a [`FieldError`] is; the node answers each with its own refusal code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// Missing, of the wrong JSON type, not one of the allowed names, or out of range.
    Invalid,
    /// A string that is not hex, or (for `trader`) not an address.
    BadHex,
    /// Hex of the wrong length.
    BadLength,
    /// Spec bytes that do not decode to a message (section C).
    Malformed,
}

/// A message member that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}`: {problem}")]
pub struct FieldError {
    /// The member at fault, as the document names it.
    pub field: &'static str,
    /// What kind of problem.
    pub kind: FieldErrorKind,
    /// What is wrong, for a person.
    pub problem: String,
}

fn invalid(field: &'static str, problem: impl Into<String>) -> FieldError {
    FieldError { field, kind: FieldErrorKind::Invalid, problem: problem.into() }
}

/// The value under `name` or under its synonym `alias` (with the name it was found under).
fn either<'v>(
    v: &'v Value,
    name: &'static str,
    alias: &'static str,
) -> Result<Option<(&'static str, &'v Value)>, FieldError> {
    match (v.get(name), v.get(alias)) {
        (Some(_), Some(_)) => Err(invalid(name, format!("give `{name}` or `{alias}`, not both"))),
        (Some(value), None) => Ok(Some((name, value))),
        (None, Some(value)) => Ok(Some((alias, value))),
        (None, None) => Ok(None),
    }
}

fn required<'v>(v: &'v Value, name: &'static str) -> Result<&'v Value, FieldError> {
    v.get(name).ok_or_else(|| invalid(name, "missing"))
}

/// An unsigned integer: a JSON number, or a decimal / `0x` hex string. The problem, if not.
pub fn unsigned_value(v: &Value) -> Result<U256, String> {
    match v {
        Value::Number(n) => n.as_u64().map(U256::from).ok_or_else(|| "expected an unsigned integer".to_string()),
        Value::String(s) => s.parse().map_err(|_| format!("`{s}` is not an unsigned integer")),
        _ => Err("expected an unsigned integer".to_string()),
    }
}

fn unsigned(field: &'static str, v: &Value) -> Result<U256, FieldError> {
    unsigned_value(v).map_err(|problem| invalid(field, problem))
}

/// Hex of exactly `len` bytes (`0x` optional).
fn hex_exact(field: &'static str, v: &Value, len: usize) -> Result<Vec<u8>, FieldError> {
    let text = v.as_str().ok_or_else(|| invalid(field, "expected a hex string"))?;
    let bytes =
        hex::decode(text).map_err(|e| FieldError { field, kind: FieldErrorKind::BadHex, problem: e.to_string() })?;
    if bytes.len() != len {
        let problem = format!("expected {len} bytes, got {}", bytes.len());
        return Err(FieldError { field, kind: FieldErrorKind::BadLength, problem });
    }
    Ok(bytes)
}

/// Whether `v` gives the spec bytes (`message` or `bytes`) rather than the fields.
pub fn has_bytes(v: &Value) -> bool {
    v.get("message").is_some() || v.get("bytes").is_some()
}

/// The message `v` describes: its spec bytes when it has them ([`has_bytes`]), else its fields.
pub fn message(v: &Value) -> Result<Message, FieldError> {
    match either(v, "message", "bytes")? {
        Some((field, bytes)) => {
            let text = bytes.as_str().ok_or_else(|| invalid(field, "expected a hex string"))?;
            let bytes = hex::decode(text).map_err(|e| FieldError {
                field,
                kind: FieldErrorKind::BadHex,
                problem: e.to_string(),
            })?;
            Message::decode(&bytes).map_err(|e| FieldError {
                field,
                kind: FieldErrorKind::Malformed,
                problem: e.to_string(),
            })
        }
        None => fields(v),
    }
}

/// The 65-byte `signature`, `None` when absent.
pub fn signature(v: &Value) -> Result<Option<Signature>, FieldError> {
    let Some(value) = v.get("signature") else { return Ok(None) };
    let bytes = hex_exact("signature", value, 65)?;
    Ok(Some(Signature(bytes.try_into().expect("length checked"))))
}

fn fields(v: &Value) -> Result<Message, FieldError> {
    let trader = address("trader", required(v, "trader")?)?;
    let nonce = unsigned("nonce", required(v, "nonce")?)?;
    let nonce = u64::try_from(nonce).map_err(|_| invalid("nonce", "exceeds 64 bits"))?;
    let order_id = order_id(required(v, "orderId")?)?;
    match required(v, "type")?.as_str() {
        Some("place") => Ok(Message::Place(Place {
            trader,
            nonce,
            order_id,
            side: named_or_number("side", required(v, "side")?, &["buy", "sell"])?,
            tif: match v.get("tif") {
                Some(tif) => named_or_number("tif", tif, &["gtc", "ioc"])?,
                None => 0,
            },
            tick: tick(v)?,
            qty: match either(v, "qty", "qtyBase")? {
                Some((field, qty)) => unsigned(field, qty)?,
                None => return Err(invalid("qty", "missing")),
            },
        })),
        Some("cancel") => Ok(Message::Cancel(Cancel { trader, nonce, order_id })),
        _ => Err(invalid("type", "must be \"place\" or \"cancel\"")),
    }
}

/// Any failure is "not an address" ([`FieldErrorKind::BadHex`]), the node's answer since V1.
fn address(field: &'static str, v: &Value) -> Result<Address, FieldError> {
    hex_exact(field, v, 20).map(|bytes| Address::from_slice(&bytes)).map_err(|e| FieldError {
        kind: if e.kind == FieldErrorKind::Invalid { e.kind } else { FieldErrorKind::BadHex },
        problem: format!("must be 20 bytes of hex ({})", e.problem),
        ..e
    })
}

/// 32 bytes of `0x` hex, or an unsigned integer left-padded to 32 bytes.
fn order_id(v: &Value) -> Result<B256, FieldError> {
    match v {
        Value::String(s) if s.starts_with("0x") => Ok(B256::from_slice(&hex_exact("orderId", v, 32)?)),
        _ => Ok(B256::from(unsigned("orderId", v)?.to_be_bytes::<32>())),
    }
}

fn tick(v: &Value) -> Result<i32, FieldError> {
    let (field, tick) = either(v, "tick", "tickIndex")?.ok_or_else(|| invalid("tick", "missing"))?;
    tick.as_i64().and_then(|t| i32::try_from(t).ok()).ok_or_else(|| invalid(field, "must be a 32-bit integer"))
}

/// A name's index in `names` (ASCII case ignored), or a JSON number passed through unchanged
/// (see the module docs).
fn named_or_number<T: TryFrom<u64> + TryFrom<usize>>(
    field: &'static str,
    v: &Value,
    names: &[&str],
) -> Result<T, FieldError> {
    let index = match v {
        Value::String(name) => {
            let index = names.iter().position(|n| n.eq_ignore_ascii_case(name));
            let index = index.ok_or_else(|| invalid(field, format!("must be one of {names:?}, not `{name}`")))?;
            T::try_from(index).ok()
        }
        Value::Number(n) => n.as_u64().and_then(|n| T::try_from(n).ok()),
        _ => return Err(invalid(field, format!("must be one of {names:?} or a number"))),
    };
    index.ok_or_else(|| invalid(field, "out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TRADER: &str = "0x43bb2182998b8fbe335cedb8ac9416cc2ab2fc2e";

    fn place() -> Place {
        Place {
            trader: TRADER.parse().unwrap(),
            nonce: 3,
            order_id: B256::left_padding_from(&[0x0a, 0x01]),
            side: 1,
            tif: 0,
            tick: 10_000,
            qty: U256::from(2_000_000_000_000_000_000u128),
        }
    }

    fn kind(v: Value) -> FieldErrorKind {
        message(&v).unwrap_err().kind
    }

    #[test]
    fn the_file_and_the_api_spellings_read_the_same_place() {
        let expected = Message::Place(place());
        let api = json!({ "type": "place", "trader": TRADER, "nonce": 3, "orderId": 0x0a01, "side": "sell",
            "tick": 10_000, "qty": "2000000000000000000" });
        let file = json!({ "type": "place", "trader": TRADER, "nonce": "3",
            "orderId": format!("0x{:064x}", 0x0a01), "side": 1, "tif": "GTC", "tickIndex": 10_000,
            "qtyBase": "0x1bc16d674ec80000" });
        let bytes = json!({ "bytes": hex::encode_prefixed(expected.encode()) });
        let message_key = json!({ "message": hex::encode_prefixed(expected.encode()) });
        for v in [api, file, bytes, message_key] {
            assert_eq!(message(&v).unwrap(), expected, "{v}");
        }
    }

    #[test]
    fn a_cancel_needs_no_place_fields() {
        let v = json!({ "type": "cancel", "trader": TRADER, "nonce": 4, "orderId": 7 });
        let expected = Cancel { trader: TRADER.parse().unwrap(), nonce: 4, order_id: B256::with_last_byte(7) };
        assert_eq!(message(&v).unwrap(), Message::Cancel(expected));
    }

    #[test]
    fn numbers_pass_through_names_do_not() {
        let v = json!({ "type": "place", "trader": TRADER, "nonce": 0, "orderId": 1, "side": 2, "tif": 7,
            "tick": -5, "qty": 0 });
        let Message::Place(p) = message(&v).unwrap() else { panic!("a place") };
        assert_eq!((p.side, p.tif, p.tick), (2, 7, -5));
        let base = |change: Value| {
            let mut v = json!({ "type": "place", "trader": TRADER, "nonce": 0, "orderId": 1, "side": "buy",
                "tick": 1, "qty": 1 });
            v.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
            v
        };
        for change in [
            json!({ "side": "2" }),
            json!({ "side": 256 }),
            json!({ "tif": "fok" }),
            json!({ "tick": "100000" }),
            json!({ "tick": 3_000_000_000u64 }),
            json!({ "qty": 1.5 }),
            json!({ "qty": "-1" }),
            json!({ "nonce": "18446744073709551616" }),
            json!({ "tickIndex": 1 }),
            json!({ "qtyBase": 1 }),
            json!({ "type": "withdraw" }),
        ] {
            assert_eq!(kind(base(change.clone())), FieldErrorKind::Invalid, "{change}");
        }
        assert_eq!(kind(base(json!({ "trader": "0x1234" }))), FieldErrorKind::BadHex);
        assert_eq!(kind(base(json!({ "orderId": "0x01" }))), FieldErrorKind::BadLength);
        assert_eq!(kind(base(json!({ "orderId": format!("0x{}", "z".repeat(64)) }))), FieldErrorKind::BadHex);
        assert_eq!(kind(json!({ "message": "0xzz" })), FieldErrorKind::BadHex);
        assert_eq!(kind(json!({ "message": "0x01" })), FieldErrorKind::Malformed);
        assert_eq!(kind(json!({ "message": [1] })), FieldErrorKind::Invalid);
        assert_eq!(kind(json!({ "message": "0x01", "bytes": "0x01" })), FieldErrorKind::Invalid);
    }

    #[test]
    fn signatures_are_65_bytes_or_absent() {
        assert_eq!(signature(&json!({})).unwrap(), None);
        let sig = format!("0x{}", "11".repeat(65));
        assert_eq!(signature(&json!({ "signature": sig })).unwrap(), Some(Signature([0x11; 65])));
        let short = signature(&json!({ "signature": "0x1234" })).unwrap_err();
        assert_eq!(short.kind, FieldErrorKind::BadLength);
        assert_eq!(signature(&json!({ "signature": 5 })).unwrap_err().kind, FieldErrorKind::Invalid);
    }
}

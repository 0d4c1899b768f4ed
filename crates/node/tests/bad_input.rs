//! Malformed input, endpoint by endpoint, through real HTTP: every refusal is the documented
//! 4xx with the `{"error": {"code", "message"}}` shape, and nothing is stored — the state
//! root, the latest block (or its 404), `pending` in `/health`, the admitted count and the
//! nonces are the same before and after. Refusals run twice: on a fresh node (no block yet),
//! and after one executed message (so replays and reused nonces can be tried).
//!
//! Also: the friendly form of a Place and of a Cancel produces exactly the bytes, signature,
//! `msgHash`, outcome and state root of the canonical form (two nodes, one fed each form).

mod common;

use alloy_primitives::{hex, Address, B256, U256};
use common::{start_dev_node, weth, TestNode};
use numo_node::genesis::dev_accounts;
use numo_stf::signature::sign_digest;
use numo_stf::{Cancel, Message, Place, Signature};
use serde_json::{json, Value};
use std::time::Duration;

/// secp256k1 group order n.
const SECP256K1_ORDER: U256 = U256::from_be_slice(&[
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc,
    0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
]);

struct Client {
    http: reqwest::Client,
    url: String,
}

/// A raw answer: status, content type and body text.
struct Answer {
    status: u16,
    content_type: String,
    allow: String,
    text: String,
}

impl Client {
    async fn request(&self, method: reqwest::Method, path: &str, body: Option<Vec<u8>>) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let header = |name: &str| {
            response.headers().get(name).map(|v| v.to_str().unwrap_or_default().to_string()).unwrap_or_default()
        };
        let (content_type, allow) = (header("content-type"), header("allow"));
        Answer { status, content_type, allow, text: response.text().await.unwrap() }
    }

    async fn get(&self, path: &str) -> Answer {
        self.request(reqwest::Method::GET, path, None).await
    }

    async fn get_json(&self, path: &str) -> Value {
        let answer = self.get(path).await;
        assert_eq!(answer.status, 200, "GET {path}: {}", answer.text);
        serde_json::from_str(&answer.text).unwrap()
    }

    async fn post(&self, path: &str, body: impl Into<Vec<u8>>) -> Answer {
        self.request(reqwest::Method::POST, path, Some(body.into())).await
    }

    async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let answer = self.post(path, serde_json::to_vec(body).unwrap()).await;
        (answer.status, serde_json::from_str(&answer.text).unwrap_or(Value::Null))
    }
}

/// Asserts `answer` is an error of `status` and `code` in the documented shape: a JSON object
/// whose only key is `error`, itself exactly `{code, message}` with a non-empty message.
fn assert_error(label: &str, answer: &Answer, status: u16, code: &str) {
    assert_eq!(answer.status, status, "{label}: status ({})", answer.text);
    assert!(answer.content_type.starts_with("application/json"), "{label}: content type {:?}", answer.content_type);
    let body: Value = serde_json::from_str(&answer.text)
        .unwrap_or_else(|e| panic!("{label}: body is not JSON ({e}): {}", answer.text));
    let object = body.as_object().unwrap_or_else(|| panic!("{label}: not an object: {body}"));
    assert_eq!(object.keys().collect::<Vec<_>>(), ["error"], "{label}: {body}");
    let error = body["error"].as_object().unwrap_or_else(|| panic!("{label}: `error` is not an object: {body}"));
    let mut keys: Vec<&str> = error.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["code", "message"], "{label}: {body}");
    assert_eq!(body["error"]["code"], code, "{label}: {body}");
    assert!(!body["error"]["message"].as_str().unwrap().is_empty(), "{label}: empty message");
}

/// Everything a refused submission must leave as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    root: Value,
    latest_block: (u16, String),
    health: Value,
    admitted: String,
    accounts: Vec<Value>,
}

async fn snapshot(client: &Client) -> Snapshot {
    let latest = client.get("/v1/blocks/latest").await;
    let metrics = client.get("/metrics").await.text;
    let admitted = metrics.lines().find(|l| l.starts_with("numo_admitted")).unwrap_or_default().to_string();
    let mut accounts = Vec::new();
    for account in dev_accounts().iter().take(3) {
        let view = client.get_json(&format!("/v1/accounts/{}", account.address)).await;
        accounts.push(json!({ "nonces": view["nonces"], "balances": view["balances"], "open": view["openOrders"] }));
    }
    Snapshot {
        root: client.get_json("/v1/state/root").await,
        latest_block: (latest.status, latest.text),
        health: client.get_json("/health").await,
        admitted,
        accounts,
    }
}

/// Signs `message` with dev account `signer` under `market`'s domain.
fn sign(node: &TestNode, signer: usize, market: &B256, message: &Message) -> Signature {
    let domain = node.genesis.market(market).unwrap().context.domain_separator();
    sign_digest(&dev_accounts()[signer].secret, &message.hash(&domain))
}

fn canonical(bytes: &[u8], signature: &[u8]) -> Value {
    json!({ "message": hex::encode_prefixed(bytes), "signature": hex::encode_prefixed(signature) })
}

fn trader(account: usize) -> Address {
    dev_accounts()[account].address
}

fn id(n: u64) -> B256 {
    B256::left_padding_from(&n.to_be_bytes())
}

fn place(account: usize, nonce: u64, order: u64, side: u8, tif: u32, tick: i32, qty: U256) -> Message {
    Message::Place(Place { trader: trader(account), nonce, order_id: id(order), side, tif, tick, qty })
}

/// The same signature with `s` replaced by `n − s` and the parity flipped: it still recovers
/// the signer, but is high-s (C11).
fn high_s(signature: &Signature) -> Vec<u8> {
    let s = U256::from_be_slice(&signature.0[32..64]);
    let mut out = signature.0.to_vec();
    out[32..64].copy_from_slice(&(SECP256K1_ORDER - s).to_be_bytes::<32>());
    out[64] = if signature.0[64] == 27 { 28 } else { 27 };
    out
}

/// Every refusal of `POST /v1/messages`; `executed` is a message already executed (its
/// canonical body), when there is one.
async fn refused_submissions(node: &TestNode, client: &Client, executed: Option<&Value>) {
    let weth_usdc = node.genesis.market_by_symbol("WETH/USDC").unwrap().context.market_id;
    let wbtc_usdc = node.genesis.market_by_symbol("WBTC/USDC").unwrap().context.market_id;
    let committed = |market: B256| async move {
        let view = client.get_json(&format!("/v1/accounts/{}", trader(0))).await;
        let entry = view["nonces"].as_array().unwrap().iter().find(|n| n["marketId"] == market.to_string()).cloned();
        entry.unwrap()["nextNonce"].as_u64().unwrap()
    };
    let nonce = committed(weth_usdc).await;
    let good = place(0, nonce, 77, 0, 0, 100_000, weth(1));
    let good_bytes = good.encode();
    let good_sig = sign(node, 0, &weth_usdc, &good);
    let signed = |message: &Message| canonical(&message.encode(), &sign(node, 0, &weth_usdc, message).0);

    let mut cases: Vec<(&str, String, Vec<u8>, u16, &str)> = Vec::new();
    let mut add = |label: &'static str, path: &str, body: Vec<u8>, status: u16, code: &'static str| {
        cases.push((label, path.to_string(), body, status, code));
    };
    let json_body = |value: Value| serde_json::to_vec(&value).unwrap();
    let m = "/v1/messages";

    // Not JSON, not an object, missing fields.
    add("not json", m, b"place an order please".to_vec(), 400, "bad_json");
    add("empty body", m, Vec::new(), 400, "bad_json");
    add("truncated json", m, b"{\"message\": \"0x01".to_vec(), 400, "bad_json");
    add("json array", m, b"[1, 2, 3]".to_vec(), 400, "bad_request");
    add("json string", m, b"\"0x01\"".to_vec(), 400, "bad_request");
    add("json number", m, b"42".to_vec(), 400, "bad_request");
    add("json null", m, b"null".to_vec(), 400, "bad_request");
    add("empty object", m, b"{}".to_vec(), 400, "bad_request");
    add("no signature", m, json_body(json!({ "message": hex::encode_prefixed(&good_bytes) })), 400, "bad_request");
    add(
        "no message, no market",
        m,
        json_body(json!({ "signature": hex::encode_prefixed(good_sig.0) })),
        400,
        "bad_request",
    );
    add(
        "signature not a string",
        m,
        json_body(json!({ "message": hex::encode_prefixed(&good_bytes), "signature": 5 })),
        400,
        "bad_request",
    );
    add(
        "message not a string",
        m,
        json_body(json!({ "message": [1], "signature": hex::encode_prefixed(good_sig.0) })),
        400,
        "bad_request",
    );
    add(
        "market not a string",
        m,
        json_body(
            json!({ "message": hex::encode_prefixed(&good_bytes), "signature": hex::encode_prefixed(good_sig.0), "market": 1 }),
        ),
        400,
        "bad_request",
    );
    // Bad hex and lengths.
    let mut bad_hex_message = canonical(&good_bytes, &good_sig.0);
    bad_hex_message["message"] = json!(format!("0xzz{}", &hex::encode(&good_bytes)[2..]));
    add("message not hex", m, json_body(bad_hex_message), 400, "bad_hex");
    let mut odd_message = canonical(&good_bytes, &good_sig.0);
    odd_message["message"] = json!(format!("{}0", hex::encode_prefixed(&good_bytes)));
    add("message odd hex length", m, json_body(odd_message), 400, "bad_hex");
    let mut bad_hex_sig = canonical(&good_bytes, &good_sig.0);
    bad_hex_sig["signature"] = json!(format!("0x{}", "g".repeat(130)));
    add("signature not hex", m, json_body(bad_hex_sig), 400, "bad_hex");
    add("message 101 bytes", m, json_body(canonical(&good_bytes[..101], &good_sig.0)), 400, "malformed_message");
    add(
        "message 103 bytes",
        m,
        json_body(canonical(&[good_bytes.as_slice(), &[0]].concat(), &good_sig.0)),
        400,
        "malformed_message",
    );
    add("message empty", m, json_body(canonical(&[], &good_sig.0)), 400, "malformed_message");
    add("signature 64 bytes", m, json_body(canonical(&good_bytes, &good_sig.0[..64])), 400, "bad_length");
    add(
        "signature 66 bytes",
        m,
        json_body(canonical(&good_bytes, &[good_sig.0.as_slice(), &[0]].concat())),
        400,
        "bad_length",
    );
    for type_byte in [0x00u8, 0x03, 0x04, 0x05, 0xff] {
        let mut bytes = good_bytes.clone();
        bytes[0] = type_byte;
        add("unknown type byte", m, json_body(canonical(&bytes, &good_sig.0)), 400, "malformed_message");
    }
    // A cancel's bytes with a place's type byte and vice versa: wrong lengths for the type.
    let cancel = Message::Cancel(Cancel { trader: trader(0), nonce, order_id: id(1) });
    let mut cancel_as_place = cancel.encode();
    cancel_as_place[0] = 0x01;
    add("cancel bytes typed place", m, json_body(canonical(&cancel_as_place, &good_sig.0)), 400, "malformed_message");
    let mut place_as_cancel = good_bytes.clone();
    place_as_cancel[0] = 0x02;
    add("place bytes typed cancel", m, json_body(canonical(&place_as_cancel, &good_sig.0)), 400, "malformed_message");

    // Bad signatures.
    let wrong_key = sign(node, 1, &weth_usdc, &good);
    add("wrong key", m, json_body(canonical(&good_bytes, &wrong_key.0)), 401, "bad_signature");
    add(
        "wrong key, market named",
        m,
        json_body(
            json!({ "message": hex::encode_prefixed(&good_bytes), "signature": hex::encode_prefixed(wrong_key.0), "market": "WETH-USDC" }),
        ),
        401,
        "bad_signature",
    );
    add("high s", m, json_body(canonical(&good_bytes, &high_s(&good_sig))), 401, "bad_signature");
    for v in [2u8, 26, 29, 255] {
        let mut sig = good_sig.0;
        sig[64] = v;
        add("bad v", m, json_body(canonical(&good_bytes, &sig)), 401, "bad_signature");
    }
    add("zero signature", m, json_body(canonical(&good_bytes, &[0u8; 65])), 401, "bad_signature");
    let mut flipped = good_bytes.clone();
    flipped[101] ^= 1;
    add("message altered after signing", m, json_body(canonical(&flipped, &good_sig.0)), 401, "bad_signature");
    // Signed under the WETH domain, sent as WBTC.
    add(
        "other market's domain",
        m,
        json_body(
            json!({ "message": hex::encode_prefixed(&good_bytes), "signature": hex::encode_prefixed(good_sig.0), "market": "WBTC-USDC" }),
        ),
        401,
        "bad_signature",
    );

    // Wrong nonces.
    add("nonce gap", m, json_body(signed(&place(0, nonce + 1, 78, 0, 0, 100_000, weth(1)))), 409, "nonce_gap");
    add("nonce far ahead", m, json_body(signed(&place(0, u64::MAX, 78, 0, 0, 100_000, weth(1)))), 409, "nonce_gap");
    if nonce > 0 {
        add("nonce reuse", m, json_body(signed(&place(0, nonce - 1, 78, 0, 0, 100_000, weth(1)))), 409, "nonce_used");
    }
    if let Some(executed) = executed {
        add("replay of an executed message", m, json_body(executed.clone()), 409, "nonce_used");
    }

    // Unknown markets.
    let mut named = canonical(&good_bytes, &good_sig.0);
    named["market"] = json!("DOGE-USDC");
    add("unknown market symbol", m, json_body(named.clone()), 404, "unknown_market");
    named["market"] = json!(B256::repeat_byte(0x42).to_string());
    add("unknown market id", m, json_body(named.clone()), 404, "unknown_market");
    named["market"] = json!("0x1234");
    add("market id too short", m, json_body(named.clone()), 400, "bad_hex");
    named["market"] = json!("");
    add("market empty", m, json_body(named), 404, "unknown_market");
    // Signed under a domain no market of the venue has.
    let mut foreign = node.genesis.market(&weth_usdc).unwrap().context;
    foreign.market_id = B256::repeat_byte(0x42);
    let foreign_sig = sign_digest(&dev_accounts()[0].secret, &good.hash(&foreign.domain_separator()));
    add("foreign domain", m, json_body(canonical(&good_bytes, &foreign_sig.0)), 401, "bad_signature");

    // Stateless C12 rules: 422 with the reason's name.
    for (label, message, code) in [
        ("zero qty", place(0, nonce, 78, 0, 0, 100_000, U256::ZERO), "zero_quantity"),
        (
            "qty not lot multiple",
            place(0, nonce, 78, 0, 0, 100_000, weth(1) + U256::from(1)),
            "quantity_not_lot_multiple",
        ),
        ("tick 0", place(0, nonce, 78, 0, 0, 0, weth(1)), "non_positive_tick"),
        ("tick negative", place(0, nonce, 78, 1, 0, -5, weth(1)), "non_positive_tick"),
        ("side 2", place(0, nonce, 78, 2, 0, 100_000, weth(1)), "bad_side"),
        ("side 255", place(0, nonce, 78, 255, 0, 100_000, weth(1)), "bad_side"),
        ("tif 2", place(0, nonce, 78, 0, 2, 100_000, weth(1)), "bad_time_in_force"),
        ("order id 0", place(0, nonce, 0, 0, 0, 100_000, weth(1)), "zero_order_id"),
    ] {
        add(label, m, json_body(signed(&message)), 422, code);
    }
    // The same rule in the other market (its own lot size).
    let wbtc_nonce = committed(wbtc_usdc).await;
    let odd_lot = place(0, wbtc_nonce, 78, 0, 0, 6_000_000, U256::from(10_001));
    let odd_lot_sig = sign(node, 0, &wbtc_usdc, &odd_lot);
    add(
        "qty not lot multiple (WBTC)",
        m,
        json_body(canonical(&odd_lot.encode(), &odd_lot_sig.0)),
        422,
        "quantity_not_lot_multiple",
    );

    // Bad `wait` query: refused before anything else, even with a valid message.
    let good_body = json_body(canonical(&good_bytes, &good_sig.0));
    for query in ["?wait=maybe", "?wait=2", "?wait=", "?wait=true&wait=false"] {
        add("bad wait query", &format!("{m}{query}"), good_body.clone(), 400, "bad_query");
    }
    // Oversize body: 413, even when the JSON inside would be fine.
    let mut big = canonical(&good_bytes, &good_sig.0);
    big["padding"] = json!("x".repeat(70 * 1024));
    add("oversize body", m, json_body(big), 413, "payload_too_large");

    for (label, path, body, status, code) in cases {
        let answer = client.post(&path, body).await;
        assert_error(label, &answer, status, code);
    }

    // Friendly form refusals.
    let friendly = |changes: Value| {
        let mut body = json!({
            "type": "place", "market": "WETH-USDC", "trader": trader(0).to_string(), "nonce": nonce, "orderId": 77,
            "side": "buy", "tif": "gtc", "tick": 100_000, "qty": weth(1).to_string(), "signature": hex::encode_prefixed(good_sig.0),
        });
        for (key, value) in changes.as_object().unwrap() {
            if value.is_null() {
                body.as_object_mut().unwrap().remove(key);
            } else {
                body[key] = value.clone();
            }
        }
        serde_json::to_vec(&body).unwrap()
    };
    for (label, changes, status, code) in [
        ("friendly: no market", json!({ "market": null }), 400, "bad_request"),
        ("friendly: unknown market", json!({ "market": "WETH-EUR" }), 404, "unknown_market"),
        ("friendly: no type", json!({ "type": null }), 400, "bad_request"),
        ("friendly: unknown type", json!({ "type": "withdraw" }), 400, "bad_request"),
        ("friendly: bad trader", json!({ "trader": "0x1234" }), 400, "bad_hex"),
        ("friendly: no trader", json!({ "trader": null }), 400, "bad_request"),
        ("friendly: no nonce", json!({ "nonce": null }), 400, "bad_request"),
        ("friendly: negative nonce", json!({ "nonce": -1 }), 400, "bad_request"),
        ("friendly: nonce over 64 bits", json!({ "nonce": "18446744073709551616" }), 400, "bad_request"),
        ("friendly: no order id", json!({ "orderId": null }), 400, "bad_request"),
        ("friendly: order id short hex", json!({ "orderId": "0x01" }), 400, "bad_length"),
        ("friendly: order id not hex", json!({ "orderId": format!("0x{}", "z".repeat(64)) }), 400, "bad_hex"),
        ("friendly: side 2", json!({ "side": "2" }), 400, "bad_request"),
        ("friendly: tif", json!({ "tif": "fok" }), 400, "bad_request"),
        ("friendly: tick too big", json!({ "tick": 3_000_000_000u64 }), 400, "bad_request"),
        ("friendly: tick string", json!({ "tick": "100000" }), 400, "bad_request"),
        ("friendly: qty negative", json!({ "qty": "-1" }), 400, "bad_request"),
        ("friendly: qty float", json!({ "qty": 1.5 }), 400, "bad_request"),
        ("friendly: tick and its synonym", json!({ "tickIndex": 100_000 }), 400, "bad_request"),
        ("friendly: no signature", json!({ "signature": null }), 400, "bad_request"),
        ("friendly: signature short", json!({ "signature": "0x1234" }), 400, "bad_length"),
        ("friendly: zero qty", json!({ "qty": "0" }), 401, "bad_signature"),
        ("friendly: other trader", json!({ "trader": trader(1).to_string() }), 401, "bad_signature"),
    ] {
        let answer = client.post(m, friendly(changes)).await;
        assert_error(label, &answer, status, code);
    }
}

/// Every malformed request to a reading endpoint.
async fn refused_reads(client: &Client) {
    let weth_usdc = "WETH-USDC";
    let unknown_id = B256::repeat_byte(0x42);
    for (path, status, code) in [
        ("/v1/markets/DOGE-USDC/book", 404, "unknown_market"),
        (&format!("/v1/markets/{unknown_id}/book") as &str, 404, "unknown_market"),
        ("/v1/markets/0xzz/book", 400, "bad_hex"),
        ("/v1/markets/WETH-USDC/book?depth=abc", 400, "bad_query"),
        ("/v1/markets/WETH-USDC/book?depth=-1", 400, "bad_query"),
        ("/v1/markets/WETH-USDC/book?depth=1.5", 400, "bad_query"),
        ("/v1/markets/DOGE-USDC/trades", 404, "unknown_market"),
        ("/v1/markets/WETH-USDC/trades?limit=many", 400, "bad_query"),
        ("/v1/markets/WETH-USDC/trades?limit=99999999999999999999999", 400, "bad_query"),
        (&format!("/v1/orders/{weth_usdc}/0xzz"), 400, "bad_hex"),
        (&format!("/v1/orders/{weth_usdc}/0x01"), 400, "bad_hex"),
        (&format!("/v1/orders/{weth_usdc}/{}", id(424242)), 404, "not_found"),
        (&format!("/v1/orders/{weth_usdc}/{}", id(0)), 404, "not_found"),
        (&format!("/v1/orders/DOGE-USDC/{}", id(1)), 404, "unknown_market"),
        ("/v1/accounts/0xzz", 400, "bad_hex"),
        ("/v1/accounts/0x1234", 400, "bad_hex"),
        (&format!("/v1/accounts/{}00", trader(0)), 400, "bad_hex"),
        ("/v1/accounts/alice", 400, "bad_hex"),
        ("/v1/blocks/abc", 400, "bad_number"),
        ("/v1/blocks/-1", 400, "bad_number"),
        ("/v1/blocks/1.0", 400, "bad_number"),
        ("/v1/blocks/18446744073709551616", 400, "bad_number"),
        ("/v1/blocks/999999", 404, "not_found"),
        ("/v1/blocks/0", 404, "not_found"),
        ("/v1/batches/abc", 400, "bad_number"),
        ("/v1/batches/0x1", 400, "bad_number"),
        ("/v1/batches/0", 404, "not_found"),
        ("/v1/batches/999999", 404, "not_found"),
        ("/v1/batches/abc/witness", 400, "bad_number"),
        ("/v1/batches/0/witness", 404, "not_found"),
        ("/v1/batches/999999/witness", 404, "not_found"),
        ("/v1/state/proof/0xzz", 400, "bad_hex"),
        ("/v1/state/proof/0x1234", 400, "bad_hex"),
        ("/v1/nope", 404, "no_route"),
        ("/v2/messages", 404, "no_route"),
        ("/v1/blocks", 404, "no_route"),
        ("/v1/batches/1/witness/extra", 404, "no_route"),
        // `/` is the web app (tests/web.rs); a path neither the API nor the app has is no_route.
        ("/nope.html", 404, "no_route"),
        // Path segments that are not UTF-8 once percent-decoded.
        ("/v1/blocks/%FF", 400, "bad_path"),
        ("/v1/batches/%C0%AF", 400, "bad_path"),
        ("/v1/batches/%FF/witness", 400, "bad_path"),
        ("/v1/accounts/%FF", 400, "bad_path"),
        ("/v1/markets/%FF/book", 400, "bad_path"),
        ("/v1/markets/%FF/trades", 400, "bad_path"),
        ("/v1/orders/WETH-USDC/%FF", 400, "bad_path"),
        ("/v1/state/proof/%FF", 400, "bad_path"),
        ("/v1/markets/%FF/candles?interval=1m", 400, "bad_path"),
        ("/v1/markets/%FF/ticker", 400, "bad_path"),
        ("/v1/accounts/%FF/trades", 400, "bad_path"),
        ("/v1/accounts/%FF/orders", 400, "bad_path"),
        // The web app's reads.
        ("/v1/markets/WETH-USDC/candles", 400, "bad_query"),
        ("/v1/markets/WETH-USDC/candles?interval=1d", 400, "bad_query"),
        ("/v1/markets/WETH-USDC/candles?interval=1m&limit=99999999999999999999999", 400, "bad_query"),
        ("/v1/markets/NOPE-USDC/ticker", 404, "unknown_market"),
        ("/v1/accounts/0x12/orders", 400, "bad_hex"),
        ("/v1/accounts/0x5B35b6F6dB1DdeE88e1e27b9d9D522bB16981056/trades?limit=0", 400, "bad_query"),
    ] {
        let answer = client.get(path).await;
        assert_error(&format!("GET {path}"), &answer, status, code);
    }
    // Wrong methods.
    for (method, path) in [
        (reqwest::Method::GET, "/v1/messages"),
        (reqwest::Method::PUT, "/v1/messages"),
        (reqwest::Method::POST, "/v1/markets"),
        (reqwest::Method::DELETE, "/v1/blocks/1"),
        (reqwest::Method::POST, "/health"),
    ] {
        let answer = client.request(method.clone(), path, Some(b"{}".to_vec())).await;
        assert_error(&format!("{method} {path}"), &answer, 405, "method_not_allowed");
        assert!(!answer.allow.is_empty(), "{method} {path}: 405 names the allowed methods");
    }
}

async fn wait_blocks(node_interval_ms: u64) {
    tokio::time::sleep(Duration::from_millis(node_interval_ms * 4)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_is_refused_with_the_error_shape_and_stores_nothing() {
    let node = start_dev_node(20).await;
    let client = Client { http: reqwest::Client::new(), url: node.url.clone() };
    let weth_usdc = node.genesis.market_by_symbol("WETH/USDC").unwrap().context.market_id;

    // A fresh node: no block yet.
    let before = snapshot(&client).await;
    assert_eq!(before.latest_block.0, 404, "no block yet");
    assert_error("latest block of a fresh node", &client.get("/v1/blocks/latest").await, 404, "not_found");
    assert_eq!(before.root["root"], node.genesis.genesis_root().to_string());
    assert_eq!(before.health["pending"], 0);
    refused_submissions(&node, &client, None).await;
    refused_reads(&client).await;
    wait_blocks(20).await;
    assert_eq!(snapshot(&client).await, before, "refusals stored nothing on a fresh node");

    // One executed message, then everything again, plus replays.
    let first = place(0, 0, 1, 0, 0, 100_000, weth(1));
    let first_body = canonical(&first.encode(), &sign(&node, 0, &weth_usdc, &first).0);
    let (status, answer) = client.post_json("/v1/messages", &first_body).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("accepted")), "{answer}");
    let before = snapshot(&client).await;
    assert_eq!(before.latest_block.0, 200);
    refused_submissions(&node, &client, Some(&first_body)).await;
    refused_reads(&client).await;
    // The replay, once more with `wait=false` and with the market named.
    let answer = client.post("/v1/messages?wait=false", serde_json::to_vec(&first_body).unwrap()).await;
    assert_error("replay, wait=false", &answer, 409, "nonce_used");
    let mut named = first_body.clone();
    named["market"] = json!("WETH-USDC");
    assert_error("replay, market named", &client.post("/v1/messages", named.to_string()).await, 409, "nonce_used");
    wait_blocks(20).await;
    assert_eq!(snapshot(&client).await, before, "refusals stored nothing after a block");

    // A message refused for its nonce is accepted once the nonce is right: nothing was reserved.
    let second = place(0, 1, 2, 0, 0, 100_000, weth(1));
    let body = canonical(&second.encode(), &sign(&node, 0, &weth_usdc, &second).0);
    let (status, answer) = client.post_json("/v1/messages", &body).await;
    assert_eq!((status, answer["nonce"].as_u64()), (200, Some(1)), "{answer}");
    assert_eq!(answer["globalIndex"], 1, "exactly one message was executed before: {answer}");
}

/// Submits `friendly` to one node and `canonical` to another; both answers and both chains must
/// agree byte for byte.
async fn same_as_canonical(a: &Client, b: &Client, friendly: &Value, canonical: &Value) -> Value {
    let (status_a, mut answer_a) = a.post_json("/v1/messages", friendly).await;
    let (status_b, mut answer_b) = b.post_json("/v1/messages", canonical).await;
    assert_eq!(status_a, 200, "friendly: {answer_a}");
    assert_eq!(status_b, 200, "canonical: {answer_b}");
    // Each node signs its receipt with its own key (K6): the receipts differ in signer only.
    let (mut receipt_a, mut receipt_b) = (answer_a["receipt"].take(), answer_b["receipt"].take());
    assert_ne!(receipt_a["signer"], receipt_b["signer"]);
    for receipt in [&mut receipt_a, &mut receipt_b] {
        receipt["signer"].take();
        receipt["signature"].take();
    }
    assert_eq!(receipt_a, receipt_b);
    // Fills carry each node's own block time.
    for answer in [&mut answer_a, &mut answer_b] {
        for fill in answer["fills"].as_array_mut().into_iter().flatten() {
            assert!(fill["timestampMs"].take().is_u64(), "{fill}");
        }
    }
    assert_eq!(answer_a, answer_b, "friendly and canonical answers differ");
    assert_eq!(answer_a["message"], canonical["message"], "the friendly form encodes to the canonical bytes");
    assert_eq!(answer_a["signature"], canonical["signature"]);
    assert_eq!(a.get_json("/v1/state/root").await, b.get_json("/v1/state/root").await);
    let batch_a = a.get_json(&format!("/v1/batches/{}", answer_a["batchSeq"])).await;
    let batch_b = b.get_json(&format!("/v1/batches/{}", answer_b["batchSeq"])).await;
    // The PublicInputs agree but for `batchTimestamp` (each node's own block time).
    let mut pi_a = batch_a["publicInputsDecoded"].clone();
    let mut pi_b = batch_b["publicInputsDecoded"].clone();
    assert!(pi_a["batchTimestamp"].is_u64() && pi_b["batchTimestamp"].is_u64());
    pi_a["batchTimestamp"] = Value::Null;
    pi_b["batchTimestamp"] = Value::Null;
    assert_eq!(pi_a, pi_b);
    assert_eq!(batch_a["messages"], batch_b["messages"]);
    answer_a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn friendly_form_is_the_canonical_form() {
    let node_a = start_dev_node(20).await;
    let node_b = start_dev_node(20).await;
    let a = Client { http: reqwest::Client::new(), url: node_a.url.clone() };
    let b = Client { http: reqwest::Client::new(), url: node_b.url.clone() };
    let weth_usdc = node_a.genesis.market_by_symbol("WETH/USDC").unwrap().context.market_id;
    let wbtc_usdc = node_a.genesis.market_by_symbol("WBTC/USDC").unwrap().context.market_id;
    let hex_sig = |signer: usize, message: &Message, market: &B256| {
        hex::encode_prefixed(sign(&node_a, signer, market, message).0)
    };

    // A resting ask: orderId as an integer, qty as a decimal string, tif given.
    let ask = place(0, 0, 11, 1, 0, 300_000, weth(2));
    let friendly = json!({
        "type": "place", "market": "WETH-USDC", "trader": trader(0).to_string(), "nonce": 0, "orderId": 11,
        "side": "sell", "tif": "gtc", "tick": 300_000, "qty": weth(2).to_string(), "signature": hex_sig(0, &ask, &weth_usdc),
    });
    let answer =
        same_as_canonical(&a, &b, &friendly, &canonical(&ask.encode(), &sign(&node_a, 0, &weth_usdc, &ask).0)).await;
    assert_eq!(
        (answer["outcome"].as_str(), answer["rested"].as_str()),
        (Some("accepted"), Some(weth(2).to_string().as_str()))
    );

    // A crossing IOC bid by account 1: orderId as 32 bytes of hex, qty as a JSON number, market id.
    let bid = Message::Place(Place {
        trader: trader(1),
        nonce: 0,
        order_id: id(12),
        side: 0,
        tif: 1,
        tick: 301_000,
        qty: weth(1),
    });
    let bid_sig = hex::encode_prefixed(sign(&node_a, 1, &weth_usdc, &bid).0);
    let friendly = json!({
        "type": "place", "market": weth_usdc.to_string(), "trader": trader(1).to_string(), "nonce": "0",
        "orderId": id(12).to_string(), "side": "buy", "tif": "ioc", "tick": 301_000, "qty": 1_000_000_000_000_000_000u64,
        "signature": bid_sig,
    });
    let answer = same_as_canonical(&a, &b, &friendly, &canonical(&bid.encode(), &hex::decode(&bid_sig).unwrap())).await;
    assert_eq!(answer["fills"].as_array().unwrap().len(), 1, "{answer}");

    // `tif` omitted means gtc; a symbol with `/`, in another case.
    let gtc = place(2, 0, 13, 0, 0, 6_000_000, U256::from(10_000));
    let friendly = json!({
        "type": "place", "market": "wbtc/usdc", "trader": trader(2).to_string(), "nonce": 0, "orderId": 13,
        "side": "buy", "tick": 6_000_000, "qty": "10000", "signature": hex::encode_prefixed(sign(&node_a, 2, &wbtc_usdc, &gtc).0),
    });
    let canonical_gtc = canonical(&gtc.encode(), &sign(&node_a, 2, &wbtc_usdc, &gtc).0);
    let answer = same_as_canonical(&a, &b, &friendly, &canonical_gtc).await;
    assert_eq!(answer["rested"], "10000");

    // A cancel of the rest of the ask.
    let cancel = Message::Cancel(Cancel { trader: trader(0), nonce: 1, order_id: id(11) });
    let friendly = json!({
        "type": "cancel", "market": "WETH-USDC", "trader": trader(0).to_string(), "nonce": 1, "orderId": 11,
        "signature": hex_sig(0, &cancel, &weth_usdc),
    });
    let answer =
        same_as_canonical(&a, &b, &friendly, &canonical(&cancel.encode(), &sign(&node_a, 0, &weth_usdc, &cancel).0))
            .await;
    assert_eq!((answer["kind"].as_str(), answer["outcome"].as_str()), (Some("cancel"), Some("accepted")));

    // A place the book rejects at execution (C12, insufficient balance): same rejection.
    let huge = place(3, 0, 14, 0, 0, 300_000, weth(1_000_000));
    let friendly = json!({
        "type": "place", "market": "WETH-USDC", "trader": trader(3).to_string(), "nonce": 0, "orderId": 14,
        "side": "buy", "tick": 300_000, "qty": weth(1_000_000).to_string(), "signature": hex_sig(3, &huge, &weth_usdc),
    });
    let answer =
        same_as_canonical(&a, &b, &friendly, &canonical(&huge.encode(), &sign(&node_a, 3, &weth_usdc, &huge).0)).await;
    assert_eq!(answer["reason"], "insufficient_balance");

    // Each form's replay on the node that saw the other form is refused the same way.
    let (status, replay) = b.post_json("/v1/messages", &friendly).await;
    assert_eq!((status, replay["error"]["code"].as_str()), (409, Some("nonce_used")));

    // The spelling of message files (the spec's `tickIndex` / `qtyBase`, `side` as its byte,
    // `bytes` for the spec bytes) is the same vocabulary (numo_host::message_json).
    let bid = place(4, 0, 15, 0, 0, 299_000, weth(1));
    let file_spelling = json!({
        "type": "place", "market": "WETH-USDC", "trader": trader(4).to_string(), "nonce": 0,
        "orderId": id(15).to_string(), "side": 0, "tickIndex": 299_000, "qtyBase": weth(1).to_string(),
        "signature": hex_sig(4, &bid, &weth_usdc),
    });
    let canonical_bid = canonical(&bid.encode(), &sign(&node_a, 4, &weth_usdc, &bid).0);
    assert_eq!(same_as_canonical(&a, &b, &file_spelling, &canonical_bid).await["rested"], weth(1).to_string());
    let cancel = Message::Cancel(Cancel { trader: trader(4), nonce: 1, order_id: id(15) });
    let (bytes, signature) = (hex::encode_prefixed(cancel.encode()), hex_sig(4, &cancel, &weth_usdc));
    let (status, answer) = a.post_json("/v1/messages", &json!({ "bytes": bytes, "signature": signature })).await;
    assert_eq!((status, answer["kind"].as_str(), answer["outcome"].as_str()), (200, Some("cancel"), Some("accepted")));
}

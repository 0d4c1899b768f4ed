//! The WebSocket streams against a node on a real port, with a real WebSocket client: the book
//! snapshot plus deltas rebuild exactly the REST book, trades and account updates match the
//! HTTP outcomes, block frames carry the stored PublicInputs, bad requests get error frames on a
//! connection that stays usable, and a client that stops reading is closed as a slow consumer
//! while the node and the other clients go on.

mod common;

use alloy_primitives::U256;
use common::{order_id, weth, TestNode, Trader};
use futures_util::{SinkExt, StreamExt};
use numo_node::config::VerifyMode;
use numo_node::stream::StreamLimits;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
/// Book rows as compared: (tick, price, qty).
type Rows = Vec<(i64, String, String)>;

async fn start(block_interval_ms: u64, limits: StreamLimits) -> TestNode {
    let n = common::start_dev_node_with(block_interval_ms, VerifyMode::Off).await;
    n.node.streams.set_limits(limits);
    n
}

async fn connect(url: &str) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(format!("{}/v1/ws", url.replace("http", "ws"))).await.unwrap();
    ws
}

async fn send(ws: &mut Ws, request: Value) {
    ws.send(Message::Text(request.to_string().into())).await.unwrap();
}

/// The next text frame as JSON (10 s at most).
async fn next(ws: &mut Ws) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("a frame within 10 s");
        match frame.expect("connection open").unwrap() {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

async fn post(client: &reqwest::Client, url: &str, body: &Value) -> Value {
    let response = client.post(format!("{url}/v1/messages")).json(body).send().await.unwrap();
    assert!(response.status().is_success());
    response.json().await.unwrap()
}

async fn get(client: &reqwest::Client, url: &str, path: &str) -> Value {
    let response = client.get(format!("{url}{path}")).send().await.unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

/// A client-side L2 book kept from a snapshot and deltas, checking the `seq` chain.
#[derive(Default)]
struct LocalBook {
    seq: u64,
    bids: BTreeMap<i64, (String, String)>,
    asks: BTreeMap<i64, (String, String)>,
}

impl LocalBook {
    fn apply_levels(side: &mut BTreeMap<i64, (String, String)>, levels: &Value) {
        for level in levels.as_array().unwrap() {
            let tick = level["tick"].as_i64().unwrap();
            let (price, qty) = (level["price"].as_str().unwrap(), level["qty"].as_str().unwrap());
            if qty == "0" {
                assert!(side.remove(&tick).is_some(), "a removed level was in the book");
            } else {
                side.insert(tick, (price.to_string(), qty.to_string()));
            }
        }
    }

    fn snapshot(frame: &Value) -> Self {
        assert_eq!(frame["type"], "book_snapshot", "{frame}");
        let mut book = Self { seq: frame["seq"].as_u64().unwrap(), ..Self::default() };
        Self::apply_levels(&mut book.bids, &frame["bids"]);
        Self::apply_levels(&mut book.asks, &frame["asks"]);
        book
    }

    fn delta(&mut self, frame: &Value) {
        assert_eq!(frame["prevSeq"].as_u64().unwrap(), self.seq, "no gap in the book's seq chain: {frame}");
        assert!(frame["seq"].as_u64().unwrap() > self.seq);
        self.seq = frame["seq"].as_u64().unwrap();
        Self::apply_levels(&mut self.bids, &frame["bids"]);
        Self::apply_levels(&mut self.asks, &frame["asks"]);
    }

    /// As the REST view shows it: bids best (highest) first, asks lowest first.
    fn as_rest(&self) -> (Rows, Rows) {
        let row = |(t, (p, q)): (&i64, &(String, String))| (*t, p.clone(), q.clone());
        (self.bids.iter().rev().map(row).collect(), self.asks.iter().map(row).collect())
    }
}

fn rest_levels(book: &Value) -> (Rows, Rows) {
    let side = |levels: &Value| {
        levels
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (l["tick"].as_i64().unwrap(), l["price"].as_str().unwrap().into(), l["qty"].as_str().unwrap().into())
            })
            .collect()
    };
    (side(&book["bids"]), side(&book["asks"]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_rebuild_the_rest_views_block_by_block() {
    let n = start(30, StreamLimits::default()).await;
    let client = reqwest::Client::new();
    let url = &n.url;
    let mut t = Trader::new(&n.genesis);
    let weth_usdc = t.market("WETH/USDC");
    let wbtc_usdc = t.market("WBTC/USDC");
    let (alice, bob, carol) = (0, 1, 2);

    let mut ws = connect(url).await;
    send(&mut ws, json!({"op": "subscribe", "channel": "book", "market": "WETH-USDC", "depth": 50, "id": 1})).await;
    let ack = next(&mut ws).await;
    assert_eq!(ack, json!({"type": "subscribed", "channel": "book", "market": weth_usdc, "depth": 50, "id": 1}));
    let mut book = LocalBook::snapshot(&next(&mut ws).await);
    assert!(book.bids.is_empty() && book.asks.is_empty());
    for request in [
        json!({"op": "subscribe", "channel": "trades", "market": weth_usdc.to_string()}),
        json!({"op": "subscribe", "channel": "blocks"}),
        json!({"op": "subscribe", "channel": "account", "address": t.address(alice)}),
        json!({"op": "subscribe", "channel": "account", "address": t.address(bob)}),
    ] {
        send(&mut ws, request.clone()).await;
        let ack = next(&mut ws).await;
        assert_eq!(ack["type"], "subscribed", "{ack}");
        assert_eq!(ack["channel"], request["channel"]);
    }

    // One message per block: Alice rests two asks, Carol a bid, Bob crosses both asks, Alice
    // cancels the rest of her second ask, Carol's oversized bid is rejected.
    let a1 = post(&client, url, &t.place(alice, weth_usdc, 1, 1, 0, 300_000, weth(2))).await;
    let a2 = post(&client, url, &t.place(alice, weth_usdc, 2, 1, 0, 301_000, weth(1))).await;
    post(&client, url, &t.place(carol, weth_usdc, 3, 0, 0, 299_000, weth(1))).await;
    let qty = weth(5) / U256::from(2);
    let b1 = post(&client, url, &t.place(bob, weth_usdc, 4, 0, 1, 301_000, qty)).await;
    assert_eq!(b1["fills"].as_array().unwrap().len(), 2);
    let cancel = post(&client, url, &t.cancel(alice, weth_usdc, 2)).await;
    assert_eq!(cancel["outcome"], "accepted");
    post(&client, url, &t.place(carol, weth_usdc, 5, 0, 0, 299_000, weth(1_000_000))).await;
    // Then several in one block (no waiting): a ladder of bids and asks, and a cross.
    let mut ladder = Vec::new();
    for i in 0..4u64 {
        ladder.push(t.place(carol, weth_usdc, 10 + i, 0, 0, 298_000 - i as i32 * 500, weth(1 + i)));
        ladder.push(t.place(alice, weth_usdc, 20 + i, 1, 0, 302_000 + i as i32 * 500, weth(1 + i)));
    }
    for body in &ladder {
        let response = client.post(format!("{url}/v1/messages?wait=false")).json(body).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
    post(&client, url, &t.place(bob, weth_usdc, 30, 1, 0, 298_000, weth(3))).await;
    // A WBTC order in a later block: its block frame comes after every frame of the ones above
    // (a block's frames come blocks first, then book, trades, account).
    let sentinel = post(&client, url, &t.place(carol, wbtc_usdc, 40, 0, 0, 5_000_000, U256::from(10_000u64))).await;
    let sentinel_height = sentinel["blockHeight"].as_u64().unwrap();

    let mut trades = Vec::new();
    let mut accounts: BTreeMap<String, (Vec<Value>, Vec<Value>)> = BTreeMap::new();
    let mut blocks = Vec::new();
    loop {
        let frame = next(&mut ws).await;
        match frame["type"].as_str().unwrap() {
            "book_delta" => book.delta(&frame),
            "trades" => trades.extend(frame["trades"].as_array().unwrap().iter().cloned()),
            "account" => {
                let entry = accounts.entry(frame["address"].as_str().unwrap().to_lowercase()).or_default();
                entry.0.extend(frame["orders"].as_array().unwrap().iter().cloned());
                entry.1.extend(frame["fills"].as_array().unwrap().iter().cloned());
            }
            "block" => {
                let height = frame["header"]["height"].as_u64().unwrap();
                blocks.push(frame);
                if height == sentinel_height {
                    break;
                }
            }
            other => panic!("unexpected frame type {other}"),
        }
    }

    // The book: snapshot + deltas == REST, level by level.
    let rest = get(&client, url, "/v1/markets/WETH-USDC/book?depth=50").await;
    assert_eq!(book.as_rest(), rest_levels(&rest));
    assert!(book.bids.len() >= 3 && book.asks.len() >= 3, "a real ladder was built");

    // Trades: every trade of the market, in execution order, as REST serves them.
    let rest_trades = get(&client, url, "/v1/markets/WETH-USDC/trades?limit=1000").await;
    let mut rest_trades = rest_trades.as_array().unwrap().clone();
    rest_trades.reverse();
    assert_eq!(trades, rest_trades);
    assert!(trades.len() >= 3);

    // Blocks: every block from the first, headers and PublicInputs as stored.
    let heights: Vec<u64> = blocks.iter().map(|b| b["header"]["height"].as_u64().unwrap()).collect();
    assert_eq!(heights, (1..=sentinel_height).collect::<Vec<_>>());
    for block in &blocks {
        let height = block["header"]["height"].as_u64().unwrap();
        assert_eq!(block["header"], get(&client, url, &format!("/v1/blocks/{height}")).await);
        let seqs: Vec<u64> =
            block["batches"].as_array().unwrap().iter().map(|b| b["batchSeq"].as_u64().unwrap()).collect();
        assert_eq!(json!(seqs), block["header"]["batchSeqs"]);
        for batch in block["batches"].as_array().unwrap() {
            let stored = get(&client, url, &format!("/v1/batches/{}", batch["batchSeq"])).await;
            for field in ["publicInputs", "prevRoot", "newRoot", "marketId"] {
                assert_eq!(batch[field], stored[field], "{field}");
            }
        }
    }

    // Every trade (streamed, waited for, in its batch, and in the account frames) carries its
    // block's height and header time.
    let times: BTreeMap<u64, u64> = blocks
        .iter()
        .map(|b| (b["header"]["height"].as_u64().unwrap(), b["header"]["timestampMs"].as_u64().unwrap()))
        .collect();
    let fills = accounts.values().flat_map(|(_, fills)| fills);
    for trade in trades.iter().chain(b1["fills"].as_array().unwrap()).chain(fills) {
        let height = trade["blockHeight"].as_u64().expect("blockHeight");
        assert_eq!(trade["timestampMs"].as_u64(), times.get(&height).copied(), "{trade}");
    }
    assert_eq!(b1["fills"][0]["blockHeight"], b1["blockHeight"]);
    let batch = get(&client, url, &format!("/v1/batches/{}", b1["batchSeq"])).await;
    assert_eq!(batch["trades"], b1["fills"], "a batch's trades are the fills answered");

    // Alice's account: her messages' outcomes, her maker fills, in global order.
    let (alice_orders, alice_fills) = &accounts[&t.address(alice).to_string().to_lowercase()];
    let status = |id: u64, kind: &str| -> Vec<String> {
        alice_orders
            .iter()
            .filter(|o| o["orderId"] == order_id(id) && o["kind"] == kind)
            .map(|o| o["status"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(status(1, "place"), ["resting"]);
    assert_eq!(status(2, "place"), ["resting"]);
    assert_eq!(status(1, "fill"), ["filled"], "order 1 was filled by Bob");
    assert_eq!(status(2, "fill"), ["partially_filled"]);
    assert_eq!(status(2, "cancel"), ["cancelled"]);
    let first = alice_orders.iter().find(|o| o["orderId"] == order_id(1)).unwrap();
    assert_eq!(first["globalIndex"], a1["globalIndex"]);
    assert_eq!((first["side"].as_str(), first["tick"].as_i64()), (Some("sell"), Some(300_000)));
    let indexes: Vec<u64> = alice_orders.iter().map(|o| o["globalIndex"].as_u64().unwrap()).collect();
    assert!(indexes.windows(2).all(|w| w[0] <= w[1]), "updates in execution order");
    assert_eq!(a2["globalIndex"], alice_orders[1]["globalIndex"]);
    let maker_fills: Vec<&Value> = alice_fills.iter().filter(|f| f["role"] == "maker").collect();
    assert_eq!(maker_fills.len(), 2);
    for (fill, answered) in maker_fills.iter().zip(b1["fills"].as_array().unwrap()) {
        for field in ["makerOrderId", "takerOrderId", "tick", "qty", "quoteAmount", "fee", "globalIndex"] {
            assert_eq!(fill[field], answered[field], "{field}");
        }
    }
    // Bob: his IOC taker message and its fills, then the ladder cross.
    let (bob_orders, bob_fills) = &accounts[&t.address(bob).to_string().to_lowercase()];
    assert_eq!(bob_orders[0]["globalIndex"], b1["globalIndex"]);
    assert_eq!((bob_orders[0]["status"].as_str(), bob_orders[0]["tif"].as_str()), (Some("filled"), Some("ioc")));
    assert_eq!(bob_orders[0]["filled"], qty.to_string());
    assert!(bob_fills.iter().take(2).all(|f| f["role"] == "taker"));
    let account = get(&client, url, &format!("/v1/accounts/{}", t.address(bob))).await;
    let resting = account["openOrders"].as_array().unwrap().iter().any(|o| o["orderId"] == order_id(30));
    let last = bob_orders.iter().rfind(|o| o["orderId"] == order_id(30)).unwrap();
    assert_eq!(last["status"] == "partially_filled" || last["status"] == "resting", resting, "{last}");

    // A late subscriber's snapshot is the REST book at its seq.
    let mut late = connect(url).await;
    send(&mut late, json!({"op": "subscribe", "channel": "book", "market": "WETH-USDC", "depth": 3})).await;
    assert_eq!(next(&mut late).await["depth"], 3);
    let snapshot = LocalBook::snapshot(&next(&mut late).await);
    assert_eq!(snapshot.seq, book.seq);
    let rest = get(&client, url, "/v1/markets/WETH-USDC/book?depth=3").await;
    assert_eq!(snapshot.as_rest(), rest_levels(&rest));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn depth_limited_deltas_keep_the_top_of_book_exact() {
    let n = start(30, StreamLimits::default()).await;
    let client = reqwest::Client::new();
    let url = &n.url;
    let mut t = Trader::new(&n.genesis);
    let weth_usdc = t.market("WETH/USDC");
    let mut ws = connect(url).await;
    send(&mut ws, json!({"op": "subscribe", "channel": "book", "market": "WETH-USDC", "depth": 2})).await;
    next(&mut ws).await;
    let mut book = LocalBook::snapshot(&next(&mut ws).await);
    // Four asks, then a buy that takes the best two levels: levels 3 and 4 must enter the
    // two-level window with their quantities.
    for i in 0..4u64 {
        post(&client, url, &t.place(0, weth_usdc, 1 + i, 1, 0, 300_000 + i as i32 * 100, weth(1 + i))).await;
    }
    let taker = post(&client, url, &t.place(1, weth_usdc, 9, 0, 1, 300_100, weth(3))).await;
    assert_eq!(taker["filled"], weth(3).to_string());
    let height = taker["blockHeight"].as_u64().unwrap();
    while book.seq < height {
        let frame = next(&mut ws).await;
        book.delta(&frame);
        assert!(book.asks.len() <= 2, "the window never exceeds the depth");
    }
    let rest = get(&client, url, "/v1/markets/WETH-USDC/book?depth=2").await;
    assert_eq!(book.as_rest(), rest_levels(&rest));
    assert_eq!(book.asks.keys().copied().collect::<Vec<_>>(), [300_200, 300_300]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_error_frames_and_the_connection_stays_usable() {
    let limits = StreamLimits { max_subscriptions: 3, ..StreamLimits::default() };
    let n = start(30, limits).await;
    let mut ws = connect(&n.url).await;
    let cases = [
        ("{not json", "bad_json"),
        ("[1,2]", "bad_request"),
        (r#"{"op":"subscribe"}"#, "bad_request"),
        (r#"{"op":"watch","channel":"blocks"}"#, "bad_request"),
        (r#"{"op":"subscribe","channel":"candles","id":"c"}"#, "unknown_channel"),
        (r#"{"op":"subscribe","channel":"book","market":"DOGE-USDC"}"#, "unknown_market"),
        (r#"{"op":"subscribe","channel":"trades","market":"0xabc"}"#, "bad_market"),
        (r#"{"op":"subscribe","channel":"book","market":"WETH-USDC","depth":5000}"#, "bad_depth"),
        (r#"{"op":"subscribe","channel":"account","address":"0x1234"}"#, "bad_address"),
        (r#"{"op":"unsubscribe","channel":"blocks"}"#, "not_subscribed"),
    ];
    for (request, code) in cases {
        ws.send(Message::Text(request.into())).await.unwrap();
        let answer = next(&mut ws).await;
        assert_eq!((answer["type"].as_str(), answer["code"].as_str()), (Some("error"), Some(code)), "{request}");
        assert!(!answer["message"].as_str().unwrap().is_empty());
    }
    ws.send(Message::Binary(vec![1, 2, 3].into())).await.unwrap();
    assert_eq!(next(&mut ws).await["code"], "bad_request");
    // The id of a request is echoed, errors included.
    ws.send(Message::Text(r#"{"op":"subscribe","channel":"candles","id":"c"}"#.into())).await.unwrap();
    assert_eq!(next(&mut ws).await["id"], "c");
    // Three subscriptions at most; a re-subscription does not count twice; unsubscribe frees one.
    for request in [
        json!({"op": "subscribe", "channel": "blocks"}),
        json!({"op": "subscribe", "channel": "trades", "market": "WETH-USDC"}),
        json!({"op": "subscribe", "channel": "account", "address": "0x5B35b6F6dB1DdeE88e1e27b9d9D522bB16981056"}),
        json!({"op": "subscribe", "channel": "blocks"}),
    ] {
        send(&mut ws, request).await;
        assert_eq!(next(&mut ws).await["type"], "subscribed");
    }
    send(&mut ws, json!({"op": "subscribe", "channel": "book", "market": "WETH-USDC"})).await;
    assert_eq!(next(&mut ws).await["code"], "too_many_subscriptions");
    send(&mut ws, json!({"op": "unsubscribe", "channel": "blocks"})).await;
    assert_eq!(next(&mut ws).await, json!({"type": "unsubscribed", "channel": "blocks"}));
    send(&mut ws, json!({"op": "subscribe", "channel": "book", "market": "WETH-USDC"})).await;
    assert_eq!(next(&mut ws).await["depth"], 20, "default depth");
    assert_eq!(next(&mut ws).await["type"], "book_snapshot");

    // A frame over the request limit closes the connection with a policy close.
    ws.send(Message::Text("x".repeat(limits.max_request_bytes + 1).into())).await.unwrap();
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await.unwrap() {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(closed.unwrap().code, CloseCode::Policy);

    // Not an upgrade: the API's error shape.
    let response = reqwest::get(format!("{}/v1/ws", n.url)).await.unwrap();
    assert!(response.status().is_client_error());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "upgrade_required");
}

/// A 100-level bid side (each book snapshot ~10 KB) and one ask, on WETH/USDC.
async fn deep_book(client: &reqwest::Client, url: &str, t: &mut Trader) {
    let weth_usdc = t.market("WETH/USDC");
    for i in 0..100u64 {
        let body = t.place(2, weth_usdc, 1 + i, 0, 0, 250_000 + i as i32 * 10, weth(1));
        let response = client.post(format!("{url}/v1/messages?wait=false")).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
    post(client, url, &t.place(3, weth_usdc, 500, 1, 0, 400_000, weth(1))).await;
}

/// A WebSocket client with a 4 KB receive buffer, so the node's writes to it back up quickly.
async fn connect_small_buffer(url: &str) -> Ws {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(url.trim_start_matches("http://").parse().unwrap()).await.unwrap();
    let ws_url = format!("{}/v1/ws", url.replace("http", "ws"));
    tokio_tungstenite::client_async(ws_url, MaybeTlsStream::Plain(stream)).await.unwrap().0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_and_the_rest_go_on() {
    // The slow client reads nothing until the fast client has seen 20 blocks, which takes
    // seconds on a busy machine: the close frame must wait in the node for that long, so the
    // close timeout here is far longer than the default (the next test covers a client that
    // never reads at all).
    let limits =
        StreamLimits { queue_bytes: 256 * 1024, close_timeout: Duration::from_secs(120), ..StreamLimits::default() };
    let n = start(20, limits).await;
    let client = reqwest::Client::new();
    let url = n.url.clone();
    let mut t = Trader::new(&n.genesis);
    let weth_usdc = t.market("WETH/USDC");
    deep_book(&client, &url, &mut t).await;

    // The slow client: a small receive buffer, subscribes to everything, then asks for the
    // deep snapshot over and over without ever reading an answer.
    let mut slow = connect_small_buffer(&url).await;
    send(&mut slow, json!({"op": "subscribe", "channel": "blocks"})).await;
    let mut fast = connect(&url).await;
    send(&mut fast, json!({"op": "subscribe", "channel": "blocks"})).await;
    assert_eq!(next(&mut fast).await["type"], "subscribed");
    let request = json!({"op": "subscribe", "channel": "book", "market": "WETH-USDC", "depth": 1000});
    for _ in 0..1000 {
        send(&mut slow, request.clone()).await;
    }

    // Orders keep flowing; the node keeps producing blocks and the fast client sees them all.
    let producer = {
        let (client, url) = (client.clone(), url.clone());
        let bodies: Vec<Value> =
            (0..30u64).map(|i| t.place(4, weth_usdc, 1000 + i, 1, 0, 410_000 + i as i32, weth(1))).collect();
        tokio::spawn(async move {
            for body in bodies {
                post(&client, &url, &body).await;
            }
        })
    };
    let mut seen = Vec::new();
    while seen.len() < 20 {
        let frame = next(&mut fast).await;
        if frame["type"] == "block" {
            seen.push(frame["header"]["height"].as_u64().unwrap());
        }
    }
    producer.await.unwrap();
    assert!(seen.windows(2).all(|w| w[1] == w[0] + 1), "the fast client missed no block");
    assert!(n.node.streams.counters.slow_consumers.load(std::sync::atomic::Ordering::Relaxed) >= 1);

    // Now the slow client reads: what was already in flight, then the close frame saying why.
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(10), slow.next()).await.expect("close within 10 s") {
            Some(Ok(Message::Close(frame))) => break frame.expect("a close frame with a reason"),
            Some(Ok(_)) => continue,
            other => panic!("expected the close frame, got {other:?}"),
        }
    };
    assert_eq!((u16::from(close.code), close.reason.as_str()), (4000, "slow consumer"));
    // The node is still producing.
    let before = get(&client, &url, "/v1/blocks/latest").await["height"].as_u64().unwrap();
    post(&client, &url, &t.place(5, weth_usdc, 2000, 0, 0, 200_000, weth(1))).await;
    assert!(get(&client, &url, "/v1/blocks/latest").await["height"].as_u64().unwrap() > before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_is_disconnected_after_the_close_timeout() {
    let limits =
        StreamLimits { queue_bytes: 64 * 1024, close_timeout: Duration::from_millis(300), ..StreamLimits::default() };
    let n = start(20, limits).await;
    let client = reqwest::Client::new();
    let url = n.url.clone();
    let mut t = Trader::new(&n.genesis);
    deep_book(&client, &url, &mut t).await;

    let counters = &n.node.streams.counters;
    let closed_before = counters.closed.load(std::sync::atomic::Ordering::Relaxed);
    let mut silent = connect_small_buffer(&url).await;
    let request = json!({"op": "subscribe", "channel": "book", "market": "WETH-USDC", "depth": 1000});
    for _ in 0..200 {
        send(&mut silent, request.clone()).await;
    }
    // The node gives up on the close handshake after the close timeout and lets the socket go,
    // without any help from the client.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while counters.closed.load(std::sync::atomic::Ordering::Relaxed) == closed_before {
        assert!(tokio::time::Instant::now() < deadline, "the node let the silent client go within 30 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(counters.slow_consumers.load(std::sync::atomic::Ordering::Relaxed) >= 1);
    // What the client can still read ends: a close frame if it fit, else the end of the socket.
    loop {
        match tokio::time::timeout(Duration::from_secs(10), silent.next()).await.expect("the stream ends") {
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
            Some(Ok(_)) => continue,
        }
    }
    let metrics = client.get(format!("{url}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.lines().any(|l| l.starts_with("numo_ws_closed_total ") && l != "numo_ws_closed_total 0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_s_close_is_answered_with_a_close_frame() {
    let n = start(20, StreamLimits::default()).await;
    let mut ws = connect(&n.url).await;
    send(&mut ws, json!({"op": "subscribe", "channel": "blocks"})).await;
    assert_eq!(next(&mut ws).await["type"], "subscribed");
    ws.close(None).await.unwrap();
    // The closing handshake completes: the node's answering close frame arrives, then the end.
    let answer = loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("an answer within 10 s") {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected the node's close frame, got {other:?}"),
        }
    };
    assert!(answer.as_ref().is_none_or(|frame| frame.code == CloseCode::Normal), "{answer:?}");
}

/// The account stream carries funding: a deposit to the watched address (as the L1 listener
/// queues it) and its signed withdrawal arrive as `funding` updates of the `account` frame, and
/// the `block` frame lists the funding batch with its 400-byte public inputs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_frames_carry_deposits_and_withdrawals() {
    use numo_funding::{Deposit, Withdraw};
    let n = start(20, StreamLimits::default()).await;
    let dev = &numo_node::genesis::dev_accounts()[4];
    let usdc = n.genesis.asset("USDC").unwrap().asset_id;
    let mut ws = connect(&n.url).await;
    for request in [
        json!({"op": "subscribe", "channel": "account", "address": dev.address}),
        json!({"op": "subscribe", "channel": "blocks"}),
    ] {
        send(&mut ws, request).await;
        assert_eq!(next(&mut ws).await["type"], "subscribed");
    }
    let from = alloy_primitives::Address::repeat_byte(0xd0);
    let deposit = Deposit { index: 0, asset_id: usdc, from, to: dev.address, amount: U256::from(700u64) };
    n.node.funding.lock().unwrap().add_deposits([deposit]);
    let (block, account) = (next(&mut ws).await, next(&mut ws).await);
    assert_eq!(block["type"], "block");
    let funding_batch = &block["fundingBatches"][0];
    assert_eq!(funding_batch["kind"], "funding");
    assert_eq!(funding_batch["publicInputs"].as_str().unwrap().len(), 2 + 2 * 400);
    assert_eq!(account["type"], "account", "{account}");
    let update = &account["funding"][0];
    assert_eq!((update["kind"].as_str(), update["status"].as_str()), (Some("deposit"), Some("credited")), "{account}");
    assert_eq!(update["amount"], "700");

    let domain = n.node.venue.funding.as_ref().unwrap().domain_separator();
    let withdraw =
        Withdraw { owner: dev.address, nonce: 0, asset_id: usdc, amount: U256::from(300u64), recipient: from };
    let signature = numo_stf::signature::sign_digest(&dev.secret, &withdraw.hash(&domain));
    let body = json!({
        "owner": dev.address, "nonce": 0, "asset": "USDC", "amount": "300", "recipient": from,
        "signature": alloy_primitives::hex::encode_prefixed(signature.0),
    });
    let response = reqwest::Client::new().post(format!("{}/v1/withdrawals", n.url)).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let id = response.json::<Value>().await.unwrap()["id"].clone();
    let (block, account) = (next(&mut ws).await, next(&mut ws).await);
    assert_eq!(block["type"], "block");
    let update = &account["funding"][0];
    assert_eq!(
        (update["kind"].as_str(), update["status"].as_str()),
        (Some("withdrawal"), Some("withdrawn")),
        "{account}"
    );
    assert_eq!(update["withdrawalId"], id);
    assert_eq!(update["amount"], "300");
}

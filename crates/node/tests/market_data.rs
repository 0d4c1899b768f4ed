//! Market data the web app reads, against blocks committed at chosen header times: candles of
//! every interval with their exact OHLCV, bucket boundaries, limits, ordering and refusals, and
//! the same candles after a restart, still growing; 24-hour tickers; and each account's fills
//! and orders, whose statuses follow later fills and cancels, across a restart too.

mod common;

use alloy_primitives::{hex, B256, U256};
use common::{weth, Trader};
use numo_chain::BlockOptions;
use numo_node::config::{NodeConfig, VerifyMode};
use numo_node::genesis::VenueGenesis;
use numo_node::node::Node;
use numo_node::records::AdmissionEntry;
use numo_node::sequencer::{commit_block, BlockInput, Local};
use numo_stf::{Message, Signature, SignedMessage};
use serde_json::{json, Value};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// An hour boundary: 2023-11-14 22:00:00 UTC.
const T0_S: u64 = 1_699_999_200;
const MAKER: usize = 0;
const TAKER: usize = 1;

fn config(dir: &std::path::Path) -> NodeConfig {
    NodeConfig {
        http: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.to_path_buf(),
        block_interval_ms: 100,
        verify: VerifyMode::Off,
        snapshot_dirty_keys: numo_node::config::SNAPSHOT_DIRTY_KEYS_MIN,
        signer_key: None,
    }
}

/// A node without its block loop: the test commits every block, at the header time it picks.
struct Venue {
    node: Arc<Node>,
    trader: Trader,
    next_seq: u64,
    next_order: u64,
}

impl Venue {
    fn open(dir: &std::path::Path, trader: Trader, next_seq: u64, next_order: u64) -> Self {
        let node = Node::open(config(dir), VenueGenesis::dev()).unwrap();
        Self { node, trader, next_seq, next_order }
    }

    fn entry(&mut self, signed: &Value, market: B256) -> AdmissionEntry {
        let bytes = |v: &Value| hex::decode(v.as_str().unwrap()).unwrap();
        let message = Message::decode(&bytes(&signed["message"])).unwrap();
        let signature = Signature(bytes(&signed["signature"]).try_into().unwrap());
        self.next_seq += 1;
        let seq = self.next_seq;
        AdmissionEntry {
            seq,
            market_id: market,
            admitted_ms: 0,
            lamport: seq,
            signed: SignedMessage { message, signature },
        }
    }

    /// The two messages of one trade of `qty` at `tick`: a resting ask, then an IOC buy that
    /// takes it.
    fn trade(&mut self, symbol: &str, tick: i32, qty: U256) -> Vec<AdmissionEntry> {
        let market = self.trader.market(symbol);
        let (ask, bid) = (self.next_order + 1, self.next_order + 2);
        self.next_order += 2;
        let ask = self.trader.place(MAKER, market, ask, 1, 0, tick, qty);
        let bid = self.trader.place(TAKER, market, bid, 0, 1, tick, qty);
        vec![self.entry(&ask, market), self.entry(&bid, market)]
    }

    /// A Place of `account` in WETH/USDC (side 0 buy, 1 sell; tif 0 GTC, 1 IOC).
    fn place(&mut self, account: usize, order: u64, side: u8, tif: u32, tick: i32, qty: U256) -> AdmissionEntry {
        let market = self.trader.market("WETH/USDC");
        let signed = self.trader.place(account, market, order, side, tif, tick, qty);
        self.entry(&signed, market)
    }

    /// A Cancel of `account` in WETH/USDC.
    fn cancel(&mut self, account: usize, order: u64) -> AdmissionEntry {
        let market = self.trader.market("WETH/USDC");
        let signed = self.trader.cancel(account, market, order);
        self.entry(&signed, market)
    }

    /// Commits one block of `entries` whose header time is `timestamp_ms`.
    fn block(&self, timestamp_ms: u64, entries: Vec<AdmissionEntry>) {
        let height = self.node.chain.read().unwrap().last_block.as_ref().map_or(0, |b| b.height) + 1;
        let evm = numo_node::evm_block::proposal_entries(&self.node, height);
        let mut local: Vec<Local> = entries.iter().map(|e| Local::Admitted(e.seq)).collect();
        local.extend(evm.iter().map(|_| Local::None));
        let entries = entries.iter().map(AdmissionEntry::to_entry).chain(evm).collect();
        let proposal = numo_chain::Proposal { height, timestamp_ms, entries };
        let input = BlockInput { proposal, local, options: BlockOptions::ADMITTED, certificate: None };
        let committed = commit_block(&self.node, input).unwrap();
        assert!(!committed.is_empty(), "block {height} executed a batch");
    }

    /// Serves the API until the returned sender fires (then every connection is closed, so the
    /// node can be dropped and its data dir reopened).
    async fn serve(&self) -> (String, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let router = numo_node::api::router(self.node.clone());
        let server = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            axum::serve(listener, router).with_graceful_shutdown(shutdown).await.unwrap();
        });
        (url, stop, server)
    }

    /// Drops the node and waits until its threads have closed the database.
    fn close(self, dir: &std::path::Path) -> (Trader, u64, u64) {
        let Self { node, trader, next_seq, next_order } = self;
        drop(node);
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            match redb::Database::create(dir.join("numo.redb")) {
                Ok(db) => break drop(db),
                Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
                    assert!(std::time::Instant::now() < deadline, "the node closes its database within 30 s");
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(other) => panic!("reopening the database: {other}"),
            }
        }
        (trader, next_seq, next_order)
    }
}

async fn get(client: &reqwest::Client, url: &str, path: &str) -> (u16, Value) {
    let response = client.get(format!("{url}{path}")).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn ok(client: &reqwest::Client, url: &str, path: &str) -> Value {
    let (status, body) = get(client, url, path).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// `{time, open, high, low, close, volume}` of a candle (WETH amounts are whole here, USDC
/// prices whole or cents), with its trade count.
fn candle(time: u64, [open, high, low, close]: [&str; 4], volume: &str, trades: u64) -> Value {
    json!({ "time": time, "open": open, "high": high, "low": low, "close": close, "volume": volume, "trades": trades })
}

/// The candles without `quoteVolume` (checked separately), as [`candle`] writes them.
fn shape(candles: &Value) -> Vec<Value> {
    candles
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c.as_object_mut().unwrap().remove("quoteVolume");
            c
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn candles_are_exact_per_interval_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = VenueGenesis::dev();
    let mut v = Venue::open(dir.path(), Trader::new(&genesis), 0, 0);
    let at = |seconds: u64, ms: u64| (T0_S + seconds) * 1_000 + ms;
    // Minute 0: 3000 then 3010 (×2) in one block, 2990 at its last millisecond.
    let mut first = v.trade("WETH/USDC", 300_000, weth(1));
    first.extend(v.trade("WETH/USDC", 301_000, weth(2)));
    v.block(at(5, 0), first);
    let entries = v.trade("WETH/USDC", 299_000, weth(1));
    v.block(at(59, 999), entries);
    // Minute 1 starts exactly at 60 s; minute 5 starts the second 5-minute bucket.
    let entries = v.trade("WETH/USDC", 302_000, weth(1));
    v.block(at(60, 0), entries);
    let entries = v.trade("WETH/USDC", 300_050, weth(1));
    v.block(at(300, 0), entries);
    // The next hour; and a block without trades of this market (WBTC only) in between.
    let entries = v.trade("WBTC/USDC", 6_000_000, U256::from(10_000u64));
    v.block(at(1_000, 0), entries);
    let entries = v.trade("WETH/USDC", 298_000, weth(1));
    v.block(at(3_600, 0), entries);

    let minute = vec![
        candle(T0_S, ["3000", "3010", "2990", "2990"], "4", 3),
        candle(T0_S + 60, ["3020", "3020", "3020", "3020"], "1", 1),
        candle(T0_S + 300, ["3000.5", "3000.5", "3000.5", "3000.5"], "1", 1),
        candle(T0_S + 3_600, ["2980", "2980", "2980", "2980"], "1", 1),
    ];
    let five = vec![
        candle(T0_S, ["3000", "3020", "2990", "3020"], "5", 4),
        candle(T0_S + 300, ["3000.5", "3000.5", "3000.5", "3000.5"], "1", 1),
        candle(T0_S + 3_600, ["2980", "2980", "2980", "2980"], "1", 1),
    ];
    let hour = vec![
        candle(T0_S, ["3000", "3020", "2990", "3000.5"], "6", 5),
        candle(T0_S + 3_600, ["2980", "2980", "2980", "2980"], "1", 1),
    ];

    let (url, stop, server) = v.serve().await;
    let client = reqwest::Client::new();
    let path = |interval: &str| format!("/v1/markets/WETH-USDC/candles?interval={interval}");
    let one_minute = ok(&client, &url, &path("1m")).await;
    assert_eq!(shape(&one_minute), minute);
    assert_eq!(one_minute[0]["quoteVolume"], "12010", "3000 + 2 × 3010 + 2990 USDC");
    assert_eq!(shape(&ok(&client, &url, &path("5m")).await), five);
    assert_eq!(shape(&ok(&client, &url, &path("1h")).await), hour);
    // limit keeps the newest, oldest first; the other market has its own candles.
    assert_eq!(shape(&ok(&client, &url, &format!("{}&limit=2", path("1m"))).await), minute[2..]);
    assert_eq!(shape(&ok(&client, &url, &format!("{}&limit=1500", path("1h"))).await), hour);
    let wbtc = ok(&client, &url, "/v1/markets/WBTC-USDC/candles?interval=1h").await;
    assert_eq!(shape(&wbtc), vec![candle(T0_S, ["60000", "60000", "60000", "60000"], "0.0001", 1)]);
    for bad in
        ["", "?interval=2m", "?interval=1M", "?interval=1m&limit=0", "?interval=1m&limit=1501", "?interval=1m&limit=x"]
    {
        let (status, body) = get(&client, &url, &format!("/v1/markets/WETH-USDC/candles{bad}")).await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("bad_query")), "{bad}: {body}");
    }
    let (status, body) = get(&client, &url, "/v1/markets/DOGE-USDC/candles?interval=1m").await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("unknown_market")));
    let tape = |market: &'static str| {
        let (client, url) = (client.clone(), url.clone());
        async move { ok(&client, &url, &format!("/v1/markets/{market}/trades?limit=1000")).await }
    };
    let (weth_tape, wbtc_tape) = (tape("WETH-USDC").await, tape("WBTC-USDC").await);
    assert_eq!((weth_tape.as_array().unwrap().len(), wbtc_tape.as_array().unwrap().len()), (6, 1));
    let _ = stop.send(());
    server.await.unwrap();
    drop(client);

    // After a restart the candles are read back as they were, and later trades fold into the
    // stored bucket.
    let (trader, seq, order) = v.close(dir.path());
    let v = {
        let mut v = Venue::open(dir.path(), trader, seq, order);
        let entries = v.trade("WETH/USDC", 299_000, weth(3));
        v.block(at(3_659, 0), entries);
        v
    };
    let (url, stop, server) = v.serve().await;
    let client = reqwest::Client::new();
    assert_eq!(shape(&ok(&client, &url, &path("5m")).await)[..2], five[..2]);
    let hours = ok(&client, &url, &path("1h")).await;
    assert_eq!(shape(&hours), vec![hour[0].clone(), candle(T0_S + 3_600, ["2980", "2990", "2980", "2990"], "4", 2)]);
    assert_eq!(hours[1]["quoteVolume"], "11950", "2980 + 3 × 2990 USDC");
    // The tapes are read back from the stored batches: the same trades, the new one on top.
    let weth_after = ok(&client, &url, "/v1/markets/WETH-USDC/trades?limit=1000").await;
    assert_eq!(weth_after.as_array().unwrap()[1..], weth_tape.as_array().unwrap()[..]);
    assert_eq!(
        (weth_after[0]["tick"].as_i64(), weth_after[0]["qty"].as_str()),
        (Some(299_000), Some("3000000000000000000"))
    );
    assert_eq!(ok(&client, &url, "/v1/markets/WBTC-USDC/trades").await, wbtc_tape);
    let _ = stop.send(());
    server.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickers_cover_the_day_before_the_latest_block() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = VenueGenesis::dev();
    let mut v = Venue::open(dir.path(), Trader::new(&genesis), 0, 0);
    let (url, stop, server) = v.serve().await;
    let client = reqwest::Client::new();
    let quiet = |symbol: &str, market: B256, last: Value| {
        json!({ "symbol": symbol, "marketId": market, "last": last, "open24h": null, "high24h": null,
                "low24h": null, "volume24h": "0", "quoteVolume24h": "0", "change24h": null, "trades24h": 0 })
    };
    let (weth_usdc, wbtc_usdc) = (v.trader.market("WETH/USDC"), v.trader.market("WBTC/USDC"));
    let markets = ok(&client, &url, "/v1/markets").await;
    let order: Vec<&str> = markets.as_array().unwrap().iter().map(|m| m["symbol"].as_str().unwrap()).collect();
    let by_symbol = |tickers: &Value, symbol: &str| {
        tickers.as_array().unwrap().iter().find(|t| t["symbol"] == symbol).unwrap().clone()
    };
    // Before the first block: every market, no trades.
    let tickers = ok(&client, &url, "/v1/tickers").await;
    let symbols: Vec<&str> = tickers.as_array().unwrap().iter().map(|t| t["symbol"].as_str().unwrap()).collect();
    assert_eq!(symbols, order, "one ticker per market, in GET /v1/markets order");
    assert_eq!(by_symbol(&tickers, "WETH/USDC"), quiet("WETH/USDC", weth_usdc, Value::Null));

    let at = |seconds: u64, ms: u64| (T0_S + seconds) * 1_000 + ms;
    for (time, tick, qty) in [
        (at(0, 0), 500_000, 1), // the minute before the window
        (at(59, 999), 500_000, 1),
        (at(60, 0), 290_000, 1), // the window's first minute
        (at(1_000, 0), 310_000, 2),
        (at(86_430, 0), 305_000, 1), // the latest block
    ] {
        let entries = v.trade("WETH/USDC", tick, weth(qty));
        v.block(time, entries);
    }
    let tickers = ok(&client, &url, "/v1/tickers").await;
    let expected = json!({
        "symbol": "WETH/USDC", "marketId": weth_usdc, "last": "3050", "open24h": "2900", "high24h": "3100",
        "low24h": "2900", "volume24h": "4", "quoteVolume24h": "12150", "change24h": "5.17", "trades24h": 3,
    });
    assert_eq!(by_symbol(&tickers, "WETH/USDC"), expected);
    assert_eq!(by_symbol(&tickers, "WBTC/USDC"), quiet("WBTC/USDC", wbtc_usdc, Value::Null));
    assert_eq!(ok(&client, &url, "/v1/markets/WETH-USDC/ticker").await, expected);

    // Two days later a WBTC block moves every window: WETH keeps its last price, nothing else.
    let entries = v.trade("WBTC/USDC", 6_100_000, U256::from(20_000u64));
    v.block(at(3 * 86_400, 0), entries);
    let tickers = ok(&client, &url, "/v1/tickers").await;
    assert_eq!(by_symbol(&tickers, "WETH/USDC"), quiet("WETH/USDC", weth_usdc, json!("3050")));
    let wbtc = by_symbol(&tickers, "WBTC/USDC");
    assert_eq!(
        (wbtc["last"].as_str(), wbtc["open24h"].as_str(), wbtc["change24h"].as_str()),
        (Some("61000"), Some("61000"), Some("0.00"))
    );
    assert_eq!(
        (wbtc["volume24h"].as_str(), wbtc["quoteVolume24h"].as_str(), wbtc["trades24h"].as_u64()),
        (Some("0.0002"), Some("12.2"), Some(1))
    );
    let (status, body) = get(&client, &url, "/v1/markets/DOGE-USDC/ticker").await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("unknown_market")));
    let _ = stop.send(());
    server.await.unwrap();
}

/// `(orderId number, status, filled in WETH, reason)` of each order row, newest first.
fn order_rows(orders: &Value) -> Vec<(u64, String, U256, Value)> {
    orders
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let id = B256::from_str(o["orderId"].as_str().unwrap()).unwrap();
            let number = u64::from_be_bytes(id[24..].try_into().unwrap());
            let filled = o["filled"].as_str().unwrap().parse::<U256>().unwrap() / weth(1);
            (number, o["status"].as_str().unwrap().to_string(), filled, o["reason"].clone())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_history_follows_fills_and_cancels_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = VenueGenesis::dev();
    let mut v = Venue::open(dir.path(), Trader::new(&genesis), 0, 0);
    let (alice, bob, carol) = (0, 1, 2);
    let (sell, buy, gtc, ioc) = (1, 0, 0, 1);
    let at = |block: u64| (T0_S + block * 10) * 1_000;
    // 1: Alice rests 2 @ 3000; Bob's IOC takes 1 of it.
    let entries = vec![v.place(alice, 1, sell, gtc, 300_000, weth(2)), v.place(bob, 11, buy, ioc, 300_000, weth(1))];
    v.block(at(1), entries);
    // 2: Carol bids; Alice's zero-size ask is rejected; Bob's IOC for 2 finds the last 1.
    let entries = vec![
        v.place(carol, 21, buy, gtc, 290_000, weth(1)),
        v.place(alice, 2, sell, gtc, 301_000, U256::ZERO),
        v.place(bob, 12, buy, ioc, 300_000, weth(2)),
    ];
    v.block(at(2), entries);
    // 3: Carol cancels; Alice asks 3100; Bob's IOC at 2000 meets nothing.
    let entries = vec![
        v.cancel(carol, 21),
        v.place(alice, 3, sell, gtc, 310_000, weth(1)),
        v.place(bob, 13, buy, ioc, 200_000, weth(1)),
    ];
    v.block(at(3), entries);
    // 4: Alice asks 3050; Bob's GTC for 2 takes it and rests 1; Alice cancels her 3100.
    let entries = vec![
        v.place(alice, 4, sell, gtc, 305_000, weth(1)),
        v.place(bob, 14, buy, gtc, 305_000, weth(2)),
        v.cancel(alice, 3),
    ];
    v.block(at(4), entries);
    // 5: Bob cancels the rest; Carol rests a bid that the next run fills.
    let entries = vec![v.cancel(bob, 14), v.place(carol, 22, buy, gtc, 290_000, weth(2))];
    v.block(at(5), entries);

    let (url, stop, server) = v.serve().await;
    let client = reqwest::Client::new();
    let history = |who: usize, what: &str| format!("/v1/accounts/{}/{what}", v.trader.address(who));
    let rejected = json!("zero_quantity");
    let alice_orders = ok(&client, &url, &history(alice, "orders")).await;
    assert_eq!(
        order_rows(&alice_orders),
        [
            (4, "filled".into(), U256::from(1u64), Value::Null),
            (3, "cancelled".into(), U256::ZERO, Value::Null),
            (2, "rejected".into(), U256::ZERO, rejected),
            (1, "filled".into(), U256::from(2u64), Value::Null),
        ]
    );
    let first = &alice_orders[3];
    assert_eq!(
        (first["market"].as_str(), first["side"].as_str(), first["tif"].as_str(), first["price"].as_str()),
        (Some("WETH/USDC"), Some("sell"), Some("gtc"), Some("3000"))
    );
    assert_eq!((first["tick"].as_i64(), first["qty"].as_str()), (Some(300_000), Some(weth(2).to_string().as_str())));
    assert_eq!((first["blockHeight"].as_u64(), first["timestampMs"].as_u64()), (Some(1), Some(at(1))));
    let batch = ok(&client, &url, &format!("/v1/batches/{}", first["batchSeq"])).await;
    assert_eq!(batch["messages"][0]["globalIndex"], first["globalIndex"], "the row names its message");
    let bob_orders = order_rows(&ok(&client, &url, &history(bob, "orders")).await);
    let statuses: Vec<(u64, &str, U256)> = bob_orders.iter().map(|(id, s, f, _)| (*id, s.as_str(), *f)).collect();
    assert_eq!(
        statuses,
        [
            (14, "partial", U256::from(1u64)),
            (13, "cancelled", U256::ZERO),
            (12, "partial", U256::from(1u64)),
            (11, "filled", U256::from(1u64)),
        ]
    );
    let carol_orders = order_rows(&ok(&client, &url, &history(carol, "orders")).await);
    assert_eq!((carol_orders[0].0, carol_orders[0].1.as_str()), (22, "open"));
    assert_eq!((carol_orders[1].0, carol_orders[1].1.as_str()), (21, "cancelled"));

    // Fills, newest first, from each side, with what each paid.
    let alice_fills = ok(&client, &url, &history(alice, "trades")).await;
    let bob_fills = ok(&client, &url, &history(bob, "trades")).await;
    assert_eq!((alice_fills.as_array().unwrap().len(), bob_fills.as_array().unwrap().len()), (3, 3));
    let market_trades = ok(&client, &url, "/v1/markets/WETH-USDC/trades").await;
    for (i, trade) in market_trades.as_array().unwrap().iter().enumerate() {
        let (maker, taker) = (&alice_fills[i], &bob_fills[i]);
        for field in
            ["batchSeq", "blockHeight", "timestampMs", "globalIndex", "makerOrderId", "tick", "qty", "quoteAmount"]
        {
            assert_eq!((&maker[field], &taker[field]), (&trade[field], &trade[field]), "{field}");
        }
        assert_eq!(
            (maker["liquidity"].as_str(), maker["side"].as_str(), maker["fee"].as_str()),
            (Some("maker"), Some("sell"), Some("0"))
        );
        assert_eq!((taker["liquidity"].as_str(), taker["side"].as_str()), (Some("taker"), Some("buy")));
        assert_eq!(taker["fee"], trade["fee"]);
        assert_eq!(
            (maker["market"].as_str(), maker["price"].as_str()),
            (Some("WETH/USDC"), trade["tick"].as_i64().map(|t| if t == 305_000 { "3050" } else { "3000" }))
        );
    }
    assert_ne!(bob_fills[0]["fee"], "0", "the dev market charges takers");
    assert_eq!(ok(&client, &url, &format!("{}?limit=1", history(alice, "orders"))).await.as_array().unwrap().len(), 1);
    assert_eq!(ok(&client, &url, &history(9, "trades")).await, json!([]));
    for bad in ["?limit=0", "?limit=1001", "?limit=-1"] {
        let (status, body) = get(&client, &url, &format!("{}{bad}", history(alice, "orders"))).await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("bad_query")), "{bad}");
    }
    let (status, body) = get(&client, &url, "/v1/accounts/0x12/trades").await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("bad_hex")));
    let _ = stop.send(());
    server.await.unwrap();
    drop(client);

    // After a restart, Carol's resting bid is still found: a sell fills it.
    let (trader, seq, order) = v.close(dir.path());
    let mut v = Venue::open(dir.path(), trader, seq, order);
    let entries = vec![v.place(alice, 5, sell, ioc, 290_000, weth(2))];
    v.block(at(6), entries);
    let (url, stop, server) = v.serve().await;
    let client = reqwest::Client::new();
    let carol_orders =
        order_rows(&ok(&client, &url, &format!("/v1/accounts/{}/orders", v.trader.address(carol))).await);
    assert_eq!((carol_orders[0].0, carol_orders[0].1.as_str(), carol_orders[0].2), (22, "filled", U256::from(2u64)));
    let bob = order_rows(&ok(&client, &url, &format!("/v1/accounts/{}/orders", v.trader.address(bob))).await);
    assert_eq!(bob.len(), 4, "rows written before the restart are read back");
    let _ = stop.send(());
    server.await.unwrap();
}

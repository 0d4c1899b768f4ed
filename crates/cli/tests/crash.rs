//! Crash test of the real `numo node --dev` binary: client threads drive concurrent orders
//! (several dev accounts × both markets; crossing bids and asks, cancels, IOCs, messages the
//! book rejects at execution; `wait=true` and `wait=false`) while the node is `kill -9`ed at
//! random moments and restarted on the same data dir, at least five times.
//!
//! Every message the node answered 200 (or 202) is durable, so at the end, with the node idle,
//! walking the chain over the API must find it in exactly one batch, exactly once — with the
//! same global index, batch, block, outcome and fills as a `wait=true` answer said, and the same
//! mempool sequence number as a `wait=false` answer said. Messages whose answer was lost in a
//! crash appear at most once; nothing appears that no client sent. The chain itself must be
//! whole: blocks 1..H with parent hashes and header hashes that recompute, batchSeq 1..N with
//! no gap or duplicate, `prevRoot` = previous `newRoot` from the genesis root, every witness
//! re-executed by the guest to its stored PublicInputs, and a from-genesis replay with
//! `numo_host::build_batch` reproducing every batch (blob, PublicInputs, outcomes, trades) and
//! ending at `/v1/state/root`. Nonces count every executed message of each trader and market.
//!
//! The seed is printed; `NUMO_CRASH_SEED=<seed>` repeats a run's choices (not its timing).

mod common;

use alloy_primitives::{hex, B256, U256};
use common::{Rng, RunningNode};
use numo_host::build_batch;
use numo_node::genesis::{dev_accounts, VenueGenesis};
use numo_node::records::{BatchRecord, BlockHeader, MessageRecord, TradeRecord};
use numo_stf::signature::sign_digest;
use numo_stf::{Cancel, Message, Place, Signature, SignedMessage};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Kills at random moments while clients trade (restarts add a few more, see `main`).
const KILLS: usize = 8;
/// Client threads; each owns [`ACCOUNTS_PER_CLIENT`] dev accounts (so nonces stay in order).
const CLIENTS: usize = 4;
const ACCOUNTS_PER_CLIENT: usize = 2;
/// Bounds the messages of one client in one round (keeps the debug-build replay short).
const MESSAGES_PER_ROUND: u64 = 150;
const BLOCK_INTERVAL_MS: &str = "50";

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(40))
        .connect_timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

/// Starts the node on `data_dir` with the background verifier on, and waits until `/health`
/// answers.
fn start_node(data_dir: &Path, log: &Path) -> RunningNode {
    start_node_verifying(data_dir, log, "all")
}

fn start_node_verifying(data_dir: &Path, log: &Path, verify: &str) -> RunningNode {
    // Snapshot the tree every few blocks, so kills also land around snapshot writes and
    // restarts go through snapshot + dirty-key restore.
    let args = ["--block-interval-ms", BLOCK_INTERVAL_MS, "--verify", verify, "--snapshot-dirty-keys", "40"];
    RunningNode::start(data_dir, &args, log)
}

fn get_json(client: &reqwest::blocking::Client, url: &str, path: &str) -> Value {
    let response = client.get(format!("{url}{path}")).send().unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().unwrap()
}

/// Waits until the node's mempool is empty (restart re-admits the log; wait=false leaves some).
fn wait_idle(client: &reqwest::blocking::Client, node: &RunningNode) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let health = get_json(client, &node.url, "/health");
        assert_eq!(health["status"], "ok", "{health}");
        if health["pending"] == 0 {
            return health;
        }
        assert!(Instant::now() < deadline, "the mempool does not drain: {health}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A message the node acknowledged (200 or 202), with its answer.
struct Ack {
    signature: String,
    waited: bool,
    status: u16,
    answer: Value,
}

/// What the clients learned, shared across threads and rounds.
#[derive(Default)]
struct Journal {
    acks: Mutex<Vec<Ack>>,
    /// Every message sent, by signature: (account, market, nonce).
    sent: Mutex<HashMap<String, (usize, B256, u64)>>,
    /// Sent, no answer (a kill cut the connection): may or may not be in the chain.
    in_doubt: Mutex<Vec<String>>,
    /// Anything a live node should never have answered.
    problems: Mutex<Vec<String>>,
    refused_after_kill: AtomicU64,
}

struct Market {
    id: B256,
    domain: B256,
    mid_tick: i32,
    /// Quantity step (ten lots) and the size of a buy no dev account can pay for.
    step: U256,
    unaffordable: U256,
}

fn markets(genesis: &VenueGenesis) -> Vec<Market> {
    let market = |symbol: &str, mid_tick: i32, unaffordable_whole: u64| {
        let spec = genesis.market_by_symbol(symbol).unwrap();
        let lot = spec.context.rules.lot_size;
        // One whole base unit is 10,000 lots in both dev markets.
        Market {
            id: spec.context.market_id,
            domain: spec.context.domain_separator(),
            mid_tick,
            step: lot * U256::from(100),
            unaffordable: lot * U256::from(10_000u64) * U256::from(unaffordable_whole),
        }
    };
    // WETH at 3,000 and WBTC at 60,000 USDC; 10,000,000 USDC buys neither 1e6 WETH nor 1e4 WBTC.
    vec![market("WETH/USDC", 300_000, 1_000_000), market("WBTC/USDC", 6_000_000, 10_000)]
}

fn order_id(account: usize, round: usize, counter: u64) -> B256 {
    B256::from(U256::from(((account as u64 + 1) << 40) | ((round as u64) << 24) | counter))
}

/// The committed `nextNonce` of `account` in every market (the node is idle: committed = pending).
fn nonces(client: &reqwest::blocking::Client, url: &str, account: usize) -> Option<HashMap<B256, u64>> {
    let address = dev_accounts()[account].address;
    let view: Value = client.get(format!("{url}/v1/accounts/{address}")).send().ok()?.json().ok()?;
    let list = view["nonces"].as_array()?;
    Some(
        list.iter()
            .map(|n| (n["marketId"].as_str().unwrap().parse().unwrap(), n["nextNonce"].as_u64().unwrap()))
            .collect(),
    )
}

/// One client's round: trade until told to stop, the node dies, or the round's quota is sent.
#[allow(clippy::too_many_arguments)]
fn client_round(
    url: &str,
    accounts: &[usize],
    round: usize,
    mut rng: Rng,
    markets: &[Market],
    stop: &AtomicBool,
    killed: &AtomicBool,
    journal: &Journal,
) {
    let client = http();
    let mut next_nonce: HashMap<(usize, B256), u64> = HashMap::new();
    for &account in accounts {
        let Some(view) = nonces(&client, url, account) else {
            assert!(killed.load(SeqCst), "account view failed on a live node");
            return;
        };
        for (market, nonce) in view {
            next_nonce.insert((account, market), nonce);
        }
    }
    let mut placed: HashMap<(usize, B256), Vec<B256>> = HashMap::new();
    let mut counter = 0u64;
    for _ in 0..MESSAGES_PER_ROUND {
        if stop.load(SeqCst) {
            return;
        }
        let account = accounts[rng.below(accounts.len() as u64) as usize];
        let market = &markets[rng.below(markets.len() as u64) as usize];
        let trader = dev_accounts()[account].address;
        let nonce = next_nonce[&(account, market.id)];
        let mine = placed.entry((account, market.id)).or_default();
        counter += 1;
        let fresh_id = order_id(account, round, counter);
        let roll = rng.below(100);
        let message = if roll < 15 && !mine.is_empty() {
            // Cancel one of this round's orders: resting (accepted) or not any more (rejected).
            let order_id = mine[rng.below(mine.len() as u64) as usize];
            Message::Cancel(Cancel { trader, nonce, order_id })
        } else if roll < 18 {
            // Rejected at execution: an order id nobody placed (order_not_resting) ...
            Message::Cancel(Cancel { trader, nonce, order_id: order_id(account, round, 1 << 20) })
        } else if roll < 21 {
            // ... or a buy far beyond the account's USDC (insufficient_balance) ...
            Message::Place(Place {
                trader,
                nonce,
                order_id: fresh_id,
                side: 0,
                tif: 0,
                tick: market.mid_tick,
                qty: market.unaffordable,
            })
        } else if roll < 23 && !mine.is_empty() {
            // ... or an order id this trader may still have resting (order_id_resting).
            let order_id = mine[rng.below(mine.len() as u64) as usize];
            let qty = market.step;
            Message::Place(Place { trader, nonce, order_id, side: 1, tif: 0, tick: market.mid_tick + 1_000, qty })
        } else {
            // A limit order around the mid: bids and asks overlap, so most cross something.
            let side = rng.below(2) as u8;
            let tif = u32::from(rng.percent(15));
            let tick = market.mid_tick + rng.range(0, 40) as i32 - 20;
            let qty = market.step * U256::from(rng.range(1, 100));
            mine.push(fresh_id);
            Message::Place(Place { trader, nonce, order_id: fresh_id, side, tif, tick, qty })
        };
        let signature = sign_digest(&dev_accounts()[account].secret, &message.hash(&market.domain));
        let signature_hex = hex::encode_prefixed(signature.0);
        let mut body = json!({ "message": hex::encode_prefixed(message.encode()), "signature": signature_hex });
        if rng.percent(20) {
            body["market"] = json!(market.id.to_string());
        }
        let waited = rng.percent(50);
        let query = match (waited, rng.percent(30)) {
            (true, false) => "",
            (true, true) => "?wait=true",
            (false, _) => "?wait=false",
        };
        journal.sent.lock().unwrap().insert(signature_hex.clone(), (account, market.id, nonce));
        let response = client.post(format!("{url}/v1/messages{query}")).json(&body).send();
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                if !killed.load(SeqCst) {
                    journal.problems.lock().unwrap().push(format!("request failed on a live node: {error}"));
                }
                journal.in_doubt.lock().unwrap().push(signature_hex);
                return;
            }
        };
        let status = response.status().as_u16();
        let text = response.text();
        match (status, text) {
            (200 | 202, text) => {
                // Durable. The body may be cut by a kill; the status alone is the promise.
                let answer = text.ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null);
                journal.acks.lock().unwrap().push(Ack { signature: signature_hex, waited, status, answer });
                *next_nonce.get_mut(&(account, market.id)).unwrap() += 1;
            }
            (status, text) => {
                let text = text.unwrap_or_default();
                if killed.load(SeqCst) {
                    journal.refused_after_kill.fetch_add(1, SeqCst);
                } else {
                    journal.problems.lock().unwrap().push(format!("{status} for a valid message: {text}"));
                }
                return;
            }
        }
    }
}

/// One round of trading against `node`; with `kill_after`, `kill -9`s it after that long
/// while the clients are still sending.
fn trade_round(
    node: &mut RunningNode,
    round: usize,
    seed: u64,
    markets: &[Market],
    journal: &Journal,
    kill_after: Option<Duration>,
) {
    let stop = AtomicBool::new(false);
    let killed = AtomicBool::new(false);
    let url = node.url.clone();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let accounts: Vec<usize> = (0..ACCOUNTS_PER_CLIENT).map(|i| c * ACCOUNTS_PER_CLIENT + i).collect();
                let rng = Rng(seed ^ ((round as u64) << 32) ^ (c as u64 + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
                let (url, stop, killed) = (&url, &stop, &killed);
                scope.spawn(move || client_round(url, &accounts, round, rng, markets, stop, killed, journal))
            })
            .collect();
        if let Some(after) = kill_after {
            let deadline = Instant::now() + after;
            while Instant::now() < deadline && handles.iter().any(|h| !h.is_finished()) {
                std::thread::sleep(Duration::from_millis(5));
            }
            killed.store(true, SeqCst);
            node.kill();
            stop.store(true, SeqCst);
        }
        for handle in handles {
            handle.join().unwrap();
        }
    });
}

#[test]
fn acknowledged_messages_survive_kill_9_exactly_once_and_the_chain_replays() {
    let started = Instant::now();
    let seed = std::env::var("NUMO_CRASH_SEED").ok().map(|s| s.parse().unwrap()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    println!("crash test seed {seed} (repeat with NUMO_CRASH_SEED={seed})");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let data_dir: PathBuf = dir.path().join("data");
    let log = dir.path().join("node.log");
    let client = http();
    let genesis = VenueGenesis::dev();
    let markets = markets(&genesis);
    let journal = Journal::default();

    let mut kills = 0;
    let mut node = start_node(&data_dir, &log);
    for round in 0..=KILLS {
        if round > 0 {
            node = start_node(&data_dir, &log);
            let health = get_json(&client, &node.url, "/health");
            println!(
                "round {round}: restarted at height {}, {} messages re-admitted",
                health["height"], health["pending"]
            );
            // Sometimes die again while the restarted node is still re-executing its log.
            if rng.percent(35) {
                std::thread::sleep(Duration::from_millis(rng.below(30)));
                node.kill();
                kills += 1;
                println!("round {round}: killed during restart");
                node = start_node(&data_dir, &log);
            }
            let health = wait_idle(&client, &node);
            println!("round {round}: idle at height {}", health["height"]);
        }
        let kill_after = (round < KILLS).then(|| Duration::from_millis(rng.range(20, 1_200)));
        trade_round(&mut node, round, seed, &markets, &journal, kill_after);
        if let Some(after) = kill_after {
            kills += 1;
            println!("round {round}: killed after {after:?}");
        }
    }
    assert!(kills >= 5, "only {kills} kills");
    let health = wait_idle(&client, &node);
    // One more crash and restart with the node idle: the restored chain is the same.
    let root_before = get_json(&client, &node.url, "/v1/state/root");
    node.kill();
    kills += 1;
    let node = start_node(&data_dir, &log);
    assert_eq!(get_json(&client, &node.url, "/v1/state/root"), root_before, "restart changes nothing");
    assert_eq!(wait_idle(&client, &node)["height"], health["height"]);
    let problems = journal.problems.lock().unwrap();
    assert!(problems.is_empty(), "{} problems, first: {:?}", problems.len(), &problems[..problems.len().min(5)]);
    println!(
        "{kills} kills; {} acknowledged, {} in doubt, {} refused by a dying node; trading took {:?}",
        journal.acks.lock().unwrap().len(),
        journal.in_doubt.lock().unwrap().len(),
        journal.refused_after_kill.load(SeqCst),
        started.elapsed()
    );

    check_chain(&client, &node, &genesis, &journal);
    println!("crash test seed {seed}: passed in {:?}", started.elapsed());
}

/// Where an executed message was found.
struct Found {
    batch_seq: u64,
    block_height: u64,
    record: MessageRecord,
    fills: Vec<TradeRecord>,
}

/// Walks blocks and batches and checks everything against the acknowledgements and a replay.
fn check_chain(client: &reqwest::blocking::Client, node: &RunningNode, genesis: &VenueGenesis, journal: &Journal) {
    let url = &node.url;
    let latest: BlockHeader = serde_json::from_value(get_json(client, url, "/v1/blocks/latest")).unwrap();
    let height = latest.height;
    assert!(height > 0);
    let after = client.get(format!("{url}/v1/blocks/{}", height + 1)).send().unwrap();
    assert_eq!(after.status(), 404, "no block after the latest");

    let mut replay = genesis.initial_state();
    let mut root = genesis.genesis_root();
    assert_eq!(replay.root(), root);
    let mut parent = genesis.genesis_root();
    let mut last_timestamp = 0;
    let mut next_batch_seq = 1;
    let mut next_global_index = 0;
    let mut found: HashMap<String, Vec<Found>> = HashMap::new();
    let mut by_pair: BTreeMap<(String, B256), Vec<u64>> = BTreeMap::new();
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    let mut trades = 0;
    for h in 1..=height {
        let block: BlockHeader = serde_json::from_value(get_json(client, url, &format!("/v1/blocks/{h}"))).unwrap();
        assert_eq!(block.height, h);
        assert_eq!(block.parent_hash, parent, "block {h}: parent hash");
        assert!(block.timestamp_ms >= last_timestamp, "block {h}: time goes back");
        assert!(!block.batch_seqs.is_empty(), "block {h} has no batch (a batch was dropped?)");
        let mut public_inputs = Vec::new();
        for &seq in &block.batch_seqs {
            assert_eq!(seq, next_batch_seq, "block {h}: batchSeq 1..N without gaps or duplicates");
            next_batch_seq += 1;
            let record = get_json(client, url, &format!("/v1/batches/{seq}"));
            if record["kind"] == "evm" {
                // The EVM block of every 10th height (E1): re-executed by the guest and rebuilt
                // on the replayed state by the host builder, as the node built it.
                let pi =
                    replay_evm_batch(client, url, &mut replay, genesis, &record, (h, seq, block.timestamp_ms, parent));
                assert_eq!(pi.prev_root, root, "EVM batch {seq}: prevRoot is the previous newRoot");
                public_inputs.push(pi.encode().to_vec());
                root = pi.new_root;
                continue;
            }
            let batch: BatchRecord = serde_json::from_value(record).unwrap();
            assert_eq!((batch.batch_seq, batch.block_height), (seq, h));
            assert_eq!(batch.prev_root, root, "batch {seq}: prevRoot is the previous newRoot");
            let pi_bytes = hex::decode(&batch.public_inputs).unwrap();
            assert_eq!(pi_bytes.len(), 272);
            let pi = numo_stf::PublicInputs::decode(&pi_bytes).unwrap();
            assert_eq!((pi.prev_root, pi.new_root, pi.batch_seq), (batch.prev_root, batch.new_root, seq));
            assert_eq!(pi.batch_timestamp, block.timestamp_ms, "batch {seq}: the block's time");

            // The stored witness, in the guest.
            let witness = client.get(format!("{url}/v1/batches/{seq}/witness")).send().unwrap();
            assert_eq!(witness.status(), 200);
            let witness = witness.bytes().unwrap();
            let output = numo_guest::run(&witness).unwrap_or_else(|e| panic!("batch {seq}: guest refused: {e}"));
            assert_eq!(hex::encode_prefixed(output.public_inputs.encode()), batch.public_inputs, "batch {seq}: guest");

            // The from-genesis replay with the host builder.
            let ctx = genesis.market(&batch.market_id).unwrap_or_else(|| panic!("batch {seq}: unknown market")).context;
            let signed: Vec<SignedMessage> = batch
                .messages
                .iter()
                .map(|m| SignedMessage {
                    message: Message::decode(&hex::decode(&m.message).unwrap()).unwrap(),
                    signature: Signature(hex::decode(&m.signature).unwrap().try_into().unwrap()),
                })
                .collect();
            let built = build_batch(&mut replay, &ctx, seq, block.timestamp_ms, signed.clone())
                .unwrap_or_else(|e| panic!("batch {seq}: replay refused: {e}"));
            assert_eq!(built.public_inputs.encode().to_vec(), pi_bytes, "batch {seq}: replayed PublicInputs");
            assert_eq!(built.blob, witness.to_vec(), "batch {seq}: replayed witness blob");
            assert_eq!(replay.root(), batch.new_root);

            let domain = ctx.domain_separator();
            let mut first_trade = 0;
            let mut replayed_trades = Vec::new();
            for (i, (record, outcome)) in batch.messages.iter().zip(&built.report.outcomes).enumerate() {
                assert_eq!(record.global_index, next_global_index, "batch {seq}: global indexes count up");
                next_global_index += 1;
                let expected = MessageRecord::new(
                    record.global_index,
                    record.mempool_seq,
                    &signed[i],
                    signed[i].message.hash(&domain),
                    outcome,
                    first_trade,
                );
                assert_eq!(record, &expected, "batch {seq} message {i}: record vs replay");
                for trade in &built.report.trades[first_trade..first_trade + expected.fill_count] {
                    let time = numo_node::records::BlockTime { height: h, timestamp_ms: block.timestamp_ms };
                    replayed_trades.push(TradeRecord::new(seq, record.global_index, time, trade));
                }
                first_trade += expected.fill_count;
                *outcomes
                    .entry(record.reason.clone().unwrap_or_else(|| format!("{} accepted", record.kind)))
                    .or_default() += 1;
                let fills = batch.trades[record.first_trade..record.first_trade + record.fill_count].to_vec();
                by_pair.entry((record.trader.to_string(), batch.market_id)).or_default().push(record.nonce);
                let entry = found.entry(record.signature.clone()).or_default();
                entry.push(Found { batch_seq: seq, block_height: h, record: record.clone(), fills });
            }
            assert_eq!(batch.messages.len(), built.report.outcomes.len());
            assert_eq!(batch.trades, replayed_trades, "batch {seq}: trades vs replay");
            trades += batch.trades.len();
            public_inputs.push(pi_bytes);
            root = batch.new_root;
        }
        assert_eq!(block.state_root, root, "block {h}: state root is its last batch's newRoot");
        let rebuilt = BlockHeader::new(h, parent, block.timestamp_ms, root, &public_inputs, block.batch_seqs.clone());
        assert_eq!(rebuilt, block, "block {h}: batchesRoot and hash recompute");
        parent = block.hash;
        last_timestamp = block.timestamp_ms;
    }
    assert_eq!(latest.hash, parent, "the walk ends at the latest block");
    let state_root = get_json(client, url, "/v1/state/root");
    assert_eq!(state_root["root"], root.to_string(), "the replay ends at /v1/state/root");
    assert_eq!(state_root["height"], height);

    // Exactly once, and as acknowledged.
    let sent = journal.sent.lock().unwrap();
    for (signature, places) in &found {
        assert_eq!(places.len(), 1, "message {signature} executed {} times", places.len());
        assert!(sent.contains_key(signature), "message {signature} in the chain was never sent");
    }
    let acks = journal.acks.lock().unwrap();
    let (mut waited, mut admitted) = (0, 0);
    for ack in acks.iter() {
        let places = found.get(&ack.signature).unwrap_or_else(|| {
            panic!("acknowledged message {} (answer {}) is not in the chain", ack.signature, ack.answer)
        });
        let place = &places[0];
        if ack.answer.is_null() {
            continue;
        }
        assert_eq!(ack.answer["mempoolSeq"], place.record.mempool_seq, "{}", ack.answer);
        if ack.waited && ack.status == 200 {
            waited += 1;
            let mut expected = serde_json::to_value(&place.record).unwrap();
            expected["blockHeight"] = json!(place.block_height);
            expected["batchSeq"] = json!(place.batch_seq);
            expected["fills"] = serde_json::to_value(&place.fills).unwrap();
            // The answer also carries the message's Lamport stamp and the node's signed receipt
            // (K6) for exactly this message, index and block.
            let mut answer = ack.answer.clone();
            assert!(answer["lamport"].take().as_u64().is_some_and(|l| l > 0), "{}", ack.answer);
            let receipt: numo_node::signer::SignedReceipt = serde_json::from_value(answer["receipt"].take()).unwrap();
            assert_eq!(receipt.verify(), Ok(()));
            assert_eq!(
                (receipt.msg_hash, receipt.global_index, receipt.block_height),
                (place.record.msg_hash, place.record.global_index, place.block_height)
            );
            let answer =
                Value::Object(answer.as_object().unwrap().clone().into_iter().filter(|(_, v)| !v.is_null()).collect());
            assert_eq!(answer, expected, "wait=true answer vs the chain");
        } else {
            admitted += 1;
            assert_eq!(ack.answer["status"], "admitted", "{}", ack.answer);
        }
    }
    let in_doubt = journal.in_doubt.lock().unwrap();
    let in_doubt_executed = in_doubt.iter().filter(|s| found.contains_key(*s)).count();

    // Nonces: every trader's executed messages per market are 0, 1, 2, … and the account view
    // counts them.
    for account in 0..CLIENTS * ACCOUNTS_PER_CLIENT {
        let address = dev_accounts()[account].address.to_string();
        let view = nonces(client, url, account).unwrap();
        for (market, next) in view {
            let executed = by_pair.get(&(address.clone(), market)).cloned().unwrap_or_default();
            assert_eq!(executed, (0..executed.len() as u64).collect::<Vec<_>>(), "{address} nonces in {market}");
            assert_eq!(next, executed.len() as u64, "{address} nextNonce in {market}");
        }
    }

    // The node's own verifier re-ran every batch (restarts included).
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut unverified: Vec<u64> = (1..next_batch_seq).collect();
    while !unverified.is_empty() && Instant::now() < deadline {
        unverified.retain(|seq| {
            let batch = get_json(client, url, &format!("/v1/batches/{seq}"));
            assert_ne!(batch["verification"], "mismatch", "batch {seq}");
            batch["verification"] != "verified"
        });
        if !unverified.is_empty() {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    assert!(unverified.is_empty(), "batches never verified by the node: {unverified:?}");

    println!(
        "chain: {height} blocks, {} batches, {next_global_index} messages, {trades} trades; outcomes {outcomes:?}; \
         {} acks checked ({waited} with outcome, {admitted} admitted-only); {in_doubt_executed} of {} in-doubt \
         messages executed",
        next_batch_seq - 1,
        acks.len(),
        in_doubt.len()
    );
}

/// Batches committed while `--verify off` (or committed just before a kill, with their check
/// still queued) have no verdict; the next start with verification on must check them.
#[test]
fn batches_left_unverified_are_verified_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (data_dir, log) = (dir.path().join("data"), dir.path().join("node.log"));
    let client = http();
    let genesis = VenueGenesis::dev();
    let market = &markets(&genesis)[0];
    let mut node = start_node_verifying(&data_dir, &log, "off");
    for nonce in 0..3 {
        let trader = dev_accounts()[0].address;
        let order_id = order_id(0, 0, nonce + 1);
        let message =
            Message::Place(Place { trader, nonce, order_id, side: 1, tif: 0, tick: market.mid_tick, qty: market.step });
        let signature = sign_digest(&dev_accounts()[0].secret, &message.hash(&market.domain));
        let body = json!({ "message": hex::encode_prefixed(message.encode()), "signature": hex::encode_prefixed(signature.0) });
        let response = client.post(format!("{}/v1/messages", node.url)).json(&body).send().unwrap();
        assert_eq!(response.status(), 200);
    }
    for seq in 1..=3 {
        assert_eq!(get_json(&client, &node.url, &format!("/v1/batches/{seq}"))["verification"], "pending");
    }
    node.kill();
    let node = start_node_verifying(&data_dir, &log, "all");
    let deadline = Instant::now() + Duration::from_secs(60);
    for seq in 1..=3 {
        loop {
            let verification = get_json(&client, &node.url, &format!("/v1/batches/{seq}"))["verification"].clone();
            if verification == "verified" {
                break;
            }
            assert_eq!(verification, "pending", "batch {seq}");
            assert!(Instant::now() < deadline, "batch {seq} is never verified after the restart");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Checks an EVM batch (kind 3) the node serves against the guest and rebuilds it on `replay`
/// with the host builder (the API serves witnesses in full form); returns its public inputs. `at` is (height, batchSeq, block time,
/// parent hash).
fn replay_evm_batch(
    client: &reqwest::blocking::Client,
    url: &str,
    replay: &mut numo_host::FullState,
    genesis: &VenueGenesis,
    record: &Value,
    at: (u64, u64, u64, B256),
) -> numo_evm::EvmPublicInputs {
    let (height, seq, timestamp_ms, parent_hash) = at;
    assert_eq!((record["batchSeq"].as_u64(), record["blockHeight"].as_u64()), (Some(seq), Some(height)));
    let witness = client.get(format!("{url}/v1/batches/{seq}/witness")).send().unwrap().bytes().unwrap();
    let output = numo_guest::evm::run_evm(&witness).unwrap_or_else(|e| panic!("EVM batch {seq}: guest refused: {e}"));
    assert_eq!(hex::encode_prefixed(output.public_inputs.encode()), record["publicInputs"], "EVM batch {seq}: guest");
    let venue =
        numo_chain::Venue::new(genesis.markets.iter().map(|m| m.context)).evm.expect("the dev venue has an EVM");
    let phase = if record["phase"] == "system" { numo_evm::EvmPhase::System } else { numo_evm::EvmPhase::Block };
    let env = numo_evm::EvmEnv { chain_id: venue.chain_id, height, timestamp_ms, parent_hash };
    let header = numo_guest::evm::EvmHeader { phase, prev_root: replay.root(), venue, env, batch_seq: seq };
    let built = numo_host::build_evm_batch(replay, header, &[], numo_host::WitnessForm::Full)
        .unwrap_or_else(|e| panic!("EVM batch {seq}: replay refused: {e}"));
    assert_eq!(built.public_inputs, output.public_inputs, "EVM batch {seq}: replayed public inputs");
    assert!(built.blob == witness, "EVM batch {seq}: the replayed witness differs from the served one");
    output.public_inputs
}

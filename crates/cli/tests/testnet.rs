//! A real testnet on 127.0.0.1 (docs/CONSENSUS.md): `numo testnet init --validators 4
//! --followers 1`, five `numo node --home` processes, orders submitted to every node (validators
//! and the follower), and faults:
//!
//! 1. every node reports the same block hash, state root and batches at every height, every
//!    block carries a commit certificate of at least three validators, every batch is
//!    re-executed by each node's guest verifier;
//! 2. `kill -9` one validator: blocks keep finalizing; restarted, it catches up and matches;
//! 3. `kill -9` two of four: no block is finalized (no progress, no fork); a submission is still
//!    acknowledged (durable); restarting one resumes progress and executes it;
//! 4. across all of it, every acknowledged message is executed exactly once.
//!
//! The seed picks the victims and the orders; `NUMO_TESTNET_SEED=<seed>` repeats a run's choices.

mod common;

use alloy_primitives::{hex, B256, U256};
use common::{log_tail, Rng};
use numo_node::genesis::{dev_accounts, VenueGenesis};
use numo_stf::signature::sign_digest;
use numo_stf::{Message, Place};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const VALIDATORS: usize = 4;
const NODES: usize = VALIDATORS + 1;
/// Accounts trading; account `a` always submits to node `a % NODES`, so its nonces stay in the
/// order one node admits them.
const ACCOUNTS: usize = 10;

struct Net {
    homes: Vec<PathBuf>,
    urls: Vec<String>,
    children: Vec<Option<Child>>,
    logs: Vec<PathBuf>,
    http: reqwest::blocking::Client,
    _dir: tempfile::TempDir,
}

impl Net {
    fn init() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("tn");
        let status = Command::new(env!("CARGO_BIN_EXE_numo"))
            .args(["testnet", "init", "--validators", "4", "--followers", "1", "--out"])
            .arg(&out)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        let layout: Value = serde_json::from_str(&std::fs::read_to_string(out.join("testnet.json")).unwrap()).unwrap();
        let nodes: Vec<&Value> =
            layout["validators"].as_array().unwrap().iter().chain(layout["followers"].as_array().unwrap()).collect();
        assert_eq!(nodes.len(), NODES);
        let homes: Vec<PathBuf> = nodes.iter().map(|n| PathBuf::from(n["home"].as_str().unwrap())).collect();
        let urls = nodes.iter().map(|n| format!("http://{}", n["http"].as_str().unwrap())).collect();
        let logs = homes.iter().map(|h| h.join("node.log")).collect();
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
        Self { homes, urls, children: (0..NODES).map(|_| None).collect(), logs, http, _dir: dir }
    }

    fn start(&mut self, i: usize) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.logs[i]).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_numo"))
            .args(["node", "--verify", "all", "--home"])
            .arg(&self.homes[i])
            .env("RUST_LOG", "warn,numo_node=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.children[i] = Some(child);
        self.wait(&format!("node {i} answers /health"), Duration::from_secs(60), |net| net.health(i).is_some());
    }

    fn kill(&mut self, i: usize) {
        let mut child = self.children[i].take().expect("the node runs");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    fn health(&self, i: usize) -> Option<Value> {
        let response = self.http.get(format!("{}/health", self.urls[i])).send().ok()?;
        (response.status() == 200).then(|| response.json().ok()).flatten()
    }

    fn height(&self, i: usize) -> u64 {
        self.health(i).and_then(|h| h["height"].as_u64()).unwrap_or(0)
    }

    fn get(&self, i: usize, path: &str) -> (u16, Value) {
        let response = self.http.get(format!("{}{path}", self.urls[i])).send().unwrap();
        (response.status().as_u16(), response.json().unwrap_or(Value::Null))
    }

    /// Polls `done` every 50 ms until `limit`; panics naming `what` with the nodes' log tails.
    fn wait(&self, what: &str, limit: Duration, mut done: impl FnMut(&Net) -> bool) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if done(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        for (i, log) in self.logs.iter().enumerate() {
            eprintln!("--- node {i} ---\n{}", log_tail(log));
        }
        panic!("timed out waiting until {what}");
    }

    fn running(&self) -> Vec<usize> {
        (0..NODES).filter(|i| self.children[*i].is_some()).collect()
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for child in self.children.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Signs and submits orders; remembers what each node acknowledged.
struct Traders {
    domain: B256,
    market: B256,
    nonces: Vec<u64>,
    /// signature hex → (account, nonce) of every acknowledged message.
    acked: BTreeMap<String, (usize, u64)>,
    rng: Rng,
    next_order: u64,
}

impl Traders {
    fn new(seed: u64) -> Self {
        let market = &VenueGenesis::dev().markets[0];
        Self {
            domain: market.context.domain_separator(),
            market: market.context.market_id,
            nonces: vec![0; ACCOUNTS],
            acked: BTreeMap::new(),
            rng: Rng(seed),
            next_order: 1,
        }
    }

    /// One crossing-prone limit order from `account`, to its node; `true` if acknowledged.
    fn submit(&mut self, net: &Net, account: usize) -> bool {
        let node = account % NODES;
        let trader = dev_accounts()[account].address;
        let nonce = self.nonces[account];
        let side = (self.rng.next() % 2) as u8;
        let tick = 300_000 + (self.rng.next() % 20) as i32 - 10;
        let qty = U256::from(100_000_000_000_000u64) * U256::from(1 + self.rng.next() % 5);
        self.next_order += 1;
        let order_id = B256::left_padding_from(&self.next_order.to_be_bytes());
        let message = Message::Place(Place { trader, nonce, order_id, side, tif: 0, tick, qty });
        let signature =
            hex::encode_prefixed(sign_digest(&dev_accounts()[account].secret, &message.hash(&self.domain)).0);
        let body = json!({ "message": hex::encode_prefixed(message.encode()), "signature": signature, "market": self.market.to_string() });
        let response = net.http.post(format!("{}/v1/messages?wait=false", net.urls[node])).json(&body).send();
        match response {
            Ok(r) if r.status() == 200 => {
                let answer: Value = r.json().unwrap();
                assert!(answer["lamport"].as_u64().unwrap() > 0, "a Lamport stamp: {answer}");
                self.acked.insert(signature, (account, nonce));
                self.nonces[account] += 1;
                true
            }
            Ok(r) => panic!("node {node} refused {}: {}", r.status(), r.text().unwrap_or_default()),
            Err(e) => panic!("node {node} unreachable: {e}"),
        }
    }

    /// Like [`Traders::submit`] but waits for the block (`wait=true`); the node's answer.
    fn submit_waiting(&mut self, net: &Net, account: usize) -> Value {
        let node = account % NODES;
        let trader = dev_accounts()[account].address;
        let nonce = self.nonces[account];
        self.next_order += 1;
        let order_id = B256::left_padding_from(&self.next_order.to_be_bytes());
        let qty = U256::from(100_000_000_000_000u64);
        let message = Message::Place(Place { trader, nonce, order_id, side: 0, tif: 0, tick: 200_000, qty });
        let signature =
            hex::encode_prefixed(sign_digest(&dev_accounts()[account].secret, &message.hash(&self.domain)).0);
        let body = json!({ "message": hex::encode_prefixed(message.encode()), "signature": signature, "market": self.market.to_string() });
        let response = net.http.post(format!("{}/v1/messages?wait=true", net.urls[node])).json(&body).send().unwrap();
        assert_eq!(response.status(), 200);
        let answer: Value = response.json().unwrap();
        self.acked.insert(signature, (account, nonce));
        self.nonces[account] += 1;
        answer
    }

    fn submit_round(&mut self, net: &Net, per_account: usize) {
        let running = net.running();
        for _ in 0..per_account {
            for account in 0..ACCOUNTS {
                if running.contains(&(account % NODES)) {
                    self.submit(net, account);
                }
            }
        }
    }

    /// Whether node `i` has executed every acknowledged message (committed nonces).
    fn all_executed_on(&self, net: &Net, i: usize) -> bool {
        (0..ACCOUNTS).all(|account| {
            let address = dev_accounts()[account].address;
            let (_, answer) = net.get(i, &format!("/v1/accounts/{address}"));
            let committed = answer["nonces"]
                .as_array()
                .and_then(|n| n.iter().find(|n| n["marketId"] == json!(self.market)))
                .and_then(|n| n["nextNonce"].as_u64());
            committed == Some(self.nonces[account])
        })
    }
}

/// Every node in `nodes` holds the same header (hash, state root) and certificate quorum at
/// every height up to the lowest tip; returns that height.
fn assert_same_chain(net: &Net, nodes: &[usize]) -> u64 {
    let top = nodes.iter().map(|i| net.height(*i)).min().unwrap();
    for height in 1..=top {
        let headers: Vec<Value> = nodes.iter().map(|i| net.get(*i, &format!("/v1/blocks/{height}")).1).collect();
        for (i, header) in nodes.iter().zip(&headers) {
            assert_eq!(header["hash"], headers[0]["hash"], "node {i} forks at height {height}");
            assert_eq!(header["stateRoot"], headers[0]["stateRoot"], "node {i}: state root at height {height}");
            let signatures = header["certificate"]["signatures"].as_array().map_or(0, Vec::len);
            assert!(signatures >= 3, "node {i}: block {height} has a certificate of {signatures} validators");
        }
    }
    top
}

/// Every acknowledged message appears in exactly one batch of node `i`'s chain.
fn assert_executed_once(net: &Net, i: usize, traders: &Traders) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut seq = 1;
    loop {
        let (status, batch) = net.get(i, &format!("/v1/batches/{seq}"));
        if status == 404 {
            break;
        }
        assert_eq!(status, 200);
        seq += 1;
        if batch["kind"] == "evm" {
            // The EVM block of every 10th height (E1): no exchange messages.
            continue;
        }
        for message in batch["messages"].as_array().unwrap() {
            *seen.entry(message["signature"].as_str().unwrap().to_string()).or_default() += 1;
        }
    }
    for signature in traders.acked.keys() {
        assert_eq!(
            seen.get(signature),
            Some(&1),
            "acknowledged message {signature} executed {:?} times",
            seen.get(signature)
        );
    }
    assert_eq!(seen.len(), traders.acked.len(), "the chain holds messages no client sent");
}

fn wait_progress(net: &Net, watcher: usize, blocks: u64, limit: Duration) {
    let from = net.height(watcher);
    net.wait(&format!("node {watcher} finalizes {blocks} more blocks"), limit, |net| {
        net.height(watcher) >= from + blocks
    });
}

#[test]
fn four_validators_and_a_follower_agree_survive_crashes_and_lose_nothing() {
    let seed = std::env::var("NUMO_TESTNET_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!("NUMO_TESTNET_SEED={seed}");
    let mut net = Net::init();
    for i in 0..NODES {
        net.start(i);
    }
    let all: Vec<usize> = (0..NODES).collect();
    net.wait("every node sees its peers and blocks finalize", Duration::from_secs(60), |net| {
        all.iter().all(|i| net.height(*i) >= 2)
    });
    let health = net.health(0).unwrap();
    assert_eq!(health["consensus"]["role"], "validator", "{health}");
    assert_eq!(net.health(VALIDATORS).unwrap()["consensus"]["role"], "follower");

    // 1. Orders to every node, the follower included.
    let mut traders = Traders::new(seed);
    traders.submit_round(&net, 4);
    net.wait("every node executed every order", Duration::from_secs(60), |net| {
        all.iter().all(|i| traders.all_executed_on(net, *i))
    });
    assert_same_chain(&net, &all);

    // 2. One validator down: the other three keep finalizing; back up, it catches up.
    let mut rng = Rng(seed ^ 0x5eed);
    let victim = (rng.next() % VALIDATORS as u64) as usize;
    eprintln!("killing validator {victim}");
    net.kill(victim);
    let alive: Vec<usize> = all.iter().copied().filter(|i| *i != victim).collect();
    traders.submit_round(&net, 2);
    wait_progress(&net, alive[0], 5, Duration::from_secs(60));
    net.wait("the survivors executed the new orders", Duration::from_secs(60), |net| {
        alive.iter().all(|i| traders.all_executed_on(net, *i))
    });
    net.start(victim);
    let target = net.height(alive[0]);
    net.wait("the restarted validator catches up", Duration::from_secs(90), |net| net.height(victim) >= target);
    assert_same_chain(&net, &all);

    // 3. Two of four down: no quorum, no block; submissions are still acknowledged.
    let second = (victim + 1 + (rng.next() % (VALIDATORS as u64 - 1)) as usize) % VALIDATORS;
    eprintln!("killing validators {victim} and {second}");
    net.kill(victim);
    net.kill(second);
    let survivor = (0..VALIDATORS).find(|i| *i != victim && *i != second).unwrap();
    std::thread::sleep(Duration::from_secs(2)); // a decision in flight may still land
    let stalled = net.height(survivor);
    let waiting: Vec<usize> = (0..ACCOUNTS).filter(|a| net.running().contains(&(a % NODES))).collect();
    for account in &waiting {
        assert!(traders.submit(&net, *account), "acknowledged without a quorum");
    }
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(net.height(survivor), stalled, "a block was finalized without a quorum");
    assert_eq!(net.height(VALIDATORS), stalled, "the follower moved without a quorum");
    net.start(second);
    wait_progress(&net, survivor, 3, Duration::from_secs(60));
    net.start(victim);
    net.wait("every node executed every acknowledged order", Duration::from_secs(90), |net| {
        all.iter().all(|i| traders.all_executed_on(net, *i))
    });
    let top = assert_same_chain(&net, &all);
    eprintln!("{top} blocks agreed by all five nodes; {} orders", traders.acked.len());

    // A signed receipt from the follower checks against a validator's chain; a doctored one
    // (another global index) does not (K6).
    let account = VALIDATORS; // submits to node 4, the follower
    let (receipt, doctored) = {
        let before = traders.acked.len();
        let answer = traders.submit_waiting(&net, account);
        assert_eq!(traders.acked.len(), before + 1);
        let mut doctored = answer["receipt"].clone();
        doctored["globalIndex"] = json!(doctored["globalIndex"].as_u64().unwrap() + 1);
        (answer, doctored)
    };
    let files = net.homes[0].parent().unwrap().join("receipts");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("good.json"), receipt.to_string()).unwrap();
    std::fs::write(files.join("doctored.json"), doctored.to_string()).unwrap();
    let verify = |file: &str| {
        Command::new(env!("CARGO_BIN_EXE_numo"))
            .args(["verify", "--node", &net.urls[0], "--receipt"])
            .arg(files.join(file))
            .output()
            .unwrap()
    };
    let good = verify("good.json");
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stdout));
    let bad = verify("doctored.json");
    assert_eq!(bad.status.code(), Some(1), "{}", String::from_utf8_lossy(&bad.stdout));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("BAD RECEIPT"));
    net.wait("every node executed the waited order", Duration::from_secs(30), |net| {
        all.iter().all(|i| traders.all_executed_on(net, *i))
    });

    // 4. Exactly once, on every node; and every batch re-executed by every node's verifier.
    for i in 0..NODES {
        assert_executed_once(&net, i, &traders);
    }
    net.wait("every node verified every batch", Duration::from_secs(60), |net| {
        (0..NODES).all(|i| {
            let mut seq = 1;
            loop {
                let (status, batch) = net.get(i, &format!("/v1/batches/{seq}"));
                if status == 404 {
                    return true;
                }
                if batch["verification"] != "verified" {
                    return false;
                }
                seq += 1;
            }
        })
    });
}

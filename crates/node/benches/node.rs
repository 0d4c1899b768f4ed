//! Node performance: admission throughput (HTTP and in-process), block execution throughput
//! with roots, submit→outcome latency at a steady open-loop load, and where the time goes.
//!
//! ```sh
//! cargo bench -p numo-node --bench node                      # every scenario
//! cargo bench -p numo-node --bench node -- admit latency     # scenarios whose name starts so
//! cargo bench -p numo-node --bench node -- admit_http:c=16:market=given:blocks=off
//! ```
//!
//! Every scenario runs in its own child process (this binary re-executed with `NUMO_NODE_BENCH`
//! naming the scenario), so a node left running by one scenario — its block loop, verifier
//! and log writer threads never stop — cannot steal CPU from the next. The binary can also be
//! run directly (`target/release/deps/node-… --bench [filters]`); to profile one scenario:
//! `NUMO_NODE_BENCH=blocks perf record -e cpu-clock -g --call-graph dwarf target/release/deps/node-…`.
//!
//! The venue is the dev genesis plus more funded accounts ([`dev_account`] is defined for every
//! index), so many (account, market) pairs submit at once without their nonces serialising.
//! Every message is signed before the clock starts. The workload per pair is a mix of resting
//! GTC orders at random ticks within ±[`BAND`] of a mid price (often new ticks), IOC orders
//! that cross the whole band (one to a few fills each) and cancels of the pair's oldest order
//! (some of which were filled meanwhile: those execute as rejections).
//!
//! The HTTP client is a minimal HTTP/1.1 keep-alive client over tokio (pre-built request
//! bytes, no JSON work): client and server share the machine's cores, so a heavy client would
//! understate the node.
//!
//! Latency runs use a node with 100 ms blocks and sampled verification unless `verify=all`.
//! Knobs (environment): `NUMO_BENCH_SECS` (length of each latency run, default 10),
//! `NUMO_BENCH_RATES` (comma-separated offered loads for the latency runs, msgs/s),
//! `NUMO_BENCH_ADMIT_MSGS` (messages per admission run, default 60,000).

use alloy_primitives::B256;
use numo_load::http::{request, request_body, Http};
use numo_load::report::percentile;
use numo_load::{MarketInfo, PairGen, Plan, Progress, Report, Trader};
use numo_node::admission;
use numo_node::config::{NodeConfig, VerifyMode};
use numo_node::genesis::{dev_account, VenueGenesis};
use numo_node::node::Node;
use numo_node::records::AdmissionEntry;
use numo_node::sequencer::{now_ms, produce_block};
use numo_node::store::ChainStore;
use numo_node::store::Store;
use numo_stf::SignedMessage;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Names the scenario a child process runs.
const SCENARIO_ENV: &str = "NUMO_NODE_BENCH";
/// Block size of the step-by-step breakdown of block execution.
const BREAKDOWN_BLOCK: usize = 300;

// ---- orchestration ------------------------------------------------------------------------

fn main() {
    if let Ok(scenario) = std::env::var(SCENARIO_ENV) {
        run_scenario(&scenario);
        return;
    }
    if !std::env::args().any(|a| a == "--bench") {
        // `cargo test --benches` runs bench targets without `--bench`: minutes of load are not
        // a test.
        println!("numo-node bench: run it with `cargo bench -p numo-node --bench node`");
        return;
    }
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let mut scenarios = vec![
        "parts".to_string(),
        "admit_inproc:c=64:market=given".to_string(),
        "admit_inproc:c=256:market=given".to_string(),
        "admit_inproc:c=256:market=search".to_string(),
        "admit_http:c=64:market=given:blocks=off".to_string(),
        "admit_http:c=256:market=given:blocks=off".to_string(),
        "admit_http:c=256:market=search:blocks=off".to_string(),
        "admit_http:c=256:market=search:blocks=on".to_string(),
        "admit_http:c=16:market=given:blocks=off:batch=64".to_string(),
        "admit_http:c=16:market=search:blocks=on:batch=64".to_string(),
        "blocks".to_string(),
    ];
    let rates = std::env::var("NUMO_BENCH_RATES").unwrap_or_else(|_| "500,1000,1500,2000,2500,3000".into());
    for rate in rates.split(',').filter(|r| !r.is_empty()) {
        scenarios.push(format!("latency:rate={rate}"));
    }
    // The first message of each (account, market) pair, and the dev default of verifying
    // every batch (`numo node --dev`; the others sample one batch in 16 like a plain node).
    scenarios.push("latency:rate=1000:cold".to_string());
    scenarios.push("latency:rate=1000:verify=all".to_string());
    // A word selects the scenarios whose name starts with it; a scenario with parameters
    // (`admit_http:c=16:market=given`, any values) runs exactly as given.
    let (exact, words): (Vec<&String>, Vec<&String>) = filters.iter().partition(|f| f.contains(':'));
    let mut selected: Vec<&String> =
        scenarios.iter().filter(|s| filters.is_empty() || words.iter().any(|w| s.starts_with(w.as_str()))).collect();
    selected.extend(exact);
    let exe = std::env::current_exe().expect("own path");
    let mut summary = Vec::new();
    for scenario in selected {
        println!("\n### {scenario}   (load before: {})", loadavg());
        let mut child = Command::new(&exe)
            .env(SCENARIO_ENV, scenario)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn scenario");
        for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
            let line = line.expect("child output");
            println!("{line}");
            if let Some(result) = line.strip_prefix("RESULT ") {
                summary.push(result.to_string());
            }
        }
        let status = child.wait().expect("scenario ends");
        if !status.success() {
            summary.push(format!("{scenario}: FAILED ({status})"));
        }
        println!("    (load after: {})", loadavg());
    }
    println!("\n==== summary ({} cores) ====", std::thread::available_parallelism().map_or(0, |n| n.get()));
    for line in summary {
        println!("{line}");
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map_or_else(|_| "?".into(), |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

fn param<'a>(scenario: &'a str, name: &str) -> Option<&'a str> {
    scenario.split(':').skip(1).find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn run_scenario(scenario: &str) {
    // Name the global rayon pool (the state tree updates on it) so the CPU accounting tells
    // its threads from the client's.
    let _ = rayon::ThreadPoolBuilder::new().thread_name(|i| format!("rayon-{i}")).build_global();
    let kind = scenario.split(':').next().unwrap_or_default();
    let c = param(scenario, "c").and_then(|c| c.parse().ok()).unwrap_or(64);
    let market_given = param(scenario, "market") != Some("search");
    match kind {
        "parts" => parts(),
        "admit_inproc" => admit_inproc(scenario, c, market_given),
        "admit_http" => {
            let batch = param(scenario, "batch").map_or(1, |b| b.parse().expect("batch=N"));
            admit_http(scenario, c, market_given, param(scenario, "blocks") == Some("on"), batch)
        }
        "blocks" => blocks(),
        "latency" => latency(
            scenario,
            param(scenario, "rate").and_then(|r| r.parse().ok()).unwrap_or(1_000),
            scenario.ends_with(":cold"),
            param(scenario, "verify").map_or(VerifyMode::Sample, |v| v.parse().expect("verify=all|sample|off")),
        ),
        other => panic!("unknown scenario {other}"),
    }
}

// ---- venue and workload -------------------------------------------------------------------

/// The dev venue with `accounts` accounts, each funded like the dev accounts.
fn bench_genesis(accounts: u32) -> VenueGenesis {
    VenueGenesis::dev_with_accounts(accounts)
}

fn temp_config(dir: &tempfile::TempDir, block_interval_ms: u64, verify: VerifyMode) -> NodeConfig {
    NodeConfig {
        http: "127.0.0.1:0".parse().expect("address"),
        data_dir: dir.path().to_path_buf(),
        block_interval_ms,
        verify,
        snapshot_dirty_keys: numo_node::config::SNAPSHOT_DIRTY_KEYS_MIN,
        signer_key: None,
    }
}

fn market_infos(genesis: &VenueGenesis) -> Vec<MarketInfo> {
    genesis
        .markets
        .iter()
        .map(|m| {
            // WETH at 3,000 USDC, WBTC at 60,000 USDC (ticks are cents, see `VenueGenesis::dev`).
            let mid = if m.symbol.starts_with("WETH") { 300_000 } else { 6_000_000 };
            MarketInfo {
                id: m.context.market_id,
                domain: m.context.domain_separator(),
                mid,
                lot: m.context.rules.lot_size,
            }
        })
        .collect()
}

/// Pairs (account, market) for `accounts` dev accounts, from nonce 0: pair `p` is account
/// `p / markets`. The workload itself is `numo_load`'s, the one `numo load` sends.
fn pairs(genesis: &VenueGenesis, accounts: u32, salt: u64) -> Vec<PairGen> {
    let traders: Vec<Trader> = (0..accounts).map(|i| Trader::new(i, dev_account(i).secret)).collect();
    numo_load::pairs(&traders, &market_infos(genesis), |_, _| 0, salt, 0)
}

/// Signs `per_pair[p]` messages for each pair, on every core.
fn sign_streams(pairs: Vec<PairGen>, per_pair: impl Fn(usize) -> usize + Sync) -> Vec<(B256, Vec<SignedMessage>)> {
    let started = Instant::now();
    let out: Vec<_> = numo_load::sign_streams(pairs, per_pair).into_iter().map(|s| (s.market, s.messages)).collect();
    let total: usize = out.iter().map(|(_, l)| l.len()).sum();
    println!("    signed {total} messages in {:.1} s (not timed)", started.elapsed().as_secs_f64());
    out
}

// ---- serving -------------------------------------------------------------------------------

/// A node serving HTTP on its own 2-worker runtime (like `numo node`); returns the node, its
/// address and the runtime (kept alive by the caller).
fn serve_node(
    genesis: VenueGenesis,
    dir: &tempfile::TempDir,
    block_interval_ms: u64,
    verify: VerifyMode,
) -> (Arc<Node>, SocketAddr, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("server")
        .enable_all()
        .build()
        .expect("server runtime");
    let node = numo_node::start(temp_config(dir, block_interval_ms, verify), genesis).expect("node starts");
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let addr = listener.local_addr().expect("address");
    runtime.spawn(numo_node::serve(node.clone(), listener));
    (node, addr, runtime)
}

fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("client runtime")
}

/// CPU seconds (user + system) used so far by this process's threads, summed by thread name.
fn thread_cpu() -> std::collections::BTreeMap<String, f64> {
    let ticks = 100.0; // USER_HZ
    let mut out = std::collections::BTreeMap::new();
    for task in std::fs::read_dir("/proc/self/task").into_iter().flatten().flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else { continue };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let name = stat[open + 1..close].to_string();
        let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
        let time = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
        // Fields after the name: state is 0, utime 11, stime 12.
        *out.entry(name).or_insert(0.0) += (time(11) + time(12)) / ticks;
    }
    out
}

/// Prints the CPU each thread group used between two [`thread_cpu`] readings, per message.
fn print_cpu(before: &std::collections::BTreeMap<String, f64>, messages: usize, wall: f64) {
    let after = thread_cpu();
    let mut rows: Vec<(String, f64)> =
        after.iter().map(|(name, t)| (name.clone(), t - before.get(name).copied().unwrap_or(0.0))).collect();
    rows.retain(|(_, t)| *t > 0.0);
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    let total: f64 = rows.iter().map(|(_, t)| t).sum();
    let list: Vec<String> =
        rows.iter().map(|(name, t)| format!("{name} {:.0} µs", t / messages as f64 * 1e6)).collect();
    println!(
        "    CPU per message: {:.0} µs in all ({:.2} of {:.0} cores busy): {}",
        total / messages as f64 * 1e6,
        total / wall,
        std::thread::available_parallelism().map_or(2.0, |n| n.get() as f64),
        list.join(", ")
    );
}

// ---- scenario: component costs --------------------------------------------------------------

/// Signature check per message (1 and 2 recoveries), and one admission-log commit (fsync) for
/// several group sizes.
fn parts() {
    let genesis = bench_genesis(64);
    let markets: std::collections::BTreeMap<B256, _> =
        genesis.markets.iter().map(|m| (m.context.market_id, m.clone())).collect();
    let streams = sign_streams(pairs(&genesis, 64, 1), |_| 64);
    let all: Vec<(B256, SignedMessage)> =
        streams.iter().flat_map(|(m, list)| list.iter().map(move |s| (*m, *s))).collect();
    let second = *markets.keys().nth(1).expect("two markets");

    let timed = |name: &str, market: &dyn Fn(&B256) -> Option<B256>, filter: &dyn Fn(&B256) -> bool| {
        let subset: Vec<_> = all.iter().filter(|(m, _)| filter(m)).collect();
        let started = Instant::now();
        for (m, signed) in &subset {
            admission::check(&markets, market(m), *signed).expect("valid");
        }
        let per = started.elapsed().as_secs_f64() / subset.len() as f64;
        println!("    admission::check, {name}: {:.1} µs/msg = {:.0} msgs/s on one core", per * 1e6, 1.0 / per);
        per
    };
    let given = timed("market given", &|m| Some(*m), &|_| true);
    timed("market searched, first market", &|_| None, &|m| *m != second);
    let searched_second = timed("market searched, second market", &|_| None, &|m| *m == second);
    println!(
        "RESULT parts: check {:.1} µs/msg (market given), {:.1} µs (searched, 2nd market)",
        given * 1e6,
        searched_second * 1e6
    );

    // JSON parse of a canonical body (what the handler does before `check`).
    let bodies: Vec<Vec<u8>> =
        all.iter().take(2_000).map(|(_, s)| request_body(&request(s, None, false)).to_vec()).collect();
    let started = Instant::now();
    for body in &bodies {
        let value: serde_json::Value = serde_json::from_slice(body).expect("json");
        numo_node::submission::parse(&markets, &value).map_err(|r| r.code).expect("parses");
    }
    let per = started.elapsed().as_secs_f64() / bodies.len() as f64;
    println!("    JSON body parse + submission::parse: {:.2} µs/msg", per * 1e6);

    // Admission-log group commit: one redb write transaction with Durability::Immediate.
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let mut seq = 1;
    for group in [1usize, 16, 128, 1_024, 8_192] {
        let rounds = if group >= 1_024 { 10 } else { 50 };
        let mut times = Vec::new();
        for _ in 0..rounds {
            let entries: Vec<AdmissionEntry> = all
                .iter()
                .cycle()
                .take(group)
                .map(|(m, s)| {
                    seq += 1;
                    AdmissionEntry { seq, market_id: *m, admitted_ms: now_ms(), lamport: seq, signed: *s }
                })
                .collect();
            let started = Instant::now();
            store.append_admissions(&entries).expect("append");
            times.push(started.elapsed().as_micros() as u64);
        }
        times.sort_unstable();
        let p50 = percentile(&times, 50.0);
        println!(
            "    admission-log commit of {group:>5} entries: p50 {:.2} ms, max {:.2} ms → {:.0} entries/s if back to back",
            p50 as f64 / 1e3,
            *times.last().expect("rounds") as f64 / 1e3,
            group as f64 / (p50 as f64 / 1e6)
        );
        if group == 1 {
            println!("RESULT parts: admission-log commit (fsync) of 1 entry p50 {:.2} ms", p50 as f64 / 1e3);
        }
    }
}

// ---- scenario: admission throughput --------------------------------------------------------

const ADMIT_ACCOUNTS: u32 = 512;

fn admission_streams(genesis: &VenueGenesis) -> Vec<(B256, Vec<SignedMessage>)> {
    let total = env_num("NUMO_BENCH_ADMIT_MSGS", 60_000) as usize;
    let list = pairs(genesis, ADMIT_ACCOUNTS, 2);
    let per_pair = total.div_ceil(list.len());
    sign_streams(list, |_| per_pair)
}

/// Assigns pair streams to `c` workers: worker `i` takes pairs `i, i + c, …` and sends them
/// round-robin, each message after the previous one is durable.
fn worker_queues(streams: &[(B256, Vec<SignedMessage>)], c: usize) -> Vec<Vec<(B256, SignedMessage)>> {
    (0..c)
        .map(|w| {
            let mine: Vec<&(B256, Vec<SignedMessage>)> = streams.iter().skip(w).step_by(c).collect();
            let longest = mine.iter().map(|(_, l)| l.len()).max().unwrap_or(0);
            (0..longest).flat_map(|k| mine.iter().filter_map(move |(m, l)| l.get(k).map(|s| (*m, *s)))).collect()
        })
        .collect()
}

fn admit_inproc(scenario: &str, c: usize, market_given: bool) {
    let genesis = bench_genesis(ADMIT_ACCOUNTS);
    let streams = admission_streams(&genesis);
    let dir = tempfile::tempdir().expect("temp dir");
    // No block loop: only `check`, `Admission::admit` and the log writer.
    let node = Node::open(temp_config(&dir, 100, VerifyMode::Off), genesis).expect("node opens");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let queues = worker_queues(&streams, c);
    let total: usize = queues.iter().map(Vec::len).sum();
    let cpu = thread_cpu();
    let started = Instant::now();
    runtime.block_on(async {
        let tasks: Vec<_> = queues
            .into_iter()
            .map(|queue| {
                let node = node.clone();
                tokio::spawn(async move {
                    for (market, signed) in queue {
                        let checked =
                            admission::check(&node.markets, market_given.then_some(market), signed).expect("valid");
                        let (_, durable) = node
                            .admission
                            .admit(checked, now_ms(), || 0, |t, m| node.committed_nonce(t, m), |_| {})
                            .map_err(|r| r.message)
                            .expect("admitted");
                        durable.await.expect("log writer").expect("durable");
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("worker");
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let rate = total as f64 / elapsed;
    println!("    {total} messages durable in {elapsed:.2} s");
    print_cpu(&cpu, total, elapsed);
    println!("RESULT {scenario}: {rate:.0} msgs/s in-process (check + admit + durable)");
}

/// Admission over HTTP with `wait=false`: `c` connections, each sending its queue one message
/// per request (`batch` = 1) or `batch` messages per `POST /v1/messages/batch`.
fn admit_http(scenario: &str, c: usize, market_given: bool, blocks_on: bool, batch: usize) {
    let genesis = bench_genesis(ADMIT_ACCOUNTS);
    let streams = admission_streams(&genesis);
    let dir = tempfile::tempdir().expect("temp dir");
    // blocks=off: a block interval of a day, so only admission runs.
    let interval = if blocks_on { 100 } else { 86_400_000 };
    let (node, addr, _server) = serve_node(genesis, &dir, interval, VerifyMode::Sample);
    let queues: Vec<Vec<Vec<u8>>> = worker_queues(&streams, c)
        .into_iter()
        .map(|q| {
            if batch <= 1 {
                return q.into_iter().map(|(m, s)| request(&s, market_given.then_some(m), false)).collect();
            }
            let items: Vec<(SignedMessage, Option<B256>)> =
                q.into_iter().map(|(m, s)| (s, market_given.then_some(m))).collect();
            items.chunks(batch).map(|chunk| numo_load::http::batch_request(chunk, false)).collect()
        })
        .collect();
    let total: usize = streams.iter().map(|(_, list)| list.len()).sum();
    let client = client_runtime();
    let errors = Arc::new(AtomicU64::new(0));
    let executed_before = node.metrics.messages.load(Relaxed);
    let mut cpu = thread_cpu();
    let (elapsed, done_at) = client.block_on(async {
        let mut conns = Vec::new();
        for _ in 0..c {
            conns.push(Http::connect(addr).await.expect("connect"));
        }
        cpu = thread_cpu();
        let started = Instant::now();
        let tasks: Vec<_> = queues
            .into_iter()
            .zip(conns)
            .map(|(queue, mut conn)| {
                let errors = errors.clone();
                tokio::spawn(async move {
                    for req in queue {
                        let (status, body) = conn.call(&req).await.expect("call");
                        let refused = batch > 1 && !body.windows(11).any(|w| w == b"\"refused\":0");
                        if (status != 200 || refused) && errors.fetch_add(1, Relaxed) < 3 {
                            eprintln!("    HTTP {status}: {}", String::from_utf8_lossy(&body));
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("client");
        }
        (started.elapsed().as_secs_f64(), Instant::now())
    });
    let executed = node.metrics.messages.load(Relaxed) - executed_before;
    let rate = total as f64 / elapsed;
    println!("    {total} messages admitted in {elapsed:.2} s, {} errors", errors.load(Relaxed));
    print_cpu(&cpu, total, elapsed);
    let per_request = if batch > 1 { format!("{batch} per batch request") } else { "one per request".to_string() };
    let mut line =
        format!("RESULT {scenario}: {rate:.0} msgs/s over HTTP (wait=false, {c} connections, {per_request})");
    if blocks_on {
        // Let the backlog drain: the block producer's rate while admission also ran, and alone.
        let pending_at_end = node.mempool.lock().expect("mempool").len();
        let executed_during = executed as f64 / elapsed;
        let drain_start = node.metrics.messages.load(Relaxed);
        while node.metrics.messages.load(Relaxed) < total as u64 && done_at.elapsed() < Duration::from_secs(120) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let drained = node.metrics.messages.load(Relaxed) - drain_start;
        let drain_rate = drained as f64 / done_at.elapsed().as_secs_f64();
        println!(
            "    blocks executed {executed} messages during admission ({executed_during:.0}/s); backlog {pending_at_end}, drained at {drain_rate:.0}/s"
        );
        line +=
            &format!("; blocks executed {executed_during:.0} msgs/s meanwhile, {drain_rate:.0} msgs/s draining alone");
    }
    println!("{line}");
}

// ---- scenario: block execution --------------------------------------------------------------

fn blocks() {
    const ACCOUNTS: u32 = 256;
    let sizes = [100usize, 300, 1_000, 4_096];
    let warmup = 10_000usize;
    let per_size = |size: usize| (20_000 / size).max(6) * size;
    // The last blocks' worth is taken apart step by step (see `block_breakdown`).
    let breakdown = 3 * BREAKDOWN_BLOCK;
    let needed = warmup + sizes.iter().map(|s| per_size(*s)).sum::<usize>() + breakdown;
    let genesis = bench_genesis(ACCOUNTS);
    let list = pairs(&genesis, ACCOUNTS, 3);
    let pair_count = list.len();
    let streams = sign_streams(list, |_| needed.div_ceil(pair_count));
    // Round-robin over pairs: every block holds many traders of both markets, nonces in order.
    let mut order: Vec<(B256, SignedMessage)> = Vec::with_capacity(needed);
    'fill: for k in 0.. {
        for (market, list) in &streams {
            if order.len() == needed {
                break 'fill;
            }
            order.push((*market, list[k]));
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let node = Node::open(temp_config(&dir, 100, VerifyMode::Off), genesis).expect("node opens");
    let mut seq = 0u64;
    let mut next = order.into_iter();
    let mut take_block = |size: usize| -> Vec<AdmissionEntry> {
        let entries: Vec<AdmissionEntry> = next
            .by_ref()
            .take(size)
            .map(|(market_id, signed)| {
                seq += 1;
                AdmissionEntry { seq, market_id, admitted_ms: now_ms(), lamport: seq, signed }
            })
            .collect();
        // As in the node: the entries are in the admission log before their block removes them.
        node.store.append_admissions(&entries).expect("append");
        entries
    };
    let started = Instant::now();
    for _ in 0..warmup / 1_000 {
        produce_block(&node, take_block(1_000), Vec::new()).expect("block commits");
    }
    let book = |node: &Node| {
        let chain = node.chain.read().expect("chain");
        node.markets
            .keys()
            .map(|m| {
                let bids = chain.book_side(m, numo_stf::Side::Buy, usize::MAX);
                let asks = chain.book_side(m, numo_stf::Side::Sell, usize::MAX);
                let orders: usize = bids.iter().chain(&asks).map(|(_, o)| o.len()).sum();
                format!("{}+{} ticks/{orders} orders", bids.len(), asks.len())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "    warm-up: {warmup} messages in {:.1} s; books {}; state {} keys",
        started.elapsed().as_secs_f64(),
        book(&node),
        node.chain.read().expect("chain").full.len()
    );
    for size in sizes {
        let count = per_size(size) / size;
        let (trades0, messages0, batches0) = (
            node.metrics.trades.load(Relaxed),
            node.metrics.messages.load(Relaxed),
            node.metrics.batches.load(Relaxed),
        );
        let rejects0: u64 = node.metrics.rejects.lock().expect("metrics").values().sum();
        let first_batch = node.metrics.last_committed_batch.load(Relaxed) + 1;
        let mut times = Vec::new();
        let cpu = thread_cpu();
        for _ in 0..count {
            let entries = take_block(size);
            let t = Instant::now();
            produce_block(&node, entries, Vec::new()).expect("block commits");
            times.push(t.elapsed().as_micros() as u64);
        }
        let last_batch = node.metrics.last_committed_batch.load(Relaxed);
        let trades = node.metrics.trades.load(Relaxed) - trades0;
        let messages = node.metrics.messages.load(Relaxed) - messages0;
        let batches = node.metrics.batches.load(Relaxed) - batches0;
        let rejects = node.metrics.rejects.lock().expect("metrics").values().sum::<u64>() - rejects0;
        let sum: u64 = times.iter().sum();
        print_cpu(&cpu, messages as usize, sum as f64 / 1e6);
        times.sort_unstable();
        let rate = messages as f64 / (sum as f64 / 1e6);
        println!(
            "    block of {size}: {count} blocks, mean {:.1} ms, p50 {:.1} ms, max {:.1} ms → {rate:.0} msgs/s; {:.1} trades, {:.1} rejects, {:.1} batches per block",
            sum as f64 / count as f64 / 1e3,
            percentile(&times, 50.0) as f64 / 1e3,
            *times.last().expect("blocks") as f64 / 1e3,
            trades as f64 / count as f64,
            rejects as f64 / count as f64,
            batches as f64 / count as f64,
        );
        // The verifier's cost: the guest re-executes each batch from its stored witness.
        let t = Instant::now();
        for batch in first_batch..=last_batch {
            numo_node::verifier::verify(&node, batch).expect("verifies");
        }
        let verify_per_block = t.elapsed().as_secs_f64() / count as f64;
        let witness_bytes: usize =
            (first_batch..=last_batch).map(|b| node.store.witness(b).expect("read").expect("stored").len()).sum();
        println!(
            "      guest re-verification: {:.1} ms per block ({:.0} msgs/s); compact witness {:.0} bytes/msg",
            verify_per_block * 1e3,
            size as f64 / verify_per_block,
            witness_bytes as f64 / messages as f64
        );
        println!(
            "RESULT blocks size={size}: {rate:.0} msgs/s (mean {:.1} ms/block, {:.1} trades/block); guest verify {:.1} ms/block",
            sum as f64 / count as f64 / 1e3,
            trades as f64 / count as f64,
            verify_per_block * 1e3
        );
    }
    println!("    books after: {}", book(&node));
    let rest: Vec<(B256, SignedMessage)> = next.collect();
    block_breakdown(&node, &rest);
}

/// Wall-clock steps of the next blocks' batches, on copies of the committed state: the full
/// host build (`build_batch`), then separately its parts — signature checks, matching alone,
/// proving every touched key against the pre-batch state, the tree update with the new root
/// — and the witness compaction. The batches are cut as the block function cuts them (per
/// market in blocks of [`BREAKDOWN_BLOCK`], `maxOrdersPerBatch` each).
fn block_breakdown(node: &Node, messages: &[(B256, SignedMessage)]) {
    use numo_stf::{execute_messages, validate_batch, DiscoveredHints, Overlay, TouchLog};
    let copy = || {
        let chain = node.chain.read().expect("chain");
        numo_host::FullState::from_entries(chain.full.entries().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>())
    };
    let (mut built_state, mut stepped_state) = (copy(), copy());
    let (mut sig, mut exec, mut prove, mut tree, mut build, mut compact) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut writes, mut touched, mut blob, mut small) = (0usize, 0usize, 0usize, 0usize);
    let mut batch_seq = 1_000_000;
    for block in messages.chunks(BREAKDOWN_BLOCK) {
        let mut by_market: std::collections::BTreeMap<B256, Vec<SignedMessage>> = Default::default();
        for (market, signed) in block {
            by_market.entry(*market).or_default().push(*signed);
        }
        for (market, list) in &by_market {
            let ctx = node.markets[market].context;
            for chunk in list.chunks(ctx.rules.max_orders_per_batch as usize) {
                batch_seq += 1;
                let t = Instant::now();
                let built = numo_host::build_batch(&mut built_state, &ctx, batch_seq, now_ms(), chunk.to_vec())
                    .expect("builds");
                build += t.elapsed().as_secs_f64();
                let t = Instant::now();
                let compacted = numo_node::witness::compact(&built.blob).expect("compacts");
                compact += t.elapsed().as_secs_f64();
                blob += built.blob.len();
                small += compacted.len();

                let t = Instant::now();
                validate_batch(&ctx, batch_seq, chunk).expect("valid batch");
                sig += t.elapsed().as_secs_f64();
                let t = Instant::now();
                let mut overlay = Overlay::new(&mut stepped_state);
                execute_messages(&ctx, &mut overlay, chunk, &mut DiscoveredHints::default(), TouchLog::digest_only())
                    .expect("executes");
                let (_, chunk_writes) = overlay.into_parts();
                exec += t.elapsed().as_secs_f64();
                let keys = built.report.touched.keys().expect("collected");
                let t = Instant::now();
                for key in keys {
                    std::hint::black_box((stepped_state.prove(key).to_bytes(), stepped_state.value(key)));
                }
                prove += t.elapsed().as_secs_f64();
                touched += keys.len();
                writes += chunk_writes.len();
                let t = Instant::now();
                stepped_state.apply(chunk_writes);
                std::hint::black_box(stepped_state.root());
                tree += t.elapsed().as_secs_f64();
            }
        }
    }
    let blocks = messages.len().div_ceil(BREAKDOWN_BLOCK) as f64;
    let ms = |s: f64| s * 1e3 / blocks;
    let rest = build - sig - exec - prove - tree;
    println!(
        "    per block of {BREAKDOWN_BLOCK} messages ({blocks} blocks): host build {:.1} ms = signatures {:.1} + matching {:.1} + proofs of {:.0} touched keys {:.1} + tree update and root for {:.0} writes {:.1} ({:.0} µs/write) + blob layout and the rest {:.1}; witness compaction {:.1} ms ({:.1} MB → {:.2} MB)",
        ms(build),
        ms(sig),
        ms(exec),
        touched as f64 / blocks,
        ms(prove),
        writes as f64 / blocks,
        ms(tree),
        tree / writes as f64 * 1e6,
        ms(rest),
        ms(compact),
        blob as f64 / blocks / 1e6,
        small as f64 / blocks / 1e6
    );
    let share = |part: f64| part / (build + compact) * 100.0;
    println!(
        "RESULT blocks breakdown: of {:.1} ms per {BREAKDOWN_BLOCK}-message block: signatures {:.0}%, matching {:.0}%, proofs {:.0}%, tree+root {:.0}%, blob/rest {:.0}%, compaction {:.0}%",
        ms(build + compact),
        share(sig),
        share(exec),
        share(prove),
        share(tree),
        share(rest),
        share(compact)
    );
}

// ---- scenario: submit→outcome latency ------------------------------------------------------

fn latency(scenario: &str, rate: u64, cold: bool, verify: VerifyMode) {
    const ACCOUNTS: u32 = 1_000;
    let secs = env_num("NUMO_BENCH_SECS", 10);
    let genesis = bench_genesis(ACCOUNTS);
    let list = pairs(&genesis, ACCOUNTS, 4);
    let pair_count = list.len();
    let total = (rate * secs) as usize;
    // Warm: each pair's first message is executed before the clock starts, so the timed
    // messages find their pair's pending nonce (a pair's first message reads the committed
    // nonce from the chain, which waits while a block executes). Cold: no warm-up.
    let warmup = usize::from(!cold);
    // `numo_load::run`: timed message k goes to pair k mod P at time k / rate; pair p sends its
    // j-th timed message at (p + j P) / rate, after its previous one answered (nonce order),
    // else late. The same run as `numo load`, against an in-process node.
    let streams: Vec<numo_load::PairStream> =
        sign_streams(list, |p| warmup + total / pair_count + usize::from(p < total % pair_count))
            .into_iter()
            .map(|(market, messages)| numo_load::PairStream { market, messages })
            .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let (node, addr, _server) = serve_node(genesis, &dir, 100, verify);
    let client = client_runtime();
    let plan = Plan { rate: rate as f64, wait: true, warmup, market_in_request: false };
    let progress = Arc::new(Progress::default());
    println!("    load at start: {}", loadavg());
    // The CPU window opens when the warm-up is done (the first answer is due 200 ms later).
    let cpu_at_start = Arc::new(std::sync::Mutex::new((thread_cpu(), Instant::now())));
    let watcher = {
        let (progress, cpu_at_start) = (progress.clone(), cpu_at_start.clone());
        std::thread::spawn(move || {
            while progress.sent.load(Relaxed) == 0 {
                std::thread::sleep(Duration::from_millis(1));
            }
            *cpu_at_start.lock().expect("cpu") = (thread_cpu(), Instant::now());
        })
    };
    let answers = client.block_on(numo_load::run(addr, &streams, &plan, &progress)).expect("load runs");
    watcher.join().expect("watcher");
    let (cpu, wall) = cpu_at_start.lock().expect("cpu").clone();
    print_cpu(&cpu, answers.len(), wall.elapsed().as_secs_f64());
    let report = Report::new(&answers, rate as f64);
    for line in report.lines() {
        println!("    {line}");
    }
    let blocks = node.metrics.blocks.load(Relaxed).max(1);
    let block_ms = node.metrics.block_time_us.load(Relaxed) as f64 / blocks as f64 / 1e3;
    println!("    {blocks} blocks, mean block time {block_ms:.1} ms; load at end {}", loadavg());
    let answered: Vec<&numo_load::Answer> = answers.iter().filter(|a| a.status == 200).collect();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    // p99 per second of the run, to tell a steady tail from a burst.
    let per_second: Vec<String> = (0..secs)
        .map(|s| {
            let mut window: Vec<Duration> =
                answered.iter().filter(|a| a.due.as_secs() == s).map(|a| a.latency).collect();
            window.sort_unstable();
            format!("{:.0}", ms(percentile(&window, 99.0)))
        })
        .collect();
    println!("    p99 (ms) per second of the run: {}", per_second.join(" "));
    if cold {
        let mut first: Vec<Duration> = answered.iter().filter(|a| a.first).map(|a| a.latency).collect();
        first.sort_unstable();
        println!(
            "    pairs' first messages: p50 {:.1} ms, p99 {:.1} ms ({} of them)",
            ms(percentile(&first, 50.0)),
            ms(percentile(&first, 99.0)),
            first.len()
        );
    }
    let not_ok = report.messages - answered.len() as u64;
    println!(
        "RESULT {scenario}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({not_ok} not 200, {} late sends; achieved {:.0} msgs/s; mean block {block_ms:.1} ms)",
        report.latency_ms.p50, report.latency_ms.p99, report.latency_ms.max, report.late_sends, report.achieved_rate
    );
}

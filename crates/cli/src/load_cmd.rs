//! `numo load`: an open-loop load generator against a node, using `numo-load` (the same
//! workload, client and report as the node bench's latency scenario).
//!
//! Dev accounts `0..N` sign (`numo_node::genesis::dev_account`, the keys of `numo node --dev
//! --dev-accounts N`): each (account, market) pair has one message in flight at a time (nonce
//! order), so a rate needs many pairs — at 100 ms blocks a pair manages about 5–8 messages a
//! second waiting for outcomes. Every message is signed before the clock starts; a progress
//! bar runs on stderr; the report goes to stdout.

use crate::client::{find_market, Market, NodeClient, NodeOpts};
use crate::failure::{finish, Failure};
use crate::units::parse_decimal;
use alloy_primitives::{B256, U256};
use anyhow::{bail, Context, Result};
use clap::Args;
use numo_load::{MarketInfo, Plan, Progress, Report, Trader};
use numo_node::genesis::{dev_account, symbol_key};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Args)]
pub(crate) struct LoadArgs {
    #[command(flatten)]
    node: NodeOpts,
    /// Offered load in messages per second (over all accounts and markets).
    #[arg(long)]
    rate: f64,
    /// Length of the schedule: 10, 10s, 1.5s, 500ms, 2m.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    duration: Duration,
    /// Markets to trade, comma-separated symbols or ids (default: every market of the node).
    #[arg(long, value_delimiter = ',')]
    markets: Vec<String>,
    /// Sign with dev accounts 0..N; the node must fund them (`numo node --dev --dev-accounts N`).
    #[arg(long, default_value_t = 10)]
    accounts: u32,
    /// Wait for each message's block and outcome (the default).
    #[arg(long, overrides_with = "no_wait")]
    wait: bool,
    /// Answer at admission (`?wait=false`): measures admission, not execution.
    #[arg(long, overrides_with = "wait")]
    no_wait: bool,
    /// Mid price of a market, SYMBOL=PRICE (repeatable; default: the book's mid, else 3000
    /// for WETH and 60000 for WBTC markets).
    #[arg(long)]
    mid: Vec<String>,
    /// Do not send each pair's first message before the clock starts.
    #[arg(long)]
    no_warmup: bool,
    /// Seed of the workload's random choices.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub(crate) fn run(args: LoadArgs) -> ExitCode {
    finish(args.node.json, load(&args))
}

/// `10`, `10s`, `1.5s`, `500ms`, `2m`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: f64 = number.trim().parse().map_err(|_| format!("`{text}` is not a duration like 10s or 500ms"))?;
    let seconds = match unit {
        "ms" => value / 1e3,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("unknown unit `{unit}` (ms, s or m)")),
    };
    if !(seconds > 0.0 && seconds < 86_400.0) {
        return Err(format!("`{text}` is not a positive duration under a day"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// The node's socket address from its `http://host:port` URL (the load client speaks plain
/// HTTP/1.1 itself).
fn socket_addr(url: &str) -> Result<SocketAddr> {
    let Some(rest) = url.strip_prefix("http://") else {
        bail!("--node {url}: the load generator needs an http:// URL");
    };
    let host = rest.split('/').next().unwrap_or_default();
    let host = if host.contains(':') { host.to_string() } else { format!("{host}:80") };
    host.to_socket_addrs().ok().and_then(|mut a| a.next()).with_context(|| format!("cannot resolve {host}"))
}

/// The mid price (tick) the makers quote around.
fn mid_tick(client: &NodeClient, market: &Market, given: &HashMap<String, String>) -> Result<i32> {
    if let Some(price) = given.get(&symbol_key(&market.symbol)) {
        return market.grid.tick_of(price).with_context(|| format!("--mid for {}", market.symbol));
    }
    let book = client.get(&format!("/v1/markets/{}/book?depth=1", market.id))?;
    let best = |side: &str| book[side][0]["tick"].as_i64();
    let tick = match (best("bids"), best("asks")) {
        (Some(bid), Some(ask)) => Some((bid + ask) / 2),
        (Some(one), None) | (None, Some(one)) => Some(one),
        (None, None) => None,
    };
    if let Some(tick) = tick {
        return Ok(tick as i32);
    }
    let default = match market.base_symbol.as_str() {
        "WETH" => "3000",
        "WBTC" => "60000",
        _ => {
            return Err(Failure::error(
                "no_mid",
                format!("{} has an empty book: give its mid price with --mid {}=PRICE", market.symbol, market.symbol),
            ))
        }
    };
    market.grid.tick_of(default)
}

/// Account `index`'s next nonce per market, or `None` when the node does not fund it.
fn account_state(client: &NodeClient, trader: &Trader, markets: &[Market]) -> Result<Option<HashMap<B256, u64>>> {
    let account = client.get(&format!("/v1/accounts/{}", trader.address))?;
    let funded = account["balances"].as_array().into_iter().flatten().any(|b| {
        let positive = |name: &str| b[name].as_str().and_then(|s| s.parse::<U256>().ok()).is_some_and(|v| !v.is_zero());
        positive("available") || positive("locked")
    });
    if !funded {
        return Ok(None);
    }
    let mut nonces = HashMap::new();
    for market in markets {
        let next = account["nonces"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|n| n["marketId"].as_str().and_then(|m| m.parse::<B256>().ok()) == Some(market.id))
            .and_then(|n| n["nextNonce"].as_u64())
            .context("the account lists no nonce for a market")?;
        nonces.insert(market.id, next);
    }
    Ok(Some(nonces))
}

fn load(args: &LoadArgs) -> Result<()> {
    if !(args.rate > 0.0 && args.rate.is_finite()) {
        bail!("--rate must be a positive number of messages per second");
    }
    if args.accounts == 0 {
        bail!("--accounts must be at least 1");
    }
    let client = NodeClient::new(&args.node)?;
    let addr = socket_addr(&args.node.node)?;
    let all = client.markets()?;
    let markets: Vec<Market> = if args.markets.is_empty() {
        all.clone()
    } else {
        args.markets.iter().map(|m| find_market(&all, m).cloned()).collect::<Result<_>>()?
    };
    let mut mids = HashMap::new();
    for entry in &args.mid {
        let (symbol, price) = entry.split_once('=').context("--mid takes SYMBOL=PRICE, e.g. WETH/USDC=3000")?;
        parse_decimal(price).with_context(|| format!("--mid {entry}"))?;
        mids.insert(symbol_key(symbol), price.to_string());
    }
    let infos: Vec<MarketInfo> = markets
        .iter()
        .map(|m| {
            let mid = mid_tick(&client, m, &mids)?;
            if mid < 4 {
                bail!("{}: mid tick {mid} is too low to quote around", m.symbol);
            }
            Ok(MarketInfo { id: m.id, domain: m.domain, mid, lot: m.grid.lot_size })
        })
        .collect::<Result<_>>()?;

    eprintln!("checking dev accounts 0..{} on {}", args.accounts, args.node.node);
    let traders: Vec<Trader> = (0..args.accounts).map(|i| Trader::new(i, dev_account(i).secret)).collect();
    let mut nonces: Vec<HashMap<B256, u64>> = Vec::with_capacity(traders.len());
    for trader in &traders {
        match account_state(&client, trader, &markets)? {
            Some(n) => nonces.push(n),
            None => {
                return Err(Failure::error(
                    "accounts_not_funded",
                    format!(
                        "dev account {} ({}) has no balance on this node, so it cannot trade. The node funds dev accounts 0..{}: \
                         pass --accounts {} or fewer, or start a node funding more, e.g. \
                         `numo node --dev --dev-accounts {} --data-dir NEW_DIR` (the funded accounts are part of the genesis, so a new data dir)",
                        trader.index,
                        trader.address,
                        trader.index,
                        trader.index,
                        args.accounts
                    ),
                ))
            }
        }
    }

    let wait = !args.no_wait;
    let warmup = usize::from(!args.no_warmup);
    let total = (args.rate * args.duration.as_secs_f64()).round().max(1.0) as usize;
    let run_id = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_millis() as u64);
    let pairs = numo_load::pairs(&traders, &infos, |t, m| nonces[t.index as usize][&m.id], args.seed, run_id);
    let pair_count = pairs.len();
    let started = Instant::now();
    let streams = numo_load::sign_streams(pairs, |p| warmup + total / pair_count + usize::from(p < total % pair_count));
    eprintln!(
        "signed {} messages for {pair_count} (account, market) pairs in {:.1} s; {}warming up, then {total} messages at {} msgs/s for {:.1} s",
        total + warmup * pair_count,
        started.elapsed().as_secs_f64(),
        if warmup > 0 { "" } else { "not " },
        args.rate,
        args.duration.as_secs_f64()
    );
    let per_pair = args.rate / pair_count as f64;
    if wait && per_pair > 5.0 {
        eprintln!(
            "note: {per_pair:.1} msgs/s per pair; a pair waits for each outcome (one block, ~100 ms) before its next message, \
             so expect late sends — more accounts (--accounts, numo node --dev-accounts) spread the load"
        );
    }

    let plan = Plan { rate: args.rate, wait, warmup, market_in_request: true };
    let progress = Arc::new(Progress::default());
    let bar = ProgressBar::start(progress.clone(), args.duration);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting tokio")?;
    let result = runtime.block_on(numo_load::run(addr, &streams, &plan, &progress));
    bar.stop();
    let answers = result.map_err(|e| Failure::error("load_failed", e.to_string()))?;
    let report = Report::new(&answers, args.rate);
    if args.node.json {
        let mut value = serde_json::to_value(&report).context("report JSON")?;
        value["node"] = json!(args.node.node);
        value["accounts"] = json!(args.accounts);
        value["pairs"] = json!(pair_count);
        value["markets"] = Value::from(markets.iter().map(|m| m.symbol.clone()).collect::<Vec<_>>());
        value["wait"] = json!(wait);
        value["warmup"] = json!(warmup);
        println!("{value}");
    } else {
        println!(
            "numo load: {} accounts × {} markets = {pair_count} pairs, {}",
            args.accounts,
            markets.len(),
            if wait { "waiting for outcomes" } else { "answered at admission (--no-wait)" }
        );
        for line in report.lines() {
            println!("{line}");
        }
    }
    Ok(())
}

/// A progress line on stderr: redrawn in place on a terminal, once a second otherwise.
struct ProgressBar {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl ProgressBar {
    fn start(progress: Arc<Progress>, schedule: Duration) -> Self {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let tty = std::io::stderr().is_terminal();
            let mut started = None;
            let mut last_line = Instant::now();
            while !flag.load(Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let (total, sent, answered, failed) = (
                    progress.total.load(Relaxed),
                    progress.sent.load(Relaxed),
                    progress.answered.load(Relaxed),
                    progress.failed.load(Relaxed),
                );
                if total == 0 || sent == 0 {
                    continue; // still connecting or warming up
                }
                let started = *started.get_or_insert_with(Instant::now);
                let done = answered as f64 / total as f64;
                let width = 30;
                let filled = (done * width as f64) as usize;
                let line = format!(
                    "[{}{}] {:>3.0}%  {:.1}/{:.1} s  sent {sent}/{total}  answered {answered}  in flight {}  errors {failed}",
                    "=".repeat(filled),
                    " ".repeat(width - filled),
                    done * 100.0,
                    started.elapsed().as_secs_f64(),
                    schedule.as_secs_f64(),
                    sent - answered.min(sent),
                );
                if tty {
                    eprint!("\r{line}\x1b[K");
                    let _ = std::io::stderr().flush();
                } else if last_line.elapsed() >= Duration::from_secs(1) {
                    eprintln!("{line}");
                    last_line = Instant::now();
                }
            }
            if tty {
                eprint!("\r\x1b[K");
            }
        });
        Self { stop, thread }
    }

    fn stop(self) {
        self.stop.store(true, Relaxed);
        let _ = self.thread.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("10").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("2s").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1_500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        for bad in ["", "0", "-1s", "3h", "abc"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn node_urls_resolve() {
        assert_eq!(socket_addr("http://127.0.0.1:8080").unwrap(), "127.0.0.1:8080".parse().unwrap());
        assert_eq!(socket_addr("http://127.0.0.1:9/").unwrap(), "127.0.0.1:9".parse().unwrap());
        assert!(socket_addr("https://127.0.0.1:8080").is_err());
    }
}

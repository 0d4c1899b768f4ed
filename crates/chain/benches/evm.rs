//! The EVM block under exchange load: ERC20 transfers (and simple value transfers) per second
//! executed with roots and witness, inside the 10-block window of the block function.
//!
//! ```sh
//! cargo bench -p numo-chain --bench evm
//! NUMO_EVM_BENCH_ERC20=2000,5500 NUMO_EVM_BENCH_VALUE=2000,9000 NUMO_EVM_BENCH_RUNS=3 \
//!   NUMO_EVM_BENCH_OPTIONS=admitted cargo bench -p numo-chain --bench evm
//! ```
//!
//! The venue is dev-like (chain 7357, WETH/USDC and WBTC/USDC with the dev genesis's rules and
//! ids), with [`TRADERS`] exchange accounts funded like the dev accounts and [`SENDERS`] EVM
//! accounts holding NUMO. Two setup windows deploy the OpenZeppelin ERC20 of the engine tests
//! (`crates/evm/tests/fixtures`, `TestToken`) at height 10 and give every sender tokens at height
//! 20. Each measured window is then what a node executes in one second: heights `10w+1 ..
//! 10w+10`, each carrying [`ORDERS_PER_BLOCK`] signed orders (1,000 orders/s at 100 ms blocks,
//! numo-load's order mix: resting GTCs, crossing IOCs, cancels), and height `10w+10` also the
//! EVM block of `K` signed EIP-1559 transfers, every sender sending to another holder. Every
//! block goes through `numo_chain::execute_block` exactly as a node's (batches built, compact
//! witnesses, state roots), with [`BlockOptions::ADMITTED`] by default — the proposing node,
//! whose admission already checked the orders' signatures (the EVM block recovers every
//! transaction's sender either way) — or `NUMO_EVM_BENCH_OPTIONS=verifying`, what validators and
//! replay run. All messages are signed before the clock starts.
//!
//! The EVM block's own time is measured as the difference between height `10w+10` with its
//! transactions and the same height re-executed without them on a copy of the state taken
//! before it (the copy's block still runs an empty EVM block, so the difference is the cost
//! the transactions add: execution, receipts, roots and witness). Both are printed.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{keccak256, Address, Bytes, Signature as AlloySignature, TxKind, B256, U256};
use alloy_sol_types::SolValue;
use numo_chain::{execute_block, BlockOptions, BlockOutput, ChainTip, Entry, EvmEntry, Proposal, Venue};
use numo_core::signature::{secret_key_address, sign_digest};
use numo_evm::genesis::{alloc_writes, genesis_head_writes, GenesisAccount};
use numo_evm::limits::EVM_BLOCK_GAS_LIMIT;
use numo_evm::TxStatus;
use numo_guest::evm::EvmBatchReport;
use numo_host::FullState;
use numo_load::{MarketInfo, PairGen, Trader};
use numo_stf::keys::balance_key;
use numo_stf::values::{Balance, StateValue};
use numo_stf::{MarketContext, Rules};
use secp256k1::SecretKey;
use std::time::{Duration, Instant};

/// The dev venue's chain id (E2).
const CHAIN_ID: u64 = 7357;
/// Exchange accounts placing orders: with two markets, one message per (account, market) pair
/// per block, so no pair's nonces serialise within a block.
const TRADERS: u32 = 50;
/// Orders per exchange block: 1,000 orders/s at 100 ms blocks.
const ORDERS_PER_BLOCK: usize = 100;
/// EVM accounts sending transfers; a block of `K` transfers has `K / SENDERS` (rounded up) per
/// sender, with consecutive nonces.
const SENDERS: u32 = 1_000;
/// Token units each sender receives at setup.
const TOKENS_PER_SENDER: u64 = 1_000_000_000;
/// Block time of the window's exchange blocks.
const BLOCK_MS: u64 = 100;
/// Exchange blocks per EVM block (E1): the window.
const WINDOW: u64 = 10;
/// Gas limits of the transactions (the block gas limit counts what they use).
const ERC20_GAS: u64 = 80_000;
const VALUE_GAS: u64 = 21_000;
/// Fee caps: far above the base fee, which rises at most 12.5 % per full EVM block.
const MAX_FEE: u128 = 1_000_000_000_000;
const TIP: u128 = 1_000_000_000;
/// First block's timestamp.
const T0: u64 = 1_795_000_000_000;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        // `cargo test --benches` runs bench targets without `--bench`: windows of thousands of
        // signed transactions are not a test.
        println!("numo-chain evm bench: run it with `cargo bench -p numo-chain --bench evm`");
        return;
    }
    let options = match std::env::var("NUMO_EVM_BENCH_OPTIONS").as_deref() {
        Ok("verifying") => ("VERIFYING", BlockOptions::VERIFYING),
        Ok("admitted") | Err(_) => ("ADMITTED", BlockOptions::ADMITTED),
        Ok(other) => panic!("NUMO_EVM_BENCH_OPTIONS={other}: admitted or verifying"),
    };
    let erc20 = env_list("NUMO_EVM_BENCH_ERC20", &[2_000, 5_500]);
    let value = env_list("NUMO_EVM_BENCH_VALUE", &[2_000, 9_000]);
    let runs = env_list("NUMO_EVM_BENCH_RUNS", &[5])[0].max(1);
    println!(
        "numo-chain evm bench: BlockOptions::{}, {ORDERS_PER_BLOCK} orders/block, {SENDERS} EVM senders, {} cores, load {}",
        options.0,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        loadavg()
    );

    let mut bench = Bench::new(options.1);
    bench.setup();
    let mut summary = Vec::new();
    for (kind, ks) in [(Kind::Erc20, &erc20), (Kind::Value, &value)] {
        for &k in ks {
            let mut windows = Vec::new();
            for run in 1..=runs {
                let w = bench.window(kind, k);
                println!(
                    "{:>5} K={k:<5} run {run}: EVM block {:>7.1} ms ({:>6.0} transfers/s, {:>4.1} % of the 1 s window) | height {} {:.1} ms with, {:.1} ms without | exchange blocks {:.1} ms | window {:.1} ms | gas/transfer {} | witness {} B/transfer | load {}",
                    kind.name(),
                    ms(w.evm()),
                    k as f64 / w.evm().as_secs_f64(),
                    100.0 * w.evm().as_secs_f64(),
                    w.evm_height,
                    ms(w.last_with),
                    ms(w.last_without),
                    ms(w.exchange()),
                    ms(w.total()),
                    w.gas / k as u64,
                    w.witness_bytes / k,
                    loadavg(),
                );
                windows.push(w);
            }
            windows.sort_by_key(Window::evm);
            let median = &windows[windows.len() / 2];
            let gas_per = median.gas / k as u64;
            summary.push(format!(
                "{:>5} K={k:<5} median of {runs}: {:>6.0} transfers/s in the EVM block ({:.1} ms, {:.1} % of the 1 s window; {:.0} transfers/s counting its whole height), exchange blocks {:.1} ms, window {:.1} ms ({:.1} % of 1 s); gas/transfer {gas_per}, gas-limited max {} per block",
                kind.name(),
                k as f64 / median.evm().as_secs_f64(),
                ms(median.evm()),
                100.0 * median.evm().as_secs_f64(),
                k as f64 / median.last_with.as_secs_f64(),
                ms(median.exchange()),
                ms(median.total()),
                100.0 * median.total().as_secs_f64(),
                EVM_BLOCK_GAS_LIMIT / gas_per,
            ));
        }
    }
    println!("\n==== summary (BlockOptions::{}, load {}) ====", options.0, loadavg());
    for line in summary {
        println!("{line}");
    }
}

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name).map_or_else(
        |_| default.to_vec(),
        |v| v.split(',').map(|n| n.trim().parse().unwrap_or_else(|_| panic!("{name}: numbers"))).collect(),
    )
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map_or_else(|_| "?".into(), |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// What the measured EVM block carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `TestToken.transfer(to, 1)` to another holder.
    Erc20,
    /// 1 wei of NUMO to another sender.
    Value,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Erc20 => "erc20",
            Kind::Value => "value",
        }
    }
}

/// One measured window.
struct Window {
    /// Exchange height of its EVM block.
    evm_height: u64,
    /// Heights `10w+1 ..= 10w+9`.
    first_nine: Duration,
    /// Height `10w+10` with the EVM transactions.
    last_with: Duration,
    /// Height `10w+10` without them, on a copy of the state.
    last_without: Duration,
    /// Gas the EVM block used.
    gas: u64,
    /// Compact witness of the EVM block.
    witness_bytes: usize,
}

impl Window {
    /// The time the EVM transactions add to their block.
    fn evm(&self) -> Duration {
        self.last_with.saturating_sub(self.last_without)
    }

    /// The exchange part of the window: ten blocks of orders.
    fn exchange(&self) -> Duration {
        self.first_nine + self.last_without
    }

    /// Everything the window's ten blocks took.
    fn total(&self) -> Duration {
        self.first_nine + self.last_with
    }
}

/// A deterministic key: `keccak256(tag ‖ U32 i)`, hashed again until valid.
fn key(tag: &str, i: u32) -> SecretKey {
    let mut seed = keccak256([tag.as_bytes(), &i.to_be_bytes()].concat());
    loop {
        match SecretKey::from_secret_bytes(seed.0) {
            Ok(secret) => return secret,
            Err(_) => seed = keccak256(seed),
        }
    }
}

/// The dev genesis's two markets (`numo_node::genesis::VenueGenesis::dev`): ids, rules, fees.
fn dev_markets() -> (Vec<MarketContext>, [B256; 3]) {
    let venue_id = keccak256(b"numo-venue:numo-dev");
    let asset = |symbol: &str| keccak256(format!("numo-asset:{symbol}").as_bytes());
    let (weth, wbtc, usdc) = (asset("WETH"), asset("WBTC"), asset("USDC"));
    let market = |base: B256, symbol: &str, tick_size: u64, lot_size: u64| MarketContext {
        chain_id: CHAIN_ID,
        venue_id,
        market_id: keccak256(format!("numo-market:{symbol}/USDC").as_bytes()),
        rules: Rules {
            base_asset: base,
            quote_asset: usdc,
            price_scale: U256::from(numo_stf::limits::PRICE_SCALE),
            tick_size: U256::from(tick_size),
            lot_size: U256::from(lot_size),
            taker_fee_bps: 5,
            maker_fee_bps: 0,
            max_orders_per_batch: numo_stf::limits::DEFAULT_MAX_ORDERS_PER_BATCH,
            max_matches_per_order: numo_stf::limits::DEFAULT_MAX_MATCHES_PER_ORDER,
            max_balance: U256::from(10u64).pow(U256::from(36u64)),
        },
    };
    (
        vec![market(weth, "WETH", 10_000, 100_000_000_000_000), market(wbtc, "WBTC", 100_000_000_000_000, 10_000)],
        [weth, wbtc, usdc],
    )
}

/// A signed EIP-1559 transaction as a block entry.
fn evm_tx(secret: &SecretKey, nonce: u64, to: Option<Address>, value: U256, input: Vec<u8>, gas: u64) -> Entry {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: MAX_FEE,
        max_priority_fee_per_gas: TIP,
        to: to.map_or(TxKind::Create, TxKind::Call),
        value,
        access_list: Default::default(),
        input: Bytes::from(input),
    };
    let sig = sign_digest(secret, &tx.signature_hash()).0;
    let sig = AlloySignature::new(U256::from_be_slice(&sig[..32]), U256::from_be_slice(&sig[32..64]), sig[64] == 28);
    Entry::Evm(EvmEntry::new(TxEnvelope::from(tx.into_signed(sig)).encoded_2718()).expect("a valid EVM entry"))
}

/// `transfer(to, amount)` calldata.
fn erc20_transfer(to: Address, amount: U256) -> Vec<u8> {
    let mut data = keccak256("transfer(address,uint256)")[..4].to_vec();
    data.extend((to, amount).abi_encode_params());
    data
}

/// `TestToken(supply)`'s creation code: the fixture's bytecode and its constructor argument.
fn token_creation(supply: U256) -> Vec<u8> {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../../evm/tests/fixtures/fixtures.json")).expect("fixtures.json");
    let mut code =
        alloy_primitives::hex::decode(json["TestToken"]["bytecode"].as_str().expect("TestToken")).expect("hex");
    code.extend(supply.abi_encode());
    code
}

struct Sender {
    secret: SecretKey,
    address: Address,
    nonce: u64,
}

struct Bench {
    venue: Venue,
    state: FullState,
    tip: ChainTip,
    options: BlockOptions,
    pairs: Vec<PairGen>,
    deployer: Sender,
    senders: Vec<Sender>,
    token: Address,
    /// Rotates the recipients from window to window.
    round: usize,
}

impl Bench {
    fn new(options: BlockOptions) -> Self {
        let (markets, [weth, wbtc, usdc]) = dev_markets();
        let traders: Vec<Trader> = (0..TRADERS).map(|i| Trader::new(i, key("numo-bench-trader", i))).collect();
        let sender = |secret: SecretKey| Sender { secret, address: secret_key_address(&secret), nonce: 0 };
        let deployer = sender(key("numo-bench-deployer", 0));
        let senders: Vec<Sender> = (0..SENDERS).map(|i| sender(key("numo-bench-sender", i))).collect();

        // Dev funding: 1,000 WETH, 100 WBTC, 10,000,000 USDC per trader; 1,000 NUMO per EVM key.
        let pow = |d: u64| U256::from(10u64).pow(U256::from(d));
        let funds = [
            (weth, U256::from(1_000u64) * pow(18)),
            (wbtc, U256::from(100u64) * pow(8)),
            (usdc, U256::from(10_000_000u64) * pow(6)),
        ];
        let mut state = FullState::from_entries(traders.iter().flat_map(|t| {
            funds.iter().map(move |(asset, available)| {
                let value = Balance { available: *available, locked: U256::ZERO }.encode_canonical().expect("non-zero");
                (balance_key(&t.address, asset), value)
            })
        }));
        let alloc: Vec<GenesisAccount> = std::iter::once(&deployer)
            .chain(&senders)
            .map(|s| GenesisAccount {
                address: s.address,
                balance: U256::from(1_000u64) * pow(18),
                ..Default::default()
            })
            .collect();
        state.apply(alloc_writes(&alloc).expect("alloc"));
        state.apply(genesis_head_writes(state.root(), 0).1);

        let infos: Vec<MarketInfo> = markets
            .iter()
            .zip([300_000, 6_000_000])
            .map(|(m, mid)| MarketInfo { id: m.market_id, domain: m.domain_separator(), mid, lot: m.rules.lot_size })
            .collect();
        let pairs = numo_load::workload::pairs(&traders, &infos, |_, _| 0, 7, 1);
        assert_eq!(pairs.len(), ORDERS_PER_BLOCK, "one message per pair per block");
        let token = deployer.address.create(0);
        Self {
            tip: ChainTip::genesis(state.root()),
            venue: Venue::new(markets),
            state,
            options,
            pairs,
            deployer,
            senders,
            token,
            round: 0,
        }
    }

    /// The next block's orders, one per pair.
    fn orders(&mut self) -> Vec<Entry> {
        self.pairs.iter_mut().map(|p| Entry::clob(p.market().id, p.next_signed())).collect()
    }

    fn step(&mut self, entries: Vec<Entry>) -> (BlockOutput, Duration) {
        let height = self.tip.height + 1;
        let proposal = Proposal { height, timestamp_ms: T0 + height * BLOCK_MS, entries };
        let started = Instant::now();
        let out = execute_block(&self.venue, &mut self.state, &self.tip, &proposal, self.options).expect("a block");
        let took = started.elapsed();
        assert!(out.dropped.is_empty(), "height {height}: dropped {:?}", out.dropped);
        self.tip = out.tip;
        (out, took)
    }

    /// Window 1 deploys the token, window 2 gives each sender tokens (not measured).
    fn setup(&mut self) {
        let supply = U256::from(TOKENS_PER_SENDER) * U256::from(SENDERS) * U256::from(2u64);
        let deploy = vec![evm_tx(&self.deployer.secret, 0, None, U256::ZERO, token_creation(supply), 3_000_000)];
        self.deployer.nonce = 1;
        self.plain_window(deploy);
        let gifts: Vec<Entry> = (0..self.senders.len())
            .map(|i| {
                let nonce = self.deployer.nonce + i as u64;
                let data = erc20_transfer(self.senders[i].address, U256::from(TOKENS_PER_SENDER));
                evm_tx(&self.deployer.secret, nonce, Some(self.token), U256::ZERO, data, ERC20_GAS)
            })
            .collect();
        self.deployer.nonce += gifts.len() as u64;
        self.plain_window(gifts);
    }

    fn plain_window(&mut self, txs: Vec<Entry>) {
        let count = txs.len();
        for i in 1..=WINDOW {
            let mut entries = self.orders();
            if i == WINDOW {
                entries.extend(txs.clone());
            }
            let (out, _) = self.step(entries);
            if i == WINDOW {
                let executed = evm_successes(&out);
                assert_eq!(executed, count, "setup block at height {}", self.tip.height);
            }
        }
    }

    /// `k` signed transfers, senders round-robin, each to the sender after it (shifted each
    /// window), so every recipient already holds tokens or NUMO.
    fn transfers(&mut self, kind: Kind, k: usize) -> Vec<Entry> {
        let n = self.senders.len();
        self.round += 1;
        (0..k)
            .map(|i| {
                let to = self.senders[(i + 1 + self.round) % n].address;
                let sender = &mut self.senders[i % n];
                let nonce = sender.nonce;
                sender.nonce += 1;
                match kind {
                    Kind::Erc20 => evm_tx(
                        &sender.secret,
                        nonce,
                        Some(self.token),
                        U256::ZERO,
                        erc20_transfer(to, U256::from(1u64)),
                        ERC20_GAS,
                    ),
                    Kind::Value => evm_tx(&sender.secret, nonce, Some(to), U256::from(1u64), Vec::new(), VALUE_GAS),
                }
            })
            .collect()
    }

    fn window(&mut self, kind: Kind, k: usize) -> Window {
        // Everything signed before the clock starts.
        let blocks: Vec<Vec<Entry>> = (0..WINDOW).map(|_| self.orders()).collect();
        let txs = self.transfers(kind, k);
        let mut first_nine = Duration::ZERO;
        let mut blocks = blocks.into_iter();
        for _ in 1..WINDOW {
            first_nine += self.step(blocks.next().expect("ten blocks")).1;
        }
        let orders = blocks.next().expect("ten blocks");

        // The last height without the transactions, on a copy of the state.
        let mut copy = FullState::from_entries(self.state.entries().map(|(k, v)| (*k, v.clone())));
        let height = self.tip.height + 1;
        let proposal = Proposal { height, timestamp_ms: T0 + height * BLOCK_MS, entries: orders.clone() };
        let started = Instant::now();
        let without = execute_block(&self.venue, &mut copy, &self.tip, &proposal, self.options).expect("a block");
        let last_without = started.elapsed();
        assert_eq!(without.evm.len(), 1, "an empty EVM block at height {height}");
        drop(copy);

        let mut entries = orders;
        entries.extend(txs);
        let (out, last_with) = self.step(entries);
        assert_eq!(evm_successes(&out), k, "every transfer executed and succeeded at height {height}");
        let EvmBatchReport::Block(report) = &out.evm[0].report else { panic!("an EVM block") };
        Window {
            evm_height: height,
            first_nine,
            last_with,
            last_without,
            gas: report.executed.iter().map(|t| t.gas_used).sum(),
            witness_bytes: out.evm[0].witness.len(),
        }
    }
}

/// Transactions of the block's EVM block that executed successfully (none skipped).
fn evm_successes(out: &BlockOutput) -> usize {
    let [batch] = out.evm.as_slice() else { panic!("one EVM batch, got {}", out.evm.len()) };
    let EvmBatchReport::Block(report) = &batch.report else { panic!("an EVM block") };
    assert!(report.skipped.is_empty(), "skipped: {:?}", &report.skipped[..report.skipped.len().min(3)]);
    report.executed.iter().filter(|t| t.status == TxStatus::Success).count()
}

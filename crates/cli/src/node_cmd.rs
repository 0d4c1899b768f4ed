//! `numo node`: run an exchange node.

use anyhow::{Context, Result};
use clap::Args;
use numo_node::config::{NodeConfig, RunInfo, RunMode, VerifyMode, DEFAULT_BLOCK_INTERVAL_MS, SNAPSHOT_DIRTY_KEYS_MIN};
use numo_node::genesis::{dev_account, VenueGenesis, DEV_ACCOUNT_COUNT};
use numo_node::stream;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub(crate) struct NodeArgs {
    /// Use the built-in dev genesis (two markets, ten funded dev accounts, printed at start).
    #[arg(long)]
    dev: bool,
    /// With --dev: fund dev accounts 0..N (default 10, the default dev chain). More accounts
    /// let a load generator run many (account, market) pairs at once; the funded accounts are
    /// part of the genesis, so a data dir keeps the count it was created with.
    #[arg(long, requires = "dev", default_value_t = DEV_ACCOUNT_COUNT)]
    dev_accounts: u32,
    /// Genesis file (TOML); required without --dev or --home.
    #[arg(long, conflicts_with = "dev")]
    genesis: Option<PathBuf>,
    /// Run a node of a consensus venue from its home (written by `numo testnet init`): config,
    /// genesis with the validator set, keys and data dir all come from DIR (docs/CONSENSUS.md).
    #[arg(long, conflicts_with_all = ["dev", "genesis", "l1_rpc"])]
    home: Option<PathBuf>,
    /// HTTP listen address.
    #[arg(long, default_value = "127.0.0.1:8080")]
    http: SocketAddr,
    /// Ethereum JSON-RPC of the EVM (cast, forge, web3.py, viem): ADDR, or `off` to serve none.
    /// `--dev` and `--genesis` serve it on 127.0.0.1:9545 by default (anvil's 8545, the dev L1,
    /// stays free); `--home` nodes only when given an address, since a local testnet runs
    /// several nodes on one machine.
    #[arg(long, value_parser = parse_evm_rpc)]
    evm_rpc: Option<EvmRpc>,
    /// Data directory (redb).
    #[arg(long, default_value = "./numo-data")]
    data_dir: PathBuf,
    /// Exchange block interval in milliseconds.
    #[arg(long, default_value_t = DEFAULT_BLOCK_INTERVAL_MS)]
    block_interval_ms: u64,
    /// Background re-execution of batches by the guest: all, sample or off
    /// (default: all with --dev, sample otherwise).
    #[arg(long)]
    verify: Option<VerifyMode>,
    /// Write a tree snapshot once this many state keys changed since the last one (restarts
    /// then skip rehashing the whole state).
    #[arg(long, default_value_t = SNAPSHOT_DIRTY_KEYS_MIN)]
    snapshot_dirty_keys: usize,
    /// Prove committed batches with SP1 in the background: off or sp1 (needs a numo built
    /// with `--features sp1`; see docs/PROVING.md).
    #[arg(long, default_value = "off", value_parser = ["off", "sp1"])]
    prover: String,
    /// Proof kind of `--prover sp1`: core (~10 GB) or compressed (~18 GB).
    #[arg(long, default_value = "core", value_parser = ["core", "compressed"])]
    prover_mode: String,
    /// The SP1 program for `--prover sp1` (default: $NUMO_SP1_ELF or target/sp1/numo-sp1-batch.elf).
    #[arg(long)]
    sp1_elf: Option<PathBuf>,
    /// WebSocket: bytes of frames queued for one client before it is closed as a slow
    /// consumer (close code 4000); at least 4096.
    #[arg(long, default_value_t = stream::DEFAULT_QUEUE_BYTES as u64, value_parser = clap::value_parser!(u64).range(stream::MIN_QUEUE_BYTES as u64..))]
    ws_queue_bytes: u64,
    /// WebSocket: subscriptions one connection may hold; at least 1.
    #[arg(long, default_value_t = stream::DEFAULT_MAX_SUBSCRIPTIONS as u64, value_parser = clap::value_parser!(u64).range(1..))]
    ws_max_subscriptions: u64,
    /// WebSocket: milliseconds the node waits for a client it closes to take the close frame
    /// and answer it, before it drops the socket.
    #[arg(long, default_value_t = stream::DEFAULT_CLOSE_TIMEOUT_MS)]
    ws_close_timeout_ms: u64,
    /// JSON-RPC URL of the L1 that holds the bridge (docs/BRIDGE.md). With --dev, a dev L1
    /// (anvil, chain 31337; numo's dev venue is 7357) gets dev tokens and a bridge deployed on first start; the deployment
    /// is kept in the data dir.
    #[arg(long)]
    l1_rpc: Option<String>,
    /// L1 blocks on top of a deposit's block before it is credited.
    #[arg(long, default_value_t = 2)]
    l1_confirmations: u64,
    /// Milliseconds between settlements of epochs on L1.
    #[arg(long, default_value_t = 5_000)]
    settle_interval_ms: u64,
    /// The operator's L1 key (sends settlements, signs epochs), 0x hex; default with --dev:
    /// anvil's first account. Prefer the NUMO_L1_OPERATOR_KEY environment variable.
    #[arg(long, env = "NUMO_L1_OPERATOR_KEY", hide_env_values = true)]
    l1_operator_key: Option<String>,
}

impl NodeArgs {
    /// The WebSocket bounds these flags set.
    fn stream_limits(&self) -> stream::StreamLimits {
        stream::StreamLimits {
            queue_bytes: usize::try_from(self.ws_queue_bytes).unwrap_or(usize::MAX),
            max_subscriptions: usize::try_from(self.ws_max_subscriptions).unwrap_or(usize::MAX),
            close_timeout: std::time::Duration::from_millis(self.ws_close_timeout_ms),
            ..stream::StreamLimits::default()
        }
    }
}

/// The prover settings of `--prover sp1`, checked before the node starts.
fn prover_settings(args: &NodeArgs) -> Result<Option<numo_node::prover::ProverSettings>> {
    if args.prover == "off" {
        return Ok(None);
    }
    if !numo_prover::SP1_ENABLED {
        anyhow::bail!(numo_prover::ProverError::Sp1Disabled);
    }
    let path = args.sp1_elf.clone().unwrap_or_else(numo_prover::default_elf_path);
    let mode = if args.prover_mode == "compressed" {
        numo_prover::ProofMode::Compressed
    } else {
        numo_prover::ProofMode::Core
    };
    let elf = numo_prover::read_elf(&path)?;
    Ok(Some(numo_node::prover::ProverSettings { elf, mode, scratch: args.data_dir.join("proof.tmp") }))
}

/// The L1 settings of `--l1-rpc`, checked before the node starts.
fn l1_config(args: &NodeArgs) -> Result<Option<numo_node::l1::L1Config>> {
    let Some(rpc_url) = &args.l1_rpc else {
        return Ok(None);
    };
    let key = match (&args.l1_operator_key, args.dev) {
        (Some(key), _) => key.clone(),
        (None, true) => numo_l1::dev::DEV_KEYS[0].to_string(),
        (None, false) => anyhow::bail!("--l1-rpc needs the operator's key: --l1-operator-key or NUMO_L1_OPERATOR_KEY"),
    };
    let operator: numo_l1::PrivateKeySigner =
        key.trim().parse().map_err(|_| anyhow::anyhow!("the L1 operator key must be 0x + 64 hex digits"))?;
    let mint_to = if args.dev { numo_l1::dev::dev_addresses() } else { Vec::new() };
    Ok(Some(numo_node::l1::L1Config {
        rpc_url: rpc_url.clone(),
        confirmations: args.l1_confirmations,
        settle_interval: std::time::Duration::from_millis(args.settle_interval_ms.max(1)),
        operator,
        deploy_dev: args.dev,
        mint_to,
    }))
}

/// Where the EVM's JSON-RPC listens, if anywhere.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EvmRpc(Option<SocketAddr>);

impl EvmRpc {
    /// `DEFAULT_EVM_RPC_ADDR`, the single-node default.
    fn default_addr() -> Self {
        parse_evm_rpc(numo_node::limits::DEFAULT_EVM_RPC_ADDR).expect("the default address parses")
    }
}

fn parse_evm_rpc(text: &str) -> Result<EvmRpc, String> {
    if text == "off" {
        return Ok(EvmRpc(None));
    }
    text.parse().map(|addr| EvmRpc(Some(addr))).map_err(|e| format!("--evm-rpc takes ADDR:PORT or off: {e}"))
}

/// Binds and serves the EVM's JSON-RPC in the background, if it is on; its URL.
async fn serve_evm_rpc(node: &std::sync::Arc<numo_node::node::Node>, rpc: EvmRpc) -> Result<Option<String>> {
    let Some(addr) = rpc.0 else { return Ok(None) };
    let listener =
        tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding the EVM JSON-RPC {addr}"))?;
    let url = format!("http://{}", listener.local_addr()?);
    println!("EVM JSON-RPC on {url} (chain id {})", node.genesis.chain_id);
    let node = node.clone();
    tokio::spawn(async move {
        if let Err(error) = numo_node::evm_rpc::serve(node, listener).await {
            eprintln!("error: the EVM JSON-RPC stopped: {error}");
        }
    });
    Ok(Some(url))
}

/// Tells the node how it runs, for `GET /v1/info`.
fn set_run_info(node: &numo_node::node::Node, mode: RunMode, dev_accounts: u32, evm_rpc: Option<String>) {
    let _ = node.run_info.set(RunInfo { mode, dev_accounts, evm_rpc });
}

/// `numo node --home DIR`: a validator or follower of a consensus venue.
fn run_home(dir: &std::path::Path, args: &NodeArgs) -> Result<()> {
    let home = numo_node::home::Home::load(dir).with_context(|| format!("home {}", dir.display()))?;
    let verify = match args.verify {
        Some(mode) => mode,
        None => home.config.verify.parse().map_err(|e: String| anyhow::anyhow!(e))?,
    };
    let config = NodeConfig {
        http: home.config.http,
        data_dir: home.data_dir(),
        block_interval_ms: home.config.block_interval_ms,
        verify,
        snapshot_dirty_keys: args.snapshot_dirty_keys,
        signer_key: home.validator_key,
    };
    let role = if home.validator_key.is_some() { "validator" } else { "follower" };
    println!("numo {role} — home {}, genesis root {}", dir.display(), home.genesis.genesis_root());
    let stream_limits = args.stream_limits();
    let evm_rpc = args.evm_rpc.unwrap_or(EvmRpc(None));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    runtime.block_on(async move {
        let http = config.http;
        let node = numo_node::start_consensus(config, &home).await.context("starting the node")?;
        node.streams.set_limits(stream_limits);
        let evm_rpc = serve_evm_rpc(&node, evm_rpc).await?;
        set_run_info(&node, RunMode::Home, 0, evm_rpc);
        let listener = tokio::net::TcpListener::bind(http).await.with_context(|| format!("binding {http}"))?;
        println!("listening on http://{}", listener.local_addr()?);
        numo_node::serve(node, listener).await.context("serving HTTP")
    })
}

pub(crate) fn run(args: NodeArgs) -> ExitCode {
    match run_node(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn run_node(args: NodeArgs) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).with_target(false).init();
    if let Some(dir) = &args.home {
        return run_home(dir, &args);
    }
    let genesis = match (&args.genesis, args.dev) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            VenueGenesis::from_toml(&text).with_context(|| format!("genesis {}", path.display()))?
        }
        (None, true) => VenueGenesis::dev_with_accounts(args.dev_accounts),
        (None, false) => anyhow::bail!("pass --dev or --genesis FILE"),
    };
    let prover = prover_settings(&args)?;
    let l1 = l1_config(&args)?;
    let stream_limits = args.stream_limits();
    let verify = args.verify.unwrap_or(if args.dev { VerifyMode::All } else { VerifyMode::Sample });
    let config = NodeConfig {
        http: args.http,
        data_dir: args.data_dir.clone(),
        block_interval_ms: args.block_interval_ms,
        verify,
        snapshot_dirty_keys: args.snapshot_dirty_keys,
        signer_key: None,
    };
    if args.dev {
        println!("numo dev node — dev accounts (funded at genesis; never use these keys for real funds):");
        for i in 0..args.dev_accounts.min(DEV_ACCOUNT_COUNT) {
            let account = dev_account(i);
            println!(
                "  ({i}) {}  privateKey 0x{}",
                account.address,
                alloy_primitives::hex::encode(account.secret.to_secret_bytes())
            );
        }
        if args.dev_accounts > DEV_ACCOUNT_COUNT {
            println!(
                "  … and {} more: `numo dev accounts --count {}`",
                args.dev_accounts - DEV_ACCOUNT_COUNT,
                args.dev_accounts
            );
        }
    }
    println!("genesis root {}", genesis.genesis_root());
    println!("data dir {}", std::fs::canonicalize(&args.data_dir).unwrap_or(args.data_dir.clone()).display());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    runtime.block_on(async move {
        let node = numo_node::start(config, genesis).context("opening the node")?;
        node.streams.set_limits(stream_limits);
        if let Some(l1) = l1 {
            let rpc = l1.rpc_url.clone();
            numo_node::l1::start(node.clone(), l1).await.with_context(|| format!("linking to the L1 at {rpc}"))?;
            if let Some(link) = node.l1.get() {
                println!("L1 bridge {} on chain {} ({rpc})", link.deployment.bridge, link.deployment.l1_chain_id);
            }
        }
        if let Some(settings) = prover {
            numo_node::prover::start_prover(&node, settings);
        }
        let evm_rpc = serve_evm_rpc(&node, args.evm_rpc.unwrap_or_else(EvmRpc::default_addr)).await?;
        let (mode, dev_accounts) = if args.dev { (RunMode::Dev, args.dev_accounts) } else { (RunMode::Genesis, 0) };
        set_run_info(&node, mode, dev_accounts, evm_rpc);
        let listener =
            tokio::net::TcpListener::bind(args.http).await.with_context(|| format!("binding {}", args.http))?;
        println!("listening on http://{}", listener.local_addr()?);
        numo_node::serve(node, listener).await.context("serving HTTP")
    })
}

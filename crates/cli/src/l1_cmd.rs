//! `numo l1 deploy`: deploys a real venue's bridge (committee verifier + `NumoBridge`) for
//! existing ERC20 tokens and writes the genesis `[l1]` section that names it, so a node started
//! with that genesis and `--l1-rpc` links to it (docs/BRIDGE.md, "Real deployments").

use alloy_primitives::{Address, U256};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use numo_node::genesis::{GenesisL1, VenueGenesis};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum L1Command {
    /// Deploy the bridge of a venue genesis for existing tokens and name it in the genesis.
    Deploy(DeployArgs),
}

#[derive(Args)]
pub(crate) struct DeployArgs {
    /// The venue's genesis (TOML).
    #[arg(long)]
    genesis: PathBuf,
    /// The L1 JSON-RPC URL.
    #[arg(long, env = "NUMO_L1_RPC", default_value = "http://127.0.0.1:8545")]
    l1_rpc: String,
    /// The deployer's L1 key (owns the bridge), 0x hex; prefer the NUMO_L1_KEY variable.
    #[arg(long, env = "NUMO_L1_KEY", hide_env_values = true)]
    l1_key: String,
    /// Committee members who sign epochs (the validators), comma-separated addresses.
    #[arg(long, value_delimiter = ',', required = true)]
    committee: Vec<Address>,
    /// Signatures an epoch needs (k of the n members).
    #[arg(long)]
    threshold: u64,
    /// The ERC20 of an asset: SYMBOL=0xTOKEN, once per asset the bridge carries.
    #[arg(long = "token", required = true)]
    tokens: Vec<String>,
    /// Seconds of L1 time a forced withdrawal may wait before anyone may freeze the bridge.
    #[arg(long, default_value_t = 86_400)]
    forced_window_s: u64,
    /// Write the genesis with its `[l1]` section here (default: print the section).
    #[arg(long)]
    write_genesis: Option<PathBuf>,
}

pub(crate) fn run(command: L1Command) -> ExitCode {
    let L1Command::Deploy(args) = command;
    match deploy(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn deploy(args: &DeployArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.genesis).with_context(|| format!("reading {}", args.genesis.display()))?;
    let mut genesis = VenueGenesis::from_toml(&text).with_context(|| format!("genesis {}", args.genesis.display()))?;
    if genesis.l1.is_some() {
        bail!("{} already names a bridge ([l1]); remove the section to deploy another", args.genesis.display());
    }
    if args.threshold == 0 || args.threshold as usize > args.committee.len() {
        bail!("--threshold must be between 1 and the committee size ({})", args.committee.len());
    }
    let mut tokens = Vec::new();
    for pair in &args.tokens {
        let (symbol, token) =
            pair.split_once('=').with_context(|| format!("--token {pair}: expected SYMBOL=0xADDRESS"))?;
        let asset =
            genesis.asset(symbol).with_context(|| format!("--token {pair}: the genesis has no asset `{symbol}`"))?;
        let token: Address = token.parse().with_context(|| format!("--token {pair}: not an address"))?;
        tokens.push((asset.symbol.clone(), asset.asset_id, token));
    }
    let deployer: numo_l1::PrivateKeySigner =
        args.l1_key.trim().parse().map_err(|_| anyhow::anyhow!("--l1-key must be 0x + 64 hex digits"))?;
    let funding = genesis.funding_context().context("the genesis has no market, so no fundable asset")?;
    let params = numo_l1::BridgeParams {
        committee: args.committee.clone(),
        threshold: args.threshold,
        genesis_root: genesis.genesis_root(),
        funding_domain: funding.domain_separator(),
        forced_window: args.forced_window_s,
        tokens: tokens.clone(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let deployment = runtime
        .block_on(numo_l1::deploy_bridge(&args.l1_rpc, deployer, params))
        .with_context(|| format!("deploying on {}", args.l1_rpc))?;
    println!(
        "bridge {} (verifier {}) on L1 chain {}, block {}",
        deployment.bridge, deployment.verifier, deployment.l1_chain_id, deployment.deploy_block
    );
    // The bridge must hold the tokens behind every genesis balance before the venue opens.
    for (symbol, asset_id, token) in &tokens {
        let total = genesis
            .balances
            .iter()
            .filter(|b| b.asset_id == *asset_id)
            .fold(U256::ZERO, |sum, b| sum.saturating_add(b.available));
        if !total.is_zero() {
            println!("back the genesis: transfer {total} base units of {symbol} ({token}) to the bridge");
        }
    }
    genesis.l1 = Some(GenesisL1 {
        chain_id: deployment.l1_chain_id,
        bridge: deployment.bridge,
        verifier: deployment.verifier,
        deploy_block: deployment.deploy_block,
        tokens: deployment.tokens.clone(),
    });
    let written = genesis.to_toml();
    match &args.write_genesis {
        Some(path) => {
            std::fs::write(path, &written).with_context(|| format!("writing {}", path.display()))?;
            println!("genesis with its [l1] section written to {}", path.display());
        }
        None => {
            let section = written.split_once("[l1]").map_or(written.as_str(), |(_, rest)| rest);
            println!("add to the genesis:\n[l1]{section}");
        }
    }
    Ok(())
}

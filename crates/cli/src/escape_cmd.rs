//! `numo escape-proof`: after a freeze (F14), the proof an owner gives `NumoBridge.escape` — their
//! BAL leaf (available + locked) and its 256 siblings (C7) against the bridge's last settled root,
//! rebuilt by replaying a stopped node's data dir up to the block with that root.

use alloy_primitives::{hex, Address, B256};
use anyhow::{Context, Result};
use clap::Args;
use numo_node::genesis::VenueGenesis;
use numo_stf::keys::balance_key;
use numo_stf::values::{Balance, StateValue};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// `numo escape-proof` arguments.
#[derive(Args)]
pub(crate) struct EscapeProofArgs {
    /// A stopped node's data dir holding the chain up to the settled root.
    #[arg(long)]
    data_dir: PathBuf,
    /// The bridge's settled state root (`stateRoot()` on L1).
    #[arg(long)]
    root: B256,
    /// The balance's owner.
    #[arg(long)]
    owner: Address,
    /// Asset symbol (USDC) or 0x asset id.
    #[arg(long)]
    asset: String,
}

pub(crate) fn run(args: EscapeProofArgs) -> ExitCode {
    match proof(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn proof(args: &EscapeProofArgs) -> Result<()> {
    let (state, height) = numo_node::replay::state_at_root(&args.data_dir, args.root)
        .with_context(|| format!("rebuilding the state at {}", args.root))?;
    let asset_id = match args.asset.parse::<B256>() {
        Ok(id) => id,
        Err(_) => {
            let store = numo_node::store::Store::open(&args.data_dir)?;
            let genesis = VenueGenesis::from_toml(&store.genesis_toml()?.context("the data dir records no genesis")?)?;
            genesis.asset(&args.asset).with_context(|| format!("unknown asset `{}`", args.asset))?.asset_id
        }
    };
    let key = balance_key(&args.owner, &asset_id);
    let balance = Balance::decode(state.value(&key)).context("the stored balance is malformed")?;
    let siblings: Vec<B256> = state.prove(&key).to_bytes().chunks(32).map(B256::from_slice).collect();
    let data = numo_l1::user::escape_calldata(args.owner, asset_id, balance.available, balance.locked, &siblings);
    let answer = json!({
        "root": args.root, "height": height, "owner": args.owner, "assetId": asset_id,
        "available": balance.available.to_string(), "locked": balance.locked.to_string(),
        "siblings": siblings, "escapeCalldata": hex::encode_prefixed(data),
    });
    println!("{}", serde_json::to_string_pretty(&answer)?);
    Ok(())
}

//! `numo dev`: helpers for local development against the built-in dev venue.
//!
//! `numo dev accounts --json` prints the ten dev accounts as a JSON array of
//! `{"address": "0x…", "privateKey": "0x…"}` (lowercase hex, account 0 first). External tools
//! (scripts, load generators) parse it, so that shape is a contract. `--count N` lists the
//! first N (those `numo node --dev --dev-accounts N` funds).

use crate::units::format_units;
use alloy_primitives::hex;
use clap::Subcommand;
use numo_node::genesis::{dev_account, VenueGenesis, DEV_ACCOUNT_COUNT};
use serde_json::{json, Value};
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum DevCommand {
    /// List the deterministic dev accounts (funded by the dev genesis). Their keys are
    /// public: never use them with real funds.
    Accounts {
        /// Print a JSON array of {"address", "privateKey"} instead of a table.
        #[arg(long)]
        json: bool,
        /// How many (the dev node funds ten unless started with --dev-accounts N).
        #[arg(long, default_value_t = DEV_ACCOUNT_COUNT)]
        count: u32,
    },
}

pub(crate) fn run(command: DevCommand) -> ExitCode {
    match command {
        DevCommand::Accounts { json, count } => accounts(json, count),
    }
    ExitCode::SUCCESS
}

fn accounts(as_json: bool, count: u32) {
    let accounts: Vec<_> = (0..count).map(dev_account).collect();
    let rows: Vec<(String, String)> = accounts
        .iter()
        .map(|a| (hex::encode_prefixed(a.address), hex::encode_prefixed(a.secret.to_secret_bytes())))
        .collect();
    if as_json {
        let list: Vec<Value> =
            rows.iter().map(|(address, key)| json!({ "address": address, "privateKey": key })).collect();
        println!("{}", Value::Array(list));
        return;
    }
    let genesis = VenueGenesis::dev();
    let funding: Vec<String> = genesis
        .assets
        .iter()
        .filter_map(|asset| {
            let balance = genesis.balances.iter().find(|b| b.asset_id == asset.asset_id)?;
            Some(format!("{} {}", format_units(balance.available, u32::from(asset.decimals)), asset.symbol))
        })
        .collect();
    println!("dev accounts (chain {}, venue numo-dev), each funded with {}", genesis.chain_id, funding.join(", "));
    if count > DEV_ACCOUNT_COUNT {
        println!("accounts from {DEV_ACCOUNT_COUNT} on are funded only by `numo node --dev --dev-accounts {count}` (or more)");
    }
    println!("keys are public: never use them with real funds\n");
    println!("{:>2}  {:<42}  private key", "#", "address");
    for (i, (address, key)) in rows.iter().enumerate() {
        println!("{i:>2}  {address:<42}  {key}");
    }
}

//! `numo dev`: helpers for local development against the built-in dev venue.
//!
//! `numo dev accounts --json` prints the ten dev accounts as a JSON array of
//! `{"address": "0x…", "privateKey": "0x…"}` (lowercase hex, account 0 first). External tools
//! (scripts, load generators) parse it, so that shape is a contract.

use alloy_primitives::hex;
use clap::Subcommand;
use numo_node::genesis::{dev_accounts, VenueGenesis};
use serde_json::{json, Value};
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum DevCommand {
    /// List the ten deterministic dev accounts (funded by the dev genesis). Their keys are
    /// public: never use them with real funds.
    Accounts {
        /// Print a JSON array of {"address", "privateKey"} instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(command: DevCommand) -> ExitCode {
    match command {
        DevCommand::Accounts { json } => accounts(json),
    }
    ExitCode::SUCCESS
}

fn accounts(as_json: bool) {
    let accounts = dev_accounts();
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
            Some(format!("{} {}", format_units(&balance.available.to_string(), asset.decimals), asset.symbol))
        })
        .collect();
    println!("dev accounts (chain {}, venue numo-dev), each funded with {}", genesis.chain_id, funding.join(", "));
    println!("keys are public: never use them with real funds\n");
    println!("{:>2}  {:<42}  private key", "#", "address");
    for (i, (address, key)) in rows.iter().enumerate() {
        println!("{i:>2}  {address:<42}  {key}");
    }
}

/// `amount` smallest units as a decimal number of whole units (trailing zeros dropped).
fn format_units(amount: &str, decimals: u8) -> String {
    let decimals = usize::from(decimals);
    let padded = format!("{amount:0>width$}", width = decimals + 1);
    let (whole, fraction) = padded.split_at(padded.len() - decimals);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    }
}

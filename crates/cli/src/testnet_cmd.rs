//! `numo testnet init`: the homes of a local multi-validator testnet (docs/CONSENSUS.md).

use anyhow::{Context, Result};
use clap::Subcommand;
use numo_node::genesis::VenueGenesis;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum TestnetCommand {
    /// Write one home per node (keys, the dev genesis with the validator set, a config with
    /// free 127.0.0.1 ports) and DIR/testnet.json; run each with `numo node --home DIR/v0`.
    Init {
        /// Validators (n = 3f + 1 tolerates f faulty ones).
        #[arg(long, default_value_t = 4)]
        validators: usize,
        /// Followers: non-voting nodes that serve the API and forward submissions.
        #[arg(long, default_value_t = 0)]
        followers: usize,
        /// Directory to write (must not hold a testnet yet).
        #[arg(long)]
        out: PathBuf,
        /// Fund dev accounts 0..N in the genesis (default 10, the dev venue's); a load generator
        /// needs many (account, market) pairs (`numo load --accounts N`).
        #[arg(long, default_value_t = numo_node::genesis::DEV_ACCOUNT_COUNT)]
        dev_accounts: u32,
    },
}

pub(crate) fn run(command: TestnetCommand) -> ExitCode {
    match init(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn init(command: TestnetCommand) -> Result<()> {
    let TestnetCommand::Init { validators, followers, out, dev_accounts } = command;
    let genesis = VenueGenesis::dev_with_accounts(dev_accounts);
    let testnet = numo_node::home::init_testnet(&out, genesis, validators, followers)
        .with_context(|| format!("writing a testnet to {}", out.display()))?;
    for node in testnet.validators.iter().chain(&testnet.followers) {
        let role = node.address.map_or("follower".to_string(), |a| format!("validator {a}"));
        println!("{}  http://{}  {role}", node.home.display(), node.http);
    }
    println!("wrote {}", out.join("testnet.json").display());
    Ok(())
}

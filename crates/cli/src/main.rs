//! `numo`: run a node, trade on it (keys, orders, book, account, trades, batches), load it,
//! verify it, and run and inspect guest inputs offline.
//!
//! Exit codes of `numo guest run` are a contract used by conformance tooling: 0 with the
//! PublicInputs as one `0x` hex line on stdout; 1 with `invalid: <reason>` on stderr when the
//! batch is invalid (C11); 2 for anything else (unreadable file, bad arguments). With `--json`
//! it prints exactly one JSON object on stdout instead: `{"publicInputs", "touchedKeysDigest",
//! "touchedKeyCount"}` (exit 0) or `{"invalid": <BatchError code>, "message"}` (exit 1). The JSON
//! printed by `numo dev accounts --json` (`[{"address", "privateKey"}]`, lowercase hex) is a
//! contract too.

mod batch_cmd;
mod client;
mod dev_cmd;
mod escape_cmd;
mod failure;
mod funding_cmd;
mod guest_cmd;
mod key_cmd;
mod l1_cmd;
mod load_cmd;
mod node_cmd;
mod order_cmd;
mod prove_cmd;
mod receipt_check;
mod render;
mod replay_cmd;
mod testnet_cmd;
mod transfer_cmd;
mod units;
mod verify_cmd;
mod view_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "numo", version, about = "numo: a verifiable spot CLOB (NUMO SPOT CLOB V1)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run or inspect a guest input blob (C22).
    Guest {
        #[command(subcommand)]
        command: guest_cmd::GuestCommand,
    },
    /// Run an exchange node (HTTP API, 100 ms blocks, durable storage).
    Node(node_cmd::NodeArgs),
    /// Show a node's batch (`numo batch SEQ`: PublicInputs, roots, messages, outcomes,
    /// verification), or build guest inputs offline (`numo batch build`).
    #[command(args_conflicts_with_subcommands = true)]
    Batch {
        #[command(subcommand)]
        command: Option<batch_cmd::BatchCommand>,
        /// Batch sequence number to show.
        seq: Option<u64>,
        #[command(flatten)]
        node: client::NodeOpts,
    },
    /// Keys: `numo key new` generates one.
    Key {
        #[command(subcommand)]
        command: key_cmd::KeyCommand,
    },
    /// Sign and submit orders: `numo order place`, `numo order cancel`.
    Order {
        #[command(subcommand)]
        command: order_cmd::OrderCommand,
    },
    /// A market's order book: depth table in human units, ticks and lots.
    Book(view_cmd::BookArgs),
    /// An account's balances, open orders and nonces.
    Account(view_cmd::AccountArgs),
    /// A market's recent trades.
    Trades(view_cmd::TradesArgs),
    /// Open-loop load generator: pre-signed realistic order flow at a fixed rate, with a
    /// latency and outcome report.
    Load(load_cmd::LoadArgs),
    /// Independently re-execute every batch a node serves and check the chain of roots;
    /// exit 1 with a fraud alert on any disagreement.
    Verify(verify_cmd::VerifyArgs),
    /// Re-execute a stopped node's chain from genesis with the block function and check every
    /// header, PublicInputs and the final root; exit 1 naming the first block that differs.
    Replay(replay_cmd::ReplayArgs),
    /// After a freeze of the bridge: the proof of a balance against its last settled root, and
    /// the ready `escape` calldata (replays a stopped node's data dir).
    EscapeProof(escape_cmd::EscapeProofArgs),
    /// The venue's L1 bridge: `numo l1 deploy` for a real venue (docs/BRIDGE.md).
    L1 {
        #[command(subcommand)]
        command: l1_cmd::L1Command,
    },
    /// Prove a batch with SP1 (or only execute it in the zkVM); needs a build with `--features sp1`.
    Prove(prove_cmd::ProveArgs),
    /// Verify SP1 proofs and print the program's verifying key.
    Proof {
        #[command(subcommand)]
        command: prove_cmd::ProofCommand,
    },
    /// Deposit tokens from L1 into a numo account: approve and deposit on the bridge (`--wait`
    /// until the node has credited it).
    Deposit(funding_cmd::DepositArgs),
    /// Withdraw to L1: sign a withdrawal and submit it (its id is printed); `numo withdraw claim
    /// --id N` pays it out on L1 once its batch is settled.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Withdraw {
        #[command(subcommand)]
        command: Option<funding_cmd::WithdrawCommand>,
        #[command(flatten)]
        args: funding_cmd::WithdrawArgs,
    },
    /// Move an exchange balance to another numo address, a contract's included: sign a transfer
    /// and submit it (both balances move when its block commits; nothing happens on L1).
    Transfer(transfer_cmd::TransferArgs),
    /// List withdrawals (and deposit refunds, forced withdrawals) with their status.
    Withdrawals(funding_cmd::ListArgs),
    /// List the deposits the node has executed (credited or refunded).
    Deposits(funding_cmd::ListArgs),
    /// A local multi-validator testnet: `numo testnet init --validators 4 --out DIR`.
    Testnet {
        #[command(subcommand)]
        command: testnet_cmd::TestnetCommand,
    },
    /// Local development helpers (dev accounts of the built-in dev venue).
    Dev {
        #[command(subcommand)]
        command: dev_cmd::DevCommand,
    },
}

/// sp1-sdk's prover settings that fit this project's 2-core, 24 GB machines (docs/PROVING.md):
/// one core worker and small shards keep a core proof near 10.7 GB instead of past 16 GB, and
/// one worker per recursion stage (sp1-sdk runs up to eight recursion provers) kept a
/// compressed proof at 18.5 GB. An operator's own values win.
const SP1_LOW_MEMORY_DEFAULTS: [(&str, &str); 15] = [
    ("SP1_WORKER_NUM_CORE_WORKERS", "1"),
    ("SP1_WORKER_CORE_BUFFER_SIZE", "1"),
    ("SP1_WORKER_NUM_SPLICING_WORKERS", "1"),
    ("SP1_WORKER_SPLICING_BUFFER_SIZE", "1"),
    ("ELEMENT_THRESHOLD", "33554432"),
    ("SP1_WORKER_NUM_RECURSION_PROVER_WORKERS", "1"),
    ("SP1_WORKER_RECURSION_PROVER_BUFFER_SIZE", "1"),
    ("SP1_WORKER_NUM_RECURSION_EXECUTOR_WORKERS", "1"),
    ("SP1_WORKER_RECURSION_EXECUTOR_BUFFER_SIZE", "1"),
    ("SP1_WORKER_NUM_PREPARE_REDUCE_WORKERS", "1"),
    ("SP1_WORKER_PREPARE_REDUCE_BUFFER_SIZE", "1"),
    ("SP1_WORKER_NUM_DEFERRED_WORKERS", "1"),
    ("SP1_WORKER_DEFERRED_BUFFER_SIZE", "1"),
    ("SP1_WORKER_NUM_SETUP_WORKERS", "1"),
    ("SP1_WORKER_SETUP_BUFFER_SIZE", "1"),
];

/// Rust starts programs with SIGPIPE ignored, so writing to a closed pipe (`numo book … | head`)
/// makes `println!` panic with a backtrace. A command-line tool should end quietly instead, as
/// `cat` does: restore the default action, under which the write ends the process. (Sockets
/// are unaffected: std sends with `MSG_NOSIGNAL`.)
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called from `main` before any other thread exists (argument parsing starts none);
    // SIG_DFL is a valid action for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    // Still one thread here, so setting the environment races with nothing.
    for (name, value) in SP1_LOW_MEMORY_DEFAULTS {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    // Not for the long-running node or prover: a log reader that goes away must not end them.
    if !matches!(cli.command, Command::Node(_) | Command::Prove(_)) {
        restore_default_sigpipe();
    }
    match cli.command {
        Command::Guest { command } => guest_cmd::run(command),
        Command::Batch { command: Some(command), .. } => batch_cmd::run(command),
        Command::Batch { command: None, seq: Some(seq), node } => {
            view_cmd::batch(view_cmd::BatchShowArgs { node, seq })
        }
        Command::Batch { command: None, seq: None, .. } => {
            eprintln!("error: give a batch number (numo batch SEQ) or a subcommand (numo batch build …)");
            ExitCode::from(2)
        }
        Command::Key { command } => key_cmd::run(command),
        Command::Order { command } => order_cmd::run(command),
        Command::Book(args) => view_cmd::book(args),
        Command::Account(args) => view_cmd::account(args),
        Command::Trades(args) => view_cmd::trades(args),
        Command::Load(args) => load_cmd::run(args),
        Command::Node(args) => node_cmd::run(args),
        Command::Dev { command } => dev_cmd::run(command),
        Command::Testnet { command } => testnet_cmd::run(command),
        Command::Deposit(args) => funding_cmd::deposit(args),
        Command::Withdraw { command, args } => funding_cmd::withdraw(command, args),
        Command::Transfer(args) => transfer_cmd::transfer(args),
        Command::Withdrawals(args) => funding_cmd::withdrawals(args),
        Command::Deposits(args) => funding_cmd::deposits(args),
        Command::Verify(args) => verify_cmd::run(args),
        Command::Replay(args) => replay_cmd::run(args),
        Command::EscapeProof(args) => escape_cmd::run(args),
        Command::L1 { command } => l1_cmd::run(command),
        Command::Prove(args) => prove_cmd::run_prove(args),
        Command::Proof { command } => prove_cmd::run_proof(command),
    }
}

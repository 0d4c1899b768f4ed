//! `numo`: run and inspect guest inputs, build batches from JSON, and list dev accounts.
//!
//! Exit codes of `numo guest run` are a contract used by conformance tooling: 0 with the
//! PublicInputs as one `0x` hex line on stdout; 1 with `invalid: <reason>` on stderr when the
//! batch is invalid (C11); 2 for anything else (unreadable file, bad arguments). The JSON printed
//! by `numo dev accounts --json` (`[{"address", "privateKey"}]`, lowercase hex) is a contract too.

mod batch_cmd;
mod dev_cmd;
mod guest_cmd;
mod node_cmd;
mod prove_cmd;
mod render;
mod verify_cmd;

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
    /// Build guest inputs from a genesis file and messages.
    Batch {
        #[command(subcommand)]
        command: batch_cmd::BatchCommand,
    },
    /// Independently re-execute every batch a node serves and check the chain of roots;
    /// exit 1 with a fraud alert on any disagreement.
    Verify(verify_cmd::VerifyArgs),
    /// Prove a batch with SP1 (or only execute it in the zkVM); needs a build with `--features sp1`.
    Prove(prove_cmd::ProveArgs),
    /// Verify SP1 proofs and print the program's verifying key.
    Proof {
        #[command(subcommand)]
        command: prove_cmd::ProofCommand,
    },
    /// Local development helpers (dev accounts of the built-in dev venue).
    Dev {
        #[command(subcommand)]
        command: dev_cmd::DevCommand,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match cli.command {
        Command::Guest { command } => guest_cmd::run(command),
        Command::Batch { command } => batch_cmd::run(command),
        Command::Node(args) => node_cmd::run(args),
        Command::Dev { command } => dev_cmd::run(command),
        Command::Verify(args) => verify_cmd::run(args),
        Command::Prove(args) => prove_cmd::run_prove(args),
        Command::Proof { command } => prove_cmd::run_proof(command),
    }
}

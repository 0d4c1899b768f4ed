//! `numo replay --data-dir DIR`: re-executes a stopped node's chain from its recorded genesis
//! with the block function and checks every header, every batch's PublicInputs and the final
//! root (`numo_node::replay`). Exit 0 with a one-line summary when everything matches; exit 1
//! naming the first block that differs; exit 2 when the data dir cannot be read.

use clap::Args;
use numo_node::replay::{replay, ReplayError};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// `numo replay` arguments.
#[derive(Args)]
pub(crate) struct ReplayArgs {
    /// The node's data dir (the node must be stopped).
    #[arg(long)]
    data_dir: PathBuf,
}

/// Runs the replay and prints its verdict.
pub(crate) fn run(args: ReplayArgs) -> ExitCode {
    let started = Instant::now();
    match replay(&args.data_dir) {
        Ok(summary) => {
            println!(
                "replayed {} blocks ({} batches, {} entries) from genesis in {:.1} s: every header and PublicInputs match, final root {}",
                summary.blocks,
                summary.batches,
                summary.entries,
                started.elapsed().as_secs_f64(),
                summary.final_root
            );
            ExitCode::SUCCESS
        }
        Err(error @ (ReplayError::Differs { .. } | ReplayError::Refused { .. } | ReplayError::Missing { .. })) => {
            println!("replay failed: {error}");
            ExitCode::from(1)
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

//! `numo prove` and `numo proof verify|vk`: SP1 proofs of batches (docs/PROVING.md).
//!
//! Same exit-code contract as `numo guest run`: 0 on success; 1 with `invalid: <reason>` when the
//! batch is invalid (the program fails, so no proof can exist) or a proof does not verify or
//! does not match its input; 2 for anything else (unreadable files, a build without `sp1`).

use crate::guest_cmd::{read_blob, KindArg};
use alloy_primitives::hex;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use numo_prover::{BatchKind, ProofMode, ProverError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// SP1 run modes of `numo prove`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ModeArg {
    /// Execute only: print the public values, cycles and precompile calls; no proof.
    Execute,
    /// A core (per-shard STARK) proof: ~10 GB of memory.
    Core,
    /// A compressed (recursively folded, constant-size) proof: ~18 GB of memory.
    Compressed,
}

#[derive(Args)]
pub(crate) struct ProveArgs {
    /// Guest input blob (C22; F12 with `--kind funding`; E11 with `--kind evm`): file, raw or
    /// 0x-hex; `-` reads stdin.
    #[arg(long)]
    input: String,
    /// The blob's kind, given to the program before it (F12): trading, funding or evm.
    #[arg(long, value_enum, default_value_t = KindArg::Trading)]
    kind: KindArg,
    /// What to do with it.
    #[arg(long, value_enum, default_value_t = ModeArg::Execute)]
    mode: ModeArg,
    /// Where to write the proof (core and compressed modes).
    #[arg(long, required_if_eq_any([("mode", "core"), ("mode", "compressed")]))]
    out: Option<PathBuf>,
    /// The SP1 program (default: $NUMO_SP1_ELF or target/sp1/numo-sp1-batch.elf).
    #[arg(long)]
    elf: Option<PathBuf>,
}

#[derive(Subcommand)]
pub(crate) enum ProofCommand {
    /// Verify a proof against the program's verifying key; with --input, also check that its
    /// public values equal what the native guest computes for that blob.
    Verify {
        /// The proof file written by `numo prove`.
        #[arg(long)]
        proof: PathBuf,
        /// The blob the proof claims to be about.
        #[arg(long)]
        input: Option<String>,
        /// The kind of that blob: trading, funding or evm.
        #[arg(long, value_enum, default_value_t = KindArg::Trading)]
        kind: KindArg,
        /// The SP1 program (default: $NUMO_SP1_ELF or target/sp1/numo-sp1-batch.elf).
        #[arg(long)]
        elf: Option<PathBuf>,
    },
    /// Print the program's verifying-key hash (0x + 32 bytes).
    Vk {
        /// The SP1 program (default: $NUMO_SP1_ELF or target/sp1/numo-sp1-batch.elf).
        #[arg(long)]
        elf: Option<PathBuf>,
    },
}

/// An outcome with its exit code: `Invalid` is exit 1, errors are exit 2.
enum Outcome {
    Done,
    Invalid(String),
}

pub(crate) fn run_prove(args: ProveArgs) -> ExitCode {
    init_logging();
    finish(prove(&args))
}

pub(crate) fn run_proof(command: ProofCommand) -> ExitCode {
    init_logging();
    finish(match command {
        ProofCommand::Verify { proof, input, kind, elf } => verify(&proof, input.as_deref(), kind.into(), elf),
        ProofCommand::Vk { elf } => load_elf(elf).and_then(|elf| {
            println!("{}", numo_prover::verifying_key_hash(&elf)?);
            Ok(Outcome::Done)
        }),
    })
}

/// SP1's progress logs on stderr, at `RUST_LOG` level (`RUST_LOG=info` shows shards and phases).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_writer(std::io::stderr).try_init();
}

fn finish(outcome: Result<Outcome>) -> ExitCode {
    match outcome {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Invalid(reason)) => {
            eprintln!("invalid: {reason}");
            ExitCode::from(1)
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn load_elf(elf: Option<PathBuf>) -> Result<Vec<u8>> {
    if !numo_prover::SP1_ENABLED {
        bail!(ProverError::Sp1Disabled);
    }
    let path = elf.unwrap_or_else(numo_prover::default_elf_path);
    Ok(numo_prover::read_elf(&path)?)
}

fn prove(args: &ProveArgs) -> Result<Outcome> {
    let elf = load_elf(args.elf.clone())?;
    let blob = read_blob(&args.input)?;
    let kind = BatchKind::from(args.kind);
    let started = Instant::now();
    let mode = match args.mode {
        ModeArg::Execute => return execute(&elf, kind, &blob),
        ModeArg::Core => ProofMode::Core,
        ModeArg::Compressed => ProofMode::Compressed,
    };
    let out = args.out.as_deref().context("--out is required to prove")?;
    let summary = match numo_prover::prove_kind(&elf, kind, &blob, mode, out) {
        Ok(summary) => summary,
        Err(ProverError::ProgramFailed(failure)) => return Ok(program_failed(kind, &blob, &failure)),
        Err(error) => return Err(error.into()),
    };
    println!("{}", hex::encode_prefixed(&summary.public_values));
    println!("mode: {}", summary.mode);
    println!("proof: {}", out.display());
    println!("proof bytes: {}", std::fs::metadata(out).map(|meta| meta.len()).unwrap_or(0));
    println!("vk: {}", summary.vk_hash);
    println!("wall seconds: {:.1}", started.elapsed().as_secs_f64());
    Ok(Outcome::Done)
}

fn execute(elf: &[u8], kind: BatchKind, blob: &[u8]) -> Result<Outcome> {
    let started = Instant::now();
    let execution = match numo_prover::execute_kind(elf, kind, blob) {
        Ok(execution) => execution,
        Err(ProverError::ProgramFailed(failure)) => return Ok(program_failed(kind, blob, &failure)),
        Err(error) => return Err(error.into()),
    };
    println!("{}", hex::encode_prefixed(&execution.public_values));
    println!("cycles: {}", execution.cycles);
    println!("keccak permutations: {}", execution.keccak_calls());
    println!("secp256k1 add+double: {}", execution.secp256k1_calls());
    println!("uint256 mulmod: {}", execution.uint256_mul_calls());
    for (name, count) in &execution.syscalls {
        println!("syscall {name}: {count}");
    }
    for (name, cycles) in &execution.cycle_regions {
        println!("region {name}: {cycles}");
    }
    println!("wall seconds: {:.1}", started.elapsed().as_secs_f64());
    Ok(Outcome::Done)
}

/// The program failed: invalid if the native guest agrees the batch is invalid, else a bug.
fn program_failed(kind: BatchKind, blob: &[u8], failure: &str) -> Outcome {
    match numo_prover::native_public_inputs_kind(kind, blob) {
        Err(reason) => Outcome::Invalid(format!("{reason} (the SP1 program failed: {failure})")),
        Ok(_) => Outcome::Invalid(format!("the SP1 program failed on a batch the native guest accepts: {failure}")),
    }
}

fn verify(proof: &Path, input: Option<&str>, kind: BatchKind, elf: Option<PathBuf>) -> Result<Outcome> {
    let elf = load_elf(elf)?;
    let verified = match numo_prover::verify(&elf, proof) {
        Ok(verified) => verified,
        Err(rejected @ ProverError::ProofRejected(_)) => return Ok(Outcome::Invalid(rejected.to_string())),
        Err(error) => return Err(error.into()),
    };
    println!("{}", hex::encode_prefixed(&verified.public_values));
    println!("mode: {}", verified.mode);
    println!("vk: {}", verified.vk_hash);
    if let Some(input) = input {
        let blob = read_blob(input)?;
        let expected = match numo_prover::native_public_inputs_kind(kind, &blob) {
            Ok(expected) => expected,
            Err(reason) => return Ok(Outcome::Invalid(format!("the input batch is invalid: {reason}"))),
        };
        if expected != verified.public_values {
            return Ok(Outcome::Invalid(format!(
                "the proof commits {}, the native guest computes {}",
                hex::encode_prefixed(&verified.public_values),
                hex::encode_prefixed(&expected)
            )));
        }
        println!("public values match the native guest");
    }
    println!("verified");
    Ok(Outcome::Done)
}

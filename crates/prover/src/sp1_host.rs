//! The real SP1 host (feature `sp1`): `sp1-sdk`'s blocking CPU prover.
//!
//! Execution and verification use the light prover (no proving keys in memory); proving sets
//! up the CPU prover, which needs ~10 GB for a core proof and ~18 GB for a compressed one.

use crate::{BatchKind, Execution, ProofMode, ProofSummary, ProverError, VerifiedProof};
use sp1_sdk::blocking::{CpuProver, LightProver, ProveRequest, Prover};
use sp1_sdk::{Elf, HashableKey, ProvingKey, SP1ProofWithPublicValues, SP1Stdin};
use std::collections::BTreeMap;
use std::path::Path;

/// The program's input (F12): `U8 kind` as a one-byte `read_vec` buffer, then the blob as a
/// second buffer (`programs/sp1-batch/src/main.rs` reads them in this order).
fn stdin_of(kind: BatchKind, blob: &[u8]) -> SP1Stdin {
    let mut stdin = SP1Stdin::new();
    stdin.write_vec(vec![kind as u8]);
    stdin.write_vec(blob.to_vec());
    stdin
}

fn sp1_error(context: &str) -> impl Fn(&dyn std::fmt::Display) -> ProverError + '_ {
    move |error| ProverError::Sp1(format!("{context}: {error}"))
}

/// Executes the program on a trading `blob`: [`execute_kind`] with [`BatchKind::Trading`].
pub fn execute(elf: &[u8], blob: &[u8]) -> Result<Execution, ProverError> {
    execute_kind(elf, BatchKind::Trading, blob)
}

/// Executes the program on `blob` of `kind` without proving: public values, cycles, precompile
/// calls. A batch-invalid blob makes the program panic: [`ProverError::ProgramFailed`].
pub fn execute_kind(elf: &[u8], kind: BatchKind, blob: &[u8]) -> Result<Execution, ProverError> {
    let prover = LightProver::new();
    let (public_values, report) = prover
        .execute(Elf::from(elf), stdin_of(kind, blob))
        .run()
        .map_err(|error| ProverError::ProgramFailed(error.to_string()))?;
    if report.exit_code != 0 {
        return Err(ProverError::ProgramFailed(format!("exit code {}", report.exit_code)));
    }
    let syscalls: BTreeMap<String, u64> = report
        .syscall_counts
        .iter()
        .filter(|(_, count)| **count > 0)
        .map(|(code, count)| (format!("{code:?}"), *count))
        .collect();
    let cycle_regions = report.cycle_tracker.iter().map(|(name, cycles)| (name.clone(), *cycles)).collect();
    Ok(Execution {
        public_values: public_values.to_vec(),
        cycles: report.total_instruction_count(),
        syscalls,
        cycle_regions,
    })
}

/// Proves the program on a trading `blob`: [`prove_kind`] with [`BatchKind::Trading`].
pub fn prove(elf: &[u8], blob: &[u8], mode: ProofMode, out: &Path) -> Result<ProofSummary, ProverError> {
    prove_kind(elf, BatchKind::Trading, blob, mode, out)
}

/// Proves the program on `blob` of `kind` in `mode` and saves the proof (bincode, sp1-sdk's
/// format) to `out`.
pub fn prove_kind(
    elf: &[u8],
    kind: BatchKind,
    blob: &[u8],
    mode: ProofMode,
    out: &Path,
) -> Result<ProofSummary, ProverError> {
    let prover = CpuProver::new();
    let key = prover.setup(Elf::from(elf)).map_err(|error| sp1_error("setup")(&error))?;
    let request = prover.prove(&key, stdin_of(kind, blob));
    let request = match mode {
        ProofMode::Core => request.core(),
        ProofMode::Compressed => request.compressed(),
    };
    let proof = request.run().map_err(|error| ProverError::ProgramFailed(error.to_string()))?;
    proof.save(out).map_err(|error| sp1_error("saving the proof")(&error))?;
    Ok(ProofSummary { mode, public_values: proof.public_values.to_vec(), vk_hash: key.verifying_key().bytes32() })
}

/// Verifies the proof at `path` against the verifying key of `elf`.
pub fn verify(elf: &[u8], path: &Path) -> Result<VerifiedProof, ProverError> {
    let proof = SP1ProofWithPublicValues::load(path).map_err(|error| sp1_error("loading the proof")(&error))?;
    let prover = LightProver::new();
    let key = prover.setup(Elf::from(elf)).map_err(|error| sp1_error("setup")(&error))?;
    prover.verify(&proof, key.verifying_key(), None).map_err(|error| ProverError::ProofRejected(error.to_string()))?;
    Ok(VerifiedProof {
        mode: proof.proof.to_string().to_lowercase(),
        public_values: proof.public_values.to_vec(),
        vk_hash: key.verifying_key().bytes32(),
    })
}

/// The program's verifying-key hash (`0x` + 32 bytes), what a verifier pins.
pub fn verifying_key_hash(elf: &[u8]) -> Result<String, ProverError> {
    let prover = LightProver::new();
    let key = prover.setup(Elf::from(elf)).map_err(|error| sp1_error("setup")(&error))?;
    Ok(key.verifying_key().bytes32())
}

//! Proves NUMO batches with SP1: executes, proves and verifies the `programs/sp1-batch` ELF.
//!
//! The SP1 host (`sp1-sdk`) takes about 25 minutes to compile on two cores, so it sits behind
//! the cargo feature `sp1`. Without it this crate keeps the same API and every SP1 operation
//! returns [`ProverError::Sp1Disabled`], which says how to rebuild; ordinary workspace builds
//! stay fast. Start here:
//! - [`execute_kind`]: run the program on a blob of a [`BatchKind`] (a trading C22 blob or a
//!   funding F12 blob), get its public values, cycles and precompile calls (no proof);
//!   [`execute`] for a trading blob;
//! - [`prove_kind`] / [`prove`]: a core or compressed proof, saved to a file;
//! - [`verify`]: check a proof file against the program's verifying key;
//! - [`native_public_inputs_kind`] / [`native_public_inputs`]: what the native guest commits,
//!   to compare with any of the above.
//!
//! The ELF is loaded at run time ([`default_elf_path`], built by `scripts/build-sp1-program.sh`),
//! so the host and the program build independently.

use std::path::PathBuf;

#[cfg(feature = "sp1")]
mod sp1_host;
#[cfg(feature = "sp1")]
pub use sp1_host::{execute, execute_kind, prove, prove_kind, verify, verifying_key_hash};

#[cfg(not(feature = "sp1"))]
mod without_sp1;
#[cfg(not(feature = "sp1"))]
pub use without_sp1::{execute, execute_kind, prove, prove_kind, verify, verifying_key_hash};

pub use numo_guest::kind::{AnyBatchError, BatchKind};

/// Whether this build has the SP1 host (cargo feature `sp1`).
pub const SP1_ENABLED: bool = cfg!(feature = "sp1");

/// Where `scripts/build-sp1-program.sh` writes the program, relative to the repository root.
pub const DEFAULT_ELF_PATH: &str = "target/sp1/numo-sp1-batch.elf";
/// Environment variable that overrides [`DEFAULT_ELF_PATH`].
pub const ELF_PATH_ENV: &str = "NUMO_SP1_ELF";

/// The ELF to use when none is given: `$NUMO_SP1_ELF`, else [`DEFAULT_ELF_PATH`].
pub fn default_elf_path() -> PathBuf {
    std::env::var_os(ELF_PATH_ENV).map_or_else(|| PathBuf::from(DEFAULT_ELF_PATH), PathBuf::from)
}

/// Which SP1 proof to produce. Groth16/PLONK wrapping needs Docker or Go (docs/PROVING.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofMode {
    /// One STARK per shard: the cheapest real proof, size grows with cycles.
    Core,
    /// Core proofs recursively folded into one constant-size proof.
    Compressed,
}

impl std::fmt::Display for ProofMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ProofMode::Core => "core",
            ProofMode::Compressed => "compressed",
        })
    }
}

/// What an SP1 execution of the program reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    /// The bytes the program committed: the 272-byte PublicInputs of a trading batch or the
    /// 400-byte funding public inputs (F11).
    pub public_values: Vec<u8>,
    /// RISC-V instructions executed.
    pub cycles: u64,
    /// Calls of each syscall the program made (precompiles and I/O), by SP1's name, non-zero only.
    pub syscalls: std::collections::BTreeMap<String, u64>,
    /// Cycles inside each `cycle-tracker-report` region the program marked, by name.
    pub cycle_regions: std::collections::BTreeMap<String, u64>,
}

impl Execution {
    /// Calls of one syscall by SP1's name (e.g. `KECCAK_PERMUTE`), zero if never called.
    pub fn syscall_count(&self, name: &str) -> u64 {
        self.syscalls.get(name).copied().unwrap_or(0)
    }

    /// keccak-f permutations: every Keccak-256 block hashed in the program.
    pub fn keccak_calls(&self) -> u64 {
        self.syscall_count("KECCAK_PERMUTE")
    }

    /// secp256k1 point additions and doublings (signature recovery).
    pub fn secp256k1_calls(&self) -> u64 {
        self.syscall_count("SECP256K1_ADD") + self.syscall_count("SECP256K1_DOUBLE")
    }

    /// 256-bit modular multiplications (square root and inverse in signature recovery).
    pub fn uint256_mul_calls(&self) -> u64 {
        self.syscall_count("UINT256_MUL")
    }
}

/// A proof written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofSummary {
    /// The mode proven.
    pub mode: ProofMode,
    /// The public values the proof commits to.
    pub public_values: Vec<u8>,
    /// The program's verifying-key hash (`0x` + 32 bytes).
    pub vk_hash: String,
}

/// A proof that verified against the program's verifying key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// Core or compressed.
    pub mode: String,
    /// The public values the proof commits to.
    pub public_values: Vec<u8>,
    /// The verifying-key hash it verified against.
    pub vk_hash: String,
}

/// Why an SP1 operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ProverError {
    /// This build has no SP1 host.
    #[error(
        "this numo was built without SP1 support; rebuild with `cargo build --profile sp1 -p numo --features sp1` \
         (see docs/PROVING.md)"
    )]
    Sp1Disabled,
    /// The ELF could not be read.
    #[error("reading the SP1 program {path}: {source} (build it with scripts/build-sp1-program.sh)")]
    Elf {
        /// The path tried.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The program did not finish successfully: a batch-invalid input (or a program bug).
    #[error("the SP1 program failed: {0}")]
    ProgramFailed(String),
    /// The proof does not verify against the program's verifying key.
    #[error("the proof does not verify: {0}")]
    ProofRejected(String),
    /// Setting up, proving, or reading/writing a proof failed.
    #[error("SP1 {0}")]
    Sp1(String),
}

/// Reads an ELF file.
pub fn read_elf(path: &std::path::Path) -> Result<Vec<u8>, ProverError> {
    std::fs::read(path).map_err(|source| ProverError::Elf { path: path.to_path_buf(), source })
}

/// The 272-byte PublicInputs the native guest computes for a trading `blob`: what any proof
/// of this blob must commit to.
pub fn native_public_inputs(blob: &[u8]) -> Result<Vec<u8>, numo_stf::BatchError> {
    numo_guest::run(blob).map(|output| output.public_inputs.encode().to_vec())
}

/// The public inputs the native guest of `kind` computes for `blob` (272 bytes for a trading
/// batch, 400 for a funding batch, F12): what a proof of the SP1 program given `kind` and
/// `blob` must commit to.
pub fn native_public_inputs_kind(kind: BatchKind, blob: &[u8]) -> Result<Vec<u8>, AnyBatchError> {
    numo_guest::kind::run_kind(kind, blob)
}

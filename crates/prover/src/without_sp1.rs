//! The SP1 operations in a build without the `sp1` feature: each says how to rebuild.

use crate::{BatchKind, Execution, ProofMode, ProofSummary, ProverError, VerifiedProof};
use std::path::Path;

/// Needs the `sp1` feature: returns [`ProverError::Sp1Disabled`].
pub fn execute(_elf: &[u8], _blob: &[u8]) -> Result<Execution, ProverError> {
    Err(ProverError::Sp1Disabled)
}

/// Needs the `sp1` feature: returns [`ProverError::Sp1Disabled`].
pub fn execute_kind(_elf: &[u8], _kind: BatchKind, _blob: &[u8]) -> Result<Execution, ProverError> {
    Err(ProverError::Sp1Disabled)
}

/// Needs the `sp1` feature: returns [`ProverError::Sp1Disabled`].
pub fn prove_kind(
    _elf: &[u8],
    _kind: BatchKind,
    _blob: &[u8],
    _mode: ProofMode,
    _out: &Path,
) -> Result<ProofSummary, ProverError> {
    Err(ProverError::Sp1Disabled)
}

/// Needs the `sp1` feature: returns [`ProverError::Sp1Disabled`].
pub fn prove(_elf: &[u8], _blob: &[u8], _mode: ProofMode, _out: &Path) -> Result<ProofSummary, ProverError> {
    Err(ProverError::Sp1Disabled)
}

/// Needs the `sp1` feature: returns [`ProverError::Sp1Disabled`].
pub fn verify(_elf: &[u8], _path: &Path) -> Result<VerifiedProof, ProverError> {
    Err(ProverError::Sp1Disabled)
}

/// Needs the `sp1` feature: returns [`ProverError::Sp1Disabled`].
pub fn verifying_key_hash(_elf: &[u8]) -> Result<String, ProverError> {
    Err(ProverError::Sp1Disabled)
}

//! Keccak-256 helpers (section A: all hashes are Keccak-256): the keccak half of the crypto seam.
//!
//! On a host the hasher comes from `alloy-primitives` (hosts enable its `asm-keccak` feature).
//! Inside the SP1 zkVM (`target_os = "zkvm"`), [`Keccak256`] is a sponge over the keccak-f
//! precompile, and the one-shot [`keccak256`] (used here, by numo-stf and numo-smt) reaches the
//! same sponge through alloy's `native-keccak` hook, see `zkvm::native_keccak256`.

pub use alloy_primitives::keccak256;
use alloy_primitives::B256;

/// Incremental Keccak-256: alloy's hasher on a host.
#[cfg(not(target_os = "zkvm"))]
pub use alloy_primitives::Keccak256;

/// Incremental Keccak-256: the precompile sponge inside the zkVM.
#[cfg(target_os = "zkvm")]
pub type Keccak256 = crate::zkvm::Sp1Keccak256;

/// Keccak-256 of the concatenation of `parts`, without building the concatenation.
pub fn keccak_concat(parts: &[&[u8]]) -> B256 {
    let mut hasher = Keccak256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize()
}

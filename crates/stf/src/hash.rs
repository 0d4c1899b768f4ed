//! Keccak-256 helpers (section A: all hashes are Keccak-256).
//!
//! The hasher comes from `alloy-primitives`; hosts enable its `asm-keccak` feature for the
//! assembly implementation, a zkVM build keeps the portable one.

use alloy_primitives::B256;
pub use alloy_primitives::{keccak256, Keccak256};

/// Keccak-256 of the concatenation of `parts`, without building the concatenation.
pub fn keccak_concat(parts: &[&[u8]]) -> B256 {
    let mut hasher = Keccak256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize()
}

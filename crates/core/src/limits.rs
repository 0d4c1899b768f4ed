//! The fixed sizes the shared pieces need, each with the spec item that sets it. Engine-specific
//! sizes (message layouts, Rules) live in the engine's crate, the tree's in `numo-smt`.

/// Signature `r ‖ s ‖ v` (section C).
pub const SIGNATURE_LEN: usize = 65;
/// PublicInputs (section B, C23): 8 × 32-byte fields and 2 × U64.
pub const PUBLIC_INPUTS_LEN: usize = 8 * 32 + 2 * 8;

const _: () = assert!(PUBLIC_INPUTS_LEN == 272, "C23: PublicInputs are 272 bytes");

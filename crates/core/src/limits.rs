//! The fixed sizes the shared pieces need, each with the spec item that sets it. Engine-specific
//! sizes (message layouts, Rules) live in the engine's crate.

/// Signature `r ‖ s ‖ v` (section C).
pub const SIGNATURE_LEN: usize = 65;
/// PublicInputs (section B, C23): 8 × 32-byte fields and 2 × U64.
pub const PUBLIC_INPUTS_LEN: usize = 8 * 32 + 2 * 8;
/// Depth of the state tree (section A): one level per key bit.
pub const TREE_DEPTH: usize = 256;
/// Bytes of one proof's siblings in the guest input (C22, C7).
pub const PROOF_SIBLINGS_LEN: usize = TREE_DEPTH * 32;

const _: () = assert!(PUBLIC_INPUTS_LEN == 272, "C23: PublicInputs are 272 bytes");

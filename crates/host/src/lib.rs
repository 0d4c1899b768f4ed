//! Builds NUMO batches on the host: the full state, the batch builder that emits guest
//! inputs, and the JSON shapes of genesis files and messages.
//!
//! Start here:
//! - [`builder::build_batch`]: execute, discover hints, prove touched keys, emit the C22 blob;
//! - [`funding_builder::build_funding_batch`]: the same for a funding batch (F12);
//! - [`evm_builder::build_evm_batch`]: the same for an EVM batch (E11): a system batch or an
//!   EVM block over an overlay that can give its root mid-batch;
//! - [`full_state::FullState`]: values plus their sparse Merkle tree;
//! - [`json`]: genesis and message files (the shapes of `shared/spec/vectors`);
//! - [`message_json`]: the one JSON vocabulary of a message, shared with the node's API;
//! - [`witness`]: the compact witness form the node stores, and its exact expansion.

pub mod builder;
pub mod deep_book;
pub mod evm_builder;
pub mod full_state;
pub mod funding_builder;
pub mod json;
pub mod message_json;
pub mod witness;

pub use builder::{
    build_batch, build_batch_verified, build_batch_with, BuildOptions, BuiltBatch, Signatures, WitnessForm,
};
pub use evm_builder::{build_evm_batch, BuiltEvmBatch};
pub use full_state::FullState;
pub use funding_builder::{build_funding_batch, BuiltFundingBatch};

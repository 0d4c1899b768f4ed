//! The numo L1 client: everything numo does with the `NumoBridge` contracts of docs/BRIDGE.md.
//!
//! Start here:
//! - [`bindings`]: the contracts' typed bindings, generated from `contracts/artifacts/`, and
//!   revert decoding into custom error names;
//! - [`reader`]: the listener core — confirmed deposit and forced-withdrawal records (F2, F5)
//!   behind a reorg-checked [`reader::Cursor`]; the node drives it, no task runs here;
//! - [`settle`]: the epoch digest and committee proofs (F13), and the [`settle::Settler`] that
//!   submits epochs and watches them to confirmation;
//! - [`user`]: deposits, forced requests, claims (F14) and balances, as a user sends them;
//! - [`deploy`]: a dev deployment (tokens, committee verifier, bridge) and its
//!   [`deploy::Deployment`] record;
//! - [`dev`]: anvil's default accounts, which a dev node uses;
//! - `anvil` (feature `test-support`): a real anvil for tests.
//!
//! May depend on: `alloy` (RPC, signing, ABI), tokio, serde. Never on the node, the chain or
//! the state: it moves bytes and records between numo and L1, the meaning stays in
//! `numo-funding` and the node.

#[cfg(feature = "test-support")]
pub mod anvil;
pub mod bindings;
pub mod deploy;
pub mod dev;
mod error;
pub mod reader;
pub mod rpc;
pub mod settle;
pub mod user;

pub use deploy::{deploy_bridge, deploy_dev, BridgeParams, Deployment, DevAsset, DevDeployParams};
pub use error::L1Error;
pub use reader::{Cursor, L1Event, Poll, Reader};
pub use settle::{committee_proof, epoch_digest, Confirmed, Settler};

/// Re-exported so callers name the same types as this crate's API.
pub use alloy::primitives::{Address, Bytes, B256, U256};
/// The key type of every signing function here.
pub use alloy::signers::local::PrivateKeySigner;

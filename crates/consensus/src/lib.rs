//! Decides numo's blocks with Malachite BFT (Tendermint): validators sign votes with secp256k1
//! keys, a decided height carries a [`Certificate`] anyone can verify with `ecrecover`.
//!
//! Start here:
//! - [`Certificate`], [`vote_digest`], [`value_id`]: what a decision proves and the bytes every
//!   vote signature covers — independent of Malachite's types;
//! - [`ValidatorSet`], [`ValidatorKey`]: who votes, the proposer rotation, signing;
//! - [`Application`]: what the node supplies (propose, validate, commit, serve history);
//! - [`start`] with a [`ConsensusConfig`]: runs Malachite and returns a [`ConsensusHandle`].
//!
//! Inside: `context` (Malachite's `Context` types: the value is the 32-byte id of the proposed
//! bytes), `signing` (the signing provider), `codec` (wire and WAL encoding), `stream`
//! (proposal streams and their bounded reassembly), `store` (undecided proposals on disk),
//! `host` (the app loop answering every `AppMsg`), `engine` (start and stop).
//!
//! May depend on: Malachite (`arc-malachitebft-*`, pinned `=0.8.2`), `secp256k1`,
//! `alloy-primitives`, tokio. Never on numo's state, chain or node crates: the node plugs in
//! through the `Application` trait and values are opaque bytes here.

pub mod certificate;
pub mod digest;
pub mod keys;
pub mod validators;

pub use certificate::{Certificate, CertificateError, CommitSignature};
pub use digest::{value_id, vote_digest, VoteType};
pub use keys::{public_key_address, recover_address, KeyError, ValidatorKey};
pub use validators::{Validator, ValidatorSet, ValidatorSetError};

/// Re-exported so callers name the same types as this crate's API.
pub use alloy_primitives::{Address, B256};

pub mod app;
mod codec;
pub mod config;
mod context;
mod engine;
mod host;
mod signing;
mod store;
mod stream;

pub use app::Application;
pub use codec::CodecError;
pub use config::{ConsensusConfig, Timeouts, DEFAULT_MAX_VALUE_BYTES};
pub use engine::{start, ConsensusHandle, StartError, Status};

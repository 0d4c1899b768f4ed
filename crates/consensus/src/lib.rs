//! Decides numo's blocks with Malachite BFT (Tendermint): validators sign votes with secp256k1
//! keys, a decided height carries a [`Certificate`] anyone can verify with `ecrecover`.
//!
//! Start here:
//! - [`Certificate`], [`vote_digest`], [`value_id`]: what a decision proves and the bytes every
//!   vote signature covers — independent of Malachite's types;
//! - [`ValidatorSet`], [`ValidatorKey`]: who votes, the proposer rotation, signing;
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

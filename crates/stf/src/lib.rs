//! Executes NUMO SPOT CLOB V1 batches: the one deterministic state transition shared by the
//! node, the guest and the tests.
//!
//! `no_std + alloc`, no floats, clocks or randomness; every map is ordered.
//!
//! Start here:
//! - [`exec::batch::execute_messages`]: C9–C18 over any [`state::State`];
//! - [`validate::validate_batch`]: the state-free C11 checks and batch commitments;
//! - [`keys`] and [`values`]: the key table (C2–C10) with canonical absence (C3);
//! - [`message`], [`rules`]: what is signed and how it is checked;
//! - [`commitments`], [`records`]: what a batch commits to (C20, C21).
//!
//! What is not specific to the order book lives in numo-core and is re-exported here under its
//! old paths: [`codec`], the crypto seam ([`hash`], [`signature`], [`keccak_sponge`],
//! [`ecrecover`], `zkvm` under `target_os = "zkvm"`), [`state`] (State, Overlay, TouchLog) and
//! [`public_inputs`] (section B).
//!
//! Feature `std` (default) only forwards to dependencies; nothing in the transition needs it.
//! Stability: V1 encodings are frozen by the spec vectors; the Rust API may still change.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod commitments;
pub mod error;
pub mod exec;
pub mod keys;
pub mod limits;
pub mod message;
pub mod records;
pub mod rules;
pub mod units;
pub mod validate;
pub mod values;

#[cfg(target_os = "zkvm")]
pub use numo_core::zkvm;
pub use numo_core::{codec, ecrecover, hash, keccak_sponge, public_inputs, signature, state};

pub use error::BatchError;
pub use exec::batch::{execute_messages, BatchReport};
pub use exec::hints::{DiscoveredHints, GivenHints, HintSource, TickHints};
pub use exec::{MessageOutcome, PlaceSummary, RejectReason};
pub use message::{Cancel, Message, Place, Signature, SignedMessage};
pub use public_inputs::PublicInputs;
pub use rules::{MarketContext, Rules};
pub use state::{Overlay, State, StateError, TouchLog};
pub use units::{Side, TimeInForce};
pub use validate::{commitments_of_verified, validate_batch, BatchCommitments};

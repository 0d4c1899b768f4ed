//! What every NUMO engine shares: the pieces of the batch machinery that do not know what a
//! market, an order or a bridge is. The CLOB transition (numo-stf) builds on it, and so will
//! the next engines (bridge, EVM), without depending on the order book.
//!
//! `no_std + alloc`, no floats, clocks or randomness. Start here:
//! - [`state`]: the key-value [`State`] execution sees, the per-message [`Overlay`] and the
//!   section H [`TouchLog`] (C23, C25: every touched key needs a proof);
//! - [`codec`]: the C1 fixed-width [`codec::Reader`] / [`codec::Writer`] and the one
//!   [`DecodeError`] of every blob;
//! - [`hash`] and [`signature`] are the crypto seam: native Keccak and libsecp256k1 on a host,
//!   SP1 precompiles ([`keccak_sponge`], [`ecrecover`], the `zkvm` module) under
//!   `target_os = "zkvm"`;
//! - [`public_inputs`]: the 272-byte PublicInputs a proof attests (section B);
//! - [`merkle`]: the binary Merkle root of records (C21);
//! - [`limits`]: the sizes these share.
//!
//! Dependencies are limited to `alloy-primitives`, `thiserror` and the crypto backends
//! (`secp256k1` on a host, `sp1-lib` in the zkVM). Nothing engine-specific belongs here: a type
//! that names an order, a tick or a market stays in its engine's crate.
//!
//! Feature `std` (default) only forwards to dependencies.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod codec;
pub mod ecrecover;
pub mod hash;
pub mod keccak_sponge;
pub mod limits;
pub mod merkle;
pub mod public_inputs;
pub mod signature;
pub mod state;
#[cfg(target_os = "zkvm")]
pub mod zkvm;

pub use codec::DecodeError;
pub use public_inputs::PublicInputs;
pub use signature::Signature;
pub use state::{Overlay, State, StateError, TouchLog};

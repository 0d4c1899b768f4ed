//! Re-executes one NUMO batch from its witness blob and outputs its PublicInputs: the program
//! a zkVM proves and any verifier or fraud-proof challenger can run natively.
//!
//! `no_std + alloc`, no I/O. Start here:
//! - [`run::run`]: blob in, [`numo_core::PublicInputs`] or a typed [`numo_stf::BatchError`] out;
//! - [`input`]: the C22 layout, strict decoder and encoder;
//! - [`witness`]: proven state over a [`numo_smt::PartialTree`];
//! - [`funding`]: the same for a funding batch (docs/PROTOCOL.md F12): its blob, its run, its
//!   400-byte public inputs;
//! - [`evm`]: an EVM batch (docs/PROTOCOL.md E10, E11): a system batch or an EVM block,
//!   re-executed with numo-evm over the proven state, its 225-byte public inputs;
//! - [`kind`]: the batch kind byte the SP1 program reads before the blob (F12).
//!
//! Feature `std` (default) only forwards to dependencies.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod evm;
pub mod funding;
pub mod input;
pub mod kind;
pub mod run;
pub mod witness;

pub use input::{BatchHeader, GuestInput, ProofEntry};
pub use run::{run, run_input, run_input_probed, GuestOutput, Phase, PhaseProbe};

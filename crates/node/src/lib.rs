//! Runs a numo exchange: admits signed messages durably, cuts them into 100 ms blocks of
//! per-market batches executed by the one transition, stores everything in redb, re-verifies
//! every batch with the guest, and serves it all over HTTP.
//!
//! Start here: [`node::Node`] wires the parts; a message goes [`admission`] → [`mempool`] →
//! [`sequencer`] → [`store`]; [`api`] serves views; [`verifier`] re-runs the guest.

pub mod genesis;
pub mod witness;

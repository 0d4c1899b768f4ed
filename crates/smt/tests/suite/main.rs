//! Behaviour suite for `numo-smt`, one module per operation (reth's trie suite layout).
//!
//! Property tests compare against `common::reference_root`, a deliberately naive recursion over
//! all 256 levels that shares no code with the crate's tree.

mod common;

mod batch;
mod insert;
mod partial;
mod prove;
mod vectors;

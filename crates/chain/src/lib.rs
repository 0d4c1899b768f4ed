//! The numo chain as a library: what a block is and the one pure function that makes it.
//!
//! Every component that produces or checks blocks — the single-operator node today, BFT
//! validators, the bridge, the EVM engine and the offline replay tomorrow — calls
//! [`block::execute_block`] with a state, the parent's [`tip::ChainTip`] and a
//! [`proposal::Proposal`]. It reads no clock (the timestamp is in the proposal), does no I/O and
//! starts no thread, so two nodes given the same proposal produce byte-identical output
//! (docs/PROTOCOL.md §10).
//!
//! Start here:
//! - [`entry`]: the venue-level framing of a block entry (a kind byte, then the kind's payload);
//! - [`proposal`]: height, timestamp and ordered entries — what a proposer proposes;
//! - [`block`]: the block function, its output and its errors;
//! - [`engine`]: one module per execution engine behind the dispatch on the entry kind
//!   ([`engine::funding`]: deposits and withdrawals, F8, executed by `numo-funding`, first;
//!   [`engine::clob`]: per-market batches of C19, executed by `numo-stf`; [`engine::evm`]: the
//!   E7 system batch first and the EVM block every 10th height, executed by `numo-evm`);
//! - [`header`]: the block header, its hash and its versioned binary record;
//! - [`venue`]: the static context the engines need (markets and their Rules);
//! - [`value`], [`order`], [`validate`]: what consensus decides (K1), the fair order of its
//!   entries (K2) and what a validator refuses (K3).
//!
//! May depend on: `numo-core` (codec, PublicInputs, Merkle root: what every engine shares),
//! `numo-stf` (the CLOB transition), `numo-funding` (the funding engine), `numo-evm` and
//! `numo-guest` (the EVM engine and its batch header), `numo-host` (full state and the batch builder that emits
//! witnesses). Never on the node, storage, networking or clocks.

pub mod block;
pub mod engine;
pub mod entry;
pub mod header;
pub mod order;
pub mod proposal;
pub mod tip;
pub mod validate;
pub mod value;
pub mod venue;

pub use block::{
    execute_block, BlockError, BlockOptions, BlockOutput, DroppedBatch, ExecutedBatch, ExecutedEvmBatch,
    ExecutedFundingBatch,
};
pub use entry::{ClobEntry, Entry, EntryError, EntryKind, EvmEntry};
pub use header::{BlockHeader, HeaderDecodeError};
pub use proposal::Proposal;
pub use tip::ChainTip;
pub use validate::{validate_value, ProposalError, ValidationRules, MAX_CLOCK_DRIFT_MS};
pub use value::{BlockValue, ValueDecodeError};
pub use venue::Venue;

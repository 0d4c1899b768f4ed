//! numo's EVM engine (docs/PROTOCOL.md §13, E1–E11): a smart-contract block every
//! `EVM_BLOCK_INTERVAL` exchange blocks, executed by revm (Prague, mainnet handler) over numo's
//! one keccak sparse Merkle state, composed with the exchange through a read precompile and a
//! system contract whose requests execute as system messages in the next exchange block.
//!
//! `no_std + alloc`, no floats, clocks or randomness; revm's hash maps are never iterated in an
//! order that reaches state or output (writes are sorted by key). The same code runs on the
//! node (over the full state), in `numo verify`/`replay` and in the guest (over a witness).
//!
//! Start here:
//! - [`block::execute_evm_block`]: E5 transactions, E7 outbox, E9 header and head writes;
//! - [`system::execute_system_batch`]: the E7 system batch over the outbox;
//! - [`tx::EvmTx::decode`]: E3 framing, E2 chain id and the sender;
//! - [`db`]: revm's `Database` over numo's `State` and the E5 write order;
//! - [`precompiles`]: Ethereum's precompiles plus E6's read precompile and system contract;
//! - [`keys`] and [`values`]: the E4 state layout;
//! - [`call`]: `eth_call` / `eth_estimateGas` without writes;
//! - [`genesis`]: E8's alloc and genesis head;
//! - [`public_inputs`]: E10's 225 bytes; [`env`]: what a batch executes in; [`limits`].
//!
//! May depend on numo-core (State, codec, crypto seam), numo-stf (the CLOB keys, values and
//! execution for E6 reads and system Place/Cancel), numo-funding (system Transfer), revm and
//! alloy's consensus, EIP, trie, RLP and sol-types crates. Never on the host, node or guest.
//!
//! Feature `std` (default) only forwards to dependencies.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod abi;
pub mod block;
pub mod call;
pub mod db;
pub mod env;
pub mod error;
pub mod genesis;
pub mod keys;
pub mod limits;
pub mod precompiles;
pub mod public_inputs;
pub mod rooted;
pub mod system;
pub mod tx;
pub mod values;
pub mod vm;

pub use block::{execute_evm_block, next_base_fee, EvmBlockReport, ExecutedTx, SkippedTx, TxStatus};
pub use call::{estimate_gas, simulate, CallError, CallOutcome, CallRequest};
pub use env::{EvmEnv, EvmVenue};
pub use error::{EvmError, EvmTxError, SkipCode};
pub use genesis::{alloc_writes, genesis_head_writes, GenesisAccount, GenesisError};
pub use public_inputs::{EvmPhase, EvmPublicInputs};
pub use rooted::RootedState;
pub use system::{execute_system_batch, message_from_log, SystemMessage, SystemOutcome, SystemReport};
pub use tx::EvmTx;

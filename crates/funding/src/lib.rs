//! The funding engine: how value enters and leaves numo (docs/PROTOCOL.md §11, items F1–F14).
//!
//! Deposits and forced withdrawals are *system* messages copied from the L1 bridge's ordered
//! queues; withdrawals and transfers (a balance move to any numo address, a contract's
//! included) are signed by their owner under the venue's funding domain. A block's
//! funding messages form funding batches, proven like trading batches: the guest re-executes
//! them from a witness and outputs [`FundingPublicInputs`], which the bridge checks against its
//! own queues when an epoch is settled.
//!
//! `no_std + alloc`, no floats, clocks or randomness; every map is ordered. Start here:
//! - [`message`]: the four message layouts (F2) and their hashes;
//! - [`context`]: the venue's funding domain and asset table (F1, F6);
//! - [`exec::execute_funding`]: F7 over any [`numo_core::State`], one access sequence for node and
//!   guest;
//! - [`transfer::execute_transfer`]: a Transfer's balance move without its nonce step, which the
//!   EVM's system Transfers (E7) run too;
//! - [`commitments`]: batch digest and DA commitment (F9) and the state-free checks;
//! - [`withdrawals`]: the withdrawal records and their tree (F10), with proofs for claims;
//! - [`public_inputs`]: the 400-byte funding public inputs (F11).
//!
//! The guest input blob (F12) and the guest's run over proven state are numo-guest's
//! (`numo_guest::funding`), beside the trading blob they share their proof layout with.
//!
//! May depend on numo-core (codec, crypto seam, State) and numo-stf (the BAL key and value, the
//! journal); never on the order book's matching, the node or any I/O.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod commitments;
pub mod context;
pub mod error;
pub mod exec;
pub mod keys;
pub mod limits;
pub mod message;
pub mod public_inputs;
pub mod transfer;
pub mod withdrawals;

pub use commitments::{validate_funding_batch, FundingCommitments, SignatureCheck};
pub use context::{AssetRule, FundingContext};
pub use error::{FundingError, FundingReject};
pub use exec::{execute_funding, FundingOutcome, FundingReport};
pub use message::{Deposit, ForcedWithdrawal, FundingMessage, SignedTransfer, SignedWithdraw, Transfer, Withdraw};
pub use public_inputs::FundingPublicInputs;
pub use transfer::{execute_transfer, TransferRequest};
pub use withdrawals::WithdrawalRecord;

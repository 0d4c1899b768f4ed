//! The block function (docs/PROTOCOL.md §10): a state, the parent's tip and a proposal in; the
//! block out. Pure in the sense that matters for a chain — no clock, no I/O, no thread, no
//! iteration over unordered maps — so every node that runs it on the same input gets
//! byte-identical output.

use crate::engine::clob;
use crate::engine::evm;
use crate::engine::funding;
use crate::entry::{ClobEntry, Entry, EvmEntry};
use crate::header::BlockHeader;
use crate::proposal::Proposal;
use crate::tip::ChainTip;
use crate::venue::Venue;
use alloy_primitives::B256;
use numo_core::PublicInputs;
use numo_evm::{EvmError, EvmPhase, EvmPublicInputs};
use numo_funding::{FundingError, FundingMessage, FundingPublicInputs, FundingReport};
use numo_host::{FullState, Signatures, WitnessForm};
use numo_stf::{BatchError, BatchReport};
use std::collections::BTreeMap;

/// How the block function builds. Neither choice changes a valid block's header, batches or
/// state; they only trade checks and witness size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockOptions {
    /// [`Signatures::Check`] for entries from anyone (a replay, a validator re-executing a
    /// peer's proposal); [`Signatures::AlreadyVerified`] only when this node's own admission
    /// verified every entry under its market's domain.
    pub signatures: Signatures,
    /// Layout of each batch's witness ([`WitnessForm::Compact`] is what the node stores).
    pub witness: WitnessForm,
}

impl BlockOptions {
    /// Every signature recovered, compact witnesses: what replay and validators run.
    pub const VERIFYING: Self = Self { signatures: Signatures::Check, witness: WitnessForm::Compact };
    /// The proposing node over entries its own admission verified.
    pub const ADMITTED: Self = Self { signatures: Signatures::AlreadyVerified, witness: WitnessForm::Compact };
}

/// Why a proposal cannot be a block on this tip. Checked before anything executes: on error
/// the state is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    /// The proposal is not for the next height.
    #[error("proposal for height {got}, the next height is {expected}")]
    Height {
        /// Parent height + 1.
        expected: u64,
        /// The proposal's height.
        got: u64,
    },
    /// The proposal's time is before its parent's.
    #[error("proposal timestamp {got} ms is before the parent's {parent} ms")]
    TimestampBackwards {
        /// Parent's timestamp.
        parent: u64,
        /// The proposal's.
        got: u64,
    },
    /// The state handed in is not the tip's.
    #[error("state root {state} is not the tip's {tip}")]
    StateRoot {
        /// Root of the state handed in.
        state: B256,
        /// Root the tip names.
        tip: B256,
    },
}

impl BlockError {
    /// Stable short code for tools and APIs.
    pub const fn code(&self) -> &'static str {
        match self {
            BlockError::Height { .. } => "wrong_height",
            BlockError::TimestampBackwards { .. } => "timestamp_backwards",
            BlockError::StateRoot { .. } => "wrong_state",
        }
    }
}

/// One executed batch.
#[derive(Debug, Clone)]
pub struct ExecutedBatch {
    /// Its market.
    pub market_id: B256,
    /// Venue-global batch number (C19).
    pub batch_seq: u64,
    /// Global index of its first message; the rest follow in order.
    pub first_global_index: u64,
    /// Positions of its messages in the proposal's entries.
    pub entries: Vec<usize>,
    /// Root before it.
    pub prev_root: B256,
    /// Section B, what the guest must output for [`ExecutedBatch::witness`].
    pub public_inputs: PublicInputs,
    /// Outcomes, trades, fee totals, touched keys.
    pub report: BatchReport,
    /// The guest input, in [`BlockOptions::witness`]'s layout.
    pub witness: Vec<u8>,
}

/// One executed funding batch (F8).
#[derive(Debug, Clone)]
pub struct ExecutedFundingBatch {
    /// Venue-global batch number (one sequence with trading batches).
    pub batch_seq: u64,
    /// Global index of its first message; the rest follow in order.
    pub first_global_index: u64,
    /// Positions of its messages in the proposal's entries.
    pub entries: Vec<usize>,
    /// Root before it.
    pub prev_root: B256,
    /// F11, what the funding guest must output for [`ExecutedFundingBatch::witness`].
    pub public_inputs: FundingPublicInputs,
    /// Outcomes, withdrawal records, queue heads, touched keys.
    pub report: FundingReport,
    /// The F12 guest input, in [`BlockOptions::witness`]'s layout.
    pub witness: Vec<u8>,
}

/// One executed EVM batch (E10): a system batch or an EVM block.
#[derive(Debug, Clone)]
pub struct ExecutedEvmBatch {
    /// System batch (first in the block) or EVM block (last).
    pub phase: EvmPhase,
    /// Venue-global batch number (one sequence with trading and funding batches).
    pub batch_seq: u64,
    /// Positions of its transactions in the proposal's entries (empty for a system batch).
    pub entries: Vec<usize>,
    /// Root before it.
    pub prev_root: B256,
    /// E10, what the EVM guest must output for [`ExecutedEvmBatch::witness`].
    pub public_inputs: EvmPublicInputs,
    /// Outcomes and trades, or header, receipts and skipped transactions.
    pub report: numo_guest::evm::EvmBatchReport,
    /// The E11 guest input, in [`BlockOptions::witness`]'s layout.
    pub witness: Vec<u8>,
}

/// Why entries of a proposal did not execute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DropReason {
    /// No market of the venue has this id.
    UnknownMarket,
    /// Their chunk is batch-invalid (C11).
    Invalid(BatchError),
    /// The venue has no funding context (F8).
    FundingDisabled,
    /// Their funding chunk is batch-invalid (F7).
    InvalidFunding(FundingError),
    /// EVM entries at a height that runs no EVM block (E1).
    EvmNotScheduled,
    /// EVM entries on a chain whose state has no EVM (E8).
    EvmDisabled,
    /// The EVM batch could not execute on this state (E11: a corrupt or foreign state).
    Evm(EvmError),
}

impl DropReason {
    /// Stable short code.
    pub fn code(&self) -> &'static str {
        match self {
            DropReason::UnknownMarket => "unknown_market",
            DropReason::Invalid(error) => error.code(),
            DropReason::FundingDisabled => "funding_disabled",
            DropReason::InvalidFunding(error) => error.code(),
            DropReason::EvmNotScheduled => "evm_not_scheduled",
            DropReason::EvmDisabled => "evm_disabled",
            DropReason::Evm(error) => error.code(),
        }
    }
}

/// Entries that did not execute, and why. They consume no `batchSeq` and no global index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedBatch {
    /// The market they named (`None` for funding entries).
    pub market_id: Option<B256>,
    /// Their positions in the proposal.
    pub entries: Vec<usize>,
    /// Why.
    pub reason: DropReason,
}

/// Everything a block produced.
#[derive(Debug, Clone)]
pub struct BlockOutput {
    /// The header.
    pub header: BlockHeader,
    /// The tip after the block.
    pub tip: ChainTip,
    /// Funding batches, executed first (F8).
    pub funding: Vec<ExecutedFundingBatch>,
    /// Trading batches in execution order, after the funding batches.
    pub batches: Vec<ExecutedBatch>,
    /// EVM batches in execution order: the system batch (first in the block, E7), the EVM
    /// block (after the trading batches, E1).
    pub evm: Vec<ExecutedEvmBatch>,
    /// Entries that did not execute.
    pub dropped: Vec<DroppedBatch>,
    /// Every state write of the block (`None` deletes), in key order.
    pub state_writes: BTreeMap<B256, Option<Vec<u8>>>,
}

/// Executes `proposal` on `state` (which must be at `tip`) and returns the block. The writes are
/// applied to `state` and also returned, for storage.
///
/// First the system batch of the EVM outbox, if any (E7); then each entry goes to its kind's
/// engine: funding entries (F8), CLOB entries (N4), and at every 10th height the EVM block over
/// the EVM entries (E1).
/// Entries that cannot execute (an unknown market, a batch-invalid chunk) are reported in
/// [`BlockOutput::dropped`] — deterministically, so every node drops the same ones.
pub fn execute_block(
    venue: &Venue,
    state: &mut FullState,
    tip: &ChainTip,
    proposal: &Proposal,
    options: BlockOptions,
) -> Result<BlockOutput, BlockError> {
    let expected = tip.height + 1;
    if proposal.height != expected {
        return Err(BlockError::Height { expected, got: proposal.height });
    }
    if proposal.timestamp_ms < tip.timestamp_ms {
        return Err(BlockError::TimestampBackwards { parent: tip.timestamp_ms, got: proposal.timestamp_ms });
    }
    if state.root() != tip.state_root {
        return Err(BlockError::StateRoot { state: state.root(), tip: tip.state_root });
    }
    let mut clob_entries: Vec<(usize, &ClobEntry)> = Vec::with_capacity(proposal.entries.len());
    let mut funding_entries: Vec<(usize, &FundingMessage)> = Vec::new();
    let mut evm_entries: Vec<(usize, &EvmEntry)> = Vec::new();
    for (index, entry) in proposal.entries.iter().enumerate() {
        match entry {
            Entry::Clob(clob) => clob_entries.push((index, clob)),
            Entry::Funding(message) => funding_entries.push((index, message)),
            Entry::Evm(tx) => evm_entries.push((index, tx)),
        }
    }
    let (height, timestamp_ms) = (proposal.height, proposal.timestamp_ms);
    let mut next = *tip;
    let system = evm::execute_system(venue, state, &mut next, height, timestamp_ms, options);
    let funding = funding::execute(venue, state, &mut next, timestamp_ms, &funding_entries, options);
    let clob = clob::execute(venue, state, &mut next, timestamp_ms, &clob_entries, options);
    let evm_block = evm::execute_block(venue, state, &mut next, height, timestamp_ms, &evm_entries, options);

    let public_inputs: Vec<Vec<u8>> = system
        .batches
        .iter()
        .map(|b| b.public_inputs.to_vec())
        .chain(funding.batches.iter().map(|b| b.public_inputs.to_vec()))
        .chain(clob.batches.iter().map(|b| b.public_inputs.to_vec()))
        .chain(evm_block.batches.iter().map(|b| b.public_inputs.to_vec()))
        .collect();
    let batch_seqs = system
        .batches
        .iter()
        .map(|b| b.batch_seq)
        .chain(funding.batches.iter().map(|b| b.batch_seq))
        .chain(clob.batches.iter().map(|b| b.batch_seq))
        .chain(evm_block.batches.iter().map(|b| b.batch_seq))
        .collect();
    let header = BlockHeader::new(height, tip.hash, timestamp_ms, state.root(), &public_inputs, batch_seqs);
    let tip = ChainTip::after(&header, next.next_batch_seq, next.next_global_index);
    let mut state_writes = system.writes;
    state_writes.extend(funding.writes);
    state_writes.extend(clob.writes);
    state_writes.extend(evm_block.writes);
    let mut dropped = system.dropped;
    dropped.extend(funding.dropped);
    dropped.extend(clob.dropped);
    dropped.extend(evm_block.dropped);
    let mut evm = system.batches;
    evm.extend(evm_block.batches);
    Ok(BlockOutput { header, tip, funding: funding.batches, batches: clob.batches, evm, dropped, state_writes })
}

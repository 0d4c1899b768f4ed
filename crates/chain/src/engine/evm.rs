//! The EVM engine behind the block function (E1, E7, E10): the system batch of the previous
//! EVM block's outbox at the start of an exchange block, and the EVM block at every
//! `EVM_BLOCK_INTERVAL`-th height after the exchange batches. Both are built with numo-host's
//! EVM builder (which also emits the E11 witness) and take the next `batchSeq`s; neither
//! consumes global indexes.
//!
//! The EVM runs on a state whose genesis wrote its head (E8); on a chain without it (a venue
//! without markets, or a genesis without `[evm]`) nothing executes and EVM entries are dropped
//! as `evm_disabled`. EVM entries at a height that runs no EVM block are dropped as
//! `evm_not_scheduled` (K3 refuses such a proposal).

use crate::block::{BlockOptions, DropReason, DroppedBatch, ExecutedEvmBatch};
use crate::entry::EvmEntry;
use crate::tip::ChainTip;
use crate::venue::Venue;
use alloy_primitives::B256;
use numo_evm::keys::head_key;
use numo_evm::limits::EVM_BLOCK_INTERVAL;
use numo_evm::system::read_outbox;
use numo_evm::{EvmEnv, EvmPhase};
use numo_guest::evm::EvmHeader;
use numo_host::{build_evm_batch, FullState};

/// What this engine did with a block.
pub type EvmResult = super::EngineResult<ExecutedEvmBatch>;

/// Whether exchange height `height` executes an EVM block (E1).
pub const fn is_evm_height(height: u64) -> bool {
    height > 0 && height.is_multiple_of(EVM_BLOCK_INTERVAL)
}

/// The environment of an EVM batch in the exchange block at `height`.
fn env(venue: &numo_evm::EvmVenue, height: u64, timestamp_ms: u64, parent_hash: B256) -> EvmEnv {
    EvmEnv { chain_id: venue.chain_id, height, timestamp_ms, parent_hash }
}

/// E7: the outbox's system batch, if the state has one (it runs first in the block).
pub fn execute_system(
    venue: &Venue,
    state: &mut FullState,
    tip: &mut ChainTip,
    height: u64,
    timestamp_ms: u64,
    options: BlockOptions,
) -> EvmResult {
    let mut result = EvmResult::default();
    let Some(evm) = &venue.evm else { return result };
    // An unreadable outbox is left to the block's EVM execution to report; nothing runs here.
    if read_outbox(state).map_or(true, |outbox| outbox.is_empty()) {
        return result;
    }
    let header = EvmHeader {
        phase: EvmPhase::System,
        prev_root: state.root(),
        venue: evm.clone(),
        env: env(evm, height, timestamp_ms, tip.hash),
        batch_seq: tip.next_batch_seq,
    };
    run(state, tip, header, &[], Vec::new(), options, &mut result);
    result
}

/// E1, E5: the EVM block of this height over `entries` (proposal index, entry), or the drop of
/// `entries` when this height runs none.
pub fn execute_block(
    venue: &Venue,
    state: &mut FullState,
    tip: &mut ChainTip,
    height: u64,
    timestamp_ms: u64,
    entries: &[(usize, &EvmEntry)],
    options: BlockOptions,
) -> EvmResult {
    let mut result = EvmResult::default();
    let indexes: Vec<usize> = entries.iter().map(|(i, _)| *i).collect();
    let evm = venue.evm.as_ref().filter(|_| state.value(&head_key()).is_some());
    let Some(evm) = evm else {
        if !indexes.is_empty() {
            result.dropped.push(DroppedBatch { market_id: None, entries: indexes, reason: DropReason::EvmDisabled });
        }
        return result;
    };
    if !is_evm_height(height) {
        if !indexes.is_empty() {
            result.dropped.push(DroppedBatch {
                market_id: None,
                entries: indexes,
                reason: DropReason::EvmNotScheduled,
            });
        }
        return result;
    }
    let header = EvmHeader {
        phase: EvmPhase::Block,
        prev_root: state.root(),
        venue: evm.clone(),
        env: env(evm, height, timestamp_ms, tip.hash),
        batch_seq: tip.next_batch_seq,
    };
    let txs: Vec<&[u8]> = entries.iter().map(|(_, e)| e.bytes.as_slice()).collect();
    run(state, tip, header, &txs, indexes, options, &mut result);
    result
}

fn run(
    state: &mut FullState,
    tip: &mut ChainTip,
    header: EvmHeader,
    txs: &[&[u8]],
    entries: Vec<usize>,
    options: BlockOptions,
    result: &mut EvmResult,
) {
    let (phase, batch_seq, prev_root) = (header.phase, header.batch_seq, header.prev_root);
    match build_evm_batch(state, header, txs, options.witness) {
        Ok(built) => {
            tip.next_batch_seq += 1;
            result.writes.extend(built.writes);
            result.batches.push(ExecutedEvmBatch {
                phase,
                batch_seq,
                entries,
                prev_root,
                public_inputs: built.public_inputs,
                report: built.report,
                witness: built.blob,
            });
        }
        Err(error) => result.dropped.push(DroppedBatch { market_id: None, entries, reason: DropReason::Evm(error) }),
    }
}

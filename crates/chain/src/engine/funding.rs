//! The funding engine behind the block function (F8): a block's deposits, withdrawals and
//! forced withdrawals, in proposal order, cut into batches of at most
//! `MAX_FUNDING_PER_BATCH`, each built and applied with numo-funding's one execution (through
//! numo-host's builder, which also emits the F12 witness). They run before the block's CLOB
//! batches. A batch-invalid chunk (a forged signature, a nonce gap, a queue index out of order)
//! is dropped whole, consuming neither a `batchSeq` nor global indexes, as N4.

use crate::block::{BlockOptions, DropReason, DroppedBatch, ExecutedFundingBatch};
use crate::tip::ChainTip;
use crate::venue::Venue;
use numo_funding::limits::MAX_FUNDING_PER_BATCH;
use numo_funding::FundingMessage;
use numo_host::{build_funding_batch, FullState};

/// What this engine did with a block's entries.
pub type FundingResult = super::EngineResult<ExecutedFundingBatch>;

/// Executes `entries` (proposal index, message) over `state`, advancing `tip`'s counters.
pub fn execute(
    venue: &Venue,
    state: &mut FullState,
    tip: &mut ChainTip,
    timestamp_ms: u64,
    entries: &[(usize, &FundingMessage)],
    options: BlockOptions,
) -> FundingResult {
    let mut result = FundingResult::default();
    if entries.is_empty() {
        return result;
    }
    let Some(ctx) = &venue.funding else {
        let indexes = entries.iter().map(|(i, _)| *i).collect();
        result.dropped.push(DroppedBatch { market_id: None, entries: indexes, reason: DropReason::FundingDisabled });
        return result;
    };
    for chunk in entries.chunks(MAX_FUNDING_PER_BATCH) {
        let indexes: Vec<usize> = chunk.iter().map(|(i, _)| *i).collect();
        let messages: Vec<FundingMessage> = chunk.iter().map(|(_, m)| **m).collect();
        let batch_seq = tip.next_batch_seq;
        let prev_root = state.root();
        match build_funding_batch(state, ctx, batch_seq, timestamp_ms, messages, options.signatures, options.witness) {
            Ok(built) => {
                let first_global_index = tip.next_global_index;
                tip.next_batch_seq += 1;
                tip.next_global_index += chunk.len() as u64;
                result.writes.extend(built.writes);
                result.batches.push(ExecutedFundingBatch {
                    batch_seq,
                    first_global_index,
                    entries: indexes,
                    prev_root,
                    public_inputs: built.public_inputs,
                    report: built.report,
                    witness: built.blob,
                });
            }
            Err(error) => result.dropped.push(DroppedBatch {
                market_id: None,
                entries: indexes,
                reason: DropReason::InvalidFunding(error),
            }),
        }
    }
    result
}

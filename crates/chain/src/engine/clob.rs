//! The CLOB engine: per-market batches (C19) of a block's Place and Cancel entries, built and
//! applied with the one transition (`numo-stf`, through `numo-host`'s batch builder, which also
//! emits the witness the guest re-executes).
//!
//! Order (docs/PROTOCOL.md §10.4): markets in ascending id; inside a market, entries in
//! proposal order, cut into chunks of at most `maxOrdersPerBatch`. Each chunk is one batch with
//! the next `batchSeq`; its messages take the next global indexes. A chunk that is batch-invalid
//! (C11: a bad signature or nonce the proposer let through) is dropped whole, consuming neither
//! a `batchSeq` nor global indexes, and the state is left as before it.

use crate::block::{BlockOptions, DropReason, DroppedBatch, ExecutedBatch};
use crate::entry::ClobEntry;
use crate::tip::ChainTip;
use crate::venue::Venue;
use alloy_primitives::B256;
use numo_host::{build_batch_with, BuildOptions, FullState};
use numo_stf::SignedMessage;
use std::collections::BTreeMap;

/// What this engine did with a block's entries.
pub type ClobResult = super::EngineResult<ExecutedBatch>;

/// Executes `entries` (proposal index, entry) over `state`, advancing `tip`'s counters.
pub fn execute(
    venue: &Venue,
    state: &mut FullState,
    tip: &mut ChainTip,
    timestamp_ms: u64,
    entries: &[(usize, &ClobEntry)],
    options: BlockOptions,
) -> ClobResult {
    let mut result = ClobResult::default();
    let mut by_market: BTreeMap<B256, Vec<(usize, SignedMessage)>> = BTreeMap::new();
    for (index, entry) in entries {
        by_market.entry(entry.market_id).or_default().push((*index, entry.signed));
    }
    for (market_id, market_entries) in by_market {
        let Some(ctx) = venue.market(&market_id) else {
            let indexes = market_entries.iter().map(|(i, _)| *i).collect();
            result.dropped.push(DroppedBatch {
                market_id: Some(market_id),
                entries: indexes,
                reason: DropReason::UnknownMarket,
            });
            continue;
        };
        for chunk in market_entries.chunks(ctx.rules.max_orders_per_batch as usize) {
            let indexes: Vec<usize> = chunk.iter().map(|(i, _)| *i).collect();
            let signed: Vec<SignedMessage> = chunk.iter().map(|(_, s)| *s).collect();
            let batch_seq = tip.next_batch_seq;
            let prev_root = state.root();
            let build = BuildOptions { signatures: options.signatures, witness: options.witness };
            match build_batch_with(state, ctx, batch_seq, timestamp_ms, signed, build) {
                Ok(built) => {
                    let first_global_index = tip.next_global_index;
                    tip.next_batch_seq += 1;
                    tip.next_global_index += chunk.len() as u64;
                    result.writes.extend(built.writes);
                    result.batches.push(ExecutedBatch {
                        market_id,
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
                    market_id: Some(market_id),
                    entries: indexes,
                    reason: DropReason::Invalid(error),
                }),
            }
        }
    }
    result
}

//! Block production on a single node: a [`Sequencer`] decides which admitted messages go into
//! the next block and in which order (the single node orders by admission; a BFT engine will
//! later), [`produce_block`] makes them a [`Proposal`] stamped with the node's clock, runs the
//! chain's one block function (`numo_chain::execute_block`) and then does the node's part:
//! commit, views, streams, metrics and the waiting submitters.

use crate::funding::{FundingReceipt, Taken};
use crate::limits::MAX_MESSAGES_PER_BLOCK;
use crate::node::{Node, Outcome, Receipt};
use crate::records::{AdmissionEntry, BlockTime};
use crate::store::{BlockCommit, ChainStore, StoreError};
use crate::stored::{StoredBatch, StoredMessage};
use crate::stored_funding::StoredFundingBatch;
use alloy_primitives::B256;
use numo_chain::block::DropReason;
use numo_chain::{execute_block, BlockError, BlockOptions, BlockOutput, Entry, ExecutedBatch, Proposal};
use numo_stf::{Message, MessageOutcome};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Chooses the contents and order of the next block.
pub trait Sequencer: Send {
    /// Takes the messages of the next block out of `mempool` (admission order inside).
    fn next_block(&mut self, mempool: &mut VecDeque<AdmissionEntry>) -> Vec<AdmissionEntry>;
}

/// A single node is its own proposer: admission order, at most `max_messages` per block.
pub struct LocalSequencer {
    /// Bound per block.
    pub max_messages: usize,
}

impl Default for LocalSequencer {
    fn default() -> Self {
        Self { max_messages: MAX_MESSAGES_PER_BLOCK }
    }
}

impl Sequencer for LocalSequencer {
    fn next_block(&mut self, mempool: &mut VecDeque<AdmissionEntry>) -> Vec<AdmissionEntry> {
        let take = mempool.len().min(self.max_messages);
        mempool.drain(..take).collect()
    }
}

/// Wall-clock milliseconds; only block headers and metrics use it, never execution.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Runs the block loop on the current thread: every interval, if messages are pending,
/// produce a block. Never returns unless committing fails (then the process must stop).
pub fn run_block_loop(node: Arc<Node>, mut sequencer: impl Sequencer, verified: std::sync::mpsc::Sender<u64>) {
    let interval = Duration::from_millis(node.config.block_interval_ms.max(1));
    let mut next_tick = Instant::now() + interval;
    loop {
        std::thread::sleep(next_tick.saturating_duration_since(Instant::now()));
        next_tick += interval;
        if next_tick < Instant::now() {
            next_tick = Instant::now() + interval;
        }
        let entries = sequencer.next_block(&mut node.mempool.lock().expect("mempool lock"));
        let funding = {
            let chain = node.chain.read().expect("chain lock");
            node.funding.lock().expect("funding lock").take(&chain.full)
        };
        // E1: while an EVM transaction waits (or a system batch is due, E7) the node keeps
        // producing blocks, empty ones included, so the next EVM height comes within ~1 s.
        if entries.is_empty() && funding.is_empty() && !crate::evm_block::block_due(&node) {
            continue;
        }
        match produce_block(&node, entries, funding) {
            Ok(batch_seqs) => {
                for seq in batch_seqs {
                    let _ = verified.send(seq);
                }
            }
            Err(error) => {
                tracing::error!("block commit failed, stopping: {error}");
                std::process::exit(70);
            }
        }
    }
}

/// Why the node could not produce a block. Either one stops the process (exit 70): the node
/// never serves a chain it could not persist.
#[derive(Debug, thiserror::Error)]
pub enum ProduceError {
    /// The block function refused the proposal (a node bug: it proposes on its own tip).
    #[error("block function refused the proposal: {0}")]
    Block(#[from] BlockError),
    /// The block could not be committed.
    #[error("block commit failed: {0}")]
    Store(#[from] StoreError),
}

/// Produces one block of `entries` (admission order) on a single node: the proposal gets the
/// next height and the node's clock (never earlier than the parent's), then [`commit_block`].
///
/// `funding` (deposits, forced withdrawals, signed withdrawals) follows the CLOB entries in the
/// proposal; the block function runs it first (F8). At an EVM height the pool's executable
/// transactions come last (E1, K2).
pub fn produce_block(node: &Node, entries: Vec<AdmissionEntry>, funding: Vec<Taken>) -> Result<Vec<u64>, ProduceError> {
    let tip = node.chain.read().expect("chain lock").tip(node.genesis_root);
    let height = tip.height + 1;
    let evm = crate::evm_block::proposal_entries(node, height);
    let local: Vec<Local> = entries
        .iter()
        .map(|e| Local::Admitted(e.seq))
        .chain(funding.iter().map(|(ticket, _)| ticket.map_or(Local::None, Local::Funding)))
        .chain(evm.iter().map(|_| Local::None))
        .collect();
    let proposal = Proposal {
        height,
        timestamp_ms: now_ms().max(tip.timestamp_ms),
        entries: entries
            .iter()
            .map(AdmissionEntry::to_entry)
            .chain(funding.iter().map(|(_, message)| Entry::Funding(*message)))
            .chain(evm)
            .collect(),
    };
    commit_block(node, BlockInput { proposal, local, options: BlockOptions::ADMITTED, certificate: None })
}

/// What only this node knows about one entry of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Local {
    /// Admitted here: its mempool sequence number (its submitter may be waiting).
    Admitted(u64),
    /// A funding message queued here, with its submitter's ticket.
    Funding(u64),
    /// Not admitted here (another validator's mempool, or an L1 message nobody waits for).
    None,
}

/// A block to execute and commit: the proposal (its own or a decided one) and, per entry, what
/// this node knows of it.
pub struct BlockInput {
    /// The proposal.
    pub proposal: Proposal,
    /// One per proposal entry.
    pub local: Vec<Local>,
    /// Signature checks and witness layout.
    pub options: BlockOptions,
    /// The commit certificate that decided it (consensus venues, K5), stored with it.
    pub certificate: Option<Vec<u8>>,
}

/// Executes `input` with the block function over the in-memory state; commits header, proposal,
/// batches, witnesses, state writes, the certificate and the removal of the executed (and now
/// stale) entries from the admission log in one transaction; then refreshes the views, publishes
/// to the streams and answers the waiting submitters. Returns the committed batch numbers.
pub fn commit_block(node: &Node, input: BlockInput) -> Result<Vec<u64>, ProduceError> {
    let started = Instant::now();
    let BlockInput { proposal, local, options, certificate } = input;
    let mut chain = node.chain.write().expect("chain lock");
    let tip = chain.tip(node.genesis_root);
    let output = execute_block(&node.venue, &mut chain.full, &tip, &proposal, options)?;
    let stored: Vec<StoredBatch> = output.batches.iter().map(|b| stored_batch(&output, b, &proposal, &local)).collect();
    let stored_funding: Vec<StoredFundingBatch> = output
        .funding
        .iter()
        .map(|b| StoredFundingBatch {
            batch_seq: b.batch_seq,
            block_height: output.header.height,
            first_global_index: b.first_global_index,
            public_inputs: b.public_inputs,
            messages: b
                .entries
                .iter()
                .map(|i| match &proposal.entries[*i] {
                    Entry::Funding(message) => *message,
                    Entry::Clob(_) | Entry::Evm(_) => unreachable!("funding batches hold funding entries"),
                })
                .zip(b.report.outcomes.iter().copied())
                .collect(),
            withdrawals: b.report.withdrawals.clone(),
        })
        .collect();

    // Entries of this node's mempool the block executed, and those it made stale (another
    // message took their nonce): both leave the admission log with the block.
    let executed_seqs: Vec<u64> = local
        .iter()
        .filter_map(|l| match l {
            Local::Admitted(seq) => Some(*seq),
            _ => None,
        })
        .collect();
    let in_block: std::collections::HashSet<(B256, numo_stf::Signature)> = proposal
        .entries
        .iter()
        .filter_map(|e| match e {
            Entry::Clob(c) => Some((c.market_id, c.signed.signature)),
            Entry::Funding(_) | Entry::Evm(_) => None,
        })
        .collect();
    let (stale, late) = node.take_stale(&chain, &executed_seqs, &in_block);
    let mut removed = executed_seqs.clone();
    removed.extend(stale.iter().map(|(e, _)| e.seq));
    removed.extend(&late);
    chain.counters.next_batch_seq = output.tip.next_batch_seq;
    chain.counters.next_global_index = output.tip.next_global_index;
    chain.counters.last_executed_seq =
        chain.counters.last_executed_seq.max(executed_seqs.iter().copied().max().unwrap_or(0));
    chain.dirty_since_snapshot += output.state_writes.len();
    let snapshot_due = chain.dirty_since_snapshot >= node.config.snapshot_dirty_keys.max(chain.full.len() / 4);
    let tree_snapshot = snapshot_due.then(|| chain.full.tree().encode_snapshot());
    if snapshot_due {
        chain.dirty_since_snapshot = 0;
    }
    let evm_commit = crate::evm_block::commit_part(node, &chain, &output);
    let candles = crate::candles::block_updates(output.header.timestamp_ms, block_trades(&stored, &evm_commit));
    let system_facts = evm_commit.batches.iter().map(|(b, _)| (b.batch_seq, &b.facts));
    let history = crate::history::block_updates(BlockTime::of(&output.header), &stored, system_facts);
    let commit = BlockCommit {
        header: &output.header,
        proposal: &proposal,
        batches: stored.iter().zip(&output.batches).map(|(s, b)| (s, b.witness.as_slice())).collect(),
        funding: stored_funding.iter().zip(&output.funding).map(|(s, b)| (s, b.witness.as_slice())).collect(),
        state_writes: &output.state_writes,
        executed: &removed,
        counters: chain.counters,
        tree_snapshot,
        certificate: certificate.as_deref(),
        evm: &evm_commit,
        candles: &candles,
        history: &history,
    };
    node.store.commit_block(&commit)?;

    let records: Vec<_> = stored.iter().map(|batch| batch.to_record(output.header.timestamp_ms)).collect();
    for record in &records {
        let touched = record.messages.iter().map(|m| m.order_id).chain(record.trades.iter().map(|t| t.maker_order_id));
        let touched: Vec<B256> = touched.collect();
        chain.refresh_orders(record.market_id, touched);
        chain.push_trades(record.market_id, record.trades.iter().cloned());
    }
    let system = crate::evm_block::system_records(&evm_commit, output.header.timestamp_ms);
    for (record, touched) in &system {
        chain.refresh_orders(record.market_id, touched.iter().copied());
        chain.push_trades(record.market_id, record.trades.iter().cloned());
    }
    node.streams.publish(&chain, &output.header, records.iter().chain(system.iter().map(|(r, _)| r)), &stored_funding);
    chain.last_block = Some(output.header.clone());
    drop(chain);

    let mut outcomes: Vec<(u64, Outcome)> = Vec::with_capacity(proposal.entries.len());
    for (record, batch) in records.iter().zip(&output.batches) {
        for (message, index) in record.messages.iter().zip(&batch.entries) {
            let Local::Admitted(seq) = local[*index] else { continue };
            let fills = record.trades[message.first_trade..message.first_trade + message.fill_count].to_vec();
            let receipt = Receipt {
                block_height: output.header.height,
                batch_seq: batch.batch_seq,
                record: message.clone(),
                fills,
            };
            outcomes.push((seq, Ok(receipt)));
        }
    }
    for (entry, expected) in &stale {
        let got = entry.signed.message.nonce();
        let reason = DropReason::Invalid(numo_stf::BatchError::NonceMismatch { index: 0, expected: *expected, got });
        outcomes.push((entry.seq, Err(reason)));
    }
    for batch in &output.funding {
        node.metrics.funding_batches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        node.metrics.funding_messages.fetch_add(batch.entries.len() as u64, std::sync::atomic::Ordering::Relaxed);
        node.metrics.last_committed_batch.fetch_max(batch.batch_seq, std::sync::atomic::Ordering::Relaxed);
    }
    let mut funding_queue = node.funding.lock().expect("funding lock");
    for batch in &output.funding {
        for (offset, (index, outcome)) in batch.entries.iter().zip(&batch.report.outcomes).enumerate() {
            if let Local::Funding(ticket) = local[*index] {
                let receipt = FundingReceipt {
                    block_height: output.header.height,
                    batch_seq: batch.batch_seq,
                    global_index: batch.first_global_index + offset as u64,
                    outcome: *outcome,
                };
                funding_queue.answer(ticket, Ok(receipt));
            }
        }
    }
    for dropped in &output.dropped {
        // Admission (and, on a consensus venue, K3) makes this unreachable; if it happens, drop
        // the entries loudly rather than stall the venue, and re-derive pending nonces afterwards.
        tracing::error!(market = ?dropped.market_id, reason = dropped.reason.code(), "admitted messages dropped");
        node.metrics.dropped_batches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for index in &dropped.entries {
            match local[*index] {
                Local::Admitted(seq) => outcomes.push((seq, Err(dropped.reason.clone()))),
                Local::Funding(ticket) => funding_queue.answer(ticket, Err(dropped.reason.clone())),
                Local::None => {}
            }
        }
    }
    if !output.dropped.is_empty() || !stale.is_empty() {
        node.admission.reset_pending_nonces();
        funding_queue.reset_pending_nonces();
    }
    drop(funding_queue);
    node.metrics.record_block(&records.iter().collect::<Vec<_>>(), started.elapsed());
    let mut waiters = node.waiters.lock().expect("waiters lock");
    for (seq, outcome) in outcomes {
        if let Some(waiter) = waiters.remove(&seq) {
            let _ = waiter.send(outcome);
        }
    }
    let mut committed: Vec<u64> = output.funding.iter().map(|b| b.batch_seq).collect();
    committed.extend(output.batches.iter().map(|b| b.batch_seq));
    committed.extend(output.evm.iter().map(|b| b.batch_seq));
    Ok(committed)
}

/// Every trade of a block in execution order: the EVM system batch's (first in the block, E7),
/// then the trading batches'.
fn block_trades<'a>(
    stored: &'a [StoredBatch],
    evm: &'a crate::store::EvmCommit,
) -> impl Iterator<Item = &'a numo_stf::records::Trade> {
    let system = evm.batches.iter().flat_map(|(b, _)| match &b.facts {
        crate::stored_evm::EvmBatchFacts::System { trades, .. } => trades.as_slice(),
        crate::stored_evm::EvmBatchFacts::Block { .. } => &[],
    });
    system.chain(stored.iter().flat_map(|b| b.trades.iter().map(|(_, trade)| trade)))
}

/// The stored form of one executed batch: the block function's facts plus each message's
/// admission sequence number, which only this node knows.
fn stored_batch(output: &BlockOutput, batch: &ExecutedBatch, proposal: &Proposal, local: &[Local]) -> StoredBatch {
    let report = &batch.report;
    let mut messages = Vec::with_capacity(batch.entries.len());
    let mut trades = Vec::with_capacity(report.trades.len());
    let mut next_trade = 0;
    for (offset, (index, outcome)) in batch.entries.iter().zip(&report.outcomes).enumerate() {
        let Entry::Clob(entry) = &proposal.entries[*index] else { unreachable!("trading batches hold CLOB entries") };
        // A message admitted elsewhere has no mempool sequence number here: 0.
        let mempool_seq = match local[*index] {
            Local::Admitted(seq) => seq,
            _ => 0,
        };
        let global_index = batch.first_global_index + offset as u64;
        if let (Message::Place(_), MessageOutcome::Placed(summary)) = (&entry.signed.message, outcome) {
            let fills = &report.trades[next_trade..next_trade + summary.fills as usize];
            trades.extend(fills.iter().map(|t| (global_index, *t)));
            next_trade += summary.fills as usize;
        }
        messages.push(StoredMessage {
            global_index,
            mempool_seq,
            signed: entry.signed,
            msg_hash: entry.signed.message.hash(&batch.public_inputs.domain_separator),
            outcome: *outcome,
        });
    }
    StoredBatch {
        batch_seq: batch.batch_seq,
        block_height: output.header.height,
        market_id: batch.market_id,
        public_inputs: batch.public_inputs,
        prev_root: batch.prev_root,
        new_root: batch.public_inputs.new_root,
        messages,
        trades,
    }
}

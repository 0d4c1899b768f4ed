//! Block production: a [`Sequencer`] decides which admitted messages go into the next block
//! and in which order (the single node orders by admission; a BFT engine will later), and
//! [`execute_block`] runs them as per-market batches with the one transition and commits the
//! block atomically.

use crate::config::MAX_MESSAGES_PER_BLOCK;
use crate::node::{Node, Outcome, Receipt};
use crate::records::{AdmissionEntry, BatchRecord, BlockHeader, MessageRecord, TradeRecord};
use crate::store::BlockCommit;
use alloy_primitives::{hex, B256};
use numo_host::{build_batch_with, BuildOptions, BuiltBatch, Signatures, WitnessForm};
use numo_stf::{MarketContext, Message, MessageOutcome};
use std::collections::{BTreeMap, VecDeque};
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
        if entries.is_empty() {
            continue;
        }
        match execute_block(&node, entries) {
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

/// How the node builds: admission verified every signature under the market's domain (the
/// verifier and the guest recover them again from the witness), and the witness is written in
/// the compact form the store keeps.
const NODE_BUILD: BuildOptions =
    BuildOptions { signatures: Signatures::AlreadyVerified, witness: WitnessForm::Compact };

/// One executed batch before commit.
struct Executed {
    record: BatchRecord,
    witness: Vec<u8>,
    public_inputs: Vec<u8>,
}

/// Executes `entries` as one block: per market in ascending id, batches of at most
/// `maxOrdersPerBatch` in admission order; commits block, batches, witnesses, state writes and
/// the removal of the entries from the admission log in one transaction; then answers the
/// waiting submitters. Returns the committed batch numbers.
pub fn execute_block(node: &Node, entries: Vec<AdmissionEntry>) -> Result<Vec<u64>, String> {
    let started = Instant::now();
    let executed_seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
    let mut by_market: BTreeMap<B256, Vec<AdmissionEntry>> = BTreeMap::new();
    for entry in entries {
        by_market.entry(entry.market_id).or_default().push(entry);
    }
    let mut chain = node.chain.write().expect("chain lock");
    let height = chain.last_block.as_ref().map_or(1, |b| b.height + 1);
    let parent = chain.last_block.as_ref().map_or_else(|| node.genesis.genesis_root(), |b| b.hash);
    let timestamp_ms = now_ms().max(chain.last_block.as_ref().map_or(0, |b| b.timestamp_ms));
    let mut outcomes: Vec<(u64, Outcome)> = Vec::new();
    let mut executed: Vec<Executed> = Vec::new();
    let mut state_writes = BTreeMap::new();
    let mut dropped = false;
    for (market_id, entries) in by_market {
        let ctx = node.markets[&market_id].context;
        for chunk in entries.chunks(ctx.rules.max_orders_per_batch as usize) {
            let batch_seq = chain.counters.next_batch_seq;
            let prev_root = chain.full.root();
            let signed = chunk.iter().map(|e| e.signed).collect();
            match build_batch_with(&mut chain.full, &ctx, batch_seq, timestamp_ms, signed, NODE_BUILD) {
                Ok(mut built) => {
                    let first_index = chain.counters.next_global_index;
                    chain.counters.next_batch_seq += 1;
                    chain.counters.next_global_index += chunk.len() as u64;
                    let done = record_batch(&ctx, height, batch_seq, first_index, prev_root, chunk, &mut built);
                    state_writes.extend(built.writes);
                    for (message, entry) in done.record.messages.iter().zip(chunk) {
                        let fills =
                            done.record.trades[message.first_trade..message.first_trade + message.fill_count].to_vec();
                        let receipt = Receipt { block_height: height, batch_seq, record: message.clone(), fills };
                        outcomes.push((entry.seq, Ok(receipt)));
                    }
                    executed.push(done);
                }
                Err(error) => {
                    // Admission makes this unreachable; if it happens, drop the batch loudly
                    // rather than stall the venue, and re-derive pending nonces afterwards.
                    tracing::error!(batch_seq, %error, "admitted messages form an invalid batch; dropped");
                    node.metrics.dropped_batches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    dropped = true;
                    for entry in chunk {
                        outcomes.push((entry.seq, Err(format!("dropped: {error}"))));
                    }
                }
            }
        }
    }
    let public_inputs: Vec<Vec<u8>> = executed.iter().map(|e| e.public_inputs.clone()).collect();
    let batch_seqs: Vec<u64> = executed.iter().map(|e| e.record.batch_seq).collect();
    let header = BlockHeader::new(height, parent, timestamp_ms, chain.full.root(), &public_inputs, batch_seqs.clone());
    chain.counters.last_executed_seq =
        chain.counters.last_executed_seq.max(executed_seqs.iter().copied().max().unwrap_or(0));
    chain.dirty_since_snapshot += state_writes.len();
    let snapshot_due = chain.dirty_since_snapshot >= node.config.snapshot_dirty_keys.max(chain.full.len() / 4);
    let tree_snapshot = snapshot_due.then(|| chain.full.tree().encode_snapshot());
    if snapshot_due {
        chain.dirty_since_snapshot = 0;
    }
    let commit = BlockCommit {
        header: &header,
        batches: executed.iter().map(|e| (&e.record, e.witness.as_slice())).collect(),
        state_writes: &state_writes,
        executed: &executed_seqs,
        counters: chain.counters,
        tree_snapshot,
    };
    node.store.commit_block(&commit).map_err(|e| e.to_string())?;
    for done in &executed {
        let market = done.record.market_id;
        let touched =
            done.record.messages.iter().map(|m| m.order_id).chain(done.record.trades.iter().map(|t| t.maker_order_id));
        let touched: Vec<B256> = touched.collect();
        chain.refresh_orders(market, touched);
        chain.push_trades(market, done.record.trades.iter().cloned());
    }
    node.streams.publish(&chain, &header, executed.iter().map(|e| &e.record));
    chain.last_block = Some(header);
    drop(chain);
    if dropped {
        node.admission.reset_pending_nonces();
    }
    node.metrics.record_block(&executed.iter().map(|e| &e.record).collect::<Vec<_>>(), started.elapsed());
    let mut waiters = node.waiters.lock().expect("waiters lock");
    for (seq, outcome) in outcomes {
        if let Some(waiter) = waiters.remove(&seq) {
            let _ = waiter.send(outcome);
        }
    }
    Ok(batch_seqs)
}

/// The batch record: messages with global indexes and outcomes, trades, PublicInputs.
fn record_batch(
    ctx: &MarketContext,
    height: u64,
    batch_seq: u64,
    first_index: u64,
    prev_root: B256,
    chunk: &[AdmissionEntry],
    built: &mut BuiltBatch,
) -> Executed {
    let domain = ctx.domain_separator();
    let mut messages = Vec::with_capacity(chunk.len());
    let mut trades = Vec::with_capacity(built.report.trades.len());
    for (offset, (entry, outcome)) in chunk.iter().zip(&built.report.outcomes).enumerate() {
        let global_index = first_index + offset as u64;
        let msg_hash = entry.signed.message.hash(&domain);
        let record = MessageRecord::new(global_index, entry.seq, &entry.signed, msg_hash, outcome, trades.len());
        if let (Message::Place(_), MessageOutcome::Placed(summary)) = (&entry.signed.message, outcome) {
            let fills = &built.report.trades[trades.len()..trades.len() + summary.fills as usize];
            trades.extend(fills.iter().map(|t| TradeRecord::new(batch_seq, global_index, t)));
        }
        messages.push(record);
    }
    let public_inputs = built.public_inputs.encode().to_vec();
    let record = BatchRecord {
        batch_seq,
        block_height: height,
        market_id: ctx.market_id,
        public_inputs: hex::encode_prefixed(&public_inputs),
        prev_root,
        new_root: built.public_inputs.new_root,
        messages,
        trades,
    };
    // The builder wrote the compact witness the store keeps; it is moved, not copied.
    Executed { record, witness: std::mem::take(&mut built.blob), public_inputs }
}

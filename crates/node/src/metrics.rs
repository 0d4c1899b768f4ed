//! Counters exposed at `GET /metrics` in the Prometheus text format.

use crate::records::BatchRecord;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Duration;

/// Node counters; all monotonic except the `last_*` gauges.
#[derive(Default)]
pub struct Metrics {
    /// Messages made durable by admission.
    pub admitted: AtomicU64,
    /// Refused submissions by code.
    pub refused: Mutex<BTreeMap<String, u64>>,
    /// Committed blocks.
    pub blocks: AtomicU64,
    /// Committed batches.
    pub batches: AtomicU64,
    /// Executed messages.
    pub messages: AtomicU64,
    /// Fills.
    pub trades: AtomicU64,
    /// Executed-but-rejected messages by reason (C12).
    pub rejects: Mutex<BTreeMap<String, u64>>,
    /// Total block execution + commit time, µs.
    pub block_time_us: AtomicU64,
    /// Last block's execution + commit time, µs.
    pub last_block_time_us: AtomicU64,
    /// Batches the guest reproduced.
    pub verified: AtomicU64,
    /// Batches the guest disagreed with.
    pub mismatches: AtomicU64,
    /// Highest batch verified (either way).
    pub last_checked_batch: AtomicU64,
    /// Highest batch committed.
    pub last_committed_batch: AtomicU64,
    /// Batches dropped as invalid (should stay 0).
    pub dropped_batches: AtomicU64,
}

impl Metrics {
    /// Counts a refusal.
    pub fn refuse(&self, code: &str) {
        *self.refused.lock().expect("metrics lock").entry(code.to_string()).or_default() += 1;
    }

    /// Counts a committed block.
    pub fn record_block(&self, batches: &[&BatchRecord], elapsed: Duration) {
        self.blocks.fetch_add(1, Relaxed);
        self.batches.fetch_add(batches.len() as u64, Relaxed);
        let micros = elapsed.as_micros() as u64;
        self.block_time_us.fetch_add(micros, Relaxed);
        self.last_block_time_us.store(micros, Relaxed);
        let mut rejects = self.rejects.lock().expect("metrics lock");
        for batch in batches {
            self.messages.fetch_add(batch.messages.len() as u64, Relaxed);
            self.trades.fetch_add(batch.trades.len() as u64, Relaxed);
            self.last_committed_batch.fetch_max(batch.batch_seq, Relaxed);
            for reason in batch.messages.iter().filter_map(|m| m.reason.as_ref()) {
                *rejects.entry(reason.clone()).or_default() += 1;
            }
        }
    }

    /// The Prometheus exposition.
    pub fn render(&self, pending: usize) -> String {
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, value: u64| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}");
        };
        counter("numo_admitted_total", "Messages admitted durably.", self.admitted.load(Relaxed));
        counter("numo_blocks_total", "Blocks committed.", self.blocks.load(Relaxed));
        counter("numo_batches_total", "Batches committed.", self.batches.load(Relaxed));
        counter("numo_messages_executed_total", "Messages executed.", self.messages.load(Relaxed));
        counter("numo_trades_total", "Fills.", self.trades.load(Relaxed));
        counter(
            "numo_block_time_microseconds_total",
            "Block execution and commit time.",
            self.block_time_us.load(Relaxed),
        );
        counter("numo_batches_verified_total", "Batches the guest reproduced.", self.verified.load(Relaxed));
        counter("numo_batches_mismatch_total", "Batches the guest disagreed with.", self.mismatches.load(Relaxed));
        counter("numo_batches_dropped_total", "Batches dropped as invalid.", self.dropped_batches.load(Relaxed));
        let lag = self.last_committed_batch.load(Relaxed).saturating_sub(self.last_checked_batch.load(Relaxed));
        let _ = writeln!(
            out,
            "# TYPE numo_last_block_time_microseconds gauge\nnumo_last_block_time_microseconds {}",
            self.last_block_time_us.load(Relaxed)
        );
        let _ = writeln!(out, "# TYPE numo_verify_lag_batches gauge\nnumo_verify_lag_batches {lag}");
        let _ = writeln!(out, "# TYPE numo_mempool_pending gauge\nnumo_mempool_pending {pending}");
        let _ = writeln!(out, "# TYPE numo_refused_total counter");
        for (code, n) in self.refused.lock().expect("metrics lock").iter() {
            let _ = writeln!(out, "numo_refused_total{{code=\"{code}\"}} {n}");
        }
        let _ = writeln!(out, "# TYPE numo_rejected_total counter");
        for (reason, n) in self.rejects.lock().expect("metrics lock").iter() {
            let _ = writeln!(out, "numo_rejected_total{{reason=\"{reason}\"}} {n}");
        }
        out
    }
}

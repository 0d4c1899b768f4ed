//! Counters exposed at `GET /metrics`, and the one place that renders them (with the streams'
//! counters) in the Prometheus text format.

use crate::records::BatchRecord;
use crate::stream::StreamCounters;
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
    /// EVM transactions made durable by `eth_sendRawTransaction`.
    pub evm_admitted: AtomicU64,
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
    /// Funding batches committed (F8).
    pub funding_batches: AtomicU64,
    /// Funding messages executed: deposits, withdrawals, forced withdrawals.
    pub funding_messages: AtomicU64,
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

    /// The Prometheus exposition of the node: these counters, the mempool size `pending`, and
    /// the WebSocket `streams` counters. Every metric of `GET /metrics` is written here.
    /// `l1` is `(last settled batch, last L1 block listened to)` when the node has an L1.
    pub fn render(&self, pending: usize, streams: &StreamCounters, l1: Option<(u64, u64)>) -> String {
        let mut out = Exposition::default();
        out.counter("numo_admitted_total", "Messages admitted durably.", self.admitted.load(Relaxed));
        out.counter(
            "numo_evm_admitted_total",
            "EVM transactions admitted durably (eth_sendRawTransaction).",
            self.evm_admitted.load(Relaxed),
        );
        out.counter("numo_blocks_total", "Blocks committed.", self.blocks.load(Relaxed));
        out.counter("numo_batches_total", "Batches committed.", self.batches.load(Relaxed));
        out.counter("numo_messages_executed_total", "Messages executed.", self.messages.load(Relaxed));
        out.counter("numo_trades_total", "Fills.", self.trades.load(Relaxed));
        out.counter(
            "numo_block_time_microseconds_total",
            "Block execution and commit time.",
            self.block_time_us.load(Relaxed),
        );
        out.counter("numo_batches_verified_total", "Batches the guest reproduced.", self.verified.load(Relaxed));
        out.counter("numo_batches_mismatch_total", "Batches the guest disagreed with.", self.mismatches.load(Relaxed));
        out.counter("numo_batches_dropped_total", "Batches dropped as invalid.", self.dropped_batches.load(Relaxed));
        let lag = self.last_committed_batch.load(Relaxed).saturating_sub(self.last_checked_batch.load(Relaxed));
        out.gauge(
            "numo_last_block_time_microseconds",
            "Last block's execution and commit time.",
            self.last_block_time_us.load(Relaxed),
        );
        out.gauge("numo_verify_lag_batches", "Committed batches not yet verified.", lag);
        out.gauge("numo_mempool_pending", "Admitted messages not yet in a block.", pending as u64);
        let refused = &self.refused.lock().expect("metrics lock");
        out.counters_by("numo_refused_total", "Refused submissions by code.", "code", refused);
        let rejects = &self.rejects.lock().expect("metrics lock");
        out.counters_by("numo_rejected_total", "Executed messages rejected, by reason (C12).", "reason", rejects);
        out.counter("numo_ws_connections_total", "WebSocket connections opened.", streams.connections.load(Relaxed));
        out.counter(
            "numo_ws_closed_total",
            "WebSocket connections ended, for any reason.",
            streams.closed.load(Relaxed),
        );
        out.counter(
            "numo_ws_slow_consumers_total",
            "WebSockets closed for falling behind.",
            streams.slow_consumers.load(Relaxed),
        );
        out.counter("numo_ws_events_total", "Block events published to the streams.", streams.events.load(Relaxed));
        out.counter("numo_funding_batches_total", "Funding batches committed.", self.funding_batches.load(Relaxed));
        out.counter(
            "numo_funding_messages_total",
            "Deposits, withdrawals and forced withdrawals executed.",
            self.funding_messages.load(Relaxed),
        );
        if let Some((settled, listened)) = l1 {
            out.gauge("numo_l1_last_settled_batch", "Last batch the L1 bridge has settled.", settled);
            let lag = self.last_committed_batch.load(Relaxed).saturating_sub(settled);
            out.gauge("numo_l1_settle_lag_batches", "Committed batches not yet settled on L1.", lag);
            out.gauge("numo_l1_listened_block", "Last L1 block the deposit listener has read.", listened);
        }
        out.0
    }
}

/// The Prometheus text format (version 0.0.4), written one metric family at a time so every
/// family gets the same `# HELP` / `# TYPE` header.
#[derive(Default)]
struct Exposition(String);

impl Exposition {
    fn header(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    fn counter(&mut self, name: &str, help: &str, value: u64) {
        self.header(name, "counter", help);
        let _ = writeln!(self.0, "{name} {value}");
    }

    fn gauge(&mut self, name: &str, help: &str, value: u64) {
        self.header(name, "gauge", help);
        let _ = writeln!(self.0, "{name} {value}");
    }

    /// A counter with one sample per value of `label`.
    fn counters_by(&mut self, name: &str, help: &str, label: &str, samples: &BTreeMap<String, u64>) {
        self.header(name, "counter", help);
        for (value, n) in samples {
            let _ = writeln!(self.0, "{name}{{{label}=\"{value}\"}} {n}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_follows_its_family_header() {
        let metrics = Metrics::default();
        metrics.refuse("nonce_gap");
        metrics.refuse("nonce_gap");
        metrics.rejects.lock().unwrap().insert("insufficient_balance".into(), 3);
        let streams = StreamCounters::default();
        streams.connections.store(4, Relaxed);
        metrics.last_committed_batch.store(9, Relaxed);
        let text = metrics.render(7, &streams, Some((5, 40)));
        for needle in [
            "# TYPE numo_l1_settle_lag_batches gauge\nnumo_l1_settle_lag_batches 4\n",
            "numo_l1_listened_block 40\n",
            "numo_refused_total{code=\"nonce_gap\"} 2\n",
            "numo_rejected_total{reason=\"insufficient_balance\"} 3\n",
            "# TYPE numo_mempool_pending gauge\nnumo_mempool_pending 7\n",
            "# TYPE numo_ws_connections_total counter\nnumo_ws_connections_total 4\n",
        ] {
            assert!(text.contains(needle), "{needle} missing from\n{text}");
        }
        let mut family = "";
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                family = rest.split(' ').next().unwrap();
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                assert!(rest.starts_with(&format!("{family} ")), "TYPE without its HELP: {line}");
            } else {
                assert!(line.starts_with(family), "{line} outside its family {family}");
            }
        }
    }
}

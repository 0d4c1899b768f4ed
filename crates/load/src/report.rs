//! What a run measured: offered vs achieved rate, outcomes, refusals, latency.

use crate::run::{Answer, LATE};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

/// The report of one run. Every timed message is counted exactly once in `accepted`,
/// `rejected`, `admitted`, `httpErrors` or `connectionErrors`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Timed messages.
    pub messages: u64,
    /// Offered load, msgs/s.
    pub offered_rate: f64,
    /// Length of the schedule, `messages / offered_rate`, seconds.
    pub schedule_secs: f64,
    /// From the start of the schedule to the last answer (at least the schedule), seconds.
    pub elapsed_secs: f64,
    /// Answered messages (HTTP 200/202) per second of `elapsed_secs`.
    pub achieved_rate: f64,
    /// Executed and accepted (200, `"outcome": "accepted"`).
    pub accepted: u64,
    /// Executed and rejected (200, `"outcome": "rejected"`); counts by C12 reason in
    /// `rejectedByReason`. Cancels of orders filled meanwhile are expected here.
    pub rejected: u64,
    /// Rejections per reason.
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Durable but without an outcome: `?wait=false` answers, and 202 (the block took longer
    /// than the node waits).
    pub admitted: u64,
    /// Refusals and other HTTP errors, by `"<status> <code>"`.
    pub http_errors: BTreeMap<String, u64>,
    /// Requests that got no HTTP answer.
    pub connection_errors: u64,
    /// Due time → answer, over the answered messages (200/202), milliseconds.
    pub latency_ms: Latency,
    /// Messages sent more than 5 ms after their due time (their pair's previous answer came
    /// later than the schedule allowed: the node, or the client, is behind).
    pub late_sends: u64,
    /// The latest send, milliseconds after its due time.
    pub max_late_ms: f64,
}

/// The `p`-th percentile of sorted values (nearest rank); 0 for none.
pub fn percentile<T: Copy + Default>(sorted: &[T], p: f64) -> T {
    if sorted.is_empty() {
        return T::default();
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

impl Report {
    /// Summarises the answers of a run offered at `rate` msgs/s.
    pub fn new(answers: &[Answer], rate: f64) -> Self {
        let messages = answers.len() as u64;
        let schedule_secs = messages as f64 / rate;
        let mut report = Self {
            messages,
            offered_rate: rate,
            schedule_secs,
            elapsed_secs: schedule_secs,
            achieved_rate: 0.0,
            accepted: 0,
            rejected: 0,
            rejected_by_reason: BTreeMap::new(),
            admitted: 0,
            http_errors: BTreeMap::new(),
            connection_errors: 0,
            latency_ms: Latency { p50: 0.0, p90: 0.0, p99: 0.0, max: 0.0 },
            late_sends: 0,
            max_late_ms: 0.0,
        };
        let mut latencies = Vec::with_capacity(answers.len());
        for answer in answers {
            let body = || answer.body.as_deref().and_then(|b| serde_json::from_slice::<Value>(b).ok());
            match answer.status {
                200 | 202 => {
                    latencies.push(answer.latency);
                    report.elapsed_secs = report.elapsed_secs.max(answer.done().as_secs_f64());
                    if answer.accepted {
                        report.accepted += 1;
                    } else {
                        let body = body().unwrap_or_default();
                        if answer.status == 200 && body["outcome"] == "rejected" {
                            report.rejected += 1;
                            let reason = body["reason"].as_str().unwrap_or("unknown").to_string();
                            *report.rejected_by_reason.entry(reason).or_default() += 1;
                        } else if answer.status == 200 && body["outcome"] == "accepted" {
                            report.accepted += 1;
                        } else {
                            report.admitted += 1;
                        }
                    }
                }
                0 => report.connection_errors += 1,
                status => {
                    let code = body().and_then(|b| b["error"]["code"].as_str().map(str::to_string));
                    let key = format!("{status} {}", code.unwrap_or_else(|| "-".into()));
                    *report.http_errors.entry(key).or_default() += 1;
                }
            }
            if answer.late > LATE {
                report.late_sends += 1;
            }
            report.max_late_ms = report.max_late_ms.max(ms(answer.late));
        }
        latencies.sort_unstable();
        report.latency_ms = Latency {
            p50: ms(percentile(&latencies, 50.0)),
            p90: ms(percentile(&latencies, 90.0)),
            p99: ms(percentile(&latencies, 99.0)),
            max: ms(latencies.last().copied().unwrap_or_default()),
        };
        if report.elapsed_secs > 0.0 {
            report.achieved_rate = latencies.len() as f64 / report.elapsed_secs;
        }
        report
    }

    /// Messages answered with HTTP 200 or 202.
    pub fn answered(&self) -> u64 {
        self.accepted + self.rejected + self.admitted
    }

    /// The report for people, a few lines.
    pub fn lines(&self) -> Vec<String> {
        let counts =
            |map: &BTreeMap<String, u64>| map.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        let mut rejected = format!("{} rejected", self.rejected);
        if !self.rejected_by_reason.is_empty() {
            rejected += &format!(" ({})", counts(&self.rejected_by_reason));
        }
        let http_errors: u64 = self.http_errors.values().sum();
        let mut errors = format!("{http_errors} HTTP errors");
        if !self.http_errors.is_empty() {
            errors += &format!(" ({})", counts(&self.http_errors));
        }
        let l = &self.latency_ms;
        vec![
            format!(
                "offered {:.0} msgs/s for {:.1} s ({} messages); achieved {:.0} msgs/s ({} answered in {:.2} s)",
                self.offered_rate,
                self.schedule_secs,
                self.messages,
                self.achieved_rate,
                self.answered(),
                self.elapsed_secs
            ),
            format!(
                "outcomes: {} accepted, {rejected}, {} admitted without outcome; {errors}, {} connection errors",
                self.accepted, self.admitted, self.connection_errors
            ),
            format!(
                "latency (scheduled send → answer): p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                l.p50, l.p90, l.p99, l.max
            ),
            format!("late sends (> 5 ms behind schedule): {} (latest {:.1} ms)", self.late_sends, self.max_late_ms),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(due_ms: u64, latency_ms: u64, status: u16, body: &str) -> Answer {
        let accepted = status == 200 && body.contains("\"outcome\":\"accepted\"");
        Answer {
            due: Duration::from_millis(due_ms),
            late: Duration::from_millis(if due_ms == 30 { 9 } else { 0 }),
            latency: Duration::from_millis(latency_ms),
            status,
            accepted,
            body: (!accepted).then(|| body.as_bytes().to_vec()),
            first: false,
        }
    }

    #[test]
    fn every_answer_is_counted_once_and_percentiles_come_from_answered_ones() {
        let answers = vec![
            answer(0, 10, 200, r#"{"outcome":"accepted"}"#),
            answer(10, 20, 200, r#"{"outcome":"rejected","reason":"unknown_order"}"#),
            answer(20, 30, 200, r#"{"outcome":"rejected","reason":"unknown_order"}"#),
            answer(30, 40, 200, r#"{"mempoolSeq":4,"status":"admitted"}"#),
            answer(40, 5_000, 409, r#"{"error":{"code":"nonce_gap","message":"…"}}"#),
            answer(50, 1, 0, "connection reset"),
        ];
        let report = Report::new(&answers, 100.0);
        assert_eq!(report.messages, 6);
        assert_eq!((report.accepted, report.rejected, report.admitted, report.connection_errors), (1, 2, 1, 1));
        assert_eq!(report.rejected_by_reason["unknown_order"], 2);
        assert_eq!(report.http_errors["409 nonce_gap"], 1);
        assert_eq!(report.answered(), 4);
        assert_eq!(report.latency_ms.max, 40.0);
        assert_eq!(report.latency_ms.p50, 20.0);
        assert_eq!(report.late_sends, 1);
        // 6 messages at 100/s: a 60 ms schedule; the last answer (70 ms) ends the run.
        assert!((report.elapsed_secs - 0.07).abs() < 1e-9, "{}", report.elapsed_secs);
        assert!((report.achieved_rate - 4.0 / 0.07).abs() < 1e-6);
        assert_eq!(report.lines().len(), 4);
    }

    #[test]
    fn percentile_is_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!((percentile(&v, 50.0), percentile(&v, 99.0), percentile(&v, 100.0)), (50, 99, 100));
        assert_eq!(percentile::<u64>(&[], 50.0), 0);
    }
}

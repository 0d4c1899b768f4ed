//! The open-loop run: every pair on its own keep-alive connection, timed message `k` due at
//! `k / rate` (pair `k mod P`, so a pair's messages are `P / rate` apart), latency measured
//! from the due time.

use crate::http::{request, Http};
use crate::workload::PairStream;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;
use tokio::time::Instant;

/// A send this much after its due time counts as late.
pub const LATE: Duration = Duration::from_millis(5);

/// How to run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    /// Offered load, messages per second, over all pairs.
    pub rate: f64,
    /// `true`: each request waits for its block and answers with the outcome (the default of
    /// `POST /v1/messages`); `false`: `?wait=false`, answered at admission.
    pub wait: bool,
    /// The first `warmup` messages of every pair are sent (waiting for their outcome, all
    /// pairs at once) before the clock starts and are not timed: a pair's first message makes
    /// the node read the committed nonce, which waits while a block executes.
    pub warmup: usize,
    /// Name the market in each request (spares the node the search for the signature's domain).
    pub market_in_request: bool,
}

/// Counters a progress display can read while the run goes on.
#[derive(Debug, Default)]
pub struct Progress {
    /// Timed messages in the run.
    pub total: AtomicU64,
    /// Timed messages sent so far.
    pub sent: AtomicU64,
    /// Timed messages answered so far (any status).
    pub answered: AtomicU64,
    /// Answers that were not HTTP 200, and connection errors.
    pub failed: AtomicU64,
}

/// One timed message's fate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Its due time, from the start of the schedule.
    pub due: Duration,
    /// When it was actually sent, after its due time (its pair's previous answer came late).
    pub late: Duration,
    /// From the due time to the answer: what a client sending on time would have waited.
    pub latency: Duration,
    /// HTTP status; 0 when the connection failed.
    pub status: u16,
    /// A 200 whose outcome is `accepted`.
    pub accepted: bool,
    /// The body of any answer that is not an accepted outcome (kept to classify it).
    pub body: Option<Vec<u8>>,
    /// The pair's first timed message.
    pub first: bool,
}

impl Answer {
    /// When the answer arrived, from the start of the schedule.
    pub fn done(&self) -> Duration {
        self.due + self.latency
    }
}

/// Why a run could not start or warm up.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The node does not accept connections.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// Where.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A warm-up message failed: the workload cannot go on in nonce order.
    #[error("warm-up message of pair {pair} failed: {detail}")]
    Warmup {
        /// Pair index.
        pair: usize,
        /// Status and body, or the I/O error.
        detail: String,
    },
}

/// Runs `streams` against the node at `addr`: the warm-up, then every remaining message on
/// the open-loop schedule of `plan`. Returns one [`Answer`] per timed message, in pair order.
pub async fn run(
    addr: SocketAddr,
    streams: &[PairStream],
    plan: &Plan,
    progress: &std::sync::Arc<Progress>,
) -> Result<Vec<Answer>, LoadError> {
    let pair_count = streams.len();
    let timed_total: usize = streams.iter().map(|s| s.messages.len().saturating_sub(plan.warmup)).sum();
    progress.total.store(timed_total as u64, Relaxed);
    // Request bytes, built before the clock: per pair, the warm-up and the timed ones.
    let build = |stream: &PairStream, range: std::ops::Range<usize>, wait: bool| -> Vec<Vec<u8>> {
        let market = plan.market_in_request.then_some(stream.market);
        stream.messages[range].iter().map(|s| request(s, market, wait)).collect()
    };
    let warm: Vec<_> = streams.iter().map(|s| build(s, 0..s.messages.len().min(plan.warmup), true)).collect();
    let timed: Vec<_> =
        streams.iter().map(|s| build(s, s.messages.len().min(plan.warmup)..s.messages.len(), plan.wait)).collect();
    let mut conns = Vec::with_capacity(pair_count);
    for _ in 0..pair_count {
        conns.push(Http::connect(addr).await.map_err(|source| LoadError::Connect { addr, source })?);
    }
    let warmups: Vec<_> = warm
        .into_iter()
        .zip(conns)
        .enumerate()
        .map(|(pair, (list, mut conn))| {
            tokio::spawn(async move {
                for req in list {
                    match conn.call(&req).await {
                        Ok((200, _)) => {}
                        Ok((status, body)) => {
                            let detail = format!("HTTP {status}: {}", String::from_utf8_lossy(&body));
                            return Err(LoadError::Warmup { pair, detail });
                        }
                        Err(e) => return Err(LoadError::Warmup { pair, detail: e.to_string() }),
                    }
                }
                Ok(conn)
            })
        })
        .collect();
    let mut conns = Vec::with_capacity(pair_count);
    for task in warmups {
        conns.push(task.await.expect("warm-up task")?);
    }
    // A little headroom so the first messages are not late because tasks are still starting.
    let start = Instant::now() + Duration::from_millis(200);
    let nanos_per_message = 1e9 / plan.rate;
    let tasks: Vec<_> = timed
        .into_iter()
        .zip(conns)
        .enumerate()
        .map(|(p, (list, mut conn))| {
            let progress = progress.clone();
            tokio::spawn(async move {
                let mut out = Vec::with_capacity(list.len());
                let mut broken = false;
                for (j, req) in list.into_iter().enumerate() {
                    let k = p + j * pair_count;
                    let due = Duration::from_nanos((k as f64 * nanos_per_message) as u64);
                    tokio::time::sleep_until(start + due).await;
                    let late = Instant::now().saturating_duration_since(start + due);
                    progress.sent.fetch_add(1, Relaxed);
                    if broken {
                        // The last call failed mid-way: a fresh connection for this one.
                        if let Ok(fresh) = Http::connect(addr).await {
                            conn = fresh;
                            broken = false;
                        }
                    }
                    let result = if broken {
                        Err(std::io::Error::new(std::io::ErrorKind::NotConnected, "reconnect failed"))
                    } else {
                        conn.call(&req).await
                    };
                    let latency = (start + due).elapsed();
                    let (status, body) = match result {
                        Ok(answer) => answer,
                        Err(e) => {
                            broken = true;
                            (0, e.to_string().into_bytes())
                        }
                    };
                    let accepted = status == 200 && contains(&body, b"\"outcome\":\"accepted\"");
                    progress.answered.fetch_add(1, Relaxed);
                    if status != 200 {
                        progress.failed.fetch_add(1, Relaxed);
                    }
                    let body = (!accepted).then_some(body);
                    out.push(Answer { due, late, latency, status, accepted, body, first: j == 0 });
                }
                out
            })
        })
        .collect();
    let mut answers = Vec::with_capacity(timed_total);
    for task in tasks {
        answers.extend(task.await.expect("client task"));
    }
    Ok(answers)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

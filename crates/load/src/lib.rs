//! Load for numo nodes, shared by `numo load` and the node bench so both measure the same way.
//!
//! - [`workload`]: per (account, market) pair, a deterministic realistic message stream —
//!   makers resting around a mid price (often at new ticks), cancels of their oldest orders
//!   (some filled meanwhile: those execute as rejections), takers crossing with IOC orders —
//!   signed before any clock starts ([`workload::sign_streams`], on every core).
//! - [`http`]: pre-built `POST /v1/messages` request bytes and a minimal HTTP/1.1 keep-alive
//!   client: client and node usually share the machine, so the client must cost little.
//! - [`run`]: an open-loop schedule. Timed message `k` is due at `k / rate` whatever happened
//!   before; latency counts from the due time, so a stalled node cannot hide its queueing
//!   (no coordinated omission). A pair sends its next message only after the previous answered
//!   (nonce order), late if need be — late sends are counted.
//! - [`report`]: offered vs achieved rate, outcomes, refusals, latency percentiles.

pub mod http;
pub mod report;
pub mod run;
pub mod workload;

pub use report::Report;
pub use run::{run, Answer, LoadError, Plan, Progress};
pub use workload::{pairs, sign_streams, MarketInfo, PairGen, PairStream, Trader};

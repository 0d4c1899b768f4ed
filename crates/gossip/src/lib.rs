//! Gossip mempool messages between numo nodes: one libp2p swarm and one gossipsub topic
//! (`numo/mempool/1`), separate from the consensus network, with a Lamport clock on every
//! message.
//!
//! A node calls [`Gossip::start`] with its identity key, listen address and peers, publishes
//! each message it admits with [`Gossip::publish`] (which stamps it with the Lamport clock),
//! and reads what other nodes published from the returned channel of [`Received`]. Each
//! payload reaches each node at most once: gossipsub's message id is the payload's keccak256
//! and a bounded seen cache guards the node's side. Every received message is checked before
//! gossipsub may forward it — the sender's token bucket, the size limit, the strict decoder,
//! the origin against the signed author, the Lamport lead — and a refusal is counted and
//! penalises the peer that sent it.
//!
//! Start here:
//! - [`message`]: the wire format (`U8 version ‖ U64 lamport ‖ B32 origin ‖ U32 len ‖
//!   payload`) and its strict decoder;
//! - [`lamport`]: the clock's send and receipt rules;
//! - [`limits`]: every bound and gossipsub parameter, with why it has its value;
//! - [`Gossip`] (`gossip.rs`): the handle the node holds; `task.rs`: the swarm task that judges
//!   and delivers; `behaviour.rs`: gossipsub's configuration, scoring and message id;
//!   `rate.rs`, `seen.rs`, `dialer.rs`: the token buckets, the seen cache and the redial
//!   backoff, each pure and tested without a network;
//! - [`error`]: the refusals, with stable codes.
//!
//! May depend on: libp2p (TCP, Noise, Yamux, gossipsub, ed25519 — the version Malachite
//! pins), tokio, keccak. Never on the chain, the transition or the node: the payload is opaque
//! here, and whether a message is valid for the chain is the node's admission's call.
//!
//! Stability: new (the mempool transport of the coming multi-node network); the wire format
//! carries a version byte so it can change without ambiguity.

mod behaviour;
mod dialer;
pub mod error;
mod gossip;
pub mod lamport;
pub mod limits;
pub mod message;
mod rate;
mod seen;
mod stats;
mod task;

pub use error::GossipError;
pub use gossip::{Gossip, GossipConfig, PeerIdString, Received};
pub use lamport::{ClockError, LamportClock};
pub use limits::GossipLimits;
pub use message::{DecodeError, MempoolMessage, MessageView};
pub use stats::GossipStats;

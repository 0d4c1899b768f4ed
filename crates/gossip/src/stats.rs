//! What the transport counted since it started, for the node's metrics and API.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of the counters. Every inbound message that reaches the application layer lands
/// in exactly one of `received`, `duplicates`, `rate_limited`, `oversize`, `malformed` and
/// `queue_full`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GossipStats {
    /// Messages handed to gossipsub by [`crate::Gossip::publish`] and sent to at least one peer.
    pub published: u64,
    /// Messages delivered to the node on the [`crate::Received`] channel.
    pub received: u64,
    /// Inbound messages whose payload was already delivered or published here (the seen
    /// cache), and publishes of a payload the network already carried.
    pub duplicates: u64,
    /// Inbound messages over their peer's token bucket: dropped, and the peer penalised.
    pub rate_limited: u64,
    /// Inbound messages over [`crate::GossipLimits::max_message_bytes`]: dropped, peer penalised.
    pub oversize: u64,
    /// Inbound messages that do not decode, whose origin is not their signed author, or whose
    /// Lamport timestamp leads the local clock too far: dropped, peer penalised.
    pub malformed: u64,
    /// Valid inbound messages dropped because the node had not drained
    /// [`crate::GossipLimits::max_pending`] earlier ones (forwarded to the network regardless).
    pub queue_full: u64,
    /// Publishes gossipsub could not send: no peer subscribed yet, or every peer's send queue
    /// full. The node still holds the message; it is not re-sent.
    pub unsent: u64,
}

/// The live counters behind [`GossipStats`], shared by the handles and the swarm task.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) published: AtomicU64,
    pub(crate) received: AtomicU64,
    pub(crate) duplicates: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) oversize: AtomicU64,
    pub(crate) malformed: AtomicU64,
    pub(crate) queue_full: AtomicU64,
    pub(crate) unsent: AtomicU64,
}

/// Adds one to a counter (relaxed: each counter is independent and only ever read as a whole).
pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    pub(crate) fn snapshot(&self) -> GossipStats {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        GossipStats {
            published: read(&self.published),
            received: read(&self.received),
            duplicates: read(&self.duplicates),
            rate_limited: read(&self.rate_limited),
            oversize: read(&self.oversize),
            malformed: read(&self.malformed),
            queue_full: read(&self.queue_full),
            unsent: read(&self.unsent),
        }
    }
}

//! Every bound of the mempool transport in one place: the defaults of [`GossipLimits`] (what an
//! operator may change), the fixed bounds of the swarm task, and the gossipsub timings, with the
//! relations between them asserted at compile time.

use std::time::Duration;

use crate::error::GossipError;
use crate::message::HEADER_BYTES;

// --- Messages -------------------------------------------------------------------------------

/// Default largest encoded [`crate::MempoolMessage`] (header and payload). A signed numo
/// message is well under 1 KiB; 16 KiB leaves room for future message kinds while keeping a
/// flooding peer's worst case (this times its burst) small.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// What gossipsub adds around our bytes in one RPC frame: the protobuf fields, the topic, the
/// author's peer id, sequence number and ed25519 signature. `max_transmit_size` is the message
/// limit plus this, so a frame holding a message at our limit is never refused by the codec, and
/// our own check ([`GossipLimits::max_message_bytes`]) is the one that counts `oversize`.
pub const RPC_OVERHEAD_BYTES: usize = 1024;
/// A received Lamport timestamp may lead the local clock by at most this much. Without a bound
/// one peer could push every clock to `u64::MAX` in one message and exhaust it; with it, each
/// accepted message moves the clock forward by at most 2^32 (four billion events, far beyond any
/// honest lead), so exhausting a 64-bit clock takes 2^32 accepted messages.
pub const LAMPORT_LEAD_MAX: u64 = 1 << 32;

// --- Inbound --------------------------------------------------------------------------------

/// Default bound of the channel of received messages to the node: about a second of a busy
/// network's traffic (the node admits ≈3,900 msgs/s at saturation). When the node falls this
/// far behind, further messages are dropped and counted (`queue_full`) instead of queued.
pub const DEFAULT_MAX_PENDING: usize = 4_096;
/// Default sustained messages per second accepted from one peer. Above the node's admission
/// saturation (≈3,900 msgs/s), so an honest peer forwarding everything the network admits is
/// never limited; a peer flooding faster loses the excess and is penalised. A message refused
/// this way is not taken from another peer either within gossipsub's duplicate window (its id
/// is remembered), which is why the default sits well above any honest rate.
pub const DEFAULT_PER_PEER_MSGS_PER_SEC: u32 = 4_000;
/// Default burst one peer may send at once above its sustained rate: two seconds of it, so a
/// peer flushing a backlog after a reconnect is not penalised.
pub const DEFAULT_PER_PEER_BURST: u32 = 8_000;
/// Default payload ids remembered as delivered (32 bytes each plus hash-set overhead, ≈ 4 MiB):
/// about 16 s of a saturated network, beyond gossipsub's own 60 s duplicate cache only for
/// quieter traffic. A replay that escapes both is refused by the node's nonce check (C9).
pub const DEFAULT_SEEN_CACHE: usize = 65_536;

// --- Outbound -------------------------------------------------------------------------------

/// Messages [`crate::Gossip::publish`] may queue for the swarm task before it answers
/// `Backpressure`: the same second of traffic as the inbound bound.
pub const OUTBOUND_QUEUE_MAX: usize = 4_096;

// --- Peers ----------------------------------------------------------------------------------

/// First wait before re-dialling a configured peer that is not connected.
pub const REDIAL_BACKOFF_MIN: Duration = Duration::from_millis(100);
/// Longest wait between two dials of one configured peer (the backoff doubles up to this).
pub const REDIAL_BACKOFF_MAX: Duration = Duration::from_secs(5);
/// How often the swarm task looks for configured peers to dial.
pub const DIAL_TICK: Duration = Duration::from_millis(50);
/// An established connection with no stream open is closed after this. Gossipsub keeps its
/// stream open while both sides are subscribed, so this only closes connections to peers that
/// left the topic.
pub const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(60);

// --- Gossipsub ------------------------------------------------------------------------------

/// The topic of the mempool (its own swarm, never Malachite's).
pub const TOPIC: &str = "numo/mempool/1";
/// Gossipsub heartbeat: mesh maintenance and IHAVE gossip. 100 ms lets a peer that joins late
/// enter the mesh within a couple of heartbeats; first delivery does not wait for it (flood
/// publishing sends to every subscribed peer at once).
pub const HEARTBEAT: Duration = Duration::from_millis(100);
/// Target mesh degree. numo runs a handful of validators, so the mesh is nearly the full graph
/// and every message reaches every node in one or two hops.
pub const MESH_N: usize = 6;
/// Fewer mesh peers than this and the heartbeat grafts more.
pub const MESH_N_LOW: usize = 4;
/// More mesh peers than this and the heartbeat prunes down to [`MESH_N`].
pub const MESH_N_HIGH: usize = 12;
/// Outbound peers the mesh must keep (eclipse resistance); small because the network is small.
pub const MESH_OUTBOUND_MIN: usize = 2;
/// Peers gossiped IHAVE per heartbeat outside the mesh.
pub const GOSSIP_LAZY: usize = 6;

const _: () = {
    assert!(HEADER_BYTES < DEFAULT_MAX_MESSAGE_BYTES);
    assert!(DEFAULT_PER_PEER_BURST >= DEFAULT_PER_PEER_MSGS_PER_SEC);
    assert!(DEFAULT_SEEN_CACHE >= DEFAULT_MAX_PENDING);
    // gossipsub's own invariants (its ConfigBuilder refuses otherwise).
    assert!(MESH_N_LOW <= MESH_N && MESH_N <= MESH_N_HIGH);
    assert!(MESH_OUTBOUND_MIN <= MESH_N_LOW && MESH_OUTBOUND_MIN * 2 <= MESH_N);
    assert!(REDIAL_BACKOFF_MIN.as_millis() <= REDIAL_BACKOFF_MAX.as_millis());
    assert!(LAMPORT_LEAD_MAX < u64::MAX / 2);
};

/// The bounds of one node's mempool transport; [`Default`] gives the documented values above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GossipLimits {
    /// Largest encoded message, header included; larger publishes are refused and larger
    /// receipts dropped and counted (`oversize`).
    pub max_message_bytes: usize,
    /// Bound of the channel of received messages; a full channel drops (`queue_full`).
    pub max_pending: usize,
    /// Sustained messages per second accepted from one peer (token-bucket refill rate).
    pub per_peer_msgs_per_sec: u32,
    /// Messages one peer may send at once (token-bucket capacity).
    pub per_peer_burst: u32,
    /// Payload ids remembered as delivered or published.
    pub seen_cache: usize,
}

impl Default for GossipLimits {
    fn default() -> Self {
        GossipLimits {
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_pending: DEFAULT_MAX_PENDING,
            per_peer_msgs_per_sec: DEFAULT_PER_PEER_MSGS_PER_SEC,
            per_peer_burst: DEFAULT_PER_PEER_BURST,
            seen_cache: DEFAULT_SEEN_CACHE,
        }
    }
}

impl GossipLimits {
    /// Refuses limits the transport cannot run with: a message limit that cannot hold a header
    /// and one payload byte, an empty queue or cache, a zero rate or burst.
    pub fn validate(&self) -> Result<(), GossipError> {
        let refuse = |what: &'static str| Err(GossipError::InvalidLimits(what));
        if self.max_message_bytes <= HEADER_BYTES {
            return refuse("max_message_bytes must exceed the 45-byte header");
        }
        if self.max_message_bytes > HEADER_BYTES + u32::MAX as usize {
            return refuse("max_message_bytes must fit the 32-bit length field");
        }
        if self.max_pending == 0 {
            return refuse("max_pending must be at least 1");
        }
        if self.per_peer_msgs_per_sec == 0 || self.per_peer_burst == 0 {
            return refuse("per_peer_msgs_per_sec and per_peer_burst must be at least 1");
        }
        if self.seen_cache == 0 {
            return refuse("seen_cache must be at least 1");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_each_zero_is_refused() {
        let limits = GossipLimits::default();
        assert!(limits.validate().is_ok());
        let broken = [
            GossipLimits { max_message_bytes: HEADER_BYTES, ..limits },
            GossipLimits { max_pending: 0, ..limits },
            GossipLimits { per_peer_msgs_per_sec: 0, ..limits },
            GossipLimits { per_peer_burst: 0, ..limits },
            GossipLimits { seen_cache: 0, ..limits },
        ];
        for limits in broken {
            let err = limits.validate().unwrap_err();
            assert_eq!(err.code(), "gossip_invalid_limits", "{limits:?}");
        }
        let smallest = GossipLimits { max_message_bytes: HEADER_BYTES + 1, ..limits };
        assert!(smallest.validate().is_ok());
    }
}

//! The node's handle on the mempool transport: start it, publish, read the clock, the peers and
//! the counters, stop it.

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use libp2p::identity::Keypair;
use libp2p::{noise, tcp, yamux, SwarmBuilder};
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio::task::JoinHandle;

use crate::behaviour;
use crate::dialer::Dialer;
use crate::error::GossipError;
use crate::lamport::LamportClock;
use crate::limits::{GossipLimits, IDLE_CONNECTION_TIMEOUT, OUTBOUND_QUEUE_MAX};
use crate::message::{origin_of, payload_id, MempoolMessage};
use crate::rate::RateLimiter;
use crate::seen::SeenCache;
use crate::stats::{Counters, GossipStats};
use crate::task::{multiaddr_of, Command, Driver, Shared};

/// A libp2p peer id in its usual base58 text form (`12D3KooW…`).
pub type PeerIdString = String;

/// How to run one node's mempool transport.
#[derive(Clone)]
pub struct GossipConfig {
    /// ed25519 secret seed of the libp2p identity; keep it across restarts so peers (and the
    /// `origin` of this node's messages) stay the same.
    pub key: [u8; 32],
    /// TCP address to listen on, e.g. `127.0.0.1:7400`.
    pub listen: SocketAddr,
    /// Peers dialled at start and re-dialled with backoff while disconnected.
    pub peers: Vec<SocketAddr>,
    /// Bounds; [`GossipLimits::default`] documents sensible values.
    pub limits: GossipLimits,
}

impl fmt::Debug for GossipConfig {
    /// Never prints the secret key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GossipConfig")
            .field("key", &"<redacted>")
            .field("listen", &self.listen)
            .field("peers", &self.peers)
            .field("limits", &self.limits)
            .finish()
    }
}

/// A message another node published, as delivered to this node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The message as published (its Lamport stamp is the publisher's).
    pub message: MempoolMessage,
    /// The peer that forwarded it to us (the publisher, or a peer relaying it).
    pub from: PeerIdString,
    /// This node's clock after the receipt rule; always greater than `message.lamport`.
    pub lamport_after: u64,
}

/// A cloneable handle on a running transport. The swarm task stops on [`Gossip::shutdown`] or
/// when the last handle is dropped.
#[derive(Clone)]
pub struct Gossip {
    inner: Arc<Inner>,
}

struct Inner {
    commands: mpsc::Sender<Command>,
    shared: Arc<Shared>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl fmt::Debug for Gossip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gossip").field("peer", &self.inner.shared.local_peer_id).finish_non_exhaustive()
    }
}

impl Gossip {
    /// Listens on `config.listen`, subscribes to the mempool topic, starts dialling
    /// `config.peers`, and spawns the swarm task on the current tokio runtime. Received
    /// messages arrive on the returned channel, bounded by `limits.max_pending`.
    pub async fn start(config: GossipConfig) -> Result<(Gossip, mpsc::Receiver<Received>), GossipError> {
        config.limits.validate()?;
        let keypair = Keypair::ed25519_from_bytes(config.key).map_err(GossipError::InvalidKey)?;
        let local_peer_id = keypair.public().to_peer_id();
        let shared = Arc::new(Shared {
            clock: Arc::new(LamportClock::default()),
            counters: Counters::default(),
            peers: AtomicUsize::new(0),
            local_peer_id,
            origin: origin_of(&local_peer_id.to_bytes()),
            limits: config.limits,
            seen: Mutex::new(SeenCache::new(config.limits.seen_cache)),
        });
        let behaviour = behaviour::build(&keypair, &config.limits, shared.clock.clone())?;
        let mut swarm = SwarmBuilder::with_existing_identity(keypair)
            .with_tokio()
            .with_tcp(tcp::Config::default().nodelay(true), noise::Config::new, yamux::Config::default)?
            .with_behaviour(|_| behaviour)
            .unwrap_or_else(|never| match never {})
            .with_swarm_config(|swarm| swarm.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
            .build();
        swarm
            .listen_on(multiaddr_of(config.listen))
            .map_err(|source| GossipError::Listen { addr: config.listen, source })?;

        let (command_tx, command_rx) = mpsc::channel(OUTBOUND_QUEUE_MAX);
        let (delivery_tx, delivery_rx) = mpsc::channel(config.limits.max_pending);
        let driver = Driver {
            swarm,
            topic: behaviour::topic().hash(),
            shared: shared.clone(),
            commands: command_rx,
            deliveries: delivery_tx,
            limiter: RateLimiter::new(config.limits.per_peer_msgs_per_sec, config.limits.per_peer_burst),
            dialer: Dialer::new(config.peers.len(), std::time::Instant::now()),
            peer_addrs: config.peers.iter().copied().map(multiaddr_of).collect(),
        };
        let task = tokio::spawn(driver.run());
        tracing::info!(peer = %local_peer_id, listen = %config.listen, peers = config.peers.len(), "mempool gossip started");
        let inner = Inner { commands: command_tx, shared, task: Mutex::new(Some(task)) };
        Ok((Gossip { inner: Arc::new(inner) }, delivery_rx))
    }

    /// Stamps the message (`clock += 1`) and queues `payload` for publishing; returns the
    /// Lamport timestamp it carries. Never blocks: a full outbound queue answers
    /// [`GossipError::Backpressure`] and consumes no timestamp. The payload is never delivered
    /// back to this node, even when another node publishes it too.
    pub fn publish(&self, payload: Vec<u8>) -> Result<u64, GossipError> {
        self.publish_with(payload, |clock| clock.send().map_err(|_| GossipError::ClockExhausted))
    }

    /// Publishes `payload` stamped `lamport`, a time the caller's own Lamport clock gave it (a
    /// node that stamps messages when it admits them, before it knows it will gossip them).
    /// This transport's clock jumps past the stamp, so its later stamps stay causal.
    pub fn publish_stamped(&self, lamport: u64, payload: Vec<u8>) -> Result<u64, GossipError> {
        self.publish_with(payload, |clock| {
            clock.receive(lamport).map_err(|_| GossipError::ClockExhausted)?;
            Ok(lamport)
        })
    }

    fn publish_with(
        &self,
        payload: Vec<u8>,
        stamp: impl FnOnce(&LamportClock) -> Result<u64, GossipError>,
    ) -> Result<u64, GossipError> {
        if payload.is_empty() {
            return Err(GossipError::EmptyPayload);
        }
        let len = MempoolMessage::encoded_len_of(payload.len());
        let max = self.inner.shared.limits.max_message_bytes;
        if len > max {
            return Err(GossipError::Oversize { len, max });
        }
        let permit = self.inner.commands.try_reserve().map_err(|err| match err {
            TrySendError::Full(()) => GossipError::Backpressure,
            TrySendError::Closed(()) => GossipError::Stopped,
        })?;
        let shared = &self.inner.shared;
        let lamport = {
            // Stamp and mark seen together (see `Shared::seen`): from here on a copy of this
            // payload from the network is a duplicate, never a delivery.
            let mut seen = shared.seen();
            let lamport = stamp(&shared.clock)?;
            seen.insert(payload_id(&payload));
            lamport
        };
        let message = MempoolMessage { lamport, origin: shared.origin, payload };
        permit.send(Command::Publish { bytes: message.encode() });
        Ok(lamport)
    }

    /// The current Lamport clock.
    pub fn clock(&self) -> u64 {
        self.inner.shared.clock.now()
    }

    /// Connected peers subscribed to the mempool topic.
    pub fn peers(&self) -> usize {
        self.inner.shared.peers.load(Ordering::Acquire)
    }

    /// The counters since start.
    pub fn stats(&self) -> GossipStats {
        self.inner.shared.counters.snapshot()
    }

    /// This node's libp2p peer id (`12D3KooW…`).
    pub fn local_peer_id(&self) -> String {
        self.inner.shared.local_peer_id.to_string()
    }

    /// Sends what is queued, stops the swarm task (closing the listener and every connection)
    /// and waits for it. Publishing afterwards answers [`GossipError::Stopped`]. Calling it
    /// again, or from another handle, returns at once.
    pub async fn shutdown(&self) {
        // `send` waits for room rather than failing on a full queue; an error means the task
        // is gone already.
        let _already_stopped = self.inner.commands.send(Command::Stop).await;
        let task = self.inner.task.lock().expect("no code panics while holding the task lock").take();
        if let Some(task) = task {
            if let Err(err) = task.await {
                tracing::error!(%err, "mempool gossip task failed");
            }
        }
    }
}

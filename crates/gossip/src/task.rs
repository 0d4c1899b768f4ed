//! The one task that drives the mempool swarm: it publishes what the handles queue, judges
//! every received message (rate, size, form, seen, clock), delivers the good ones to the node,
//! and keeps the configured peers dialled.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use libp2p::futures::StreamExt;
use libp2p::gossipsub::{self, MessageAcceptance, MessageId, PublishError, TopicHash};
use libp2p::multiaddr::Protocol;
use libp2p::swarm::dial_opts::DialOpts;
use libp2p::swarm::{ConnectionId, SwarmEvent};
use libp2p::{Multiaddr, PeerId, Swarm};
use tokio::sync::mpsc::{self, error::TrySendError};

use crate::behaviour::{check_form, FormError};
use crate::dialer::Dialer;
use crate::lamport::LamportClock;
use crate::limits::{GossipLimits, DIAL_TICK};
use crate::message::{payload_id, MempoolMessage};
use crate::rate::RateLimiter;
use crate::seen::SeenCache;
use crate::stats::{bump, Counters};
use crate::Received;

/// What the handles and the task share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) clock: Arc<LamportClock>,
    pub(crate) counters: Counters,
    /// Connected peers subscribed to the mempool topic, refreshed by the task.
    pub(crate) peers: AtomicUsize,
    pub(crate) local_peer_id: PeerId,
    /// [`crate::message::origin_of`] this node's peer id.
    pub(crate) origin: [u8; 32],
    pub(crate) limits: GossipLimits,
    /// Payload ids delivered to or published by this node. The receipt rule and a publish's
    /// stamp are taken under this lock together with the check and insert, so for each
    /// payload exactly one of them happens first: either the node published it (and a later
    /// copy is refused as seen) or it was delivered (and the publish is stamped after the
    /// receipt).
    pub(crate) seen: Mutex<SeenCache>,
}

impl Shared {
    pub(crate) fn seen(&self) -> MutexGuard<'_, SeenCache> {
        self.seen.lock().expect("nothing panics while holding the seen lock")
    }
}

/// What a handle asks of the task.
#[derive(Debug)]
pub(crate) enum Command {
    /// Publish these wire bytes.
    Publish { bytes: Vec<u8> },
    /// Finish the queued commands before this one, then stop.
    Stop,
}

/// The task's state; [`Driver::run`] consumes it.
pub(crate) struct Driver {
    pub(crate) swarm: Swarm<gossipsub::Behaviour>,
    pub(crate) topic: TopicHash,
    pub(crate) shared: Arc<Shared>,
    pub(crate) commands: mpsc::Receiver<Command>,
    pub(crate) deliveries: mpsc::Sender<Received>,
    pub(crate) limiter: RateLimiter<PeerId>,
    pub(crate) dialer: Dialer<ConnectionId, PeerId>,
    pub(crate) peer_addrs: Vec<Multiaddr>,
}

/// Why a received message is not delivered: which counter it lands in, and what gossipsub
/// should do with it.
enum Refusal {
    /// Already delivered or published here: not forwarded, not penalised.
    Seen,
    /// Rejected: not forwarded, and the peer that sent it is penalised.
    Penalised(Offence),
}

/// What a rejected message did wrong; each has its counter.
#[derive(Debug, Clone, Copy)]
enum Offence {
    RateLimited,
    Oversize,
    Malformed,
}

impl Offence {
    fn counter(self, counters: &Counters) -> &AtomicU64 {
        match self {
            Offence::RateLimited => &counters.rate_limited,
            Offence::Oversize => &counters.oversize,
            Offence::Malformed => &counters.malformed,
        }
    }
}

impl Driver {
    /// Runs until a [`Command::Stop`] or until every handle is dropped; the swarm (listener and
    /// connections) is dropped with it.
    pub(crate) async fn run(mut self) {
        let mut tick = tokio::time::interval(DIAL_TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                command = self.commands.recv() => match command {
                    Some(Command::Publish { bytes }) => self.publish(bytes),
                    Some(Command::Stop) | None => break,
                },
                event = self.swarm.select_next_some() => self.on_event(event),
                _ = tick.tick() => self.dial_due(),
            }
        }
        tracing::debug!(peer = %self.shared.local_peer_id, "mempool gossip stopped");
    }

    /// Hands queued bytes to gossipsub (the handle already stamped them and marked them seen).
    fn publish(&mut self, bytes: Vec<u8>) {
        let counters = &self.shared.counters;
        match self.swarm.behaviour_mut().publish(self.topic.clone(), bytes) {
            Ok(_) => bump(&counters.published),
            Err(PublishError::Duplicate) => bump(&counters.duplicates),
            Err(err) => {
                tracing::debug!(%err, "mempool message not sent");
                bump(&counters.unsent)
            }
        }
    }

    fn on_event(&mut self, event: SwarmEvent<gossipsub::Event>) {
        let now = Instant::now();
        match event {
            SwarmEvent::Behaviour(gossipsub::Event::Message { propagation_source, message_id, message }) => {
                self.on_message(propagation_source, message_id, message, now)
            }
            SwarmEvent::Behaviour(gossipsub::Event::Subscribed { .. } | gossipsub::Event::Unsubscribed { .. }) => {
                self.refresh_peers()
            }
            SwarmEvent::ConnectionEstablished { peer_id, connection_id, .. } => {
                self.dialer.established(connection_id, &peer_id);
                self.refresh_peers();
            }
            SwarmEvent::ConnectionClosed { peer_id, num_established: 0, .. } => {
                self.dialer.disconnected(&peer_id, now);
                self.limiter.forget(&peer_id);
                self.refresh_peers();
            }
            SwarmEvent::OutgoingConnectionError { connection_id, error, .. } => {
                tracing::debug!(%error, "mempool dial failed");
                self.dialer.dial_failed(connection_id, now);
            }
            _ => {}
        }
    }

    /// Judges one message, tells gossipsub whether to forward it, and delivers it if good.
    fn on_message(&mut self, source: PeerId, id: MessageId, message: gossipsub::Message, now: Instant) {
        let acceptance = match self.judge(source, &message, now) {
            Ok(delivery) => {
                self.deliver(delivery);
                MessageAcceptance::Accept
            }
            Err(Refusal::Seen) => {
                bump(&self.shared.counters.duplicates);
                MessageAcceptance::Ignore
            }
            Err(Refusal::Penalised(offence)) => {
                bump(offence.counter(&self.shared.counters));
                MessageAcceptance::Reject
            }
        };
        self.swarm.behaviour_mut().report_message_validation_result(&id, &source, acceptance);
    }

    /// The checks in order of cost: the sender's budget, the size, the form, then — under the
    /// seen lock — the seen cache and the receipt rule, which moves the clock only for a message
    /// that is accepted. An accepted payload is seen from then on, even if the node's channel
    /// turns out to be full.
    fn judge(&mut self, source: PeerId, message: &gossipsub::Message, now: Instant) -> Result<Received, Refusal> {
        if !self.limiter.allow(source, now) {
            return Err(Refusal::Penalised(Offence::RateLimited));
        }
        if message.data.len() > self.shared.limits.max_message_bytes {
            return Err(Refusal::Penalised(Offence::Oversize));
        }
        let view = match check_form(&message.data, message.source.as_ref(), self.shared.clock.now()) {
            Ok(view) => view,
            Err(err) => {
                log_malformed(source, err);
                return Err(Refusal::Penalised(Offence::Malformed));
            }
        };
        let id = payload_id(view.payload);
        let lamport_after = {
            let mut seen = self.shared.seen();
            if seen.contains(&id) {
                return Err(Refusal::Seen);
            }
            let after = self.shared.clock.receive(view.lamport).map_err(|_| Refusal::Penalised(Offence::Malformed))?;
            seen.insert(id);
            after
        };
        assert!(lamport_after > view.lamport, "the receipt rule stamps after the send");
        let message = MempoolMessage { lamport: view.lamport, origin: view.origin, payload: view.payload.to_vec() };
        Ok(Received { message, from: source.to_string(), lamport_after })
    }

    /// Hands a message to the node; a full channel drops it (the node is behind) rather than
    /// queue without bound.
    fn deliver(&mut self, delivery: Received) {
        match self.deliveries.try_send(delivery) {
            Ok(()) => bump(&self.shared.counters.received),
            Err(TrySendError::Full(_) | TrySendError::Closed(_)) => bump(&self.shared.counters.queue_full),
        }
    }

    fn refresh_peers(&mut self) {
        let topic = &self.topic;
        let subscribed: HashSet<&PeerId> = self
            .swarm
            .behaviour()
            .all_peers()
            .filter(|(_, topics)| topics.contains(&topic))
            .map(|(peer, _)| peer)
            .collect();
        self.shared.peers.store(subscribed.len(), Ordering::Release);
    }

    fn dial_due(&mut self) {
        let now = Instant::now();
        let swarm = &self.swarm;
        for index in self.dialer.due(now, |peer| swarm.is_connected(peer)) {
            let opts = DialOpts::unknown_peer_id().address(self.peer_addrs[index].clone()).build();
            let connection = opts.connection_id();
            match self.swarm.dial(opts) {
                Ok(()) => self.dialer.dialing(index, connection),
                Err(err) => {
                    tracing::debug!(%err, addr = %self.peer_addrs[index], "mempool dial refused");
                    self.dialer.dial_refused(index, now);
                }
            }
        }
    }
}

fn log_malformed(source: PeerId, err: FormError) {
    tracing::debug!(%source, ?err, "malformed mempool message rejected");
}

/// `/ip4/A/tcp/P` (or `/ip6/…`) for a socket address.
pub(crate) fn multiaddr_of(addr: SocketAddr) -> Multiaddr {
    Multiaddr::empty().with(Protocol::from(addr.ip())).with(Protocol::Tcp(addr.port()))
}

//! A hostile peer speaking raw gossipsub on the mempool topic: what it sends that is not a
//! well-formed mempool message from itself is rejected and counted, and cannot make the honest
//! copy of a payload look like a duplicate.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{all_silent, free_addr, key, wait_until, Node};
use libp2p::futures::StreamExt;
use libp2p::gossipsub::{self, IdentTopic, MessageAuthenticity};
use libp2p::identity::Keypair;
use libp2p::multiaddr::Protocol;
use libp2p::swarm::SwarmEvent;
use libp2p::{noise, tcp, yamux, Multiaddr, PeerId, SwarmBuilder};
use numo_gossip::limits::{LAMPORT_LEAD_MAX, TOPIC};
use numo_gossip::message::{origin_of, VERSION};
use numo_gossip::{GossipLimits, MempoolMessage};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A plain gossipsub node that publishes whatever bytes it is given once a peer subscribed.
struct RawPeer {
    peer_id: PeerId,
    publish: mpsc::UnboundedSender<Vec<u8>>,
    task: JoinHandle<()>,
}

impl RawPeer {
    fn start(seed: [u8; 32], target: SocketAddr) -> RawPeer {
        let keypair = Keypair::ed25519_from_bytes(seed).unwrap();
        let peer_id = keypair.public().to_peer_id();
        let config =
            gossipsub::ConfigBuilder::default().heartbeat_interval(Duration::from_millis(100)).build().unwrap();
        let mut behaviour: gossipsub::Behaviour =
            gossipsub::Behaviour::new(MessageAuthenticity::Signed(keypair.clone()), config).unwrap();
        behaviour.subscribe(&IdentTopic::new(TOPIC)).unwrap();
        let mut swarm = SwarmBuilder::with_existing_identity(keypair)
            .with_tokio()
            .with_tcp(tcp::Config::default(), noise::Config::new, yamux::Config::default)
            .unwrap()
            .with_behaviour(|_| behaviour)
            .unwrap()
            .build();
        let addr = Multiaddr::empty().with(Protocol::from(target.ip())).with(Protocol::Tcp(target.port()));
        swarm.dial(addr).unwrap();
        let (publish, mut commands) = mpsc::unbounded_channel::<Vec<u8>>();
        let task = tokio::spawn(async move {
            // Publish only once the target's subscription is known, so nothing is lost.
            loop {
                if let SwarmEvent::Behaviour(gossipsub::Event::Subscribed { .. }) = swarm.select_next_some().await {
                    break;
                }
            }
            loop {
                tokio::select! {
                    command = commands.recv() => match command {
                        Some(bytes) => {
                            swarm.behaviour_mut().publish(IdentTopic::new(TOPIC), bytes).expect("raw publish");
                        }
                        None => break,
                    },
                    _ = swarm.select_next_some() => {}
                }
            }
        });
        RawPeer { peer_id, publish, task }
    }

    async fn stop(self) {
        drop(self.publish);
        common::bounded("the raw peer stops", self.task).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_messages_are_rejected_counted_and_cannot_censor_the_honest_copy() {
    let (a_addr, b_addr) = (free_addr(), free_addr());
    let a = Node::start(key(20, 0), a_addr, vec![b_addr], GossipLimits::default()).await;
    let mut b = Node::start(key(20, 1), b_addr, vec![], GossipLimits::default()).await;
    let raw = RawPeer::start(key(20, 2), b_addr);
    wait_until("b sees a and the raw peer", || b.gossip.peers() == 2 && a.gossip.peers() == 1).await;
    let raw_origin = origin_of(&raw.peer_id.to_bytes());

    // Positive control: a well-formed message from the raw peer under its own origin arrives.
    let own = MempoolMessage { lamport: 1, origin: raw_origin, payload: b"raw but honest".to_vec() };
    raw.publish.send(own.encode()).unwrap();
    let got = b.expect(1, "the raw peer's honest message").await;
    assert_eq!(got[0].0.message, own);
    assert_eq!(got[0].0.from, raw.peer_id.to_string());

    // Four kinds of malformed: garbage, an unknown version, someone else's origin (a's payload
    // under a forged origin), and a Lamport stamp far ahead of b's clock.
    let honest = b"a's signed order".to_vec();
    let mut bad_version = own.encode();
    bad_version[0] = VERSION + 1;
    let forged = MempoolMessage { lamport: 2, origin: [0x42; 32], payload: honest.clone() };
    let far_ahead = MempoolMessage { lamport: 100 + LAMPORT_LEAD_MAX, origin: raw_origin, payload: b"later".to_vec() };
    for bytes in [b"not a mempool message".to_vec(), bad_version, forged.encode(), far_ahead.encode()] {
        raw.publish.send(bytes).unwrap();
    }
    wait_until("b rejected all four", || b.gossip.stats().malformed == 4).await;

    // The honest copies of both payloads are still delivered: the rejected wrappers had ids
    // of their own.
    a.gossip.publish(honest.clone()).unwrap();
    a.gossip.publish(b"later".to_vec()).unwrap();
    let mut got: Vec<Vec<u8>> =
        b.expect(2, "a's honest copies").await.into_iter().map(|(r, _)| r.message.payload).collect();
    got.sort();
    assert_eq!(got, [honest, b"later".to_vec()]);
    all_silent(std::slice::from_mut(&mut b), "nothing malformed was delivered").await;
    let stats = b.gossip.stats();
    assert_eq!((stats.received, stats.malformed, stats.duplicates), (3, 4, 0), "{stats:?}");
    assert!(b.gossip.clock() < LAMPORT_LEAD_MAX, "the far-ahead stamp did not move b's clock");

    raw.stop().await;
    a.stop().await;
    b.stop().await;
}

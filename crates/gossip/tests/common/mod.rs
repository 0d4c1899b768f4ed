//! Real swarms on 127.0.0.1 for the network tests: free ports, nodes whose deliveries are
//! timestamped as they arrive, bounded waits, and a shutdown that stops every task.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use numo_gossip::{Gossip, GossipConfig, GossipLimits, Received};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Longest any single wait in these tests may take; a failure names what it waited for.
pub const WAIT_MAX: Duration = Duration::from_secs(10);
/// How long to keep listening after the expected messages arrived, to catch a second copy:
/// three gossipsub heartbeats, so IHAVE/IWANT gossip would have repeated a message by then.
pub const QUIET: Duration = Duration::from_millis(300);

/// A port nothing listens on right now (bound to port 0, then released).
pub fn free_addr() -> SocketAddr {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr")
}

/// A distinct identity seed per (test, node).
pub fn key(test: u8, node: u8) -> [u8; 32] {
    let mut key = [node.wrapping_add(1); 32];
    key[0] = test;
    key
}

/// One running node; every delivery is timestamped when the node's channel yields it.
pub struct Node {
    pub gossip: Gossip,
    pub addr: SocketAddr,
    inbox: mpsc::UnboundedReceiver<(Received, Instant)>,
    collector: JoinHandle<()>,
}

impl Node {
    pub async fn start(key: [u8; 32], addr: SocketAddr, peers: Vec<SocketAddr>, limits: GossipLimits) -> Node {
        let config = GossipConfig { key, listen: addr, peers, limits };
        let (gossip, mut deliveries) = Gossip::start(config).await.expect("gossip starts");
        let (tx, inbox) = mpsc::unbounded_channel();
        let collector = tokio::spawn(async move {
            while let Some(received) = deliveries.recv().await {
                if tx.send((received, Instant::now())).is_err() {
                    break;
                }
            }
        });
        Node { gossip, addr, inbox, collector }
    }

    /// Waits for `count` deliveries and returns them; [`all_silent`] then checks no more come.
    pub async fn expect(&mut self, count: usize, what: &str) -> Vec<(Received, Instant)> {
        let mut got = Vec::new();
        let deadline = tokio::time::Instant::now() + WAIT_MAX;
        while got.len() < count {
            match tokio::time::timeout_at(deadline, self.inbox.recv()).await {
                Ok(Some(delivery)) => got.push(delivery),
                Ok(None) => panic!("{what}: node stopped after {} of {count} messages", got.len()),
                Err(_) => panic!("{what}: {} of {count} messages within {WAIT_MAX:?}", got.len()),
            }
        }
        for (received, _) in &got {
            assert!(received.lamport_after > received.message.lamport, "{what}: receipt after send: {received:?}");
        }
        got
    }

    /// Nothing is waiting in the inbox now.
    fn assert_empty(&mut self, what: &str) {
        if let Ok((extra, _)) = self.inbox.try_recv() {
            panic!("{what}: unexpected extra delivery {extra:?}");
        }
    }

    /// Stops the swarm and the collector.
    pub async fn stop(self) {
        self.gossip.shutdown().await;
        tokio::time::timeout(WAIT_MAX, self.collector).await.expect("collector stops").expect("collector ran");
    }
}

/// `n` nodes, each listing all the others as peers.
pub async fn full_mesh(test: u8, n: usize, limits: GossipLimits) -> Vec<Node> {
    let addrs: Vec<SocketAddr> = (0..n).map(|_| free_addr()).collect();
    let mut nodes = Vec::new();
    for (i, &addr) in addrs.iter().enumerate() {
        let peers = addrs.iter().copied().filter(|&other| other != addr).collect();
        nodes.push(Node::start(key(test, i as u8), addr, peers, limits).await);
    }
    wait_for_peers(&nodes, n - 1).await;
    nodes
}

/// Waits until every node has at least `count` subscribed peers.
pub async fn wait_for_peers(nodes: &[Node], count: usize) {
    let gossips: Vec<Gossip> = nodes.iter().map(|node| node.gossip.clone()).collect();
    wait_until(&format!("every node has {count} mempool peers"), || gossips.iter().all(|g| g.peers() >= count)).await;
}

/// Polls `condition` every 10 ms for at most [`WAIT_MAX`].
pub async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT_MAX;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out after {WAIT_MAX:?} waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Runs `future` with the [`WAIT_MAX`] bound.
pub async fn bounded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(WAIT_MAX, future).await.unwrap_or_else(|_| panic!("timed out: {what}"))
}

/// After [`QUIET`], no node has a delivery it was not expected to have.
pub async fn all_silent(nodes: &mut [Node], what: &str) {
    tokio::time::sleep(QUIET).await;
    for (i, node) in nodes.iter_mut().enumerate() {
        node.assert_empty(&format!("{what} (node {i})"));
    }
}

pub async fn stop_all(nodes: Vec<Node>) {
    for node in nodes {
        node.stop().await;
    }
}

//! Five real nodes on 127.0.0.1: delivery to every other node exactly once, from one publisher
//! or several, de-duplication of one payload published twice, late joiners and redials, the
//! Lamport receipt rule across the network, and the delivery latency (printed).

mod common;

use std::time::{Duration, Instant};

use common::{all_silent, free_addr, full_mesh, key, stop_all, wait_for_peers, Node};
use libp2p::PeerId;
use numo_gossip::GossipLimits;

fn payloads(received: &[(numo_gossip::Received, Instant)]) -> Vec<Vec<u8>> {
    let mut payloads: Vec<Vec<u8>> = received.iter().map(|(r, _)| r.message.payload.clone()).collect();
    payloads.sort();
    payloads
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_publish_reaches_every_other_node_exactly_once_and_fast() {
    let mut nodes = full_mesh(1, 5, GossipLimits::default()).await;
    let publisher: PeerId = nodes[0].gossip.local_peer_id().parse().expect("a peer id");
    let origin = numo_gossip::message::origin_of(&publisher.to_bytes());
    let mut latencies = Vec::new();
    for round in 0..20u32 {
        let payload = format!("signed message {round}").into_bytes();
        let sent_at = Instant::now();
        let lamport = nodes[0].gossip.publish(payload.clone()).expect("publish");
        assert_eq!(lamport, u64::from(round) + 1, "each publish stamps clock + 1");
        for node in &mut nodes[1..] {
            let received = node.expect(1, "one publish").await;
            let (delivery, arrived_at) = &received[0];
            assert_eq!(delivery.message.payload, payload);
            assert_eq!(delivery.message.lamport, lamport);
            assert_eq!(delivery.message.origin, origin, "origin is keccak256 of the publisher's peer id");
            latencies.push(arrived_at.duration_since(sent_at));
        }
    }
    all_silent(&mut nodes, "each message once, never back to its publisher").await;
    report_latency("full mesh of 5, one hop", &mut latencies);
    let p50 = latencies[latencies.len() / 2];
    assert!(p50 < Duration::from_millis(100), "median delivery {p50:?} on loopback");
    for node in &nodes[1..] {
        assert_eq!(node.gossip.stats().received, 20);
        assert!(node.gossip.clock() > 20, "receipts moved the clock past the publisher's stamps");
    }
    assert_eq!(nodes[0].gossip.stats().published, 20);
    stop_all(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_published_on_two_nodes_both_arrive_everywhere() {
    let mut nodes = full_mesh(2, 5, GossipLimits::default()).await;
    let a = nodes[0].gossip.publish(b"from a".to_vec()).unwrap();
    let b = nodes[1].gossip.publish(b"from b".to_vec()).unwrap();
    assert_eq!(a, 1, "a's first stamp");
    // b stamps 1, or 3 if a's message reached it before b published (receipt 2, then send).
    assert!(b == 1 || b == 3, "b stamped {b}");
    let got = nodes[0].expect(1, "a gets b's").await;
    assert_eq!(payloads(&got), [b"from b".to_vec()]);
    let got = nodes[1].expect(1, "b gets a's").await;
    assert_eq!(payloads(&got), [b"from a".to_vec()]);
    for node in &mut nodes[2..] {
        let got = node.expect(2, "the others get both").await;
        assert_eq!(payloads(&got), [b"from a".to_vec(), b"from b".to_vec()]);
        assert!(got.iter().all(|(r, _)| r.lamport_after >= 2));
    }
    all_silent(&mut nodes, "both messages once each").await;
    // A reply is causally after what it answers: b's clock moved past a's stamp.
    let reply = nodes[1].gossip.publish(b"b answers a".to_vec()).unwrap();
    let got = nodes[0].expect(1, "a gets the reply").await;
    assert!(got[0].0.message.lamport == reply && reply > a);
    stop_all(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_payload_published_on_two_nodes_is_delivered_once_per_node() {
    let mut nodes = full_mesh(3, 5, GossipLimits::default()).await;
    let payload = b"one signed message admitted on two nodes".to_vec();
    assert_eq!(nodes[0].gossip.publish(payload.clone()).unwrap(), 1);
    let b = nodes[1].gossip.publish(payload.clone()).unwrap();
    for node in &mut nodes[2..] {
        let got = node.expect(1, "one copy").await;
        assert_eq!(got[0].0.message.payload, payload);
    }
    // b gets a's copy only if it arrived before b published it (then b's stamp follows the
    // receipt: 2 + 1); a publish marks the payload seen, so after it no copy is delivered.
    if b == 3 {
        nodes[1].expect(1, "b got a's copy before publishing").await;
    } else {
        assert_eq!(b, 1);
    }
    all_silent(&mut nodes, "one copy per node, none to a publisher after it published").await;
    // A later re-publish of the same payload is not delivered again anywhere.
    nodes[3].gossip.publish(payload.clone()).unwrap();
    all_silent(&mut nodes, "a republish").await;
    let total: u64 = nodes.iter().map(|n| n.gossip.stats().received).sum();
    assert_eq!(total, if b == 3 { 4 } else { 3 });
    stop_all(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_starts_late_receives_later_messages() {
    let mut nodes = full_mesh(4, 4, GossipLimits::default()).await;
    nodes[0].gossip.publish(b"before e".to_vec()).unwrap();
    for node in &mut nodes[1..] {
        node.expect(1, "before the late node").await;
    }
    all_silent(&mut nodes, "before the late node").await;
    // Past gossipsub's message history (5 heartbeats), so the late node cannot be offered the
    // earlier message by IHAVE gossip: it sees only what is published after it joined.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let others = nodes.iter().map(|n| n.addr).collect();
    let late = Node::start(key(4, 9), free_addr(), others, GossipLimits::default()).await;
    nodes.push(late);
    wait_for_peers(&nodes, 4).await;
    let lamport = nodes[2].gossip.publish(b"after e".to_vec()).unwrap();
    for (i, node) in nodes.iter_mut().enumerate().filter(|(i, _)| *i != 2) {
        let got = node.expect(1, &format!("node {i} after the late start")).await;
        assert_eq!(got[0].0.message.payload, b"after e");
        assert_eq!(got[0].0.message.lamport, lamport);
    }
    all_silent(&mut nodes, "after the late start").await;
    // The late node's clock jumped to the sender's: max(0, stamp) + 1.
    assert_eq!(nodes[4].gossip.clock(), lamport + 1);
    stop_all(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_listed_before_they_start_are_redialled_until_they_answer() {
    // a and b list c's address before anything listens there; c lists nobody.
    let (a_addr, b_addr, c_addr) = (free_addr(), free_addr(), free_addr());
    let a = Node::start(key(5, 0), a_addr, vec![b_addr, c_addr], GossipLimits::default()).await;
    let b = Node::start(key(5, 1), b_addr, vec![a_addr, c_addr], GossipLimits::default()).await;
    tokio::time::sleep(Duration::from_millis(700)).await; // a few failed dials and backoffs
    assert_eq!(a.gossip.peers(), 1);
    let c = Node::start(key(5, 2), c_addr, vec![], GossipLimits::default()).await;
    let mut nodes = vec![a, b, c];
    wait_for_peers(&nodes, 2).await;
    nodes[0].gossip.publish(b"to the newcomer".to_vec()).unwrap();
    let got = nodes[2].expect(1, "c, dialled by the others").await;
    assert_eq!(got[0].0.message.payload, b"to the newcomer");
    // c stops and comes back on the same port: the others re-dial it.
    let c = nodes.pop().unwrap();
    c.stop().await;
    common::wait_until("a sees c gone", || nodes[0].gossip.peers() == 1).await;
    nodes.push(Node::start(key(5, 2), c_addr, vec![], GossipLimits::default()).await);
    wait_for_peers(&nodes, 2).await;
    nodes[1].gossip.publish(b"welcome back".to_vec()).unwrap();
    let got = nodes[2].expect(1, "c after its restart").await;
    assert_eq!(got[0].0.message.payload, b"welcome back");
    stop_all(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_of_three_relays_through_the_middle_node_quickly() {
    // a — b — c: a and c know only b, so every message between them is forwarded by b once
    // b's validation accepts it (mesh forwarding, not the publisher's flood).
    let (a_addr, b_addr, c_addr) = (free_addr(), free_addr(), free_addr());
    let a = Node::start(key(6, 0), a_addr, vec![b_addr], GossipLimits::default()).await;
    let b = Node::start(key(6, 1), b_addr, vec![], GossipLimits::default()).await;
    let c = Node::start(key(6, 2), c_addr, vec![b_addr], GossipLimits::default()).await;
    let mut nodes = vec![a, b, c];
    common::wait_until("b sees both ends", || nodes[1].gossip.peers() == 2).await;
    assert_eq!((nodes[0].gossip.peers(), nodes[2].gossip.peers()), (1, 1), "the ends are not connected");
    // A few heartbeats for b's mesh to graft both ends.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let mut latencies = Vec::new();
    for round in 0..20u32 {
        let sent_at = Instant::now();
        nodes[0].gossip.publish(format!("relayed {round}").into_bytes()).unwrap();
        let got = nodes[2].expect(1, "c, through b").await;
        let (delivery, arrived_at) = &got[0];
        assert_eq!(delivery.from, nodes[1].gossip.local_peer_id(), "forwarded by b");
        assert!(delivery.lamport_after > delivery.message.lamport);
        latencies.push(arrived_at.duration_since(sent_at));
        nodes[1].expect(1, "b on the way").await;
    }
    all_silent(&mut nodes, "each relayed message once").await;
    report_latency("line of 3, two hops", &mut latencies);
    assert!(latencies[latencies.len() / 2] < Duration::from_millis(100));
    stop_all(nodes).await;
}

fn report_latency(what: &str, latencies: &mut [Duration]) {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    println!(
        "delivery latency ({what}, {} deliveries): p50 {:?} p90 {:?} p99 {:?} max {:?}",
        latencies.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}

//! The transport's bounds on real swarms: a flooding peer is rate limited and penalised, an
//! oversize message is refused on publish and dropped on receipt, a full outbound queue answers
//! backpressure without blocking, a slow node loses messages to a counter rather than memory,
//! and a stopped node refuses to publish and frees its port.

mod common;

use std::time::{Duration, Instant};

use common::{all_silent, free_addr, full_mesh, key, stop_all, wait_until, Node};
use numo_gossip::limits::OUTBOUND_QUEUE_MAX;
use numo_gossip::message::HEADER_BYTES;
use numo_gossip::{Gossip, GossipConfig, GossipError, GossipLimits};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_over_the_rate_limit_loses_its_excess_and_it_is_counted() {
    let (a_addr, b_addr) = (free_addr(), free_addr());
    let strict = GossipLimits { per_peer_msgs_per_sec: 10, per_peer_burst: 20, ..GossipLimits::default() };
    let a = Node::start(key(10, 0), a_addr, vec![b_addr], GossipLimits::default()).await;
    let mut b = Node::start(key(10, 1), b_addr, vec![a_addr], strict).await;
    wait_until("a and b see each other", || a.gossip.peers() == 1 && b.gossip.peers() == 1).await;

    let started = Instant::now();
    for i in 0..200u32 {
        a.gossip.publish(format!("flood {i}").into_bytes()).unwrap();
    }
    wait_until("a sent all 200", || a.gossip.stats().published == 200).await;
    // b takes the burst at once; everything after it is over budget.
    b.expect(20, "the burst").await;
    let stats = b.gossip.stats();
    let elapsed = started.elapsed().as_secs_f64();
    assert!(stats.rate_limited >= 1, "{stats:?}");
    let refill = (10.0 * elapsed).ceil() as u64;
    assert!(stats.received <= 20 + refill, "{stats:?} after {elapsed:.2} s");
    assert!(stats.received + stats.rate_limited <= 200, "{stats:?}");
    assert_eq!((stats.malformed, stats.oversize, stats.duplicates), (0, 0, 0), "{stats:?}");
    println!("rate limit 10/s burst 20: of 200 flooded, {stats:?} after {elapsed:.2} s");
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversize_publish_is_refused_and_the_largest_allowed_is_delivered() {
    let limits = GossipLimits { max_message_bytes: 1_000, ..GossipLimits::default() };
    let mut nodes = full_mesh(11, 2, limits).await;
    let gossip = &nodes[0].gossip;
    let over = gossip.publish(vec![1; 1_000 - HEADER_BYTES + 1]).unwrap_err();
    assert!(matches!(over, GossipError::Oversize { len: 1_001, max: 1_000 }), "{over:?}");
    assert_eq!(over.code(), "gossip_oversize");
    assert!(matches!(gossip.publish(Vec::new()), Err(GossipError::EmptyPayload)));
    assert_eq!(gossip.clock(), 0, "a refused publish takes no timestamp");
    // Positive control: exactly at the limit goes through.
    let largest = vec![2; 1_000 - HEADER_BYTES];
    assert_eq!(gossip.publish(largest.clone()).unwrap(), 1);
    let got = nodes[1].expect(1, "the largest message").await;
    assert_eq!(got[0].0.message.payload, largest);
    all_silent(&mut nodes, "only the one that fits").await;
    stop_all(nodes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversize_receipt_is_dropped_and_counted() {
    let (a_addr, b_addr) = (free_addr(), free_addr());
    let small = GossipLimits { max_message_bytes: 1_000, ..GossipLimits::default() };
    let a = Node::start(key(12, 0), a_addr, vec![b_addr], GossipLimits::default()).await;
    let mut b = Node::start(key(12, 1), b_addr, vec![a_addr], small).await;
    wait_until("a and b see each other", || a.gossip.peers() == 1 && b.gossip.peers() == 1).await;
    // Over b's message limit but within its transmit size (limit + RPC overhead): b's own
    // check refuses it. Then a small one still arrives.
    a.gossip.publish(vec![3; 1_500]).unwrap();
    a.gossip.publish(b"small".to_vec()).unwrap();
    let got = b.expect(1, "the small message").await;
    assert_eq!(got[0].0.message.payload, b"small");
    let stats = b.gossip.stats();
    assert_eq!((stats.oversize, stats.received), (1, 1), "{stats:?}");
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_full_outbound_queue_answers_backpressure_and_never_blocks() {
    // On a current-thread runtime the swarm task cannot run while this loop does, so the
    // queue fills up exactly.
    let config = GossipConfig { key: key(13, 0), listen: free_addr(), peers: vec![], limits: GossipLimits::default() };
    let (gossip, _deliveries) = Gossip::start(config).await.unwrap();
    for i in 0..OUTBOUND_QUEUE_MAX {
        assert_eq!(gossip.publish(vec![1, (i % 251) as u8, (i / 251) as u8]).unwrap(), i as u64 + 1);
    }
    let refused = gossip.publish(b"one too many".to_vec()).unwrap_err();
    assert!(matches!(refused, GossipError::Backpressure), "{refused:?}");
    assert_eq!(refused.code(), "gossip_backpressure");
    assert_eq!(gossip.clock(), OUTBOUND_QUEUE_MAX as u64, "a refused publish takes no timestamp");
    // Once the task runs, the queue drains (no peer: counted unsent) and publishing works again.
    common::bounded("the queue drains", async {
        while gossip.stats().unsent < OUTBOUND_QUEUE_MAX as u64 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(gossip.publish(b"room again".to_vec()).is_ok());
    gossip.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_node_drops_to_a_counter_instead_of_queueing() {
    let (a_addr, b_addr) = (free_addr(), free_addr());
    let a = Node::start(key(14, 0), a_addr, vec![b_addr], GossipLimits::default()).await;
    let tiny = GossipLimits { max_pending: 4, ..GossipLimits::default() };
    let config = GossipConfig { key: key(14, 1), listen: b_addr, peers: vec![a_addr], limits: tiny };
    let (b, mut deliveries) = Gossip::start(config).await.unwrap(); // nobody reads yet
    wait_until("a and b see each other", || a.gossip.peers() == 1 && b.peers() == 1).await;
    for i in 0..10u8 {
        a.gossip.publish(vec![9, i]).unwrap();
    }
    wait_until("b judged all ten", || {
        let stats = b.stats();
        stats.received + stats.queue_full == 10
    })
    .await;
    assert_eq!((b.stats().received, b.stats().queue_full), (4, 6));
    let mut first = Vec::new();
    while let Ok(received) = deliveries.try_recv() {
        first.push(received.message.payload);
    }
    // Four distinct messages were kept (gossipsub does not promise order across connections).
    first.sort();
    first.dedup();
    assert_eq!(first.len(), 4, "{first:?}");
    assert!(first.iter().all(|payload| payload[0] == 9 && payload[1] < 10));
    a.stop().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_node_refuses_to_publish_and_frees_its_port() {
    let addr = free_addr();
    let config = GossipConfig { key: key(15, 0), listen: addr, peers: vec![], limits: GossipLimits::default() };
    let (gossip, mut deliveries) = Gossip::start(config.clone()).await.unwrap();
    let clone = gossip.clone();
    gossip.shutdown().await;
    clone.shutdown().await; // a second call returns at once
    assert!(matches!(clone.publish(b"late".to_vec()), Err(GossipError::Stopped)));
    assert!(common::bounded("the delivery channel closes", deliveries.recv()).await.is_none());
    // The listener is gone: the same address can be bound again.
    let (again, _) = Gossip::start(config).await.expect("the port is free after shutdown");
    again.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_configurations_are_refused_with_their_codes() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let config = GossipConfig {
        key: key(16, 0),
        listen: taken.local_addr().unwrap(),
        peers: vec![],
        limits: GossipLimits::default(),
    };
    let err = Gossip::start(config.clone()).await.unwrap_err();
    assert_eq!(err.code(), "gossip_listen", "{err}");
    let limits = GossipLimits { per_peer_burst: 0, ..GossipLimits::default() };
    let err = Gossip::start(GossipConfig { limits, ..config }).await.unwrap_err();
    assert_eq!(err.code(), "gossip_invalid_limits", "{err}");
}

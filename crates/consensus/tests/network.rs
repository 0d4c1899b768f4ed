//! Real Malachite over real TCP on 127.0.0.1: four validators in one process, each with its
//! own home, key, libp2p identity and port. Every wait is bounded; every node is stopped.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use numo_consensus::{
    start, value_id, Address, Application, Certificate, ConsensusConfig, ConsensusHandle, Timeouts, Validator,
    ValidatorKey, ValidatorSet,
};

const CHAIN_ID: u64 = 4242;

/// A tiny application: proposes `height ‖ counter ‖ proposer`, refuses the proposals of one
/// validator if told to, and records what it commits after checking the certificate.
struct TestApp {
    me: Address,
    validators: ValidatorSet,
    refuse_proposer: Option<Address>,
    /// Bytes appended to each proposed value, to make it span several stream chunks.
    padding: usize,
    state: Mutex<AppState>,
}

#[derive(Default)]
struct AppState {
    counter: u64,
    committed: BTreeMap<u64, (Vec<u8>, Certificate)>,
}

impl TestApp {
    fn new(me: Address, validators: ValidatorSet, refuse_proposer: Option<Address>) -> Arc<Self> {
        Self::padded(me, validators, refuse_proposer, 0)
    }

    fn padded(me: Address, validators: ValidatorSet, refuse_proposer: Option<Address>, padding: usize) -> Arc<Self> {
        Arc::new(Self { me, validators, refuse_proposer, padding, state: Mutex::default() })
    }

    fn committed(&self) -> BTreeMap<u64, (Vec<u8>, Certificate)> {
        self.state.lock().unwrap().committed.clone()
    }

    fn tip(&self) -> u64 {
        self.state.lock().unwrap().committed.keys().next_back().copied().unwrap_or(0)
    }
}

fn value_proposer(value: &[u8]) -> Address {
    Address::from_slice(&value[16..36])
}

impl Application for TestApp {
    fn start_height(&self) -> u64 {
        self.tip() + 1
    }

    fn propose(&self, height: u64, _round: u32, _deadline: Instant) -> Vec<u8> {
        let mut state = self.state.lock().unwrap();
        state.counter += 1;
        let mut value = height.to_be_bytes().to_vec();
        value.extend_from_slice(&state.counter.to_be_bytes());
        value.extend_from_slice(self.me.as_slice());
        value.extend((0..self.padding).map(|i| (i % 251) as u8));
        value
    }

    fn validate(&self, height: u64, proposer: Address, value: &[u8]) -> Result<(), String> {
        if value.len() != 36 + self.padding || value[..8] != height.to_be_bytes() || value_proposer(value) != proposer {
            return Err("malformed".into());
        }
        if Some(proposer) == self.refuse_proposer {
            return Err("refused proposer".into());
        }
        Ok(())
    }

    fn commit(&self, value: &[u8], certificate: &Certificate) -> Result<(), String> {
        certificate.verify(CHAIN_ID, &self.validators).map_err(|e| e.to_string())?;
        if value_id(value) != certificate.value_id {
            return Err("value does not match the certificate".into());
        }
        let mut state = self.state.lock().unwrap();
        if state.committed.contains_key(&certificate.height) {
            return Ok(());
        }
        let tip = state.committed.keys().next_back().copied().unwrap_or(0);
        assert_eq!(certificate.height, tip + 1, "heights commit in order");
        state.committed.insert(certificate.height, (value.to_vec(), certificate.clone()));
        Ok(())
    }

    fn update_certificate(&self, certificate: &Certificate) {
        certificate.verify(CHAIN_ID, &self.validators).expect("a finalized certificate verifies");
        if let Some(entry) = self.state.lock().unwrap().committed.get_mut(&certificate.height) {
            assert_eq!(entry.1.value_id, certificate.value_id);
            entry.1 = certificate.clone();
        }
    }

    fn decided(&self, height: u64) -> Option<(Vec<u8>, Certificate)> {
        self.state.lock().unwrap().committed.get(&height).cloned()
    }

    fn history_min_height(&self) -> u64 {
        1
    }
}

struct Net {
    keys: Vec<ValidatorKey>,
    validators: ValidatorSet,
    ports: Vec<SocketAddr>,
    homes: Vec<PathBuf>,
    max_value_bytes: usize,
    _dir: tempfile::TempDir,
}

fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

impl Net {
    fn new(n: u8) -> Self {
        let keys: Vec<_> = (1..=n).map(|i| ValidatorKey::from_bytes([i; 32]).unwrap()).collect();
        let validators =
            ValidatorSet::new(keys.iter().map(|k| Validator::new(k.public_key(), 1).unwrap()).collect()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let homes = (0..n).map(|i| dir.path().join(format!("node{i}"))).collect();
        let ports = (0..n).map(|_| free_port()).collect();
        Self { keys, validators, ports, homes, max_value_bytes: 1 << 20, _dir: dir }
    }

    fn config(&self, i: usize, home: &Path) -> ConsensusConfig {
        ConsensusConfig {
            chain_id: CHAIN_ID,
            home: home.to_path_buf(),
            key: Some(self.keys[i].clone()),
            p2p_key: [100 + i as u8; 32],
            listen: self.ports[i],
            peers: self.ports.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, p)| *p).collect(),
            validators: self.validators.clone(),
            timeouts: Timeouts {
                propose: Duration::from_millis(500),
                prevote: Duration::from_millis(200),
                precommit: Duration::from_millis(200),
                round_delta: Duration::from_millis(100),
                rebroadcast: Duration::from_secs(1),
                block_time: Duration::from_millis(50),
            },
            max_value_bytes: self.max_value_bytes,
        }
    }

    async fn start(&self, i: usize, app: &Arc<TestApp>) -> ConsensusHandle {
        start(self.config(i, &self.homes[i]), app.clone()).await.expect("consensus starts")
    }
}

/// Waits until `done` holds, at most `limit`.
async fn wait_for(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out after {limit:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every pair of nodes agrees on every height both committed; each certificate verifies.
fn assert_agree(apps: &[&Arc<TestApp>], validators: &ValidatorSet) {
    let all: Vec<_> = apps.iter().map(|a| a.committed()).collect();
    for (i, committed) in all.iter().enumerate() {
        for (height, (value, certificate)) in committed {
            certificate.verify(CHAIN_ID, validators).unwrap();
            assert_eq!(certificate.height, *height);
            assert_eq!(value_id(value), certificate.value_id);
            assert_eq!(Certificate::decode(&certificate.encode()).unwrap(), *certificate);
            for other in &all[i + 1..] {
                if let Some((other_value, _)) = other.get(height) {
                    assert_eq!(other_value, value, "fork at height {height}");
                }
            }
        }
    }
}

fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_validators_decide_then_one_stops_and_catches_up_by_sync() {
    init_tracing();
    let net = Net::new(4);
    let apps: Vec<_> = (0..4).map(|i| TestApp::new(net.keys[i].address(), net.validators.clone(), None)).collect();
    let mut handles = Vec::new();
    for (i, app) in apps.iter().enumerate() {
        handles.push(Some(net.start(i, app).await));
    }
    // A follower: no key, dials every validator, never votes, commits what they decide.
    let follower_app = TestApp::new(Address::ZERO, net.validators.clone(), None);
    let follower_config = ConsensusConfig {
        key: None,
        p2p_key: [99; 32],
        listen: free_port(),
        peers: net.ports.clone(),
        ..net.config(0, &net._dir.path().join("follower"))
    };
    let follower = start(follower_config, follower_app.clone()).await.expect("follower starts");

    // All four decide the same 20 heights, with valid certificates.
    wait_for("20 heights on all four", Duration::from_secs(30), || apps.iter().all(|a| a.tip() >= 20)).await;
    assert_agree(&apps.iter().collect::<Vec<_>>(), &net.validators);
    for height in 1..=20 {
        let (value, _) = apps[0].decided(height).unwrap();
        assert_eq!(value[..8], height.to_be_bytes());
    }
    let status = handles[0].as_ref().unwrap().status();
    assert!(status.height >= 20, "{status:?}");
    assert_eq!(status.peers, 4, "three validators and the follower: {status:?}");

    // One stops; the other three (3 of 4 power > 2/3) keep deciding.
    let stopped = 3;
    handles[stopped].take().unwrap().stop().await;
    let stopped_at = apps[stopped].tip();
    let target = apps[0].tip() + 15;
    wait_for("15 more heights on the three", Duration::from_secs(30), || apps[..3].iter().all(|a| a.tip() >= target))
        .await;
    assert!(apps[stopped].tip() <= stopped_at + 1, "a stopped node does not commit");

    // Restarted with the same home, it catches up through sync and agrees.
    handles[stopped] = Some(net.start(stopped, &apps[stopped]).await);
    let goal = apps[0].tip() + 2;
    wait_for("the restarted node to catch up", Duration::from_secs(30), || apps[stopped].tip() >= goal).await;
    assert_agree(&apps.iter().collect::<Vec<_>>(), &net.validators);
    let caught_up = apps[stopped].committed();
    assert!((1..=goal).all(|h| caught_up.contains_key(&h)), "no gaps after sync");

    wait_for("the follower to follow", Duration::from_secs(10), || follower_app.tip() >= goal).await;
    assert_agree(&[&apps[0], &follower_app], &net.validators);
    follower.stop().await;
    for handle in handles.into_iter().flatten() {
        handle.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_proposals_are_replaced_in_a_later_round_and_never_commit() {
    init_tracing();
    let net = Net::new(4);
    // Everyone refuses the values of the first validator in proposer order.
    let refused = net.validators.validators()[0].address;
    let apps: Vec<_> =
        (0..4).map(|i| TestApp::new(net.keys[i].address(), net.validators.clone(), Some(refused))).collect();
    let mut handles = Vec::new();
    for (i, app) in apps.iter().enumerate() {
        handles.push(net.start(i, app).await);
    }
    wait_for("12 heights", Duration::from_secs(40), || apps.iter().all(|a| a.tip() >= 12)).await;
    for handle in handles {
        handle.stop().await;
    }

    assert_agree(&apps.iter().collect::<Vec<_>>(), &net.validators);
    let committed = apps[1].committed();
    let mut replaced = 0;
    for (height, (value, certificate)) in &committed {
        let proposer = value_proposer(value);
        assert_ne!(proposer, refused, "height {height} committed a refused proposal");
        assert_eq!(proposer, net.validators.proposer(*height, certificate.round).address);
        if net.validators.proposer(*height, 0).address == refused {
            assert!(certificate.round >= 1, "height {height} decided in round 0 despite refusal");
            replaced += 1;
        }
    }
    assert!(replaced >= 2, "the refused validator was round-0 proposer of {replaced} heights");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_megabyte_values_stream_in_chunks_and_commit() {
    init_tracing();
    let mut net = Net::new(4);
    net.max_value_bytes = 4 << 20;
    // 2.5 MiB + 36 bytes: three Data chunks per proposal.
    let padding = (5 << 20) / 2;
    let apps: Vec<_> =
        (0..4).map(|i| TestApp::padded(net.keys[i].address(), net.validators.clone(), None, padding)).collect();
    let mut handles = Vec::new();
    for (i, app) in apps.iter().enumerate() {
        handles.push(net.start(i, app).await);
    }
    wait_for("5 heights of large values", Duration::from_secs(40), || apps.iter().all(|a| a.tip() >= 5)).await;
    for handle in handles {
        handle.stop().await;
    }
    assert_agree(&apps.iter().collect::<Vec<_>>(), &net.validators);
    for (height, (value, _)) in apps[2].committed() {
        assert_eq!(value.len(), 36 + padding, "height {height}");
    }
}

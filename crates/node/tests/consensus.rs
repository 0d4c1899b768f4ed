//! Four in-process validators with real Malachite and the real mempool gossip on 127.0.0.1,
//! one of them byzantine (K3): while it proposes blocks whose entries are out of the fair order,
//! or that carry a forged signature, the three honest validators refuse every such proposal, the
//! heights it should have decided are decided in a later round by an honest proposer, all four
//! nodes commit the same blocks, and every order a client sent executes exactly once.

#![allow(missing_docs)]

use alloy_primitives::{B256, U256};
use numo_chain::order::canonical_order;
use numo_chain::{BlockValue, ClobEntry, Entry};
use numo_consensus::{Application, Certificate};
use numo_node::config::{NodeConfig, VerifyMode};
use numo_node::consensus_app::ConsensusApp;
use numo_node::genesis::{dev_accounts, VenueGenesis};
use numo_node::home::{init_testnet, Home};
use numo_node::ingress;
use numo_node::node::Node;
use numo_node::store::ChainStore;
use numo_node::submission::Submission;
use numo_stf::signature::sign_digest;
use numo_stf::{Message, Place, SignedMessage};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

const HONEST: u8 = 0;
const REORDER: u8 = 1;
const FORGE: u8 = 2;

/// A validator whose proposals break K2 or C11 as `mode` says.
struct Byzantine {
    inner: Arc<ConsensusApp>,
    mode: Arc<AtomicU8>,
    broken: Arc<AtomicU64>,
    venue: numo_chain::Venue,
}

impl Application for Byzantine {
    fn start_height(&self) -> u64 {
        self.inner.start_height()
    }

    fn propose(&self, height: u64, round: u32, deadline: Instant) -> Vec<u8> {
        let bytes = self.inner.propose(height, round, deadline);
        let mut value = BlockValue::decode(&bytes).unwrap();
        let clob: Vec<ClobEntry> = value
            .proposal
            .entries
            .iter()
            .filter_map(|e| if let Entry::Clob(c) = e { Some(*c) } else { None })
            .collect();
        match self.mode.load(SeqCst) {
            REORDER if clob.len() >= 2 => {
                // Any order but the canonical one: move the entry the fair order puts last first.
                let mut entries = value.proposal.entries.clone();
                entries.rotate_right(1);
                let reordered: Vec<ClobEntry> =
                    entries.iter().map(|e| if let Entry::Clob(c) = e { *c } else { unreachable!() }).collect();
                let order = canonical_order(&self.venue, &value.parent_hash, &reordered).unwrap();
                assert!(order.iter().enumerate().any(|(i, o)| i != *o), "the rotation must break the fair order");
                value.proposal.entries = entries;
                self.broken.fetch_add(1, SeqCst);
            }
            FORGE if !clob.is_empty() => {
                if let Entry::Clob(c) = &mut value.proposal.entries[0] {
                    c.signed.signature.0[10] ^= 0x55;
                }
                self.broken.fetch_add(1, SeqCst);
            }
            _ => {}
        }
        value.encode()
    }

    fn validate(&self, height: u64, proposer: alloy_primitives::Address, value: &[u8]) -> Result<(), String> {
        self.inner.validate(height, proposer, value)
    }

    fn commit(&self, value: &[u8], certificate: &Certificate) -> Result<(), String> {
        self.inner.commit(value, certificate)
    }

    fn update_certificate(&self, certificate: &Certificate) {
        self.inner.update_certificate(certificate)
    }

    fn decided(&self, height: u64) -> Option<(Vec<u8>, Certificate)> {
        self.inner.decided(height)
    }

    fn history_min_height(&self) -> u64 {
        self.inner.history_min_height()
    }

    fn on_round(&self, height: u64, round: u32, proposer: alloy_primitives::Address) {
        self.inner.on_round(height, round, proposer)
    }
}

fn height(node: &Node) -> u64 {
    node.chain.read().unwrap().last_block.as_ref().map_or(0, |b| b.height)
}

async fn wait_until(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn honest_validators_refuse_a_byzantine_proposer_and_the_chain_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let testnet = init_testnet(dir.path(), VenueGenesis::dev(), 4, 0).unwrap();
    let mode = Arc::new(AtomicU8::new(REORDER));
    let broken = Arc::new(AtomicU64::new(0));
    let mut nodes = Vec::new();
    for (i, entry) in testnet.validators.iter().enumerate() {
        let home = Home::load(&entry.home).unwrap();
        let config = NodeConfig {
            http: home.config.http,
            data_dir: home.data_dir(),
            block_interval_ms: home.config.block_interval_ms,
            verify: VerifyMode::Off,
            snapshot_dirty_keys: numo_node::config::SNAPSHOT_DIRTY_KEYS_MIN,
            signer_key: home.validator_key,
        };
        let (mode, broken) = (mode.clone(), broken.clone());
        let node = numo_node::start_consensus_with(config, &home, move |app| -> Arc<dyn Application> {
            if i == 0 {
                let venue = app.venue().clone();
                Arc::new(Byzantine { inner: app, mode, broken, venue })
            } else {
                app
            }
        })
        .await
        .unwrap();
        nodes.push(node);
    }
    wait_until("blocks finalize", Duration::from_secs(60), || nodes.iter().all(|n| height(n) >= 2)).await;

    // Clients send orders to the byzantine validator only; gossip brings them to the others.
    let genesis = VenueGenesis::dev();
    let market = &genesis.markets[0].context;
    let mut sent = Vec::new();
    let send_round = |round: u64, sent: &mut Vec<SignedMessage>| {
        for account in 0..4usize {
            let trader = dev_accounts()[account].address;
            let order_id = B256::left_padding_from(&(round * 16 + account as u64 + 1).to_be_bytes());
            let side = (account % 2) as u8;
            let message = Message::Place(Place {
                trader,
                nonce: round,
                order_id,
                side,
                tif: 0,
                tick: 300_000,
                qty: U256::from(100_000_000_000_000u64),
            });
            let signature = sign_digest(&dev_accounts()[account].secret, &message.hash(&market.domain_separator()));
            let signed = SignedMessage { message, signature };
            ingress::submit(&nodes[0], Submission { market: Some(market.market_id), signed }, false).unwrap();
            sent.push(signed);
        }
    };
    let refused = |nodes: &[Arc<Node>]| -> u64 {
        nodes[1..].iter().map(|n| n.consensus.get().unwrap().refused_proposals.load(SeqCst)).sum()
    };
    let mut round = 0;
    for phase in [REORDER, FORGE] {
        mode.store(phase, SeqCst);
        let (broken_before, refused_before) = (broken.load(SeqCst), refused(&nodes));
        let deadline = Instant::now() + Duration::from_secs(90);
        while broken.load(SeqCst) < broken_before + 2 {
            assert!(Instant::now() < deadline, "the byzantine validator never proposed in phase {phase}");
            send_round(round, &mut sent);
            round += 1;
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        let wanted = refused_before + 2;
        wait_until("honest validators refuse the broken proposals", Duration::from_secs(30), || {
            refused(&nodes) >= wanted
        })
        .await;
    }
    mode.store(HONEST, SeqCst);
    let committed =
        |node: &Node, account: usize| node.committed_nonce(&dev_accounts()[account].address, &market.market_id);
    wait_until("every order executes on every node", Duration::from_secs(60), || {
        nodes.iter().all(|n| (0..4).all(|a| committed(n, a) == round))
    })
    .await;

    // One chain: every node holds the same header at every height, and every order once.
    let top = nodes.iter().map(|n| height(n)).min().unwrap();
    let mut executed = std::collections::BTreeMap::new();
    for h in 1..=top {
        let headers: Vec<_> = nodes.iter().map(|n| n.store.block(h).unwrap().unwrap()).collect();
        assert!(headers.iter().all(|x| x.hash == headers[0].hash), "fork at height {h}");
        for entry in nodes[1].store.proposal(h).unwrap().unwrap().entries {
            if let Entry::Clob(c) = entry {
                *executed.entry(c.signed.signature.0.to_vec()).or_insert(0) += 1;
            }
        }
    }
    assert_eq!(executed.len(), sent.len());
    assert!(executed.values().all(|n| *n == 1));
    assert!(sent.iter().all(|s| executed.contains_key(s.signature.0.as_slice())));
    eprintln!("{top} heights, {} orders, {} broken proposals refused", sent.len(), broken.load(SeqCst));
}

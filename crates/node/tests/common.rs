//! Shared helpers of the node tests: an in-process dev node on a real port, and a signing
//! client.

#![allow(dead_code, unreachable_pub, missing_docs)]

use alloy_primitives::{hex, Address, B256, U256};
use numo_node::config::{NodeConfig, VerifyMode};
use numo_node::genesis::{dev_accounts, VenueGenesis};
use numo_stf::signature::sign_digest;
use numo_stf::{Cancel, Message, Place};
use serde_json::{json, Value};
use std::collections::HashMap;

/// A dev node serving on 127.0.0.1:<random port>, with its data in a temp dir.
pub struct TestNode {
    pub url: String,
    pub node: std::sync::Arc<numo_node::node::Node>,
    pub genesis: VenueGenesis,
    pub _dir: tempfile::TempDir,
}

pub async fn start_dev_node(block_interval_ms: u64) -> TestNode {
    start_dev_node_with(block_interval_ms, VerifyMode::All).await
}

pub async fn start_dev_node_with(block_interval_ms: u64, verify: VerifyMode) -> TestNode {
    let dir = tempfile::tempdir().unwrap();
    let genesis = VenueGenesis::dev();
    let config = NodeConfig {
        http: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_path_buf(),
        block_interval_ms,
        verify,
        snapshot_dirty_keys: numo_node::config::SNAPSHOT_DIRTY_KEYS_MIN,
        signer_key: None,
    };
    let node = numo_node::start(config, genesis.clone()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(numo_node::serve(node.clone(), listener));
    TestNode { url, node, genesis, _dir: dir }
}

/// Signs messages for the dev accounts, tracking nonces per (account, market).
pub struct Trader {
    pub genesis: VenueGenesis,
    nonces: HashMap<(usize, B256), u64>,
}

impl Trader {
    pub fn new(genesis: &VenueGenesis) -> Self {
        Self { genesis: genesis.clone(), nonces: HashMap::new() }
    }

    pub fn address(&self, account: usize) -> Address {
        dev_accounts()[account].address
    }

    pub fn market(&self, symbol: &str) -> B256 {
        self.genesis.markets.iter().find(|m| m.symbol == symbol).unwrap().context.market_id
    }

    fn sign(&mut self, account: usize, market: B256, make: impl FnOnce(Address, u64) -> Message) -> Value {
        let nonce = self.nonces.entry((account, market)).or_default();
        let message = make(dev_accounts()[account].address, *nonce);
        *nonce += 1;
        let domain = self.genesis.market(&market).unwrap().context.domain_separator();
        let signature = sign_digest(&dev_accounts()[account].secret, &message.hash(&domain));
        json!({ "message": hex::encode_prefixed(message.encode()), "signature": hex::encode_prefixed(signature.0) })
    }

    /// A Place in canonical form.
    #[allow(clippy::too_many_arguments)]
    pub fn place(
        &mut self,
        account: usize,
        market: B256,
        order: u64,
        side: u8,
        tif: u32,
        tick: i32,
        qty: U256,
    ) -> Value {
        let order_id = B256::left_padding_from(&order.to_be_bytes());
        self.sign(account, market, |trader, nonce| {
            Message::Place(Place { trader, nonce, order_id, side, tif, tick, qty })
        })
    }

    /// A Cancel in canonical form.
    pub fn cancel(&mut self, account: usize, market: B256, order: u64) -> Value {
        let order_id = B256::left_padding_from(&order.to_be_bytes());
        self.sign(account, market, |trader, nonce| Message::Cancel(Cancel { trader, nonce, order_id }))
    }

    /// Forgets a nonce reservation (for a message the node refused).
    pub fn unuse_nonce(&mut self, account: usize, market: B256) {
        *self.nonces.get_mut(&(account, market)).unwrap() -= 1;
    }
}

pub fn order_id(n: u64) -> String {
    hex::encode_prefixed(B256::left_padding_from(&n.to_be_bytes()))
}

/// 1 WETH in base units.
pub fn weth(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64.pow(18))
}

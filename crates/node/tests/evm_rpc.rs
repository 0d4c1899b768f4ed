//! The Ethereum JSON-RPC against an in-process dev node (crates/node/src/evm_rpc): framing
//! (batches, notifications, -32700/-32600/-32601/-32602), the genesis EVM block and NUMO
//! balances (E8), chain id 7357 (E2), admission of signed transactions with geth's errors,
//! pending nonces and pool lookups, the refusal of historical state, and the pool log surviving
//! a restart.

mod common;

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope, TxLegacy};
use alloy::eips::eip2718::Encodable2718;
use alloy::network::TxSignerSync;
use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::{hex, Address, TxKind, U256};
use numo_node::config::{NodeConfig, VerifyMode};
use numo_node::genesis::{dev_accounts, VenueGenesis, DEV_CHAIN_ID};
use numo_node::node::Node;
use serde_json::{json, Value};
use std::sync::Arc;

const GWEI: u128 = 1_000_000_000;

fn open(dir: &std::path::Path) -> Arc<Node> {
    let config = NodeConfig {
        http: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.to_path_buf(),
        block_interval_ms: 100,
        verify: VerifyMode::Off,
        snapshot_dirty_keys: numo_node::config::SNAPSHOT_DIRTY_KEYS_MIN,
        signer_key: None,
    };
    // Opened, not started: no block is produced, so the pool keeps what it admits.
    Node::open(config, VenueGenesis::dev()).unwrap()
}

/// Drops the node and waits (bounded) until its threads have closed the database.
fn close(node: Arc<Node>, dir: &std::path::Path) {
    drop(node);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match redb::Database::create(dir.join("numo.redb")) {
            Ok(db) => break drop(db),
            Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
                assert!(std::time::Instant::now() < deadline, "the node closes its database within 30 s");
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(other) => panic!("reopening the database: {other}"),
        }
    }
}

fn rpc(node: &Node, method: &str, params: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    numo_node::evm_rpc::answer_body(node, body.to_string().as_bytes()).unwrap()
}

fn ok(node: &Node, method: &str, params: Value) -> Value {
    let answer = rpc(node, method, params);
    assert!(answer.get("error").is_none(), "{method}: {answer}");
    answer["result"].clone()
}

fn err(node: &Node, method: &str, params: Value) -> (i64, String) {
    let answer = rpc(node, method, params);
    let error = &answer["error"];
    (
        error["code"].as_i64().unwrap_or_else(|| panic!("{method}: no error in {answer}")),
        error["message"].as_str().unwrap().to_string(),
    )
}

fn signer(account: usize) -> PrivateKeySigner {
    PrivateKeySigner::from_slice(&dev_accounts()[account].secret.to_secret_bytes()).unwrap()
}

/// A signed EIP-1559 transfer of `value` wei to `to`.
#[allow(clippy::too_many_arguments)]
fn transfer(
    account: usize,
    nonce: u64,
    chain_id: u64,
    max_fee: u128,
    tip: u128,
    gas: u64,
    to: Address,
    value: u64,
) -> String {
    let mut tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: tip,
        to: TxKind::Call(to),
        value: U256::from(value),
        ..Default::default()
    };
    let signature = signer(account).sign_transaction_sync(&mut tx).unwrap();
    hex::encode_prefixed(TxEnvelope::from(tx.into_signed(signature)).encoded_2718())
}

fn dest() -> Address {
    Address::repeat_byte(0x42)
}

#[test]
fn framing_and_basic_methods() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path());
    assert_eq!(ok(&node, "eth_chainId", json!([])), json!(format!("{:#x}", DEV_CHAIN_ID)));
    assert_eq!(DEV_CHAIN_ID, 7357);
    assert_eq!(ok(&node, "net_version", json!([])), json!("7357"));
    assert_eq!(ok(&node, "eth_accounts", json!([])), json!([]));
    assert_eq!(ok(&node, "eth_syncing", json!([])), json!(false));
    assert!(ok(&node, "web3_clientVersion", json!([])).as_str().unwrap().starts_with("numo/v"));
    assert_eq!(ok(&node, "eth_blockNumber", json!([])), json!("0x0"));

    // JSON-RPC 2.0 framing.
    let parse = numo_node::evm_rpc::answer_body(&node, b"{not json").unwrap();
    assert_eq!(parse["error"]["code"], -32700);
    let empty = numo_node::evm_rpc::answer_body(&node, b"[]").unwrap();
    assert_eq!(empty["error"]["code"], -32600);
    assert_eq!(err(&node, "eth_nope", json!([])).0, -32601);
    assert_eq!(err(&node, "eth_getBalance", json!(["0x12"])).0, -32602);
    assert_eq!(err(&node, "eth_getBalance", json!([])).0, -32602);
    let batch = json!([
        {"jsonrpc": "2.0", "id": "a", "method": "eth_chainId", "params": []},
        {"jsonrpc": "2.0", "method": "eth_chainId", "params": []},
        {"jsonrpc": "2.0", "id": 7, "method": "eth_unknown"},
    ]);
    let answers = numo_node::evm_rpc::answer_body(&node, batch.to_string().as_bytes()).unwrap();
    let answers = answers.as_array().unwrap();
    assert_eq!(answers.len(), 2, "the notification is not answered: {answers:?}");
    assert_eq!((answers[0]["id"].clone(), answers[0]["result"].clone()), (json!("a"), json!("0x1cbd")));
    assert_eq!((answers[1]["id"].clone(), answers[1]["error"]["code"].clone()), (json!(7), json!(-32601)));
    let only_notification = json!({"jsonrpc": "2.0", "method": "eth_chainId"});
    assert!(numo_node::evm_rpc::answer_body(&node, only_notification.to_string().as_bytes()).is_none());
}

#[test]
fn genesis_block_balances_and_state_queries() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path());
    let block = ok(&node, "eth_getBlockByNumber", json!(["earliest", false]));
    assert_eq!(block["number"], "0x0");
    assert_eq!(block["transactions"], json!([]));
    assert_eq!(block["baseFeePerGas"], "0x3b9aca00", "E8: 1 gwei");
    assert_eq!(block["gasLimit"], format!("{:#x}", 200_000_000u64));
    let hash = block["hash"].as_str().unwrap().to_string();
    assert_eq!(ok(&node, "eth_getBlockByHash", json!([hash, true]))["number"], "0x0");
    assert_eq!(ok(&node, "eth_getBlockByNumber", json!(["latest", false]))["hash"], json!(hash));
    assert_eq!(ok(&node, "eth_getBlockByNumber", json!(["0x5", false])), Value::Null);
    // The header the node serves hashes to its hash (E9: keccak256(rlp(header))).
    let header: alloy::rpc::types::Header = serde_json::from_value(block.clone()).unwrap();
    assert_eq!(format!("{:#x}", header.inner.hash_slow()), hash);

    // 1,000,000 NUMO per dev account (E8), nothing elsewhere.
    let rich = dev_accounts()[3].address;
    let million = U256::from(10u64).pow(U256::from(24u64));
    assert_eq!(ok(&node, "eth_getBalance", json!([rich, "latest"])), json!(million));
    assert_eq!(ok(&node, "eth_getBalance", json!([dest(), "latest"])), json!("0x0"));
    assert_eq!(ok(&node, "eth_getTransactionCount", json!([rich, "latest"])), json!("0x0"));
    assert_eq!(ok(&node, "eth_getCode", json!([rich, "latest"])), json!("0x"));
    assert_eq!(ok(&node, "eth_getStorageAt", json!([rich, "0x0", "latest"])), json!(format!("0x{}", "0".repeat(64))));
    // Only the head's state is kept: another block is refused, clearly.
    let (code, message) = err(&node, "eth_getBalance", json!([rich, "0x1"]));
    assert_eq!(code, -32000);
    assert!(message.starts_with("historical state is not available"), "{message}");

    // Fees: the next base fee (an empty genesis block: 1 gwei less 12.5 %) plus a 1 gwei tip.
    assert_eq!(ok(&node, "eth_maxPriorityFeePerGas", json!([])), json!("0x3b9aca00"));
    let next = GWEI - GWEI / 8;
    assert_eq!(ok(&node, "eth_gasPrice", json!([])), json!(format!("{:#x}", next + GWEI)));
    let history = ok(&node, "eth_feeHistory", json!(["0x4", "latest", [25.0, 75.0]]));
    assert_eq!(history["oldestBlock"], "0x0");
    assert_eq!(history["baseFeePerGas"], json!(["0x3b9aca00", format!("{next:#x}")]));
    assert_eq!(history["reward"], json!([["0x0", "0x0"]]));

    // Read-only calls over the head.
    let estimate = ok(&node, "eth_estimateGas", json!([{"from": rich, "to": dest(), "value": "0x1"}]));
    assert_eq!(estimate, json!("0x5208"));
    assert_eq!(ok(&node, "eth_call", json!([{"from": rich, "to": dest(), "data": "0x"}, "latest"])), json!("0x"));
    assert_eq!(ok(&node, "eth_getLogs", json!([{"fromBlock": "0x0", "toBlock": "latest"}])), json!([]));
}

#[test]
fn admission_answers_with_geths_errors_and_pools_by_nonce() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path());
    let sender = dev_accounts()[1].address;
    let fee = 3 * GWEI;

    let raw0 = transfer(1, 0, DEV_CHAIN_ID, fee, GWEI, 21_000, dest(), 5);
    let hash0 = ok(&node, "eth_sendRawTransaction", json!([raw0]));
    assert_eq!(ok(&node, "eth_getTransactionCount", json!([sender, "pending"])), json!("0x1"));
    assert_eq!(ok(&node, "eth_getTransactionCount", json!([sender, "latest"])), json!("0x0"));
    let pending = ok(&node, "eth_getTransactionByHash", json!([hash0]));
    assert_eq!(pending["from"], json!(sender));
    assert_eq!(pending["blockNumber"], Value::Null);
    assert_eq!(ok(&node, "eth_getTransactionReceipt", json!([hash0])), Value::Null);

    let message = |raw: String| err(&node, "eth_sendRawTransaction", json!([raw])).1;
    // The same bytes again: never a second entry.
    assert_eq!(message(raw0.clone()), "already known");
    // Same nonce, fees not 10 % higher.
    assert!(message(transfer(1, 0, DEV_CHAIN_ID, fee + 1, GWEI, 21_000, dest(), 6))
        .starts_with("replacement transaction underpriced"));
    // Signed for anvil's chain (E2).
    assert!(message(transfer(1, 1, 31337, fee, GWEI, 21_000, dest(), 5)).starts_with("invalid chain id"));
    // Below the next base fee.
    assert!(
        message(transfer(1, 1, DEV_CHAIN_ID, GWEI / 2, 0, 21_000, dest(), 5)).starts_with("transaction underpriced")
    );
    assert!(message(transfer(1, 1, DEV_CHAIN_ID, fee, GWEI, 20_000, dest(), 5)).starts_with("intrinsic gas too low"));
    assert!(message(transfer(1, 100, DEV_CHAIN_ID, fee, GWEI, 21_000, dest(), 5)).starts_with("nonce too high"));
    // An account with no NUMO.
    let mut poor = TxEip1559 {
        chain_id: DEV_CHAIN_ID,
        gas_limit: 21_000,
        max_fee_per_gas: fee,
        to: TxKind::Call(dest()),
        ..Default::default()
    };
    let stranger = PrivateKeySigner::random();
    let signature = stranger.sign_transaction_sync(&mut poor).unwrap();
    let raw = hex::encode_prefixed(TxEnvelope::from(poor.into_signed(signature)).encoded_2718());
    assert!(message(raw).starts_with("insufficient funds for gas * price + value"));
    // A legacy transaction without EIP-155 (E3) and garbage.
    let mut legacy =
        TxLegacy { chain_id: None, gas_limit: 21_000, gas_price: fee, to: TxKind::Call(dest()), ..Default::default() };
    let signature = signer(1).sign_transaction_sync(&mut legacy).unwrap();
    let raw = hex::encode_prefixed(TxEnvelope::from(legacy.into_signed(signature)).encoded_2718());
    assert!(message(raw).contains("EIP-155"));
    assert!(message("0x02c0".into()).starts_with("invalid transaction"));
    let oversized = hex::encode_prefixed(vec![0u8; 131_073]);
    assert!(message(oversized).starts_with("oversized data"));

    // A 10 % bump replaces; the old hash is gone, the new one is served.
    let raw0b = transfer(1, 0, DEV_CHAIN_ID, fee * 11 / 10, GWEI * 11 / 10, 21_000, dest(), 5);
    let hash0b = ok(&node, "eth_sendRawTransaction", json!([raw0b]));
    assert_eq!(ok(&node, "eth_getTransactionByHash", json!([hash0])), Value::Null);
    assert_eq!(ok(&node, "eth_getTransactionByHash", json!([hash0b]))["nonce"], "0x0");
    // A queued one (gap) does not advance the pending nonce.
    ok(&node, "eth_sendRawTransaction", json!([transfer(1, 2, DEV_CHAIN_ID, fee, GWEI, 21_000, dest(), 5)]));
    assert_eq!(ok(&node, "eth_getTransactionCount", json!([sender, "pending"])), json!("0x1"));
    ok(&node, "eth_sendRawTransaction", json!([transfer(1, 1, DEV_CHAIN_ID, fee, GWEI, 21_000, dest(), 5)]));
    assert_eq!(ok(&node, "eth_getTransactionCount", json!([sender, "pending"])), json!("0x3"));
    assert_eq!(node.evm.pool.lock().unwrap().len(), 3);
}

#[test]
fn acknowledged_transactions_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let fee = 3 * GWEI;
    let (old, new) = {
        let node = open(dir.path());
        let old =
            ok(&node, "eth_sendRawTransaction", json!([transfer(2, 0, DEV_CHAIN_ID, fee, GWEI, 21_000, dest(), 1)]));
        ok(&node, "eth_sendRawTransaction", json!([transfer(2, 1, DEV_CHAIN_ID, fee, GWEI, 21_000, dest(), 1)]));
        let new = ok(
            &node,
            "eth_sendRawTransaction",
            json!([transfer(2, 0, DEV_CHAIN_ID, 2 * fee, 2 * GWEI, 21_000, dest(), 1)]),
        );
        close(node, dir.path());
        (old, new)
    };
    let node = open(dir.path());
    let sender = dev_accounts()[2].address;
    assert_eq!(ok(&node, "eth_getTransactionCount", json!([sender, "pending"])), json!("0x2"));
    assert_eq!(ok(&node, "eth_getTransactionByHash", json!([old])), Value::Null, "the replaced one stays replaced");
    assert_eq!(ok(&node, "eth_getTransactionByHash", json!([new]))["maxFeePerGas"], json!(format!("{:#x}", 2 * fee)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let node = open(dir.path());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(numo_node::evm_rpc::serve(node, listener));
    let client = reqwest::Client::new();
    let answer: Value = client
        .post(&url)
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["result"], "0x1cbd");
    let status = client.get(&url).send().await.unwrap().status();
    assert_eq!(status, reqwest::StatusCode::METHOD_NOT_ALLOWED);
}

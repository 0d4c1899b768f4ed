//! The node's funding path without an L1: deposits enter the funding queue as the L1 listener
//! puts them there (possibly out of order, possibly again after a restart) and execute strictly
//! in queue order, exactly once; signed withdrawals and transfers go through `POST
//! /v1/withdrawals` and `POST /v1/transfers` with every refusal typed; funding batches are stored, served (record, witness with its kind), verified
//! by the background guest and replayed.

mod common;

use alloy_primitives::{hex, Address, B256, U256};
use common::start_dev_node;
use numo_funding::{Deposit, Transfer, Withdraw};
use numo_node::genesis::dev_accounts;
use numo_node::store::{ChainStore, Verification};
use numo_stf::signature::sign_digest;
use serde_json::{json, Value};
use std::time::Duration;

fn usdc(node: &common::TestNode) -> B256 {
    node.genesis.asset("USDC").unwrap().asset_id
}

fn deposit(index: u64, asset_id: B256, to: Address, amount: u64) -> Deposit {
    Deposit { index, asset_id, from: Address::repeat_byte(0xd0), to, amount: U256::from(amount) }
}

async fn get(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// Polls `url` until `done` holds (bounded).
async fn wait_for(url: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let value = get(url).await;
        if done(&value) {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting on {url}: {value}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn available(account: &Value, symbol: &str) -> U256 {
    let balance = account["balances"].as_array().unwrap().iter().find(|b| b["symbol"] == symbol);
    balance.map_or(U256::ZERO, |b| b["available"].as_str().unwrap().parse().unwrap())
}

fn transfer_body(node: &common::TestNode, account: usize, nonce: u64, amount: U256, to: Address) -> Value {
    let dev = &dev_accounts()[account];
    let transfer = Transfer { owner: dev.address, nonce, asset_id: usdc(node), amount, to };
    let domain = node.node.venue.funding.as_ref().unwrap().domain_separator();
    let signature = sign_digest(&dev.secret, &transfer.hash(&domain));
    json!({
        "owner": dev.address, "nonce": nonce, "asset": "USDC", "amount": amount.to_string(),
        "to": to, "signature": hex::encode_prefixed(signature.0),
    })
}

fn withdraw_body(node: &common::TestNode, account: usize, nonce: u64, amount: U256, recipient: Address) -> Value {
    let dev = &dev_accounts()[account];
    let withdraw = Withdraw { owner: dev.address, nonce, asset_id: usdc(node), amount, recipient };
    let domain = node.node.venue.funding.as_ref().unwrap().domain_separator();
    let signature = sign_digest(&dev.secret, &withdraw.hash(&domain));
    json!({
        "owner": dev.address, "nonce": nonce, "asset": "USDC", "amount": amount.to_string(),
        "recipient": recipient, "signature": hex::encode_prefixed(signature.0),
    })
}

async fn post(url: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new().post(url).json(body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deposits_execute_in_queue_order_exactly_once() {
    let node = start_dev_node(20).await;
    let to = Address::repeat_byte(0x77);
    let asset = usdc(&node);
    // Records 1 and 0 arrive in reverse; record 3 arrives before record 2 exists.
    node.node.funding.lock().unwrap().add_deposits([deposit(1, asset, to, 20), deposit(0, asset, to, 10)]);
    node.node.funding.lock().unwrap().add_deposits([deposit(3, asset, to, 40)]);
    let url = format!("{}/v1/deposits?owner={to}", node.url);
    let rows = wait_for(&url, |v| v.as_array().is_some_and(|a| a.len() == 2)).await;
    assert_eq!(rows[0]["index"], 0);
    assert_eq!(rows[1]["index"], 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(get(&url).await.as_array().unwrap().len(), 2, "record 3 waits for record 2");

    // The listener reads everything again after a restart: records already executed are ignored.
    node.node.funding.lock().unwrap().add_deposits([deposit(0, asset, to, 10), deposit(1, asset, to, 20)]);
    node.node.funding.lock().unwrap().add_deposits([deposit(2, asset, to, 30)]);
    let rows = wait_for(&url, |v| v.as_array().is_some_and(|a| a.len() == 4)).await;
    let indexes: Vec<u64> = rows.as_array().unwrap().iter().map(|r| r["index"].as_u64().unwrap()).collect();
    assert_eq!(indexes, vec![0, 1, 2, 3]);
    let account = get(&format!("{}/v1/accounts/{to}", node.url)).await;
    assert_eq!(available(&account, "USDC"), U256::from(100), "each deposit credited once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawals_are_checked_executed_stored_verified_and_served() {
    let node = start_dev_node(20).await;
    let owner = dev_accounts()[0].address;
    let recipient = Address::repeat_byte(0x42);
    let url = format!("{}/v1/withdrawals", node.url);
    let before = available(&get(&format!("{}/v1/accounts/{owner}", node.url)).await, "USDC");

    // A forged signature, a nonce from the future: refused before anything is queued.
    let mut forged = withdraw_body(&node, 0, 0, U256::from(5), recipient);
    forged["amount"] = json!("6");
    let (status, answer) = post(&url, &forged).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (401, Some("bad_signature")));
    let (status, answer) = post(&url, &withdraw_body(&node, 0, 3, U256::from(5), recipient)).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (409, Some("nonce_gap")));

    // Over the balance: rejected by the transition, nonce 0 consumed.
    let (status, answer) = post(&url, &withdraw_body(&node, 0, 0, before + U256::from(1), recipient)).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (422, Some("insufficient_balance")), "{answer}");
    let (status, answer) = post(&url, &withdraw_body(&node, 0, 0, U256::from(5), recipient)).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (409, Some("nonce_used")));

    let amount = U256::from(1_500_000u64);
    let (status, answer) = post(&url, &withdraw_body(&node, 0, 1, amount, recipient)).await;
    assert_eq!(status, 200, "{answer}");
    let id = answer["id"].as_u64().unwrap();
    let batch_seq = answer["batchSeq"].as_u64().unwrap();
    let after = available(&get(&format!("{}/v1/accounts/{owner}", node.url)).await, "USDC");
    assert_eq!(after, before - amount);

    let row = get(&format!("{url}/{id}")).await;
    assert_eq!(row["status"], "pending", "no L1: nothing settles");
    assert_eq!(row["recipient"], json!(recipient));
    assert_eq!(row["amount"], amount.to_string());
    assert!(row.get("claim").is_none());
    let listed = get(&format!("{url}?owner={owner}")).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let batch = get(&format!("{}/v1/batches/{batch_seq}", node.url)).await;
    assert_eq!(batch["kind"], "funding");
    assert_eq!(batch["withdrawals"][0]["id"], id);
    let response = reqwest::get(format!("{}/v1/batches/{batch_seq}/witness", node.url)).await.unwrap();
    assert_eq!(response.headers()["x-numo-batch-kind"], "funding");
    let blob = response.bytes().await.unwrap();
    let output = numo_guest::funding::run_funding(&blob).unwrap();
    assert_eq!(hex::encode_prefixed(output.public_inputs.encode()), batch["publicInputs"].as_str().unwrap());

    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while node.node.store.verification(batch_seq).unwrap() != Verification::Verified {
        assert!(std::time::Instant::now() < deadline, "the verifier re-executes funding batches");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(node.node.store.funding_batch(batch_seq).unwrap().is_some());

    let (status, answer) = post(&format!("{}/v1/withdrawals", node.url), &json!({"owner": "nope"})).await;
    assert_eq!(status, 400, "{answer}");
    let l1 = reqwest::get(format!("{}/v1/l1", node.url)).await.unwrap();
    assert_eq!(l1.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_move_both_balances_and_share_the_funding_nonce() {
    let node = start_dev_node(20).await;
    let owner = dev_accounts()[1].address;
    // Any address may receive, e.g. a contract's that has never held anything.
    let to = Address::repeat_byte(0xc0);
    let url = format!("{}/v1/transfers", node.url);
    let account = |address: Address| get_owned(format!("{}/v1/accounts/{address}", node.url));
    let before = available(&account(owner).await, "USDC");
    assert_eq!(available(&account(to).await, "USDC"), U256::ZERO);

    // Refused before anything is queued: a forged signature, a nonce from the future, a
    // withdrawal's signature presented as a transfer's (another message type, another msgHash).
    let mut forged = transfer_body(&node, 1, 0, U256::from(5), to);
    forged["amount"] = json!("6");
    let (status, answer) = post(&url, &forged).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (401, Some("bad_signature")));
    let (status, answer) = post(&url, &transfer_body(&node, 1, 2, U256::from(5), to)).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (409, Some("nonce_gap")));
    let mut as_withdraw = withdraw_body(&node, 1, 0, U256::from(5), to);
    as_withdraw["to"] = as_withdraw["recipient"].clone();
    let (status, answer) = post(&url, &as_withdraw).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (401, Some("bad_signature")));

    // Rejected by the transition (F7): nonce 0 consumed, nothing moved.
    let (status, answer) = post(&url, &transfer_body(&node, 1, 0, U256::from(5), owner)).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (422, Some("self_transfer")), "{answer}");
    let (status, answer) = post(&url, &transfer_body(&node, 1, 0, U256::from(5), to)).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (409, Some("nonce_used")));

    let amount = U256::from(1_000_000_000u64);
    let (status, answer) = post(&url, &transfer_body(&node, 1, 1, amount, to)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "transferred");
    let batch_seq = answer["batchSeq"].as_u64().unwrap();
    assert_eq!(available(&account(owner).await, "USDC"), before - amount);
    assert_eq!(available(&account(to).await, "USDC"), amount);
    assert_eq!(account(owner).await["fundingNonce"]["nextNonce"], 2);

    // Transfers and withdrawals share the owner's funding nonce (F4).
    let (status, answer) =
        post(&format!("{}/v1/withdrawals", node.url), &withdraw_body(&node, 1, 2, U256::from(7), to)).await;
    assert_eq!(status, 200, "{answer}");

    // The funding batch records the message and its outcome; no withdrawal record; its witness
    // re-executes in the funding guest to the served public inputs, and the verifier agrees.
    let batch = get(&format!("{}/v1/batches/{batch_seq}", node.url)).await;
    assert_eq!(batch["kind"], "funding");
    let message = &batch["messages"][0];
    assert_eq!(
        (message["type"].as_str(), message["outcome"]["status"].as_str()),
        (Some("transfer"), Some("transferred"))
    );
    assert_eq!(batch["withdrawals"], json!([]));
    let blob =
        reqwest::get(format!("{}/v1/batches/{batch_seq}/witness", node.url)).await.unwrap().bytes().await.unwrap();
    let output = numo_guest::funding::run_funding(&blob).unwrap();
    assert_eq!(hex::encode_prefixed(output.public_inputs.encode()), batch["publicInputs"].as_str().unwrap());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while node.node.store.verification(batch_seq).unwrap() != Verification::Verified {
        assert!(std::time::Instant::now() < deadline, "the verifier re-executes funding batches with transfers");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let (status, answer) = post(&url, &json!({"owner": owner, "nonce": 3, "asset": "USDC", "amount": "1"})).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("bad_request")), "{answer}");
}

async fn get_owned(url: String) -> Value {
    get(&url).await
}

/// Blocks with funding batches (built by `produce_block` on a node that runs no threads, as the
/// restart tests do) replay byte for byte, and a restart keeps the withdrawal and deposit views.
#[test]
fn funding_blocks_replay_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = numo_node::genesis::VenueGenesis::dev();
    let config = numo_node::config::NodeConfig {
        http: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_path_buf(),
        block_interval_ms: 100,
        verify: numo_node::config::VerifyMode::Off,
        snapshot_dirty_keys: 1,
        signer_key: None,
    };
    let asset = genesis.asset("USDC").unwrap().asset_id;
    let dev = &dev_accounts()[1];
    let domain = numo_funding::FundingContext::from_markets(
        genesis.chain_id,
        genesis.venue_id,
        genesis.markets.iter().map(|m| &m.context),
    )
    .domain_separator();
    let withdraw =
        Withdraw { owner: dev.address, nonce: 0, asset_id: asset, amount: U256::from(2_500), recipient: dev.address };
    let signed =
        numo_funding::SignedWithdraw { withdraw, signature: sign_digest(&dev.secret, &withdraw.hash(&domain)) };
    {
        let node = numo_node::node::Node::open(config.clone(), genesis.clone()).unwrap();
        let first = vec![
            (None, numo_funding::FundingMessage::Deposit(deposit(0, asset, dev.address, 1_000))),
            (None, numo_funding::FundingMessage::Deposit(deposit(1, asset, dev.address, 2_000))),
        ];
        numo_node::sequencer::produce_block(&node, Vec::new(), first).unwrap();
        numo_node::sequencer::produce_block(
            &node,
            Vec::new(),
            vec![(None, numo_funding::FundingMessage::Withdraw(signed))],
        )
        .unwrap();
        assert_eq!(node.store.withdrawals().unwrap().len(), 1);
        assert_eq!(node.store.deposits().unwrap().len(), 2);
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let summary = loop {
        match numo_node::replay::replay(dir.path()) {
            Ok(summary) => break summary,
            Err(error) => {
                assert!(std::time::Instant::now() < deadline, "replay failed: {error}");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    };
    assert_eq!((summary.blocks, summary.batches), (2, 2));
    let node = numo_node::node::Node::open(config, genesis).unwrap();
    let rows = node.store.withdrawals().unwrap();
    assert_eq!(rows[0].record.amount, U256::from(2_500));
    assert_eq!(rows[0].owner, dev.address);
}

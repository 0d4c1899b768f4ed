//! EVM transactions end to end on a dev node (issue 12, E1–E11): `eth_sendRawTransaction` →
//! the pool → an EVM block at the next EVM height (the block loop keeps producing meanwhile) →
//! receipts, logs, balances and nonces through the JSON-RPC; kind-3 batches stored, served and
//! verified; a tampered EVM witness refused by the guest; a resent transaction never executes
//! twice; the pool and the EVM chain survive a restart; replay reproduces every block; and a
//! contract trading on the book through the system contract.

mod common;

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::eip2718::Encodable2718;
use alloy::network::TxSignerSync;
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::{SolCall, SolValue};
use alloy_primitives::{hex, keccak256, Address, Bytes, TxKind, B256, U256};
use numo_node::genesis::dev_accounts;
use numo_node::node::Node;
use numo_node::store::{ChainStore, Verification};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const GWEI: u128 = 1_000_000_000;

alloy::sol! {
    function transfer(address to, uint256 amount) external returns (bool);
    function balanceOf(address owner) external view returns (uint256);
    function place(bytes32 marketId, uint8 side, uint8 tif, int32 tick, uint256 qty, bytes32 orderId) external;
    function balance(bytes32 assetId) external view returns (uint256 available, uint256 locked);
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

fn quantity(value: &Value) -> U256 {
    U256::from_str_radix(value.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

/// A signed EIP-1559 transaction of dev account `account` (chain 7357).
fn signed(account: usize, nonce: u64, to: TxKind, value: U256, input: Vec<u8>, gas: u64) -> Vec<u8> {
    let mut tx = TxEip1559 {
        chain_id: numo_node::genesis::DEV_CHAIN_ID,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: 10 * GWEI,
        max_priority_fee_per_gas: GWEI,
        to,
        value,
        input: Bytes::from(input),
        ..Default::default()
    };
    let key = PrivateKeySigner::from_slice(&dev_accounts()[account].secret.to_secret_bytes()).unwrap();
    let signature = key.sign_transaction_sync(&mut tx).unwrap();
    TxEnvelope::from(tx.into_signed(signature)).encoded_2718()
}

fn send(node: &Node, raw: &[u8]) -> B256 {
    ok(node, "eth_sendRawTransaction", json!([hex::encode_prefixed(raw)])).as_str().unwrap().parse().unwrap()
}

/// Polls the receipt of `hash` (the block loop runs on its own threads).
async fn receipt(node: &Node, hash: B256, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let answer = ok(node, "eth_getTransactionReceipt", json!([hash]));
        if !answer.is_null() {
            return answer;
        }
        assert!(Instant::now() < deadline, "no receipt for {hash} within {within:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../evm/tests/fixtures/fixtures.json"));
    let fixtures: Value = serde_json::from_str(&text.unwrap()).unwrap();
    hex::decode(fixtures[name]["bytecode"].as_str().unwrap()).unwrap()
}

fn numo_trader_code() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../contracts/artifacts/evm/NumoTrader.json");
    let artifact: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    hex::decode(artifact["bytecode"].as_str().unwrap()).unwrap()
}

/// The EVM batches (kind 3) committed so far, by `batchSeq`.
fn evm_batches(node: &Node) -> Vec<numo_node::stored_evm::StoredEvmBatch> {
    let next = node.chain.read().unwrap().counters.next_batch_seq;
    (1..next).filter_map(|seq| node.store.evm_batch(seq).unwrap()).collect()
}

async fn get(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_deploy_call_logs_verified_and_never_twice() {
    let node = common::start_dev_node(100).await;
    let n = &node.node;
    let sender = dev_accounts()[0].address;
    let dest = Address::repeat_byte(0x42);
    let before = quantity(&ok(n, "eth_getBalance", json!([sender, "latest"])));

    // A value transfer: included within ~1 s although no exchange message is sent (E1).
    let one = U256::from(10u64).pow(U256::from(18));
    let raw = signed(0, 0, TxKind::Call(dest), one, Vec::new(), 21_000);
    let sent_at = Instant::now();
    let hash = send(n, &raw);
    let r = receipt(n, hash, Duration::from_millis(2_500)).await;
    let waited = sent_at.elapsed();
    assert_eq!(r["status"], "0x1", "{r}");
    assert_eq!(r["gasUsed"], "0x5208");
    let number = quantity(&r["blockNumber"]);
    let block = ok(n, "eth_getBlockByNumber", json!([r["blockNumber"], false]));
    assert_eq!(block["hash"], r["blockHash"]);
    assert_eq!(block["transactions"], json!([hash]));
    let base_fee = quantity(&block["baseFeePerGas"]);
    let price = quantity(&r["effectiveGasPrice"]);
    assert_eq!(price, base_fee + U256::from(GWEI), "EIP-1559: base fee plus the tip under the cap");
    assert_eq!(quantity(&ok(n, "eth_getBalance", json!([dest, "latest"]))), one);
    let after = quantity(&ok(n, "eth_getBalance", json!([sender, "latest"])));
    assert_eq!(after, before - one - U256::from(21_000u64) * price, "value plus gas, exactly");
    assert!(quantity(&ok(n, "eth_blockNumber", json!([]))) >= number);
    assert_eq!(ok(n, "eth_getTransactionCount", json!([sender, "latest"])), "0x1");
    assert_eq!(ok(n, "eth_getTransactionCount", json!([sender, "pending"])), "0x1");
    let tx = ok(n, "eth_getTransactionByHash", json!([hash]));
    assert_eq!(
        (tx["blockNumber"].clone(), tx["from"].as_str().map(str::to_lowercase)),
        (r["blockNumber"].clone(), Some(format!("{sender:#x}")))
    );

    // The same bytes again: "already known", and they never execute a second time.
    let again = rpc(n, "eth_sendRawTransaction", json!([hex::encode_prefixed(&raw)]));
    assert!(again["error"]["message"].as_str().unwrap().contains("already known"), "{again}");

    // An OpenZeppelin ERC20 deployed and called in the same EVM block (consecutive nonces).
    let supply = U256::from(1_000_000u64);
    let mut create = fixture("TestToken");
    create.extend(supply.abi_encode());
    let deploy = send(n, &signed(0, 1, TxKind::Create, U256::ZERO, create, 3_000_000));
    let token = Address::create(&sender, 1);
    let call = transferCall { to: dest, amount: U256::from(1_000u64) }.abi_encode();
    let called = send(n, &signed(0, 2, TxKind::Call(token), U256::ZERO, call, 200_000));
    let deployed = receipt(n, deploy, Duration::from_secs(3)).await;
    assert_eq!(
        (deployed["status"].as_str(), deployed["contractAddress"].as_str().map(str::to_lowercase)),
        (Some("0x1"), Some(format!("{token:#x}")))
    );
    let r = receipt(n, called, Duration::from_secs(3)).await;
    assert_eq!(r["status"], "0x1", "{r}");
    let topic0 = keccak256("Transfer(address,address,uint256)");
    let logs = r["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0]["topics"][0], json!(topic0));
    let filter = json!([{"fromBlock": "0x0", "toBlock": "latest", "address": token, "topics": [topic0]}]);
    let found = ok(n, "eth_getLogs", filter);
    // The mint in the constructor (log 0 of the block), then the call's transfer (log 1).
    assert_eq!(found.as_array().unwrap().len(), 2, "{found}");
    assert_eq!((found[0]["transactionHash"].clone(), found[0]["logIndex"].clone()), (json!(deploy), json!("0x0")));
    assert_eq!(found[1]["transactionHash"], json!(called));
    assert_eq!((found[1]["logIndex"].clone(), logs[0]["logIndex"].clone()), (json!("0x1"), json!("0x1")));
    let balance = ok(
        n,
        "eth_call",
        json!([{"to": token, "data": hex::encode_prefixed(balanceOfCall { owner: dest }.abi_encode())}, "latest"]),
    );
    assert_eq!(U256::from_be_slice(&hex::decode(balance.as_str().unwrap()).unwrap()), U256::from(1_000u64));

    // A later EVM block (the loop idles without pending work, so another transaction drives
    // it): the resent transfer did not run again.
    let later = send(n, &signed(0, 3, TxKind::Call(Address::repeat_byte(0x44)), U256::from(1u64), Vec::new(), 21_000));
    let r = receipt(n, later, Duration::from_secs(3)).await;
    assert!(quantity(&r["blockNumber"]) > number);
    assert_eq!(ok(n, "eth_getTransactionCount", json!([sender, "latest"])), "0x4");
    assert_eq!(quantity(&ok(n, "eth_getBalance", json!([dest, "latest"]))), one);

    // The EVM blocks are kind-3 batches: served, and verified by the background guest.
    let batches = evm_batches(n);
    assert!(batches.len() >= 3, "an EVM block at every EVM height");
    let with_txs = batches.iter().find(|b| b.public_inputs.count == 2).expect("the block of the deploy and the call");
    let answer = get(&format!("{}/v1/batches/{}", node.url, with_txs.batch_seq)).await;
    assert_eq!((answer["kind"].as_str(), answer["phase"].as_str()), (Some("evm"), Some("block")), "{answer}");
    assert_eq!(answer["evmBlock"]["transactions"], json!([deploy, called]));
    let witness = reqwest::get(format!("{}/v1/batches/{}/witness", node.url, with_txs.batch_seq)).await.unwrap();
    assert_eq!(witness.status(), 200);
    let deadline = Instant::now() + Duration::from_secs(20);
    for batch in &batches {
        while n.store.verification(batch.batch_seq).unwrap() != Verification::Verified {
            assert!(Instant::now() < deadline, "batch {} verified", batch.batch_seq);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    // A tampered witness: the guest refuses it (a proof no longer matches prevRoot).
    let (kind, mut blob) = numo_node::witness::stored_blob(n.store.as_ref(), with_txs.batch_seq).unwrap().unwrap();
    assert_eq!(kind, numo_guest::kind::BatchKind::Evm);
    let stored = with_txs.public_inputs.to_vec();
    assert_eq!(numo_guest::kind::run_kind(kind, &blob).unwrap(), stored);
    let last = blob.len() - 1;
    blob[last] ^= 1;
    assert!(numo_guest::kind::run_kind(kind, &blob).is_err(), "a tampered EVM witness is refused");
    assert!(waited < Duration::from_millis(2_500), "receipt after {waited:?}");
}

fn transfer_body(node: &common::TestNode, account: usize, nonce: u64, amount: U256, to: Address) -> Value {
    let dev = &dev_accounts()[account];
    let asset_id = node.genesis.asset("USDC").unwrap().asset_id;
    let transfer = numo_funding::Transfer { owner: dev.address, nonce, asset_id, amount, to };
    let domain = node.node.venue.funding.as_ref().unwrap().domain_separator();
    let signature = numo_stf::signature::sign_digest(&dev.secret, &transfer.hash(&domain));
    json!({
        "owner": dev.address, "nonce": nonce, "asset": "USDC", "amount": amount.to_string(),
        "to": to, "signature": hex::encode_prefixed(signature.0),
    })
}

fn available(account: &Value, symbol: &str) -> U256 {
    let balance = account["balances"].as_array().unwrap().iter().find(|b| b["symbol"] == symbol);
    balance.map_or(U256::ZERO, |b| b["available"].as_str().unwrap().parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_trades_on_the_book_through_the_system_contract() {
    let node = common::start_dev_node(100).await;
    let n = &node.node;
    let client = reqwest::Client::new();
    let mut t = common::Trader::new(&node.genesis);
    let market = t.market("WETH/USDC");
    let (usdc, weth) = (node.genesis.asset("USDC").unwrap().asset_id, node.genesis.asset("WETH").unwrap().asset_id);

    // Deploy NumoTrader (owner: dev 2) and fund it with 1,000 USDC by a signed Transfer.
    let deploy = send(n, &signed(2, 0, TxKind::Create, U256::ZERO, numo_trader_code(), 2_000_000));
    let r = receipt(n, deploy, Duration::from_secs(3)).await;
    assert_eq!(r["status"], "0x1", "{r}");
    let contract: Address = r["contractAddress"].as_str().unwrap().parse().unwrap();
    let funded = U256::from(1_000_000_000u64);
    let response = client
        .post(format!("{}/v1/transfers", node.url))
        .json(&transfer_body(&node, 2, 0, funded, contract))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());

    // Dev 3 rests an ask of 0.01 WETH at 3,000 USDC.
    let qty = U256::from(10u64).pow(U256::from(16));
    let ask = t.place(3, market, 7, 1, 0, 300_000, qty);
    let answer: Value =
        client.post(format!("{}/v1/messages", node.url)).json(&ask).send().await.unwrap().json().await.unwrap();
    assert_eq!(answer["outcome"], "accepted", "{answer}");

    // The owner makes the contract buy it with an IOC through the system contract.
    let order_id = B256::repeat_byte(0x77);
    let call = placeCall { marketId: market, side: 0, tif: 1, tick: 300_000, qty, orderId: order_id }.abi_encode();
    let placed = send(n, &signed(2, 1, TxKind::Call(contract), U256::ZERO, call, 300_000));
    let r = receipt(n, placed, Duration::from_secs(3)).await;
    assert_eq!(r["status"], "0x1", "{r}");
    let system = format!("{:#x}", numo_evm::limits::SYSTEM_CONTRACT);
    assert!(r["logs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["address"].as_str().map(str::to_lowercase) == Some(system.clone())));

    // The next exchange block's system batch executes it: a trade with the contract as taker.
    let deadline = Instant::now() + Duration::from_secs(3);
    let trade = loop {
        let trades = get(&format!("{}/v1/markets/{market}/trades", node.url)).await;
        if let Some(trade) = trades.as_array().unwrap().iter().find(|t| t["takerOrderId"] == json!(order_id)) {
            break trade.clone();
        }
        assert!(Instant::now() < deadline, "the contract's order traded: {trades}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(trade["taker"].as_str().map(str::to_lowercase), Some(format!("{contract:#x}")), "{trade}");
    assert_eq!(trade["maker"].as_str().map(str::to_lowercase), Some(format!("{:#x}", dev_accounts()[3].address)));
    assert_eq!(trade["qty"], qty.to_string());
    let quote: U256 = trade["quoteAmount"].as_str().unwrap().parse().unwrap();
    let fee: U256 = trade["fee"].as_str().unwrap().parse().unwrap();
    assert_eq!(quote, U256::from(30_000_000u64), "0.01 WETH at 3,000 USDC");

    // Its batch is an EVM system batch, its outcome in the JSON.
    let batch = get(&format!("{}/v1/batches/{}", node.url, trade["batchSeq"])).await;
    assert_eq!((batch["kind"].as_str(), batch["phase"].as_str()), (Some("evm"), Some("system")), "{batch}");
    assert_eq!(batch["messages"][0]["result"]["outcome"], "accepted");
    assert_eq!(batch["trades"].as_array().unwrap().len(), 1);

    // Both views of its exchange balances agree: the REST account and the read precompile.
    let account = get(&format!("{}/v1/accounts/{contract}", node.url)).await;
    assert_eq!(available(&account, "USDC"), funded - quote - fee, "{account}");
    assert_eq!(available(&account, "WETH"), qty);
    for (asset, expected) in [(usdc, funded - quote - fee), (weth, qty)] {
        let data = hex::encode_prefixed(balanceCall { assetId: asset }.abi_encode());
        let out = ok(n, "eth_call", json!([{"to": contract, "data": data}, "latest"]));
        let decoded = balanceCall::abi_decode_returns(&hex::decode(out.as_str().unwrap()).unwrap()).unwrap();
        assert_eq!((decoded.available, decoded.locked), (expected, U256::ZERO));
    }
}

fn config(dir: &std::path::Path) -> numo_node::config::NodeConfig {
    numo_node::config::NodeConfig {
        http: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.to_path_buf(),
        block_interval_ms: 100,
        verify: numo_node::config::VerifyMode::Off,
        snapshot_dirty_keys: 1,
        signer_key: None,
    }
}

/// Drops the node and waits (bounded) until its threads have closed the database.
fn close(node: std::sync::Arc<Node>, dir: &std::path::Path) {
    drop(node);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match redb::Database::create(dir.join("numo.redb")) {
            Ok(db) => break drop(db),
            Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
                assert!(Instant::now() < deadline, "the node closes its database within 30 s");
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(other) => panic!("reopening the database: {other}"),
        }
    }
}

/// Produces empty blocks (the EVM entries come from the pool) up to `height`.
fn produce_to(node: &Node, height: u64) {
    while node.chain.read().unwrap().last_block.as_ref().map_or(0, |b| b.height) < height {
        numo_node::sequencer::produce_block(node, Vec::new(), Vec::new()).unwrap();
    }
}

#[test]
fn the_pool_and_the_evm_chain_survive_a_restart_and_replay() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = numo_node::genesis::VenueGenesis::dev();
    let dest = Address::repeat_byte(0x43);
    let raw = signed(1, 0, TxKind::Call(dest), U256::from(5u64), Vec::new(), 21_000);
    let hash = keccak256(&raw);
    {
        let node = Node::open(config(dir.path()), genesis.clone()).unwrap();
        assert_eq!(send(&node, &raw), hash);
        produce_to(&node, 9);
        assert!(node.store.evm_tx(&hash).unwrap().is_none(), "no EVM block before height 10 (E1)");
        close(node, dir.path());
    }
    {
        // The acknowledged transaction is back in the pool and executes at height 10, once.
        let node = Node::open(config(dir.path()), genesis.clone()).unwrap();
        assert!(node.evm.pool.lock().unwrap().get(&hash).is_some());
        produce_to(&node, 10);
        let tx = node.store.evm_tx(&hash).unwrap().expect("executed at height 10");
        assert_eq!((tx.block_number, tx.receipt.success), (1, true));
        assert!(node.evm.pool.lock().unwrap().is_empty(), "pruned with the block");
        close(node, dir.path());
    }
    {
        // Nothing comes back: the block's commit deleted the pool row.
        let node = Node::open(config(dir.path()), genesis.clone()).unwrap();
        assert!(node.evm.pool.lock().unwrap().is_empty());
        let again = rpc(&node, "eth_sendRawTransaction", json!([hex::encode_prefixed(&raw)]));
        assert!(again["error"]["message"].as_str().unwrap().contains("already known"), "{again}");
        produce_to(&node, 30);
        assert_eq!(quantity(&ok(&node, "eth_getBalance", json!([dest, "latest"]))), U256::from(5u64));
        assert_eq!(ok(&node, "eth_blockNumber", json!([])), "0x3");
        let receipt = ok(&node, "eth_getTransactionReceipt", json!([hash]));
        assert_eq!((receipt["status"].as_str(), receipt["blockNumber"].as_str()), (Some("0x1"), Some("0x1")));
        let stored = node.store.evm_block(1).unwrap().unwrap();
        assert_eq!(stored.tx_hashes, vec![hash]);
        assert_eq!(evm_batches(&node).len(), 3, "one EVM block per EVM height, no system batch");
        close(node, dir.path());
    }
    let summary = numo_node::replay::replay(dir.path()).unwrap();
    assert_eq!((summary.blocks, summary.batches), (30, 3));
}

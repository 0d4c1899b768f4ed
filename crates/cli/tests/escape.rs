//! Censorship resistance end to end (F14), with a real anvil and the real `numo` binary: a user
//! deposits and rests an order (so part of the balance is locked); the epoch settles; then the
//! operator disappears (`kill -9`), so the user's forced withdrawal is never executed. After the
//! deadline anyone freezes the bridge, and `numo escape-proof`, replaying the stopped node's data
//! dir to the bridge's settled root, gives the proof with which `escape` pays available + locked
//! — exactly once.

mod common;

use common::RunningNode;
use numo_l1::anvil::{dev_key, Anvil};
use numo_l1::bindings::NumoBridge;
use numo_l1::{Address, PrivateKeySigner, B256, U256};
use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant};

fn get(url: &str) -> Value {
    reqwest::blocking::get(url).unwrap().json().unwrap()
}

/// Polls `url` until `done` holds, at most 60 s.
fn wait_for(url: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let value = get(url);
        if done(&value) {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting on {url}: {value}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn numo(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_numo")).args(args).output().unwrap()
}

fn key_hex(key: &PrivateKeySigner) -> String {
    format!("0x{}", numo_l1::Bytes::from(key.to_bytes().to_vec()).to_string().trim_start_matches("0x"))
}

#[test]
fn a_censored_owner_freezes_the_bridge_and_escapes_with_available_plus_locked() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let anvil = runtime.block_on(Anvil::start()).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let data = scratch.path().join("data");
    let mut node = RunningNode::start(
        &data,
        &["--l1-rpc", anvil.url(), "--l1-confirmations", "0", "--settle-interval-ms", "300"],
        &scratch.path().join("node.log"),
    );
    let l1 = get(&format!("{}/v1/l1", node.url));
    let bridge: Address = l1["bridge"].as_str().unwrap().parse().unwrap();
    let usdc: Address = l1["tokens"]["USDC"].as_str().unwrap().parse().unwrap();
    let user = dev_key(3);
    let owner = user.address();
    let amount = U256::from(1_000_000_000u64); // 1,000 USDC

    runtime.block_on(numo_l1::user::approve_and_deposit(anvil.url(), &user, bridge, usdc, amount, owner)).unwrap();
    wait_for(&format!("{}/v1/deposits?owner={owner}", node.url), |v| v.as_array().is_some_and(|a| a.len() == 1));
    // A resting bid locks part of the deposit (WETH/USDC at 1,000 USDC per WETH, 0.5 WETH).
    let place = numo(&[
        "order",
        "place",
        "--node",
        &node.url,
        "--key",
        &key_hex(&user),
        "--market",
        "WETH/USDC",
        "--side",
        "buy",
        "--price",
        "1000",
        "--qty",
        "0.5",
    ]);
    assert!(place.status.success(), "{}", String::from_utf8_lossy(&place.stderr));
    let latest = get(&format!("{}/v1/blocks/latest", node.url));
    let last_batch = latest["batchSeqs"].as_array().unwrap().last().unwrap().as_u64().unwrap();
    wait_for(&format!("{}/v1/l1", node.url), |v| v["lastSettledBatch"].as_u64() >= Some(last_batch));
    let account = get(&format!("{}/v1/accounts/{owner}", node.url));
    let usdc_balance = account["balances"].as_array().unwrap().iter().find(|b| b["symbol"] == "USDC").unwrap().clone();
    let locked: U256 = usdc_balance["locked"].as_str().unwrap().parse().unwrap();
    assert!(!locked.is_zero(), "the resting bid locks USDC: {usdc_balance}");

    // The operator is gone: the forced request is never executed.
    node.kill();
    let asset_id: B256 = usdc_balance["assetId"].as_str().unwrap().parse().unwrap();
    let provider = numo_l1::rpc::connect_signer(anvil.url(), user.clone()).unwrap();
    let contract = NumoBridge::new(bridge, &provider);
    runtime.block_on(numo_l1::user::request_forced_withdrawal(anvil.url(), &user, bridge, asset_id, amount)).unwrap();
    let early = runtime.block_on(async { contract.freeze().call().await });
    assert!(early.is_err(), "no freeze before the deadline");
    runtime.block_on(anvil.increase_time(numo_node::l1::DEV_FORCED_WINDOW_S + 1)).unwrap();
    runtime.block_on(anvil.mine(1)).unwrap();
    runtime.block_on(async { contract.freeze().send().await.unwrap().get_receipt().await.unwrap() });
    assert!(runtime.block_on(async { contract.frozen().call().await }).unwrap());

    let root: B256 = runtime.block_on(async { contract.stateRoot().call().await }).unwrap();
    let out = numo(&[
        "escape-proof",
        "--data-dir",
        data.to_str().unwrap(),
        "--root",
        &root.to_string(),
        "--owner",
        &owner.to_string(),
        "--asset",
        "USDC",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let proof: Value = serde_json::from_slice(&out.stdout).unwrap();
    let available: U256 = proof["available"].as_str().unwrap().parse().unwrap();
    let proven_locked: U256 = proof["locked"].as_str().unwrap().parse().unwrap();
    assert_eq!(available + proven_locked, amount, "the settled leaf holds the whole deposit: {proof}");
    assert_eq!(proven_locked, locked);

    let before = runtime.block_on(numo_l1::user::erc20_balance(anvil.url(), usdc, owner)).unwrap();
    let calldata: numo_l1::Bytes = proof["escapeCalldata"].as_str().unwrap().parse().unwrap();
    // Anyone may send the escape; a third account does.
    let relayer = dev_key(5);
    runtime.block_on(numo_l1::user::send_claim(anvil.url(), &relayer, bridge, calldata.clone())).unwrap();
    let after = runtime.block_on(numo_l1::user::erc20_balance(anvil.url(), usdc, owner)).unwrap();
    assert_eq!(after - before, amount, "escape pays available + locked to the owner");
    let again = runtime.block_on(numo_l1::user::send_claim(anvil.url(), &relayer, bridge, calldata));
    assert!(again.is_err(), "a second escape of the same leaf is refused");
}

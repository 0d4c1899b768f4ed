//! End to end through real HTTP: a dev node, orders from several dev keys crossing, a
//! cancel, an insufficient-balance reject; book, trades and account views agree with the
//! outcomes; every batch's downloaded witness replays in the guest to exactly its stored
//! PublicInputs, and batches chain `prevRoot == previous newRoot` up to the state root.

mod common;

use alloy_primitives::{hex, U256};
use common::{order_id, start_dev_node, weth, Trader};
use serde_json::Value;

async fn post(client: &reqwest::Client, url: &str, body: &Value) -> (u16, Value) {
    let response = client.post(format!("{url}/v1/messages")).json(body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn get(client: &reqwest::Client, url: &str, path: &str) -> Value {
    let response = client.get(format!("{url}{path}")).send().await.unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_cross_cancel_reject_and_every_batch_verifies() {
    let node = start_dev_node(50).await;
    let client = reqwest::Client::new();
    let url = &node.url;
    let mut t = Trader::new(&node.genesis);
    let weth_usdc = t.market("WETH/USDC");
    let (alice, bob, carol) = (0, 1, 2);

    // Alice rests two asks (3,000 and 3,010 USDC), Carol a bid at 2,990.
    let (status, a1) = post(&client, url, &t.place(alice, weth_usdc, 1, 1, 0, 300_000, weth(2))).await;
    assert_eq!((status, a1["outcome"].as_str()), (200, Some("accepted")), "{a1}");
    let (_, a2) = post(&client, url, &t.place(alice, weth_usdc, 2, 1, 0, 301_000, weth(1))).await;
    assert_eq!(a2["rested"], weth(1).to_string());
    let (_, c1) = post(&client, url, &t.place(carol, weth_usdc, 3, 0, 0, 299_000, weth(1))).await;
    assert_eq!(c1["outcome"], "accepted");

    // Bob buys 2.5 WETH up to 3,010: fills 2 at 3,000 then 0.5 at 3,010.
    let qty = weth(5) / U256::from(2);
    let (_, b1) = post(&client, url, &t.place(bob, weth_usdc, 4, 0, 1, 301_000, qty)).await;
    assert_eq!(b1["outcome"], "accepted", "{b1}");
    assert_eq!(b1["filled"], qty.to_string());
    let fills = b1["fills"].as_array().unwrap();
    assert_eq!(fills.len(), 2);
    assert_eq!((fills[0]["tick"].as_i64(), fills[1]["tick"].as_i64()), (Some(300_000), Some(301_000)));

    // Alice cancels what is left of her second ask.
    let (_, cancel) = post(&client, url, &t.cancel(alice, weth_usdc, 2)).await;
    assert_eq!(cancel["outcome"], "accepted", "{cancel}");
    // Carol bids for far more WETH than her USDC covers: executed, rejected.
    let (_, reject) = post(&client, url, &t.place(carol, weth_usdc, 5, 0, 0, 299_000, weth(1_000_000))).await;
    assert_eq!(
        (reject["outcome"].as_str(), reject["reason"].as_str()),
        (Some("rejected"), Some("insufficient_balance"))
    );

    // Views agree with the outcomes.
    let book = get(&client, url, "/v1/markets/WETH-USDC/book?depth=5").await;
    assert_eq!(book["asks"].as_array().unwrap().len(), 0, "both asks are gone: {book}");
    assert_eq!(book["bids"][0]["tick"], 299_000);
    assert_eq!(book["bids"][0]["qty"], weth(1).to_string());
    let trades = get(&client, url, "/v1/markets/WETH-USDC/trades?limit=10").await;
    assert_eq!(trades.as_array().unwrap().len(), 2);
    assert_eq!(trades[0]["tick"], 301_000, "newest first");
    let carol_account = get(&client, url, &format!("/v1/accounts/{}", t.address(carol))).await;
    let open = carol_account["openOrders"].as_array().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["orderId"], order_id(3));
    let nonce =
        carol_account["nonces"].as_array().unwrap().iter().find(|n| n["marketId"] == weth_usdc.to_string()).unwrap();
    assert_eq!(nonce["nextNonce"], 2, "the rejected message consumed its nonce");
    let bob_account = get(&client, url, &format!("/v1/accounts/{}", t.address(bob))).await;
    let bob_weth = bob_account["balances"].as_array().unwrap().iter().find(|b| b["symbol"] == "WETH").unwrap();
    let start_weth: U256 = node
        .genesis
        .balances
        .iter()
        .find(|b| b.owner == t.address(bob) && b.asset_id == node.genesis.assets[0].asset_id)
        .unwrap()
        .available;
    assert_eq!(bob_weth["available"], (start_weth + qty).to_string());
    let order = get(&client, url, &format!("/v1/orders/{weth_usdc}/{}", order_id(3))).await;
    assert_eq!(order["remaining"], weth(1).to_string());

    // Every batch: downloaded witness → guest → stored PublicInputs; roots chain.
    let latest = get(&client, url, "/v1/blocks/latest").await;
    let mut previous_root = node.genesis.genesis_root().to_string();
    let mut last_seq = 0;
    for height in 1..=latest["height"].as_u64().unwrap() {
        let block = get(&client, url, &format!("/v1/blocks/{height}")).await;
        for seq in block["batchSeqs"].as_array().unwrap() {
            let seq = seq.as_u64().unwrap();
            assert_eq!(seq, last_seq + 1, "batchSeq counts up by one (C19)");
            last_seq = seq;
            let batch = get(&client, url, &format!("/v1/batches/{seq}")).await;
            assert_eq!(batch["prevRoot"].as_str().unwrap(), previous_root);
            let witness = client.get(format!("{url}/v1/batches/{seq}/witness")).send().await.unwrap();
            assert_eq!(witness.headers()["content-type"], "application/octet-stream");
            let output = numo_guest::run(&witness.bytes().await.unwrap()).unwrap();
            assert_eq!(hex::encode_prefixed(output.public_inputs.encode()), batch["publicInputs"].as_str().unwrap());
            previous_root = batch["newRoot"].as_str().unwrap().to_string();
        }
    }
    assert_eq!(last_seq, 6, "six messages, one per block");
    let root = get(&client, url, "/v1/state/root").await;
    assert_eq!(root["root"].as_str().unwrap(), previous_root);
    // The background verifier got there too (it runs behind the blocks, so give it time).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    for seq in 1..=last_seq {
        loop {
            let verification = get(&client, url, &format!("/v1/batches/{seq}")).await["verification"].clone();
            if verification == "verified" {
                break;
            }
            assert_eq!(verification, "pending", "batch {seq}");
            assert!(std::time::Instant::now() < deadline, "batch {seq} is verified within 30 s");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

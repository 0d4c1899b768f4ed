//! `POST /v1/messages/batch`: many submissions in one request, each admitted or refused on its
//! own, in order, with the answer `POST /v1/messages` would give.

mod common;

use alloy_primitives::U256;
use common::{start_dev_node, weth, Trader};
use serde_json::{json, Value};

async fn post_batch(client: &reqwest::Client, url: &str, query: &str, body: &Value) -> (u16, Value) {
    let response = client.post(format!("{url}/v1/messages/batch{query}")).json(body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_admits_in_order_and_refuses_items_on_their_own() {
    let node = start_dev_node(50).await;
    let client = reqwest::Client::new();
    let url = &node.url;
    let mut t = Trader::new(&node.genesis);
    let market = t.market("WETH/USDC");
    let (alice, bob) = (0, 1);

    // Alice asks 2 WETH at 3,000; Bob buys 1 WETH twice (consecutive nonces, one request);
    // then a forged signature, a nonce gap and an IOC with nothing left to fill against.
    let ask = t.place(alice, market, 1, 1, 0, 300_000, weth(1) * U256::from(2));
    let buy1 = t.place(bob, market, 2, 0, 1, 300_000, weth(1));
    let buy2 = t.place(bob, market, 3, 0, 1, 300_000, weth(1));
    let mut forged = t.place(bob, market, 4, 0, 1, 300_000, weth(1));
    t.unuse_nonce(bob, market);
    forged["signature"] = buy1["signature"].clone();
    t.place(bob, market, 5, 0, 1, 300_000, weth(1)); // signed, never sent: makes the next a gap
    let gap = t.place(bob, market, 6, 0, 1, 300_000, weth(1));
    let body = json!({ "messages": [ask, buy1, buy2, forged, gap] });
    let (status, answer) = post_batch(&client, url, "", &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!((answer["admitted"].as_u64(), answer["refused"].as_u64()), (Some(3), Some(2)), "{answer}");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for (index, result) in results[..3].iter().enumerate() {
        assert_eq!(
            (result["httpStatus"].as_u64(), result["outcome"].as_str()),
            (Some(200), Some("accepted")),
            "{index}"
        );
    }
    // The three admitted messages executed in request order with consecutive global indexes.
    let indexes: Vec<u64> = results[..3].iter().map(|r| r["globalIndex"].as_u64().unwrap()).collect();
    assert_eq!(indexes, vec![indexes[0], indexes[0] + 1, indexes[0] + 2]);
    assert_eq!(results[1]["fills"].as_array().unwrap().len(), 1);
    assert_eq!(results[2]["filled"], weth(1).to_string());
    assert_eq!(
        (results[3]["httpStatus"].as_u64(), results[3]["error"]["code"].as_str()),
        (Some(401), Some("bad_signature"))
    );
    assert_eq!(
        (results[4]["httpStatus"].as_u64(), results[4]["error"]["code"].as_str()),
        (Some(409), Some("nonce_gap"))
    );

    // The refused ones consumed nothing: Bob used nonces 0 and 1 only.
    let account: Value =
        client.get(format!("{url}/v1/accounts/{}", t.address(bob))).send().await.unwrap().json().await.unwrap();
    let nonce = account["nonces"].as_array().unwrap().iter().find(|n| n["marketId"] == json!(market)).unwrap().clone();
    assert_eq!(nonce["nextNonce"], 2, "{account}");

    // wait=false answers once durable, with mempool sequence numbers.
    t.unuse_nonce(bob, market); // the gap message (6) was refused
    t.unuse_nonce(bob, market); // message 5 was never sent
    let next = t.place(bob, market, 7, 0, 0, 290_000, weth(1));
    let (status, answer) = post_batch(&client, url, "?wait=false", &json!({ "messages": [next] })).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["results"][0]["status"], "admitted", "{answer}");
    assert!(answer["results"][0]["mempoolSeq"].as_u64().is_some(), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_batches_are_refused_whole() {
    let node = start_dev_node(50).await;
    let client = reqwest::Client::new();
    let mut t = Trader::new(&node.genesis);
    let market = t.market("WETH/USDC");
    let one = t.place(0, market, 1, 1, 0, 300_000, weth(1));
    let too_many: Vec<Value> = (0..=numo_node::api::SUBMIT_BATCH_MAX).map(|_| one.clone()).collect();
    for (body, code) in [
        (json!([one.clone()]), "bad_request"),
        (json!({ "messages": "0x00" }), "bad_request"),
        (json!({ "messages": [] }), "bad_batch_size"),
        (json!({ "messages": too_many }), "bad_batch_size"),
    ] {
        let (status, answer) = post_batch(&client, &node.url, "", &body).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (400, Some(code)), "{answer}");
    }
    let response = client.post(format!("{}/v1/messages/batch", node.url)).body("{not json").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    // Nothing was admitted: the refused batches held a valid message, whose nonce is still free.
    let (status, answer) = post_batch(&client, &node.url, "", &json!({ "messages": [one] })).await;
    assert_eq!((status, answer["results"][0]["outcome"].as_str()), (200, Some("accepted")), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_view_counts_admitted_nonces_before_their_block() {
    // Blocks a minute apart: the admitted messages stay pending for the whole test.
    let node = start_dev_node(60_000).await;
    let client = reqwest::Client::new();
    let mut t = Trader::new(&node.genesis);
    let market = t.market("WETH/USDC");
    let messages = vec![t.place(0, market, 1, 1, 0, 300_000, weth(1)), t.place(0, market, 2, 1, 0, 301_000, weth(1))];
    let (status, answer) = post_batch(&client, &node.url, "?wait=false", &json!({ "messages": messages })).await;
    assert_eq!((status, answer["admitted"].as_u64()), (200, Some(2)), "{answer}");
    let account: Value =
        client.get(format!("{}/v1/accounts/{}", node.url, t.address(0))).send().await.unwrap().json().await.unwrap();
    let nonce = account["nonces"].as_array().unwrap().iter().find(|n| n["marketId"] == json!(market)).unwrap().clone();
    assert_eq!((nonce["nextNonce"].as_u64(), nonce["pendingNonce"].as_u64()), (Some(0), Some(2)), "{account}");
}

//! The prover hook without a real proof: batch statuses move from `none` to `failed` when the
//! prover cannot prove (here: no SP1 host, or a bogus ELF), the reason is shown, and the proof
//! endpoint refuses with a JSON error. A real proof takes minutes (docs/PROVING.md) and is
//! exercised by `numo node --prover sp1` in a build with `--features sp1`.

mod common;

use common::{weth, Trader};
use numo_node::config::{NodeConfig, VerifyMode};
use numo_node::genesis::VenueGenesis;
use numo_node::prover::{start_prover, ProverSettings};
use numo_prover::ProofMode;
use serde_json::Value;
use std::time::Duration;

async fn get(client: &reqwest::Client, url: &str, path: &str) -> (u16, Value) {
    let response = client.get(format!("{url}{path}")).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_go_from_none_to_failed_and_the_proof_endpoint_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = VenueGenesis::dev();
    let config = NodeConfig {
        http: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_path_buf(),
        block_interval_ms: 20,
        verify: VerifyMode::Off,
        snapshot_dirty_keys: numo_node::config::SNAPSHOT_DIRTY_KEYS_MIN,
        signer_key: None,
    };
    let node = numo_node::start(config, genesis.clone()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(numo_node::serve(node.clone(), listener));
    let client = reqwest::Client::new();

    let mut trader = Trader::new(&genesis);
    let market = trader.market("WETH/USDC");
    let order = trader.place(0, market, 1, 1, 0, 300_000, weth(1));
    let response = client.post(format!("{url}/v1/messages")).json(&order).send().await.unwrap();
    assert_eq!(response.status(), 200);

    let (status, batch) = get(&client, &url, "/v1/batches/1").await;
    assert_eq!(status, 200, "{batch}");
    assert_eq!(batch["proof"]["status"], "none", "no prover runs");
    let (status, refusal) = get(&client, &url, "/v1/batches/1/proof").await;
    assert_eq!((status, refusal["error"]["code"].as_str()), (404, Some("no_proof")), "{refusal}");

    let scratch = dir.path().join("proof.tmp");
    start_prover(&node, ProverSettings { elf: b"not an ELF".to_vec(), mode: ProofMode::Core, scratch });
    let mut batch = Value::Null;
    for _ in 0..200 {
        batch = get(&client, &url, "/v1/batches/1").await.1;
        if batch["proof"]["status"] == "failed" {
            break;
        }
        assert!(matches!(batch["proof"]["status"].as_str(), Some("queued" | "proving")), "{batch}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(batch["proof"]["status"], "failed", "{batch}");
    let reason = batch["proof"]["error"].as_str().unwrap();
    if !numo_prover::SP1_ENABLED {
        assert!(reason.contains("--features sp1"), "{reason}");
    }
    let (status, refusal) = get(&client, &url, "/v1/batches/1/proof").await;
    assert_eq!((status, refusal["error"]["code"].as_str()), (404, Some("no_proof")), "{refusal}");
    let (status, refusal) = get(&client, &url, "/v1/batches/99/proof").await;
    assert_eq!((status, refusal["error"]["code"].as_str()), (404, Some("not_found")), "{refusal}");
}

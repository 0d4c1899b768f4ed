//! A real venue's bridge: `numo l1 deploy` deploys a committee verifier and a bridge for
//! existing ERC20 tokens and writes the genesis `[l1]` section; a node started with that genesis
//! (not `--dev`) and `--l1-rpc` links to that bridge and credits a deposit made to it.

mod common;

use common::{free_port, log_tail};
use numo_l1::anvil::{dev_key, Anvil};
use numo_l1::{Address, U256};
use numo_node::genesis::VenueGenesis;
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn get(url: &str) -> Option<Value> {
    reqwest::blocking::get(url).ok()?.json().ok()
}

#[test]
fn l1_deploy_names_the_bridge_in_the_genesis_and_the_node_links_to_it() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let anvil = runtime.block_on(Anvil::start()).unwrap();
    let operator = dev_key(0);
    // Existing tokens: a dev deployment's (its own bridge is not used).
    let genesis = VenueGenesis::dev();
    let assets = genesis
        .assets
        .iter()
        .map(|a| numo_l1::DevAsset {
            asset_id: a.asset_id,
            symbol: a.symbol.clone(),
            decimals: a.decimals,
            genesis_total: U256::ZERO,
        })
        .collect();
    let params = numo_l1::DevDeployParams {
        assets,
        committee: vec![operator.address()],
        threshold: 1,
        genesis_root: genesis.genesis_root(),
        funding_domain: genesis.funding_context().unwrap().domain_separator(),
        forced_window: 60,
        mint_to: vec![dev_key(2).address()],
    };
    let tokens = runtime.block_on(numo_l1::deploy_dev(anvil.url(), operator.clone(), params)).unwrap().tokens;

    let scratch = tempfile::tempdir().unwrap();
    let plain = scratch.path().join("genesis.toml");
    let named = scratch.path().join("genesis-l1.toml");
    std::fs::write(&plain, genesis.to_toml()).unwrap();
    let key = format!("0x{}", alloy_primitives::hex::encode(operator.to_bytes()));
    let mut deploy = Command::new(env!("CARGO_BIN_EXE_numo"));
    deploy.args(["l1", "deploy", "--l1-rpc", anvil.url(), "--committee", &operator.address().to_string()]);
    deploy.args(["--threshold", "1", "--genesis", plain.to_str().unwrap(), "--write-genesis", named.to_str().unwrap()]);
    for (symbol, token) in &tokens {
        deploy.args(["--token", &format!("{symbol}={token}")]);
    }
    let out = deploy.env("NUMO_L1_KEY", &key).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("back the genesis"), "it says which tokens must back the genesis: {stdout}");
    let written = VenueGenesis::from_toml(&std::fs::read_to_string(&named).unwrap()).unwrap();
    let l1 = written.l1.clone().expect("the written genesis names the bridge");
    assert_eq!(written.genesis_root(), genesis.genesis_root(), "the [l1] section is not state");
    assert_eq!(l1.tokens, tokens);

    // A node of that genesis (not --dev) links to the named bridge.
    let http = format!("127.0.0.1:{}", free_port());
    let log = scratch.path().join("node.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_numo"))
        .args(["node", "--genesis", named.to_str().unwrap(), "--http", &http, "--l1-rpc", anvil.url()])
        .args(["--l1-confirmations", "0", "--data-dir", scratch.path().join("data").to_str().unwrap()])
        .env("NUMO_L1_OPERATOR_KEY", &key)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let url = format!("http://{http}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let answer = loop {
        if let Some(answer) = get(&format!("{url}/v1/l1")) {
            break answer;
        }
        assert!(child.try_wait().unwrap().is_none(), "the node stopped: {}", log_tail(&log));
        assert!(Instant::now() < deadline, "the node does not answer: {}", log_tail(&log));
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(answer["bridge"].as_str().unwrap().parse::<Address>().unwrap(), l1.bridge);

    let user = dev_key(2);
    let amount = U256::from(5_000_000u64);
    runtime
        .block_on(numo_l1::user::approve_and_deposit(
            anvil.url(),
            &user,
            l1.bridge,
            tokens["USDC"],
            amount,
            user.address(),
        ))
        .unwrap();
    let deposits = format!("{url}/v1/deposits?owner={}", user.address());
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(&deposits).and_then(|v| v.as_array().map(Vec::len)) != Some(1) {
        assert!(Instant::now() < deadline, "the deposit is not credited: {}", log_tail(&log));
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

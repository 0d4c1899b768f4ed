//! The funding commands against a real anvil (a block a second) and the real node binary
//! following it: `numo deposit --wait` is credited, `numo withdraw` answers with an id, the
//! settled withdrawal is claimed with `numo withdraw claim` and the recipient's L1 balance rises
//! by exactly the amount, a second claim fails clearly, a withdrawal over the balance is
//! `insufficient_balance` with its nonce consumed, and an amount with more fraction digits than
//! the asset's decimals is refused before anything is sent.
//!
//! anvil comes from npm (`npm ci` in contracts/) or `NUMO_ANVIL`; a missing binary fails the
//! test with that message rather than skipping it.

mod common;

use common::{free_port, Run, RunningNode};
use numo_l1::dev::DEV_KEYS;
use numo_l1::{Address, PrivateKeySigner, U256};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long anvil may take to answer its RPC.
const ANVIL_DEADLINE: Duration = Duration::from_secs(20);
/// How long a withdrawal may take to be settled (settlement every second, a block a second).
const SETTLE_DEADLINE: Duration = Duration::from_secs(120);

/// anvil with a block a second (deposits need two confirmations, so blocks must come without
/// transactions), killed by its PID when dropped.
struct Anvil {
    child: Child,
    url: String,
}

fn anvil_path() -> PathBuf {
    if let Some(path) = std::env::var_os("NUMO_ANVIL") {
        return PathBuf::from(path);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../contracts/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")
}

impl Anvil {
    fn start() -> Anvil {
        let path = anvil_path();
        assert!(path.is_file(), "anvil not found at {}: run `npm ci` in contracts/ or set NUMO_ANVIL", path.display());
        let port = free_port();
        let child = Command::new(&path)
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--block-time", "1", "--silent"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {}: {e}", path.display()));
        let mut anvil = Anvil { child, url: format!("http://127.0.0.1:{port}") };
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(2)).build().unwrap();
        let deadline = Instant::now() + ANVIL_DEADLINE;
        loop {
            let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []});
            if http.post(&anvil.url).json(&body).send().is_ok_and(|r| r.status().is_success()) {
                return anvil;
            }
            assert!(anvil.child.try_wait().unwrap().is_none(), "anvil exited at start");
            assert!(Instant::now() < deadline, "anvil did not answer within {ANVIL_DEADLINE:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn numo(node: &RunningNode, anvil: &Anvil, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_numo"))
        .args(args)
        .env("NUMO_NODE", &node.url)
        .env("NUMO_L1_RPC", &anvil.url)
        .env_remove("NUMO_KEY")
        .env_remove("NUMO_L1_KEY")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run::from(output)
}

fn get(node: &RunningNode, path: &str) -> Value {
    reqwest::blocking::get(format!("{}{path}", node.url)).unwrap().json().unwrap()
}

fn address(key: &str) -> Address {
    key.parse::<PrivateKeySigner>().unwrap().address()
}

fn usdc_on_l1(anvil: &Anvil, token: Address, owner: Address) -> U256 {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(numo_l1::user::erc20_balance(&anvil.url, token, owner)).unwrap()
}

#[test]
fn deposit_withdraw_claim() {
    let anvil = Anvil::start();
    let node = RunningNode::start_scratch(&[
        "--block-interval-ms",
        "50",
        "--l1-rpc",
        &anvil.url,
        "--settle-interval-ms",
        "1000",
    ]);
    let user = DEV_KEYS[1];
    let owner = address(user);
    let recipient = address(DEV_KEYS[3]);
    let recipient_text = recipient.to_string();
    let l1 = get(&node, "/v1/l1");
    let usdc: Address = l1["tokens"]["USDC"].as_str().unwrap().parse().unwrap();

    // Refused before anything is sent: USDC has 6 decimals.
    let too_fine =
        numo(&node, &anvil, &["deposit", "--asset", "USDC", "--amount", "1.0000001", "--l1-key", user, "--json"]);
    assert_eq!(too_fine.error_code(), "too_many_decimals");
    assert!(get(&node, &format!("/v1/deposits?owner={owner}")).as_array().unwrap().is_empty());

    // Deposit 1000 USDC and wait for the node to credit it.
    let deposit =
        numo(&node, &anvil, &["deposit", "--asset", "usdc", "--amount", "1000", "--l1-key", user, "--wait", "--json"])
            .ok()
            .json();
    assert_eq!(deposit["index"], 0, "{deposit}");
    assert_eq!(deposit["amount"], "1000000000");
    assert_eq!(deposit["deposit"]["status"], "credited", "{deposit}");
    let account = get(&node, &format!("/v1/accounts/{owner}"));
    let balance = account["balances"].as_array().unwrap().iter().find(|b| b["symbol"] == "USDC").unwrap();
    assert_eq!(balance["available"], "1000000000");
    let listed = numo(&node, &anvil, &["deposits", "--owner", &owner.to_string()]).ok();
    assert!(listed.stdout.contains("1000 USDC") && listed.stdout.contains("credited"), "{}", listed.stdout);

    // A withdrawal amount finer than the asset is refused with no nonce spent.
    let too_fine = numo(
        &node,
        &anvil,
        &["withdraw", "--asset", "USDC", "--amount", "0.0000001", "--to", &recipient_text, "--key", user, "--json"],
    );
    assert_eq!(too_fine.error_code(), "too_many_decimals");
    assert_eq!(get(&node, &format!("/v1/accounts/{owner}"))["fundingNonce"]["nextNonce"], 0);

    // Withdraw 400 USDC to another L1 address.
    let withdrawn = numo(
        &node,
        &anvil,
        &["withdraw", "--asset", "USDC", "--amount", "400", "--to", &recipient_text, "--key", user, "--json"],
    )
    .ok()
    .json();
    let id = withdrawn["id"].as_u64().unwrap_or_else(|| panic!("no id: {withdrawn}"));
    assert_eq!(withdrawn["status"], "pending");
    assert_eq!(withdrawn["msgHash"], withdrawn["request"]["msgHash"]);

    // Over the remaining 600: executed and rejected, the nonce consumed.
    let over = numo(
        &node,
        &anvil,
        &["withdraw", "--asset", "USDC", "--amount", "600.000001", "--to", &recipient_text, "--key", user, "--json"],
    );
    assert_eq!(over.error_code(), "insufficient_balance");
    assert!(over.stderr.contains("nonce 1 was consumed"), "{}", over.stderr);
    assert_eq!(get(&node, &format!("/v1/accounts/{owner}"))["fundingNonce"]["nextNonce"], 2);

    // An unknown withdrawal is refused before any L1 transaction.
    let unknown = numo(&node, &anvil, &["withdraw", "claim", "--id", "99", "--l1-key", user, "--json"]);
    assert_eq!(unknown.error_code(), "unknown_withdrawal");

    // Wait for the settlement, then claim with another L1 key (anyone may send a claim).
    let deadline = Instant::now() + SETTLE_DEADLINE;
    loop {
        let status = get(&node, &format!("/v1/withdrawals/{id}"))["status"].clone();
        if status == "settled" {
            break;
        }
        if status == "pending" {
            let early =
                numo(&node, &anvil, &["withdraw", "claim", "--id", &id.to_string(), "--l1-key", DEV_KEYS[2], "--json"]);
            // Settlement may land between the two reads; only a refused claim is checked here.
            if early.code != 0 {
                assert_eq!(early.error_code(), "not_settled");
            } else {
                panic!("claimed while the node said pending: {}", early.stdout);
            }
        }
        assert!(Instant::now() < deadline, "withdrawal {id} not settled in {SETTLE_DEADLINE:?} (status {status})");
        std::thread::sleep(Duration::from_millis(300));
    }
    let before = usdc_on_l1(&anvil, usdc, recipient);
    let claimed =
        numo(&node, &anvil, &["withdraw", "claim", "--id", &id.to_string(), "--l1-key", DEV_KEYS[2], "--json"])
            .ok()
            .json();
    let after = usdc_on_l1(&anvil, usdc, recipient);
    assert_eq!(after - before, U256::from(400_000_000u64));
    assert_eq!(claimed["recipientBalance"], after.to_string());
    assert_eq!(claimed["recipient"].as_str().unwrap().parse::<Address>().unwrap(), recipient);

    // A second claim fails clearly (the node may not have seen the first one yet: then the
    // bridge's AlreadyClaimed revert says it).
    let again = numo(&node, &anvil, &["withdraw", "claim", "--id", &id.to_string(), "--l1-key", DEV_KEYS[2]]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("already claimed"), "{}", again.stderr);
    assert_eq!(usdc_on_l1(&anvil, usdc, recipient), after);

    // The lists, as text and JSON.
    let text = numo(&node, &anvil, &["withdrawals", "--owner", &owner.to_string()]).ok();
    assert!(text.stdout.contains("400 USDC") && text.stdout.contains(&recipient_text), "{}", text.stdout);
    let rows = numo(&node, &anvil, &["withdrawals", "--owner", &owner.to_string(), "--json"]).ok().json();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(rows[0]["id"], id);
}

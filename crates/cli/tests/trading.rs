//! The trading CLI and `numo load` against the real node binary on a free port: two dev keys
//! cross through `numo order place`, a cancel, an off-grid price refused before anything is
//! sent, a rejected outcome, and the book / account / trades / batch views in text and JSON.

mod common;

use alloy_primitives::{hex, Address, U256};
use common::{Run, RunningNode};
use numo_node::genesis::dev_account;
use numo_stf::signature::secret_key_address;
use serde_json::Value;
use std::process::{Command, Output, Stdio};

/// A dev node with `dev_accounts` funded accounts and 20 ms blocks, in a scratch directory.
fn start(dev_accounts: u32) -> RunningNode {
    RunningNode::start_scratch(&["--block-interval-ms", "20", "--dev-accounts", &dev_accounts.to_string()])
}

fn key(index: u32) -> String {
    hex::encode_prefixed(dev_account(index).secret.to_secret_bytes())
}

fn numo(node: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_numo"))
        .args(args)
        .env("NUMO_NODE", node)
        .env_remove("NUMO_KEY")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run::from(output)
}

fn get(node: &RunningNode, path: &str) -> (u16, Value) {
    let response = reqwest::blocking::get(format!("{}{path}", node.url)).unwrap();
    (response.status().as_u16(), response.json().unwrap())
}

/// `numo order place` with the key given by `--key`, plus `extra` flags.
fn place(url: &str, key: &str, market: &str, side: &str, price: &str, qty: &str, extra: &[&str]) -> Run {
    let mut args =
        vec!["order", "place", "--key", key, "--market", market, "--side", side, "--price", price, "--qty", qty];
    args.extend(extra);
    numo(url, &args, &[])
}

fn weth(tenths: u64) -> String {
    (U256::from(tenths) * U256::from(10u64).pow(U256::from(17))).to_string()
}

#[test]
fn orders_cross_cancel_and_every_view_agrees() {
    let node = start(10);
    let url_owned = node.url.clone();
    let url = url_owned.as_str();
    let (k0, k1, k2) = (key(0), key(1), key(2));
    let (a0, a1) = (dev_account(0).address, dev_account(1).address);

    // Off the grid: refused locally with the nearest valid values; nothing reaches the node.
    let off = place(url, &k0, "WETH/USDC", "sell", "3000.005", "0.5", &[]);
    assert_eq!(off.code, 1);
    assert!(off.stderr.contains("nearest valid: 3000 (tick 300000) or 3000.01 (tick 300001)"), "{}", off.stderr);
    let off = place(url, &k0, "WETH/USDC", "sell", "3000", "0.00015", &["--json"]);
    assert_eq!(off.code, 1);
    assert_eq!(off.json()["error"]["code"], "off_grid");
    assert!(off.stderr.contains("0.0001 (1 lots) or 0.0002 (2 lots)"), "{}", off.stderr);
    assert_eq!(get(&node, "/v1/batches/1").0, 404, "an off-grid order must not be sent");
    let (_, account) = get(&node, &format!("/v1/accounts/{a0}"));
    assert!(account["nonces"].as_array().unwrap().iter().all(|n| n["nextNonce"] == 0));

    // A resting sell (JSON), then a crossing buy signed with NUMO_KEY (text).
    let sell = place(url, &k0, "WETH/USDC", "sell", "3000", "0.5", &["--order-id", "7", "--json"]).ok().json();
    assert_eq!(sell["outcome"], "accepted");
    assert_eq!(sell["rested"], weth(5));
    assert_eq!(sell["request"]["tick"], 300_000);
    assert_eq!(sell["request"]["lots"], "5000");
    assert_eq!(sell["request"]["orderIdShown"], "7");
    assert_eq!(sell["nonce"], 0);
    let buy = numo(
        url,
        &["order", "place", "--market", "weth-usdc", "--side", "buy", "--price", "3000.01", "--qty", "0.3"],
        &[("NUMO_KEY", &k1)],
    )
    .ok();
    let out = &buy.stdout;
    assert!(
        out.starts_with("accepted: buy 0.3 WETH at 3000.01 USDC on WETH/USDC (tick 300001, 3000 lots, GTC)"),
        "{out}"
    );
    assert!(out.contains("filled 0.3 WETH, resting 0 WETH, cancelled 0 WETH"), "{out}");
    assert!(out.contains("fill 0.3 WETH at 3000 USDC (tick 300000) = 900 USDC, taker fee 0.45 USDC"), "{out}");
    assert!(
        out.contains(&format!("maker {} order 7", a0))
            || out.contains(&format!("maker {} order 7", hex::encode_prefixed(a0))),
        "{out}"
    );
    let buy_batch: u64 = out.split("batch ").nth(1).and_then(|s| s.split_whitespace().next()).unwrap().parse().unwrap();

    // The book: 0.2 WETH left at 3000.
    let book = numo(url, &["book", "WETH/USDC"], &[]).ok().stdout;
    assert!(
        book.contains("ask")
            && book.contains("3000.00")
            && book.contains("0.2000")
            && book.contains("300000")
            && book.contains("2000"),
        "{book}"
    );
    let book = numo(url, &["book", "WETH/USDC", "--depth", "5", "--json"], &[]).ok().json();
    assert_eq!(book["asks"][0]["tick"], 300_000);
    assert_eq!(book["asks"][0]["qty"], weth(2));
    assert_eq!(book["bids"].as_array().unwrap().len(), 0);

    // Accounts: seller's WETH moved and locked, buyer paid 900 USDC + 0.45 fee.
    let account = numo(url, &["account", &a0.to_string()], &[]).ok().stdout;
    assert!(account.contains("999.5") && account.contains("10000900"), "{account}");
    assert!(
        account.contains("open orders: 1") && account.contains("WETH/USDC") && account.contains(" 7 "),
        "{account}"
    );
    let account = numo(url, &["account", "--key", &k1, "--json"], &[]).ok().json();
    assert_eq!(account["address"].as_str().unwrap().parse::<Address>().unwrap(), a1);
    let usdc = account["balances"].as_array().unwrap().iter().find(|b| b["symbol"] == "USDC").unwrap().clone();
    assert_eq!(usdc["available"], "9999099550000");
    assert_eq!(account["openOrders"].as_array().unwrap().len(), 0);

    // Trades: one, at 3000.
    let trades = numo(url, &["trades", "WETH/USDC"], &[]).ok().stdout;
    assert!(
        trades.contains("3000.00") && trades.contains("0.3000") && trades.contains("900") && trades.contains("0.45"),
        "{trades}"
    );
    let trades = numo(url, &["trades", "WETH/USDC", "--limit", "5", "--json"], &[]).ok().json();
    assert_eq!(trades.as_array().unwrap().len(), 1);
    assert_eq!((trades[0]["tick"].as_i64(), trades[0]["qty"].as_str()), (Some(300_000), Some(weth(3).as_str())));

    // The buy's batch: the text view shows the roots the JSON has.
    let seq = buy_batch.to_string();
    let batch = numo(url, &["batch", &seq, "--json"], &[]).ok().json();
    assert_eq!(batch["batchSeq"], buy_batch);
    assert_eq!(batch["messages"][0]["outcome"], "accepted");
    let text = numo(url, &["batch", &seq], &[]).ok().stdout;
    assert!(text.starts_with(&format!("batch {seq} — block ")), "{text}");
    assert!(text.contains("market WETH/USDC") && text.contains("verification: "), "{text}");
    for name in ["newRoot", "prevRoot", "publicInputs"] {
        assert!(text.contains(batch[name].as_str().unwrap()), "{name} in {text}");
    }
    assert!(
        text.contains("accepted, filled 0.3, resting 0, cancelled 0")
            && text.contains("buy 0.3 WETH at 3000 USDC (tick 300000)"),
        "{text}"
    );

    // Cancel the rest of order 7 (key file), then the book is empty; cancelling again is refused
    // locally (the order is not resting) without spending a nonce.
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("k0");
    std::fs::write(&key_file, format!("{k0}\n")).unwrap();
    let key_file = key_file.to_str().unwrap();
    let cancel =
        numo(url, &["order", "cancel", "--key-file", key_file, "--market", "WETH/USDC", "--order-id", "7"], &[])
            .ok()
            .stdout;
    assert!(cancel.starts_with("accepted: cancel order 7 on WETH/USDC (sell 0.2 WETH at 3000 USDC)"), "{cancel}");
    assert!(cancel.contains("released 0.2 WETH"), "{cancel}");
    assert!(numo(url, &["book", "WETH-USDC"], &[]).ok().stdout.contains("(empty book)"));
    let again =
        numo(url, &["order", "cancel", "--key", &k0, "--market", "WETH/USDC", "--order-id", "7", "--json"], &[]);
    assert_eq!((again.code, again.json()["error"]["code"].as_str()), (1, Some("unknown_order")));
    let (_, account) = get(&node, &format!("/v1/accounts/{a0}"));
    let weth_nonce = account["nonces"].as_array().unwrap().iter().map(|n| n["nextNonce"].as_u64().unwrap()).max();
    assert_eq!(weth_nonce, Some(2), "place + cancel");

    // A rejected outcome (more USDC than the account has) exits 1 with the reason.
    let rejected = place(url, &k2, "WETH/USDC", "buy", "3000", "10000", &[]);
    assert_eq!(rejected.code, 1);
    assert!(
        rejected.stdout.starts_with("rejected: buy 10000 WETH")
            && rejected.stdout.contains("reason: insufficient_balance"),
        "{}",
        rejected.stdout
    );
    assert!(rejected.stderr.contains("rejected: insufficient_balance"), "{}", rejected.stderr);
    let rejected = place(url, &k2, "WETH/USDC", "buy", "3000", "10000", &["--json"]);
    assert_eq!(rejected.code, 1);
    let answer = rejected.json();
    assert_eq!(
        (answer["outcome"].as_str(), answer["reason"].as_str()),
        (Some("rejected"), Some("insufficient_balance"))
    );
    assert_eq!(answer["nonce"], 1, "the first rejection consumed nonce 0");

    // --no-wait answers at admission.
    let admitted = place(url, &k2, "WBTC/USDC", "sell", "60000", "0.01", &["--no-wait", "--json"]).ok().json();
    assert_eq!(admitted["status"], "admitted");
    assert!(admitted["mempoolSeq"].is_u64());

    // Friendly failures.
    let unknown = numo(url, &["book", "DOGE/USDC", "--json"], &[]);
    assert_eq!((unknown.code, unknown.json()["error"]["code"].as_str()), (1, Some("unknown_market")));
    assert!(unknown.stderr.contains("WETH/USDC, WBTC/USDC"), "{}", unknown.stderr);
    let no_key =
        numo(url, &["order", "place", "--market", "WETH/USDC", "--side", "buy", "--price", "1", "--qty", "1"], &[]);
    assert_eq!(no_key.code, 1);
    assert!(no_key.stderr.contains("NUMO_KEY"), "{}", no_key.stderr);
    drop(node);
    let down = numo(url, &["account", &a0.to_string()], &[]);
    assert_eq!(down.code, 1);
    assert!(
        down.stderr.contains("cannot reach the node") && down.stderr.contains("numo node --dev"),
        "{}",
        down.stderr
    );
}

#[test]
fn key_new_prints_or_writes_a_private_key_file() {
    let printed = numo("http://127.0.0.1:1", &["key", "new", "--json"], &[]).ok().json();
    let secret = numo_stf_secret(printed["privateKey"].as_str().unwrap());
    assert_eq!(secret_key_address(&secret), printed["address"].as_str().unwrap().parse::<Address>().unwrap());
    let other = numo("http://127.0.0.1:1", &["key", "new", "--json"], &[]).ok().json();
    assert_ne!(other["privateKey"], printed["privateKey"], "fresh randomness each time");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trader.key");
    let path_text = path.to_str().unwrap();
    let written = numo("http://127.0.0.1:1", &["key", "new", "--out", path_text], &[]).ok().stdout;
    let text = std::fs::read_to_string(&path).unwrap();
    let secret = numo_stf_secret(text.trim());
    assert!(written.contains(&secret_key_address(&secret).to_string()), "{written}");
    assert!(!written.contains(text.trim()), "the key itself is not printed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let again = numo("http://127.0.0.1:1", &["key", "new", "--out", path_text], &[]);
    assert_eq!(again.code, 1, "never overwrites");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    // The key file signs: `account` derives its address from it.
    let view = numo("http://127.0.0.1:1", &["account", "--key-file", path_text], &[]);
    assert!(view.stderr.contains("cannot reach the node"), "{}", view.stderr);
}

fn numo_stf_secret(text: &str) -> secp256k1::SecretKey {
    let bytes: [u8; 32] = hex::decode(text).unwrap().try_into().unwrap();
    secp256k1::SecretKey::from_secret_bytes(bytes).unwrap()
}

#[test]
fn dev_accounts_count_lists_the_accounts_a_bigger_dev_node_funds() {
    let list = numo("http://127.0.0.1:1", &["dev", "accounts", "--count", "12", "--json"], &[]).ok().json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 12);
    assert_eq!(list[11]["address"].as_str().unwrap().parse::<Address>().unwrap(), dev_account(11).address);
    assert_eq!(list[11]["privateKey"].as_str().unwrap(), key(11));
}

fn load_report(node: &RunningNode, args: &[&str]) -> Run {
    let mut all = vec!["load"];
    all.extend_from_slice(args);
    numo(&node.url, &all, &[])
}

#[test]
fn load_runs_end_to_end_and_its_report_adds_up() {
    let node = start(20);
    let run = load_report(&node, &["--rate", "100", "--duration", "2s", "--accounts", "20", "--json"]).ok();
    let r = run.json();
    let n = |name: &str| r[name].as_u64().unwrap_or_else(|| panic!("{name} in {r}"));
    assert_eq!(n("messages"), 200);
    assert_eq!((n("accounts"), n("pairs")), (20, 40));
    assert_eq!(r["httpErrors"].as_object().unwrap().len(), 0, "all 200s: {r}");
    assert_eq!((n("connectionErrors"), n("admitted")), (0, 0), "{r}");
    assert_eq!(n("accepted") + n("rejected"), 200, "{r}");
    let by_reason: u64 = r["rejectedByReason"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(by_reason, n("rejected"));
    // Cancels of orders filled meanwhile are the only expected rejection of this workload.
    for reason in r["rejectedByReason"].as_object().unwrap().keys() {
        assert_eq!(reason, "order_not_resting", "{r}");
    }
    assert!(n("accepted") > 100, "{r}");
    let f = |name: &str| r[name].as_f64().unwrap();
    assert_eq!(f("offeredRate"), 100.0);
    // The achieved rate is what completed per second of the run; how high it gets depends on the
    // machine (the benches measure that), so only its definition and the offered bound are checked.
    let achieved = (n("accepted") + n("rejected") + n("admitted")) as f64 / f("elapsedSecs");
    assert!((f("achievedRate") - achieved).abs() <= 1e-6 * achieved, "{r}");
    assert!(f("achievedRate") > 0.0 && f("achievedRate") <= 100.0 + 1e-9, "{r}");
    assert!(f("elapsedSecs") >= f("scheduleSecs") && f("scheduleSecs") == 2.0, "{r}");
    let l = &r["latencyMs"];
    let (p50, p90, p99, max) = (
        l["p50"].as_f64().unwrap(),
        l["p90"].as_f64().unwrap(),
        l["p99"].as_f64().unwrap(),
        l["max"].as_f64().unwrap(),
    );
    assert!(0.0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= max, "{r}");
    assert!(run.stderr.contains("signed 240 messages for 40 (account, market) pairs"), "{}", run.stderr);
    // The node executed them: the accounts' nonces moved on by warm-up + timed messages.
    let mut nonces = 0;
    for i in 0..20 {
        let (_, account) = get(&node, &format!("/v1/accounts/{}", dev_account(i).address));
        nonces += account["nonces"].as_array().unwrap().iter().map(|x| x["nextNonce"].as_u64().unwrap()).sum::<u64>();
    }
    assert_eq!(nonces, 240);

    // A second run (text) continues from the accounts' nonces and new order ids.
    let text = load_report(&node, &["--rate", "50", "--duration", "1", "--accounts", "20", "--markets", "WETH/USDC"])
        .ok()
        .stdout;
    assert!(text.contains("20 accounts × 1 markets = 20 pairs"), "{text}");
    assert!(
        text.contains("offered 50 msgs/s for 1.0 s (50 messages)")
            && text.contains("0 HTTP errors, 0 connection errors"),
        "{text}"
    );

    // More accounts than the node funds: explained, nothing sent.
    let refused = load_report(&node, &["--rate", "10", "--duration", "1", "--accounts", "25", "--json"]);
    assert_eq!(refused.code, 1);
    assert_eq!(refused.json()["error"]["code"], "accounts_not_funded");
    assert!(
        refused.stderr.contains("dev account 20") && refused.stderr.contains("--dev-accounts 25"),
        "{}",
        refused.stderr
    );
}

//! `numo transfer` against the real node binary (`numo node --dev` on a free port): a transfer
//! to an address that has never held anything (as a contract's would be) moves exactly the
//! amount from the signer's available balance to the recipient's; the JSON answer carries the
//! block receipt; the signer itself, the zero address and an amount finer than the asset's
//! decimals are refused before anything is signed (no nonce spent); an amount over the balance
//! is executed and rejected `insufficient_balance`, its funding nonce consumed.

mod common;

use alloy_primitives::{hex, Address, U256};
use common::{Run, RunningNode};
use numo_node::genesis::dev_account;
use numo_stf::signature::secret_key_address;
use serde_json::Value;
use std::process::{Command, Stdio};

fn numo(node: &RunningNode, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_numo"))
        .args(args)
        .env("NUMO_NODE", &node.url)
        .env_remove("NUMO_KEY")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run::from(output)
}

fn account(node: &RunningNode, address: Address) -> Value {
    reqwest::blocking::get(format!("{}/v1/accounts/{address}", node.url)).unwrap().json().unwrap()
}

/// Available base units of `symbol` (0 when the account holds none).
fn available(node: &RunningNode, address: Address, symbol: &str) -> U256 {
    let account = account(node, address);
    let balance = account["balances"].as_array().unwrap().iter().find(|b| b["symbol"] == symbol).cloned();
    balance.map_or(U256::ZERO, |b| b["available"].as_str().unwrap().parse().unwrap())
}

#[test]
fn transfer_moves_a_balance_to_any_address() {
    let node = RunningNode::start_scratch(&["--block-interval-ms", "20", "--dev-accounts", "2"]);
    let secret = dev_account(0).secret;
    let owner = secret_key_address(&secret);
    let key = hex::encode_prefixed(secret.to_secret_bytes());
    let to = Address::repeat_byte(0xc0);
    let to_text = to.to_string();
    let before = available(&node, owner, "USDC");

    let run = numo(&node, &["transfer", "--key", &key, "--asset", "USDC", "--amount", "1000", "--to", &to_text]).ok();
    assert!(run.stdout.contains(&format!("transferred 1000 USDC from {owner} to {to}")), "{}", run.stdout);
    let usdc = U256::from(1_000_000_000u64); // 1000 USDC, 6 decimals
    assert_eq!(available(&node, owner, "USDC"), before - usdc);
    assert_eq!(available(&node, to, "USDC"), usdc);

    let json =
        numo(&node, &["transfer", "--key", &key, "--asset", "usdc", "--amount", "0.5", "--to", &to_text, "--json"])
            .ok()
            .json();
    assert_eq!(json["status"], "transferred");
    assert_eq!(json["request"]["nonce"], 1);
    assert_eq!(json["request"]["amount"], "500000");
    assert!(json["blockHeight"].as_u64().is_some() && json["batchSeq"].as_u64().is_some(), "{json}");
    assert_eq!(available(&node, to, "USDC"), usdc + U256::from(500_000u64));

    // Refused before anything is signed: the funding nonce stays at 2.
    let own = owner.to_string();
    let zero = Address::ZERO.to_string();
    for (to, amount, code) in
        [(&own, "1", "self_transfer"), (&zero, "1", "zero_recipient"), (&to_text, "0.0000001", "too_many_decimals")]
    {
        let run =
            numo(&node, &["transfer", "--key", &key, "--asset", "USDC", "--amount", amount, "--to", to, "--json"]);
        assert_eq!(run.error_code(), code);
    }
    assert_eq!(account(&node, owner)["fundingNonce"]["nextNonce"], 2);

    // Over the balance: executed and rejected, the nonce consumed, nothing moved.
    let left = available(&node, owner, "USDC");
    let unit = U256::from(1_000_000u64);
    let one_more = left + U256::from(1u64);
    let over = format!("{}.{:0>6}", one_more / unit, (one_more % unit).to_string());
    let run =
        numo(&node, &["transfer", "--key", &key, "--asset", "USDC", "--amount", &over, "--to", &to_text, "--json"]);
    assert_eq!(run.error_code(), "insufficient_balance");
    assert!(run.stderr.contains("funding nonce 2 was consumed"), "{}", run.stderr);
    assert_eq!(account(&node, owner)["fundingNonce"]["nextNonce"], 3);
    assert_eq!(available(&node, owner, "USDC"), left);
}

//! `numo node`'s operator flags reach the running node: the WebSocket bounds
//! (`--ws-max-subscriptions`, `--ws-queue-bytes`, `--ws-close-timeout-ms`), and values clap must
//! refuse before anything starts; `GET /v1/info` tells the mode, the dev accounts and the EVM
//! JSON-RPC the flags chose, and the binary serves the embedded web app.

mod common;

use common::RunningNode;
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use tungstenite::Message;

type Socket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>;

fn request(socket: &mut Socket, request: Value) -> Value {
    socket.send(Message::text(request.to_string())).unwrap();
    loop {
        if let Message::Text(text) = socket.read().unwrap() {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

#[test]
fn ws_max_subscriptions_is_the_node_s_bound() {
    let node = RunningNode::start_scratch(&["--ws-max-subscriptions", "1", "--ws-close-timeout-ms", "1000"]);
    let (mut socket, _) = tungstenite::connect(format!("{}/v1/ws", node.url.replace("http", "ws"))).unwrap();
    let first = request(&mut socket, json!({"op": "subscribe", "channel": "blocks"}));
    assert_eq!(first["type"], "subscribed", "{first}");
    let second = request(&mut socket, json!({"op": "subscribe", "channel": "trades", "market": "WETH/USDC"}));
    assert_eq!(second["type"], "error", "{second}");
    assert_eq!(second["code"], "too_many_subscriptions", "{second}");
    assert!(second["message"].as_str().unwrap().contains("at most 1 "), "{second}");
}

#[test]
fn out_of_range_ws_bounds_are_refused_at_the_command_line() {
    for args in [["--ws-queue-bytes", "100"], ["--ws-max-subscriptions", "0"]] {
        let output = Command::new(env!("CARGO_BIN_EXE_numo"))
            .args(["node", "--dev", "--http", "127.0.0.1:1", "--data-dir", "/nonexistent/numo"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(args[0]) && stderr.contains("not in"), "{args:?}: {stderr}");
    }
}

#[test]
fn info_names_the_flags_choices_and_the_app_is_served() {
    let node = RunningNode::start_scratch(&["--dev-accounts", "12"]);
    let client = reqwest::blocking::Client::new();
    let info: Value = client.get(format!("{}/v1/info", node.url)).send().unwrap().json().unwrap();
    assert_eq!((info["mode"].as_str(), info["devAccounts"].as_u64()), (Some("dev"), Some(12)), "{info}");
    // `--evm-rpc 127.0.0.1:0` (the test default) is answered with the port the node bound, and
    // that URL is the EVM's JSON-RPC.
    let evm_rpc = info["evmRpc"].as_str().expect("an EVM JSON-RPC URL");
    assert!(evm_rpc.starts_with("http://127.0.0.1:") && !evm_rpc.ends_with(":0"), "{evm_rpc}");
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []});
    let answer: Value = client.post(evm_rpc).json(&call).send().unwrap().json().unwrap();
    assert_eq!(answer["result"], format!("{:#x}", info["chainId"].as_u64().unwrap()), "{answer}");

    let page = client.get(format!("{}/", node.url)).send().unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(page.text().unwrap().to_ascii_lowercase().contains("<html"));
}

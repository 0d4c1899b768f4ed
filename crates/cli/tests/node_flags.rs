//! `numo node`'s operator flags reach the running node: the WebSocket bounds
//! (`--ws-max-subscriptions`, `--ws-queue-bytes`, `--ws-close-timeout-ms`), and values clap must
//! refuse before anything starts.

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

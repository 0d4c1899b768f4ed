//! The `numo` command-line contract, run on the built binary.
//!
//! `numo guest run` is used by conformance tooling, so its interface is a contract (see
//! `src/main.rs`): exit 0 with the PublicInputs (section B, C23) as exactly one `0x` hex line
//! on stdout; exit 1 with `invalid: <reason>` on stderr for a batch-invalid blob (C11); exit
//! 2 for anything else (unreadable file, bad arguments). The blob may be given as a hex file,
//! a raw-bytes file or on stdin (`-`). `numo guest inspect` prints the decoded blob (C22) as
//! JSON, and `numo batch build` turns a genesis file and signed-or-signable messages into
//! guest inputs that the guest accepts with the announced `expectedPublicInputs`. `numo guest
//! run --json` prints one JSON object instead: the PublicInputs with the vectors'
//! `touchedKeysDigest` and `touchedKeyCount` (C23, C25), or `{"invalid": code, "message"}`
//! with exit 1. Every command that talks to a node takes its URL from `NUMO_NODE` unless
//! `--node` is given.
//!
//! Inputs are the spec vectors in `shared/spec/vectors/batches`.

use alloy_primitives::hex;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const VECTORS: [&str; 3] = ["batch_1_plain_cross", "batch_2_rejects_and_cancel", "batch_3_multifill_fees_hints"];

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/vectors/batches")
}

fn load(name: &str) -> Value {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A fresh path in cargo's per-target scratch directory, unique per test process.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("numo-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn numo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_numo")).args(args).stdin(Stdio::null()).output().unwrap()
}

fn numo_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_numo"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    // Write from another thread so a large blob cannot deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || pipe.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    output
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).unwrap()
}

fn stderr(output: &Output) -> &str {
    std::str::from_utf8(&output.stderr).unwrap()
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Asserts the success contract: exit 0 and stdout exactly the PublicInputs line.
fn assert_public_inputs(output: &Output, expected: &str, what: &str) {
    assert_eq!(output.status.code(), Some(0), "{what}: stderr {}", stderr(output));
    assert_eq!(stdout(output), format!("{expected}\n"), "{what}");
}

/// Asserts the batch-invalid contract: exit 1, nothing on stdout, `invalid: ` on stderr.
fn assert_invalid(output: &Output, what: &str) {
    assert_eq!(output.status.code(), Some(1), "{what}: stdout {} stderr {}", stdout(output), stderr(output));
    assert!(stderr(output).starts_with("invalid: "), "{what}: stderr {:?}", stderr(output));
    assert!(output.stdout.is_empty(), "{what}: stdout {:?}", stdout(output));
}

#[test]
fn guest_run_prints_the_public_inputs_for_hex_raw_and_stdin_blobs() {
    for name in VECTORS {
        let v = load(&format!("{name}.json"));
        let hex_blob = v["guestInput"].as_str().unwrap();
        let expected = v["expectedPublicInputs"].as_str().unwrap();
        let raw = hex::decode(hex_blob).unwrap();

        let hex_file = scratch(&format!("{name}.hex"));
        std::fs::write(&hex_file, format!("{hex_blob}\n")).unwrap();
        assert_public_inputs(&numo(&["guest", "run", path_str(&hex_file)]), expected, "hex file");

        let raw_file = scratch(&format!("{name}.bin"));
        std::fs::write(&raw_file, &raw).unwrap();
        assert_public_inputs(&numo(&["guest", "run", path_str(&raw_file)]), expected, "raw file");

        assert_public_inputs(&numo_stdin(&["guest", "run", "-"], hex_blob.as_bytes()), expected, "hex stdin");
        assert_public_inputs(&numo_stdin(&["guest", "run", "-"], &raw), expected, "raw stdin");
    }
}

#[test]
fn guest_run_exits_1_with_invalid_on_a_mutated_blob() {
    let v = load("batch_1_plain_cross.json");
    let raw = hex::decode(v["guestInput"].as_str().unwrap()).unwrap();
    type Mutation = fn(&mut Vec<u8>);
    let mutations: [(&str, Mutation); 4] = [
        // batchDigest is bytes 32..64 of the header (C22).
        ("batchDigest flipped", |b| b[40] ^= 1),
        ("trailing byte", |b| b.push(0)),
        ("truncated", |b| {
            b.pop();
        }),
        // The first message's type byte (C24: 0x03 is reserved).
        ("reserved type", |b| b[460] = 0x03),
    ];
    for (what, mutate) in mutations {
        let mut blob = raw.clone();
        mutate(&mut blob);
        let file = scratch("mutated.bin");
        std::fs::write(&file, &blob).unwrap();
        assert_invalid(&numo(&["guest", "run", path_str(&file)]), what);
        assert_invalid(&numo_stdin(&["guest", "run", "-"], &blob), what);
        let hex_file = scratch("mutated.hex");
        std::fs::write(&hex_file, hex::encode_prefixed(&blob)).unwrap();
        assert_invalid(&numo(&["guest", "run", path_str(&hex_file)]), what);
    }
}

/// Parses the `--json` contract: exactly one JSON object on one line of stdout.
fn json_object(output: &Output, what: &str) -> serde_json::Map<String, Value> {
    let text = stdout(output);
    assert_eq!(text.lines().count(), 1, "{what}: one line: {text:?}");
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => map,
        other => panic!("{what}: not a JSON object: {other:?} from {text:?}"),
    }
}

#[test]
fn guest_run_json_prints_public_inputs_and_the_touched_keys_digest() {
    for name in VECTORS {
        let v = load(&format!("{name}.json"));
        let hex_blob = v["guestInput"].as_str().unwrap();
        let file = scratch(&format!("{name}.json-run.hex"));
        std::fs::write(&file, hex_blob).unwrap();
        let expected = serde_json::json!({
            "publicInputs": v["expectedPublicInputs"],
            "touchedKeysDigest": v["touchedKeysDigest"],
            "touchedKeyCount": v["touchedKeyCount"],
        });
        for (output, how) in [
            (numo(&["guest", "run", "--json", path_str(&file)]), "file"),
            (numo_stdin(&["guest", "run", "--json", "-"], hex_blob.as_bytes()), "stdin"),
        ] {
            assert_eq!(output.status.code(), Some(0), "{name} {how}: stderr {}", stderr(&output));
            assert_eq!(Value::Object(json_object(&output, name)), expected, "{name} {how}");
        }
    }
}

#[test]
fn guest_run_json_reports_an_invalid_batch_on_stdout_with_its_code() {
    let v = load("batch_1_plain_cross.json");
    let raw = hex::decode(v["guestInput"].as_str().unwrap()).unwrap();
    type Mutation = fn(&mut Vec<u8>);
    let mutations: [(&str, Mutation, &str); 3] = [
        // batchDigest is bytes 32..64 of the header (C22).
        ("batchDigest flipped", |b| b[40] ^= 1, "batch_digest_mismatch"),
        ("trailing byte", |b| b.push(0), "malformed"),
        // The last proof's last sibling byte: that proof no longer verifies against prevRoot.
        (
            "sibling flipped",
            |b| {
                let last = b.len() - 1;
                b[last] ^= 1;
            },
            "proof_mismatch",
        ),
    ];
    for (what, mutate, code) in mutations {
        let mut blob = raw.clone();
        mutate(&mut blob);
        let file = scratch("json-mutated.bin");
        std::fs::write(&file, &blob).unwrap();
        let output = numo(&["guest", "run", "--json", path_str(&file)]);
        assert_eq!(output.status.code(), Some(1), "{what}: stderr {}", stderr(&output));
        let object = json_object(&output, what);
        assert_eq!(object.len(), 2, "{what}: {object:?}");
        assert_eq!(object["invalid"], code, "{what}");
        assert!(!object["message"].as_str().unwrap().is_empty(), "{what}");
        // The plain form reports the same batch as invalid, on stderr.
        assert_invalid(&numo(&["guest", "run", path_str(&file)]), what);
    }
}

#[test]
fn guest_run_exits_2_on_other_failures() {
    let missing = scratch("does-not-exist.bin");
    let output = numo(&["guest", "run", path_str(&missing)]);
    assert_eq!(output.status.code(), Some(2), "missing file: {}", stderr(&output));
    assert!(output.stdout.is_empty());
    assert!(!stderr(&output).starts_with("invalid: "), "not a batch-invalid condition");

    // Text that claims to be hex but is not.
    let bad_hex = scratch("bad.hex");
    std::fs::write(&bad_hex, "0xzz").unwrap();
    assert_eq!(numo(&["guest", "run", path_str(&bad_hex)]).status.code(), Some(2));

    // Bad arguments.
    assert_eq!(numo(&["guest", "run"]).status.code(), Some(2));
    assert_eq!(numo(&["guest", "frobnicate", "x"]).status.code(), Some(2));
}

#[test]
fn guest_inspect_prints_the_decoded_blob_as_json() {
    for name in VECTORS {
        let v = load(&format!("{name}.json"));
        let file = scratch(&format!("{name}.inspect.hex"));
        std::fs::write(&file, v["guestInput"].as_str().unwrap()).unwrap();
        let output = numo(&["guest", "inspect", path_str(&file)]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        let json: Value = serde_json::from_str(stdout(&output)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(json["header"]["batchSeq"], v["batchSeq"], "{name}");
        assert_eq!(json["header"]["prevRoot"], v["prevRoot"], "{name}");
        assert_eq!(json["messages"].as_array().unwrap().len(), v["messages"].as_array().unwrap().len(), "{name}");
        assert_eq!(json["proofs"].as_array().unwrap().len() as u64, v["proofCount"].as_u64().unwrap(), "{name}");
        for (ours, theirs) in json["messages"].as_array().unwrap().iter().zip(v["messages"].as_array().unwrap()) {
            assert_eq!(ours["signature"], theirs["signature"], "{name}");
            assert_eq!(ours["nonce"], theirs["nonce"], "{name}");
        }
    }
    // A blob that does not decode is reported like `guest run` does.
    let file = scratch("inspect-short.bin");
    std::fs::write(&file, [0xffu8; 100]).unwrap();
    assert_invalid(&numo(&["guest", "inspect", path_str(&file)]), "short blob");
}

#[test]
fn batch_build_emits_guest_inputs_the_guest_accepts() {
    let genesis = load("genesis.json");
    let alice = &genesis["traders"][0];
    let bob = &genesis["traders"][1];
    let place = |trader: &Value, nonce: u64, id: u8, side: &str, tick: i32| {
        serde_json::json!({
            "type": "place", "trader": trader["address"], "nonce": nonce,
            "orderId": format!("0x{:064x}", id), "side": side, "tif": "gtc", "tickIndex": tick,
            "qtyBase": "1000000000000000000", "privateKey": trader["privateKey"],
        })
    };
    // One batch with a single Place, and a file of two consecutive batches that cross.
    let cases = [
        (serde_json::json!([place(alice, 0, 1, "sell", 10_000)]), 1),
        (serde_json::json!([[place(alice, 0, 1, "sell", 10_000)], [place(bob, 0, 2, "buy", 10_000)]]), 2),
    ];
    for (i, (messages, batches)) in cases.into_iter().enumerate() {
        let messages_file = scratch(&format!("messages-{i}.json"));
        std::fs::write(&messages_file, messages.to_string()).unwrap();
        let genesis_file = vectors_dir().join("genesis.json");
        let output =
            numo(&["batch", "build", "--genesis", path_str(&genesis_file), "--messages", path_str(&messages_file)]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let lines: Vec<Value> = stdout(&output).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), batches);
        let mut prev_root = genesis["genesisRoot"].clone();
        for (offset, line) in lines.iter().enumerate() {
            assert_eq!(line["batchSeq"], offset as u64 + 1);
            let blob = hex::decode(line["guestInput"].as_str().unwrap()).unwrap();
            let expected = line["expectedPublicInputs"].as_str().unwrap();
            let guest = numo_guest::run(&blob).unwrap_or_else(|e| panic!("batch {offset}: {e}"));
            assert_eq!(hex::encode_prefixed(guest.public_inputs.encode()), expected);
            assert_eq!(line["publicInputsDecoded"]["prevRoot"], prev_root, "batches chain (C19)");
            prev_root = line["newRoot"].clone();
            assert!(line["outcomes"].as_array().unwrap().iter().all(|o| o["status"] == "accepted"));

            // And the CLI agrees with itself.
            let blob_file = scratch(&format!("built-{i}-{offset}.hex"));
            std::fs::write(&blob_file, line["guestInput"].as_str().unwrap()).unwrap();
            assert_public_inputs(&numo(&["guest", "run", path_str(&blob_file)]), expected, "built blob");
        }
        if batches == 2 {
            assert_eq!(lines[1]["trades"].as_array().unwrap().len(), 1, "the second batch crosses the first");
        }
    }
}

#[test]
fn batch_build_refuses_an_invalid_batch() {
    // A nonce that is not the trader's nextNonce makes the batch invalid (C9, C11): the host
    // must not emit it.
    let genesis = load("genesis.json");
    let alice = &genesis["traders"][0];
    let messages = serde_json::json!([{
        "type": "place", "trader": alice["address"], "nonce": 1, "orderId": format!("0x{:064x}", 1),
        "side": "sell", "tif": "gtc", "tickIndex": 10_000, "qtyBase": "5", "privateKey": alice["privateKey"],
    }]);
    let messages_file = scratch("messages-bad-nonce.json");
    std::fs::write(&messages_file, messages.to_string()).unwrap();
    let genesis_file = vectors_dir().join("genesis.json");
    let output =
        numo(&["batch", "build", "--genesis", path_str(&genesis_file), "--messages", path_str(&messages_file)]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains("nonce"), "{}", stderr(&output));
}

/// `http://127.0.0.1:PORT` URLs nothing listens on (distinct ports that were just free).
fn closed_port_urls() -> [String; 2] {
    let listeners = [(); 2].map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap());
    listeners.map(|l| format!("http://{}", l.local_addr().unwrap()))
}

#[test]
fn every_node_command_honours_numo_node() {
    let [url, other] = closed_port_urls();
    let key = format!("0x{}", "01".repeat(32));
    let market = ["--market", "WETH/USDC"];
    let commands: Vec<Vec<&str>> = vec![
        vec!["verify"],
        vec!["verify", "--json", "--dev"],
        vec!["book", "WETH/USDC"],
        vec!["trades", "WETH/USDC"],
        vec!["account", "0x0000000000000000000000000000000000000001"],
        vec!["batch", "1"],
        [&["order", "place", "--key", &key][..], &market, &["--side", "buy", "--price", "3000", "--qty", "1"]].concat(),
        [&["order", "cancel", "--key", &key][..], &market, &["--order-id", "7"]].concat(),
        vec!["load", "--rate", "1", "--duration", "1"],
    ];
    for args in commands {
        let output = Command::new(env!("CARGO_BIN_EXE_numo"))
            .args(&args)
            .env("NUMO_NODE", &url)
            .env_remove("NUMO_KEY")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let said = format!("{}{}", stdout(&output), stderr(&output));
        assert!(!output.status.success(), "{args:?} succeeded against a closed port: {said}");
        assert!(said.contains(&url), "{args:?} did not try NUMO_NODE={url}: {said}");
    }
    // `--node` still wins over the environment.
    let output = Command::new(env!("CARGO_BIN_EXE_numo"))
        .args(["verify", "--node", &other])
        .env("NUMO_NODE", &url)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains(&other) && !stderr(&output).contains(&url), "{}", stderr(&output));
}

//! `numo dev accounts`: the `--json` output is an interface external tools rely on — a JSON
//! array of ten `{"address": "0x…", "privateKey": "0x…"}` objects, lowercase hex, in the fixed
//! order of `numo_node::genesis::dev_accounts`, each key deriving its address.

use alloy_primitives::{hex, Address};
use numo_stf::signature::secret_key_address;
use serde_json::Value;
use std::process::{Command, Output, Stdio};

fn numo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_numo")).args(args).stdin(Stdio::null()).output().unwrap()
}

#[test]
fn dev_accounts_json_is_the_documented_shape() {
    let output = numo(&["dev", "accounts", "--json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = std::str::from_utf8(&output.stdout).unwrap();
    let list: Vec<Value> = serde_json::from_str(text).unwrap();
    assert_eq!(list.len(), 10);

    let expected = numo_node::genesis::dev_accounts();
    for (i, (entry, account)) in list.iter().zip(&expected).enumerate() {
        let object = entry.as_object().unwrap();
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["address", "privateKey"], "entry {i}");
        let address = entry["address"].as_str().unwrap();
        let key = entry["privateKey"].as_str().unwrap();
        for s in [address, key] {
            assert!(s.starts_with("0x") && s[2..].chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')), "{s}");
        }
        assert_eq!((address.len(), key.len()), (42, 66));

        let secret_bytes: [u8; 32] = hex::decode(key).unwrap().try_into().unwrap();
        let secret = secp256k1::SecretKey::from_secret_bytes(secret_bytes).unwrap();
        let derived = secret_key_address(&secret);
        assert_eq!(derived, address.parse::<Address>().unwrap(), "entry {i}: the key derives its address");
        assert_eq!(derived, account.address, "entry {i}: fixed order");
    }
}

#[test]
fn dev_accounts_table_lists_every_account() {
    let output = numo(&["dev", "accounts"]);
    assert!(output.status.success());
    let text = std::str::from_utf8(&output.stdout).unwrap();
    for account in numo_node::genesis::dev_accounts() {
        assert!(text.contains(&hex::encode_prefixed(account.address)), "{text}");
    }
    assert!(text.contains("1000 WETH, 100 WBTC, 10000000 USDC"), "{text}");
}

/// `numo dev accounts --json | head -c 1`: a reader that goes away ends numo quietly (SIGPIPE,
/// as `cat` ends), not with a panic and a backtrace on stderr.
#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_numo_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let mut child = Command::new(env!("CARGO_BIN_EXE_numo"))
        .args(["dev", "accounts", "--count", "5000", "--json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // ~700 KB of output against a 64 KB pipe: numo writes to a pipe nobody reads any more.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.signal(), Some(libc::SIGPIPE), "{:?}: {stderr}", output.status);
}

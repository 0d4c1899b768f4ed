//! `numo guest run --kind funding`: the funding guest (F12) behind the same exit-code contract
//! as a trading blob (0 and one `0x` line of the 400-byte public inputs of F11; 1 with
//! `invalid: <reason>`; `--json` with the touched-keys digest), on a blob built here with the
//! host's funding builder. The default kind stays trading, so the same blob is refused there.

use alloy_primitives::{hex, Address, B256, U256};
use numo_funding::{AssetRule, Deposit, ForcedWithdrawal, FundingContext, FundingMessage, SignedWithdraw, Withdraw};
use numo_host::funding_builder::BuiltFundingBatch;
use numo_host::{build_funding_batch, FullState, Signatures, WitnessForm};
use numo_stf::keys::balance_key;
use numo_stf::signature::{secret_key_address, sign_digest};
use numo_stf::values::{Balance, StateValue};
use secp256k1::SecretKey;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn numo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_numo")).args(args).stdin(Stdio::null()).output().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("numo-cli-funding-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A funding batch with a deposit, a signed withdrawal and a forced withdrawal.
fn funding_batch() -> BuiltFundingBatch {
    let base = B256::repeat_byte(0xba);
    let ctx = FundingContext {
        chain_id: 1,
        venue_id: B256::repeat_byte(0x5e),
        assets: vec![AssetRule { asset_id: base, max_balance: U256::from(1u64 << 40) }],
    };
    let key = SecretKey::from_secret_bytes([0xa1; 32]).unwrap();
    let alice = secret_key_address(&key);
    let mut state = FullState::from_entries([(
        balance_key(&alice, &base),
        Balance { available: U256::from(500u64), locked: U256::ZERO }.encode(),
    )]);
    let withdraw = Withdraw {
        owner: alice,
        nonce: 0,
        asset_id: base,
        amount: U256::from(100u64),
        recipient: Address::repeat_byte(7),
    };
    let messages = vec![
        FundingMessage::Deposit(Deposit {
            index: 0,
            asset_id: base,
            from: Address::repeat_byte(1),
            to: alice,
            amount: U256::from(9u64),
        }),
        FundingMessage::Withdraw(SignedWithdraw {
            withdraw,
            signature: sign_digest(&key, &withdraw.hash(&ctx.domain_separator())),
        }),
        FundingMessage::Forced(ForcedWithdrawal { index: 0, owner: alice, asset_id: base, amount: U256::from(3u64) }),
    ];
    build_funding_batch(&mut state, &ctx, 1, 2, messages, Signatures::Check, WitnessForm::Full).unwrap()
}

#[test]
fn guest_run_kind_funding_prints_the_400_byte_public_inputs() {
    let built = funding_batch();
    let file = scratch("funding.hex");
    std::fs::write(&file, hex::encode_prefixed(&built.blob)).unwrap();
    let path = file.to_str().unwrap();

    let output = numo(&["guest", "run", "--kind", "funding", path]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout, format!("{}\n", hex::encode_prefixed(built.public_inputs.encode())));
    assert_eq!(stdout.trim().len(), 2 + 2 * 400);

    let output = numo(&["guest", "run", "--kind", "funding", "--json", path]);
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["publicInputs"], hex::encode_prefixed(built.public_inputs.encode()));
    assert_eq!(json["touchedKeysDigest"], hex::encode_prefixed(built.report.touched.digest()));
    assert_eq!(json["touchedKeyCount"], built.report.touched.count());
}

#[test]
fn guest_run_kind_funding_exits_1_on_an_invalid_funding_blob_and_trading_refuses_it() {
    let built = funding_batch();
    // Flip a byte of the Withdraw's signature: message 1 starts after the 113-byte deposit.
    let header = 4 * 32 + 2 * 8 + 32 + 8 + 32 + 4 + 64 + 4;
    let mut forged = built.blob.clone();
    forged[header + 113 + 113 + 5] ^= 1;
    let file = scratch("forged.bin");
    std::fs::write(&file, &forged).unwrap();
    let output = numo(&["guest", "run", "--kind", "funding", "--json", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["invalid"], "bad_signature");

    // The valid funding blob is not a trading blob: the default kind refuses it.
    let file = scratch("funding.bin");
    std::fs::write(&file, &built.blob).unwrap();
    let output = numo(&["guest", "run", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("invalid: "));
    let output = numo(&["guest", "run", "--kind", "bogus", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "an unknown kind is a usage error");
}

/// `testing/fixtures/funding_batch.hex` (the blob) and `funding_batch.public_inputs.hex` are what
/// `scripts/sp1-ci.sh` executes in the zkVM as its funding case; they must stay the blob this
/// test builds (deterministic: fixed keys, RFC 6979 signatures). `NUMO_WRITE_FIXTURES=1`
/// rewrites them after a deliberate layout change.
#[test]
fn funding_fixture_for_the_sp1_check_is_current() {
    let built = funding_batch();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testing/fixtures");
    let blob = hex::encode_prefixed(&built.blob);
    let public_inputs = hex::encode_prefixed(built.public_inputs.encode());
    if std::env::var_os("NUMO_WRITE_FIXTURES").is_some() {
        std::fs::write(dir.join("funding_batch.hex"), &blob).unwrap();
        std::fs::write(dir.join("funding_batch.public_inputs.hex"), &public_inputs).unwrap();
    }
    let stored = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap().trim().to_string();
    assert_eq!(stored("funding_batch.hex"), blob, "stale fixture: rerun with NUMO_WRITE_FIXTURES=1");
    assert_eq!(stored("funding_batch.public_inputs.hex"), public_inputs);
}

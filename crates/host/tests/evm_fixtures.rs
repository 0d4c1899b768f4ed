//! The EVM-block fixtures of the SP1 check (`scripts/sp1-ci.sh`): four E11 blobs (full witness
//! form, what `numo guest run --kind evm` and `numo prove --kind evm` read) — 1 and 6 simple
//! value transfers, 1 and 6 ERC20 transfers — and one tampered blob that must fail. SP1's
//! cycles per transfer are `(cycles(6) − cycles(1)) / 5`: the difference leaves out what every
//! block pays once (decoding, the header, the block's roots, the token's code).
//!
//! Everything is fixed (keys, heights, timestamps; signatures are RFC 6979), so the blobs are
//! byte-identical from run to run. This test rebuilds them, checks them against the committed
//! files under `tests/fixtures/evm/`, and re-executes each in the native guest to its committed
//! public inputs. `NUMO_REGEN_FIXTURES=1` rewrites the files after a deliberate change.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{hex, keccak256, Address, Bytes, Signature as AlloySignature, TxKind, B256, U256};
use numo_core::signature::{secret_key_address, sign_digest};
use numo_evm::genesis::{alloc_writes, genesis_head_writes, GenesisAccount};
use numo_evm::{EvmEnv, EvmPhase, EvmVenue, TxStatus};
use numo_guest::evm::{run_evm, EvmBatchReport, EvmHeader, EvmInput};
use numo_guest::kind::{run_kind, BatchKind};
use numo_host::{build_evm_batch, FullState, WitnessForm};
use numo_stf::{MarketContext, Rules};
use secp256k1::SecretKey;
use std::path::PathBuf;

const CHAIN_ID: u64 = 7357;
const GWEI: u128 = 1_000_000_000;
const GENESIS_MS: u64 = 1_795_000_000_000;
/// Senders of the transfers; sender `i` sends to sender `i + 1` (mod 6), an existing holder.
const SENDERS: u8 = 6;

fn venue() -> EvmVenue {
    let ctx = MarketContext {
        chain_id: CHAIN_ID,
        venue_id: B256::repeat_byte(0x5e),
        market_id: B256::repeat_byte(0x4d),
        rules: Rules {
            base_asset: B256::repeat_byte(0xb0),
            quote_asset: B256::repeat_byte(0xc0),
            price_scale: U256::from(10u64).pow(U256::from(18)),
            tick_size: U256::from(10u64).pow(U256::from(18)),
            lot_size: U256::from(1),
            taker_fee_bps: 10,
            maker_fee_bps: 0,
            max_orders_per_batch: 128,
            max_matches_per_order: 16,
            max_balance: U256::from(u128::MAX),
        },
    };
    EvmVenue::new(CHAIN_ID, ctx.venue_id, [ctx])
}

/// The header of the EVM block at exchange height `height`.
fn header(height: u64, batch_seq: u64) -> EvmHeader {
    EvmHeader {
        phase: EvmPhase::Block,
        prev_root: B256::ZERO,
        venue: venue(),
        env: EvmEnv {
            chain_id: CHAIN_ID,
            height,
            timestamp_ms: GENESIS_MS + height * 100,
            parent_hash: B256::repeat_byte(height as u8),
        },
        batch_seq,
    }
}

fn key(n: u8) -> SecretKey {
    SecretKey::from_secret_bytes([n; 32]).unwrap()
}

fn sender(i: u8) -> SecretKey {
    key(0x10 + i)
}

fn sign(secret: &SecretKey, nonce: u64, to: Option<Address>, value: U256, input: Vec<u8>, gas: u64) -> Vec<u8> {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: 2 * GWEI,
        max_priority_fee_per_gas: GWEI,
        to: to.map_or(TxKind::Create, TxKind::Call),
        value,
        access_list: Default::default(),
        input: Bytes::from(input),
    };
    let sig = sign_digest(secret, &tx.signature_hash()).0;
    let sig = AlloySignature::new(U256::from_be_slice(&sig[..32]), U256::from_be_slice(&sig[32..64]), sig[64] == 28);
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718()
}

/// `transfer(to, amount)` calldata.
fn erc20_transfer(to: Address, amount: u64) -> Vec<u8> {
    let mut data = keccak256("transfer(address,uint256)")[..4].to_vec();
    data.extend([0u8; 12]);
    data.extend(to.as_slice());
    data.extend(U256::from(amount).to_be_bytes::<32>());
    data
}

/// The engine tests' OpenZeppelin ERC20 (`crates/evm/tests/fixtures/TestToken.sol`), minting
/// `supply` to its deployer.
fn token_creation(supply: u64) -> Vec<u8> {
    let json: serde_json::Value = serde_json::from_str(include_str!("../../evm/tests/fixtures/fixtures.json")).unwrap();
    let mut code = hex::decode(json["TestToken"]["bytecode"].as_str().unwrap()).unwrap();
    code.extend(U256::from(supply).to_be_bytes::<32>());
    code
}

fn run_block(
    state: &mut FullState,
    height: u64,
    batch_seq: u64,
    txs: &[Vec<u8>],
) -> numo_host::evm_builder::BuiltEvmBatch {
    let refs: Vec<&[u8]> = txs.iter().map(Vec::as_slice).collect();
    let built = build_evm_batch(state, header(height, batch_seq), &refs, WitnessForm::Full).unwrap();
    let EvmBatchReport::Block(report) = &built.report else { panic!("an EVM block") };
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert!(report.executed.iter().all(|t| t.status == TxStatus::Success), "every transaction succeeds");
    assert_eq!(report.executed.len(), txs.len());
    built
}

/// Genesis (a deployer and six senders holding NUMO), then EVM block 1 at height 10: the
/// deployer creates the token and gives each sender 1,000 units. The fixtures are the next
/// block, at height 20.
fn setup() -> (FullState, Address) {
    let deployer = key(1);
    let mut state = FullState::new();
    let alloc: Vec<GenesisAccount> = std::iter::once(deployer)
        .chain((0..SENDERS).map(sender))
        .map(|k| GenesisAccount {
            address: secret_key_address(&k),
            balance: U256::from(10u128.pow(21)),
            ..Default::default()
        })
        .collect();
    state.apply(alloc_writes(&alloc).unwrap());
    state.apply(genesis_head_writes(state.root(), GENESIS_MS).1);
    let token = secret_key_address(&deployer).create(0);
    let mut txs = vec![sign(&deployer, 0, None, U256::ZERO, token_creation(1_000_000), 2_000_000)];
    for i in 0..SENDERS {
        let to = secret_key_address(&sender(i));
        txs.push(sign(&deployer, 1 + u64::from(i), Some(token), U256::ZERO, erc20_transfer(to, 1_000), 100_000));
    }
    run_block(&mut state, 10, 1, &txs);
    (state, token)
}

/// Fixture `name`: its blob and public inputs, built on a fresh [`setup`].
fn fixture(name: &str) -> (Vec<u8>, Vec<u8>) {
    let (mut state, token) = setup();
    let (kind, count) = name.split_once('_').unwrap();
    let count: u8 = count.parse().unwrap();
    let txs: Vec<Vec<u8>> = (0..count)
        .map(|i| {
            let to = secret_key_address(&sender((i + 1) % SENDERS));
            match kind {
                "value" => sign(&sender(i), 0, Some(to), U256::from(1_000u64 + u64::from(i)), vec![], 21_000),
                "erc20" => sign(&sender(i), 0, Some(token), U256::ZERO, erc20_transfer(to, 10 + u64::from(i)), 100_000),
                other => panic!("{other}"),
            }
        })
        .collect();
    let built = run_block(&mut state, 20, 2, &txs);
    (built.blob, built.public_inputs.to_vec())
}

/// `erc20_1` with one proven value changed: its proof no longer matches `prevRoot`.
fn tampered(blob: &[u8]) -> Vec<u8> {
    let input = EvmInput::decode(blob).unwrap();
    let index = input.proofs.iter().position(|p| p.value.is_some()).unwrap();
    let mut changed = input.proofs[index].value.unwrap().to_vec();
    changed[0] ^= 1;
    let mut proofs = input.proofs.clone();
    proofs[index].value = Some(&changed);
    EvmInput { proofs, ..input.clone() }.encode()
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evm")
}

/// Compares `bytes` with the committed `file` (0x-hex, one line), or rewrites it when
/// `NUMO_REGEN_FIXTURES=1`.
fn check_file(file: &str, bytes: &[u8]) {
    let path = dir().join(file);
    let text = format!("{}\n", hex::encode_prefixed(bytes));
    if std::env::var("NUMO_REGEN_FIXTURES").as_deref() == Ok("1") {
        std::fs::create_dir_all(dir()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(committed == text, "{file} differs from what the builder makes now: NUMO_REGEN_FIXTURES=1 rewrites it");
}

#[test]
fn evm_fixtures_are_current_and_re_execute_to_their_public_inputs() {
    for name in ["value_1", "value_6", "erc20_1", "erc20_6"] {
        let (blob, public_inputs) = fixture(name);
        assert_eq!(public_inputs.len(), numo_evm::limits::EVM_PUBLIC_INPUTS_LEN);
        check_file(&format!("{name}.hex"), &blob);
        check_file(&format!("{name}.public_inputs.hex"), &public_inputs);
        // The committed blob, re-executed by the native guest (as `numo guest run --kind evm`).
        let committed =
            hex::decode(std::fs::read_to_string(dir().join(format!("{name}.hex"))).unwrap().trim()).unwrap();
        assert_eq!(run_kind(BatchKind::Evm, &committed).unwrap(), public_inputs, "{name}");
    }
    let (blob, _) = fixture("erc20_1");
    let bad = tampered(&blob);
    check_file("erc20_1_bad_proof.hex", &bad);
    assert_eq!(run_evm(&bad).unwrap_err().code(), "proof_mismatch");
}

#[test]
fn the_fixtures_are_deterministic() {
    assert_eq!(fixture("erc20_6"), fixture("erc20_6"));
}

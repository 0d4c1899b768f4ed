//! E10, E11: EVM batches built by the host re-execute in the guest to the same public inputs,
//! and a tampered witness is refused or gives other public inputs.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, Bytes, Signature as AlloySignature, TxKind, B256, U256};
use alloy_sol_types::SolCall;
use numo_core::signature::{secret_key_address, sign_digest};
use numo_evm::abi::INumoExchange;
use numo_evm::genesis::{alloc_writes, genesis_head_writes, GenesisAccount};
use numo_evm::{EvmEnv, EvmPhase, EvmVenue};
use numo_guest::evm::{run_evm, EvmBatchReport, EvmHeader, EvmInput};
use numo_guest::kind::{run_kind, BatchKind};
use numo_host::{build_evm_batch, witness, FullState, WitnessForm};
use numo_stf::keys::balance_key;
use numo_stf::values::{Balance, StateValue};
use numo_stf::{MarketContext, Rules};
use secp256k1::SecretKey;

const CHAIN_ID: u64 = 7357;
const MARKET: B256 = B256::repeat_byte(0x4d);
const QUOTE: B256 = B256::repeat_byte(0xc0);
const GWEI: u128 = 1_000_000_000;

fn venue() -> EvmVenue {
    let ctx = MarketContext {
        chain_id: CHAIN_ID,
        venue_id: B256::repeat_byte(0x5e),
        market_id: MARKET,
        rules: Rules {
            base_asset: B256::repeat_byte(0xb0),
            quote_asset: QUOTE,
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

fn exchange_user_code() -> Vec<u8> {
    let json: serde_json::Value = serde_json::from_str(include_str!("../../evm/tests/fixtures/fixtures.json")).unwrap();
    alloy_primitives::hex::decode(json["ExchangeUser"]["bytecode"].as_str().unwrap()).unwrap()
}

fn header(phase: EvmPhase, height: u64, batch_seq: u64) -> EvmHeader {
    EvmHeader {
        phase,
        prev_root: B256::ZERO,
        venue: venue(),
        env: EvmEnv {
            chain_id: CHAIN_ID,
            height,
            timestamp_ms: 1_795_000_000_000 + height * 100,
            parent_hash: B256::repeat_byte(height as u8),
        },
        batch_seq,
    }
}

/// A state with the EVM genesis, a funded key, and a block that deploys ExchangeUser, transfers
/// value and requests a transfer from the contract; then the system batch of that request.
/// A batch to build: its header and the block's transactions.
type Planned = (EvmHeader, Vec<Vec<u8>>);

fn scenario() -> (FullState, Vec<Planned>) {
    let secret = SecretKey::from_secret_bytes([1; 32]).unwrap();
    let me = secret_key_address(&secret);
    let mut state = FullState::new();
    let alloc = [GenesisAccount { address: me, balance: U256::from(10u128.pow(19)), ..Default::default() }];
    state.apply(alloc_writes(&alloc).unwrap());
    state.apply(genesis_head_writes(state.root(), 1_795_000_000_000).1);
    let contract = me.create(0);
    state.apply(
        [(
            balance_key(&contract, &QUOTE),
            Balance { available: U256::from(500), locked: U256::ZERO }.encode_canonical(),
        )]
        .into(),
    );
    let send = INumoExchange::transferCall { assetId: QUOTE, amount: U256::from(100), to: Address::repeat_byte(7) };
    let send_input = {
        // ExchangeUser.send(bytes32,uint256,address)
        let mut data = alloy_primitives::keccak256("send(bytes32,uint256,address)")[..4].to_vec();
        data.extend(send.abi_encode()[4..].iter());
        data
    };
    let txs = vec![
        sign(&secret, 0, None, U256::ZERO, exchange_user_code(), 2_000_000),
        sign(&secret, 1, Some(Address::repeat_byte(9)), U256::from(12345), vec![], 21_000),
        sign(&secret, 2, Some(contract), U256::ZERO, send_input, 200_000),
        sign(&secret, 2, Some(Address::repeat_byte(9)), U256::from(1), vec![], 21_000), // stale nonce: skipped
    ];
    (state, vec![(header(EvmPhase::Block, 10, 5), txs), (header(EvmPhase::System, 11, 6), vec![])])
}

#[test]
fn host_built_evm_batches_re_execute_in_the_guest() {
    let (mut state, batches) = scenario();
    let (mut compact_state, _) = scenario();
    for (header, txs) in batches {
        let refs: Vec<&[u8]> = txs.iter().map(Vec::as_slice).collect();
        let prev = state.root();
        let built = build_evm_batch(&mut state, header.clone(), &refs, WitnessForm::Full).unwrap();
        assert_eq!(built.public_inputs.prev_root, prev);
        assert_eq!(built.public_inputs.new_root, state.root());
        let guest = run_evm(&built.blob).unwrap();
        assert_eq!(guest.public_inputs, built.public_inputs);
        assert_eq!(guest.report.touched().digest(), built.report.touched().digest());
        assert_eq!(run_kind(BatchKind::Evm, &built.blob).unwrap(), built.public_inputs.to_vec());
        let compact = build_evm_batch(&mut compact_state, header.clone(), &refs, WitnessForm::Compact).unwrap();
        assert_eq!(compact.public_inputs, built.public_inputs);
        assert_eq!(witness::expand_evm(&compact.blob).unwrap(), built.blob);
        assert!(compact.blob.len() * 5 < built.blob.len());
        match (&built.report, header.phase) {
            (EvmBatchReport::Block(report), EvmPhase::Block) => {
                assert_eq!(report.executed.len(), 3);
                assert_eq!(report.skipped.len(), 1);
                assert_eq!(report.outbox.len(), 1, "the contract's transfer request");
                assert_eq!(built.public_inputs.output_digest, report.hash);
                assert_eq!(built.public_inputs.count, 3);
            }
            (EvmBatchReport::System(report), EvmPhase::System) => {
                assert_eq!(report.outcomes, [numo_evm::SystemOutcome::Transferred]);
                assert_eq!(built.public_inputs.count, 1);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_tampered_evm_witness_is_refused_or_changes_the_output() {
    let (mut state, batches) = scenario();
    let (header, txs) = &batches[0];
    let refs: Vec<&[u8]> = txs.iter().map(Vec::as_slice).collect();
    let built = build_evm_batch(&mut state, header.clone(), &refs, WitnessForm::Full).unwrap();
    let input = EvmInput::decode(&built.blob).unwrap();

    // A proven value changed: its proof no longer matches prevRoot.
    let index = input.proofs.iter().position(|p| p.value.is_some()).unwrap();
    let mut changed = input.proofs[index].value.unwrap().to_vec();
    changed[0] ^= 1;
    let mut proofs = input.proofs.clone();
    proofs[index].value = Some(&changed);
    let tampered = EvmInput { proofs, ..input.clone() }.encode();
    assert_eq!(run_evm(&tampered).unwrap_err().code(), "proof_mismatch");

    // A proof dropped: the key it proved is touched without a proof.
    for drop in [0, input.proofs.len() / 2, input.proofs.len() - 1] {
        let mut proofs = input.proofs.clone();
        proofs.remove(drop);
        let tampered = EvmInput { proofs, ..input.clone() }.encode();
        assert_eq!(run_evm(&tampered).unwrap_err().code(), "missing_proof", "proof {drop}");
    }

    // A transaction byte changed: refused, or other public inputs.
    let mut tx = txs[1].clone();
    let last = tx.len() - 40;
    tx[last] ^= 1;
    let mut changed_txs = input.txs.clone();
    changed_txs[1] = &tx;
    let tampered = EvmInput { txs: changed_txs, ..input.clone() }.encode();
    match run_evm(&tampered) {
        Ok(output) => assert_ne!(output.public_inputs, built.public_inputs),
        Err(error) => assert_eq!(error.code(), "missing_proof"),
    }

    // Another height or batch number: other public inputs.
    let mut other = input.clone();
    other.header.batch_seq += 1;
    assert_ne!(run_evm(&other.encode()).unwrap().public_inputs, built.public_inputs);

    // Trailing bytes and truncation are malformed.
    let mut long = built.blob.clone();
    long.push(0);
    assert_eq!(run_evm(&long).unwrap_err().code(), "malformed");
    assert_eq!(run_evm(&built.blob[..built.blob.len() - 1]).unwrap_err().code(), "malformed");
}

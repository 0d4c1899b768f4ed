//! E1, E7, E10 in the block function: an EVM block at height 10 with a contract's requests,
//! their system batch at height 11 (the contract trading as taker), EVM entries dropped off
//! schedule, EVM public inputs in `batchesRoot`, and K3's `evm_not_scheduled`.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{keccak256, Address, Bytes, Signature as AlloySignature, TxKind, B256, U256};
use alloy_sol_types::SolCall;
use numo_chain::validate::ValidationRules;
use numo_chain::{
    execute_block, validate_value, BlockOptions, BlockOutput, BlockValue, ChainTip, Entry, EvmEntry, Proposal, Venue,
};
use numo_core::signature::{secret_key_address, sign_digest};
use numo_evm::abi::INumoExchange;
use numo_evm::genesis::{alloc_writes, genesis_head_writes, GenesisAccount};
use numo_evm::{EvmPhase, SystemOutcome};
use numo_guest::evm::EvmBatchReport;
use numo_host::{witness, FullState};
use numo_stf::keys::balance_key;
use numo_stf::values::{Balance, StateValue};
use numo_stf::{MarketContext, Message, MessageOutcome, Place, Rules, SignedMessage};
use secp256k1::SecretKey;

const CHAIN_ID: u64 = 7357;
const MARKET: B256 = B256::repeat_byte(0x4d);
const BASE: B256 = B256::repeat_byte(0xb0);
const QUOTE: B256 = B256::repeat_byte(0xc0);
const GWEI: u128 = 1_000_000_000;
const T0: u64 = 1_795_000_000_000;

fn market() -> MarketContext {
    MarketContext {
        chain_id: CHAIN_ID,
        venue_id: B256::repeat_byte(0x5e),
        market_id: MARKET,
        rules: Rules {
            base_asset: BASE,
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
    }
}

fn evm_tx(secret: &SecretKey, nonce: u64, to: Option<Address>, input: Vec<u8>, gas: u64) -> Entry {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: 2 * GWEI,
        max_priority_fee_per_gas: 0,
        to: to.map_or(TxKind::Create, TxKind::Call),
        value: U256::ZERO,
        access_list: Default::default(),
        input: Bytes::from(input),
    };
    let sig = sign_digest(secret, &tx.signature_hash()).0;
    let sig = AlloySignature::new(U256::from_be_slice(&sig[..32]), U256::from_be_slice(&sig[32..64]), sig[64] == 28);
    Entry::Evm(EvmEntry::new(TxEnvelope::from(tx.into_signed(sig)).encoded_2718()).unwrap())
}

/// ExchangeUser's calldata for `name(args)`: its functions take the system contract's arguments.
fn user_call(name: &str, exchange_call: Vec<u8>) -> Vec<u8> {
    let mut data = keccak256(name.as_bytes())[..4].to_vec();
    data.extend(&exchange_call[4..]);
    data
}

fn exchange_user_code() -> Vec<u8> {
    let json: serde_json::Value = serde_json::from_str(include_str!("../../evm/tests/fixtures/fixtures.json")).unwrap();
    alloy_primitives::hex::decode(json["ExchangeUser"]["bytecode"].as_str().unwrap()).unwrap()
}

struct Chain {
    venue: Venue,
    state: FullState,
    tip: ChainTip,
}

impl Chain {
    fn step(&mut self, entries: Vec<Entry>) -> BlockOutput {
        let height = self.tip.height + 1;
        let proposal = Proposal { height, timestamp_ms: T0 + height * 100, entries };
        let out = execute_block(&self.venue, &mut self.state, &self.tip, &proposal, BlockOptions::VERIFYING).unwrap();
        self.tip = out.tip;
        for batch in &out.evm {
            let blob = witness::expand_evm(&batch.witness).unwrap();
            let guest = numo_guest::evm::run_evm(&blob).unwrap();
            assert_eq!(guest.public_inputs, batch.public_inputs, "height {height}");
        }
        out
    }
}

#[test]
fn an_evm_block_at_height_10_and_its_requests_at_height_11() {
    let deployer = SecretKey::from_secret_bytes([1; 32]).unwrap();
    let maker = SecretKey::from_secret_bytes([2; 32]).unwrap();
    let contract = secret_key_address(&deployer).create(0);
    let mut state = FullState::new();
    let alloc = [GenesisAccount {
        address: secret_key_address(&deployer),
        balance: U256::from(10u128.pow(19)),
        ..Default::default()
    }];
    state.apply(alloc_writes(&alloc).unwrap());
    let funds = |available: u64| Balance { available: U256::from(available), locked: U256::ZERO }.encode_canonical();
    state.apply(
        [
            (balance_key(&secret_key_address(&maker), &BASE), funds(100)),
            (balance_key(&contract, &QUOTE), funds(1_000_000)),
        ]
        .into(),
    );
    state.apply(genesis_head_writes(state.root(), T0).1);
    let venue = Venue::new([market()]);
    let mut chain = Chain { tip: ChainTip::genesis(state.root()), venue, state };

    let place = Place {
        trader: secret_key_address(&maker),
        nonce: 0,
        order_id: B256::repeat_byte(1),
        side: 1,
        tif: 0,
        tick: 100,
        qty: U256::from(5),
    };
    let message = Message::Place(place);
    let signature = sign_digest(&maker, &message.hash(&market().domain_separator()));
    for height in 1..=11u64 {
        let entries = match height {
            3 => vec![Entry::clob(MARKET, SignedMessage { message, signature })],
            7 => vec![evm_tx(&deployer, 0, None, exchange_user_code(), 2_000_000)],
            10 => vec![
                evm_tx(&deployer, 0, None, exchange_user_code(), 2_000_000),
                evm_tx(
                    &deployer,
                    1,
                    Some(contract),
                    user_call(
                        "place(bytes32,uint8,uint8,int32,uint256,bytes32)",
                        INumoExchange::placeOrderCall {
                            marketId: MARKET,
                            side: 0,
                            tif: 1,
                            tick: 100,
                            qty: U256::from(2),
                            orderId: B256::repeat_byte(2),
                        }
                        .abi_encode(),
                    ),
                    300_000,
                ),
            ],
            _ => vec![],
        };
        let out = chain.step(entries);
        match height {
            3 => assert_eq!(out.batches.len(), 1),
            7 => {
                assert_eq!(out.dropped.len(), 1);
                assert_eq!(out.dropped[0].reason.code(), "evm_not_scheduled");
                assert_eq!(out.dropped[0].entries, [0]);
                assert!(out.evm.is_empty());
            }
            10 => {
                assert_eq!(out.evm.len(), 1);
                let batch = &out.evm[0];
                assert_eq!(batch.phase, EvmPhase::Block);
                assert_eq!(batch.entries, [0, 1]);
                let EvmBatchReport::Block(report) = &batch.report else { panic!("a block") };
                assert_eq!(report.header.number, 1, "EVM block h / 10");
                assert_eq!(report.executed.len(), 2);
                assert_eq!(report.outbox.len(), 1);
                assert_eq!(out.header.batch_seqs, [batch.batch_seq]);
                let leaf = keccak256(batch.public_inputs.to_vec());
                assert_eq!(out.header.batches_root, leaf, "one batch: its leaf is the root (C21)");
                assert_eq!(out.header.state_root, batch.public_inputs.new_root);
            }
            11 => {
                assert_eq!(out.evm.len(), 1);
                let batch = &out.evm[0];
                assert_eq!(batch.phase, EvmPhase::System);
                let EvmBatchReport::System(report) = &batch.report else { panic!("a system batch") };
                assert!(matches!(
                    report.outcomes[0],
                    SystemOutcome::Order { nonce: 0, outcome: MessageOutcome::Placed(_) }
                ));
                assert_eq!(report.trades.len(), 1);
                assert_eq!(report.trades[0].taker, contract);
                assert_eq!(batch.public_inputs.output_digest, report.trades_root());
                assert_eq!(out.header.batch_seqs, [batch.batch_seq]);
            }
            _ => assert!(out.evm.is_empty() && out.dropped.is_empty(), "height {height}"),
        }
    }
    let base = Balance::decode(chain.state.value(&balance_key(&contract, &BASE))).unwrap();
    assert_eq!(base.available, U256::from(2));
}

#[test]
fn validators_refuse_evm_entries_off_schedule_and_before_clob_entries() {
    let deployer = SecretKey::from_secret_bytes([1; 32]).unwrap();
    let venue = Venue::new([market()]);
    let tip = ChainTip { height: 6, ..ChainTip::genesis(B256::repeat_byte(7)) };
    let rules = ValidationRules { now_ms: None, max_entries: 100, funding_allowed: false };
    let tx = evm_tx(&deployer, 0, None, exchange_user_code(), 2_000_000);
    let value = |tip: &ChainTip, entries: Vec<Entry>| BlockValue {
        parent_hash: tip.hash,
        proposal: Proposal { height: tip.height + 1, timestamp_ms: T0, entries },
    };
    let refused = validate_value(&venue, &tip, &value(&tip, vec![tx.clone()]), rules, |_, _| 0, |_| false);
    assert_eq!(refused.unwrap_err().code(), "evm_not_scheduled");
    let tip10 = ChainTip { height: 9, ..tip };
    assert_eq!(validate_value(&venue, &tip10, &value(&tip10, vec![tx.clone()]), rules, |_, _| 0, |_| false), Ok(()));

    // A CLOB entry after an EVM entry is out of the canonical layout.
    let maker = SecretKey::from_secret_bytes([2; 32]).unwrap();
    let message = Message::Place(Place {
        trader: secret_key_address(&maker),
        nonce: 0,
        order_id: B256::repeat_byte(1),
        side: 1,
        tif: 0,
        tick: 100,
        qty: U256::from(5),
    });
    let signature = sign_digest(&maker, &message.hash(&market().domain_separator()));
    let clob = Entry::clob(MARKET, SignedMessage { message, signature });
    let wrong =
        validate_value(&venue, &tip10, &value(&tip10, vec![tx.clone(), clob.clone()]), rules, |_, _| 0, |_| false);
    assert_eq!(wrong.unwrap_err().code(), "unfair_order");
    let right = validate_value(&venue, &tip10, &value(&tip10, vec![clob, tx]), rules, |_, _| 0, |_| false);
    assert_eq!(right, Ok(()));
}

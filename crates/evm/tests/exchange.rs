//! E6, E7: contracts reading the exchange through the read precompile and trading through the
//! system contract, and the system batch executing their requests.

mod common;

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall};
use common::*;
use numo_core::{State, TouchLog};
use numo_evm::abi::INumoExchange;
use numo_evm::keys::outbox_key;
use numo_evm::limits::SYSTEM_CONTRACT;
use numo_evm::system::read_outbox;
use numo_evm::{execute_system_batch, simulate, CallRequest, SystemMessage, SystemOutcome, TxStatus};
use numo_stf::keys::balance_key;
use numo_stf::values::{Balance, StateValue};
use numo_stf::{execute_messages, DiscoveredHints, Message, MessageOutcome, Place, Signature, SignedMessage};

sol! {
    function balances(bytes32 asset) returns (uint256, uint256);
    function balanceOfOwner(address owner, bytes32 asset) returns (uint256, uint256);
    function best(bytes32 market) returns (bool, int32, bool, int32);
    function orderOf(bytes32 market, bytes32 id) returns (address, uint8, int32, uint256);
    function place(bytes32 market, uint8 side, uint8 tif, int32 tick, uint256 qty, bytes32 id);
    function placeThenRevert(bytes32 market, uint8 side, uint8 tif, int32 tick, uint256 qty, bytes32 id);
    function cancel(bytes32 market, bytes32 id);
    function send(bytes32 asset, uint256 amount, address to);
    function staticRequest(bytes data) returns (bool);
    function requestWithValue(bytes data, uint256 value) returns (bool);
    function rawRequest(bytes data) returns (bool);
}

const MAKER_ORDER: B256 = B256::repeat_byte(0x01);
const TAKER_ORDER: B256 = B256::repeat_byte(0x02);

fn set_balance(state: &mut MemState, owner: &Address, asset: &B256, available: u64) {
    let value = Balance { available: U256::from(available), locked: U256::ZERO };
    state.put(balance_key(owner, asset), value.encode_canonical()).unwrap();
}

fn exchange_balance(state: &mut MemState, owner: &Address, asset: &B256) -> Balance {
    Balance::decode(state.get(&balance_key(owner, asset)).unwrap().as_deref()).unwrap()
}

/// A deployer, the ExchangeUser contract, and a maker's resting sell of 5 at tick 100.
fn setup() -> (MemState, secp256k1::SecretKey, Address, Address) {
    let deployer = key(1);
    let mut state = genesis(&funded(&[addr(&deployer)], 10 * NUMO));
    let deploy = tx1559(&deployer, CHAIN_ID, 0, None, U256::ZERO, bytecode("ExchangeUser"), 2_000_000, 2 * GWEI, 0);
    let report = block(&mut state, 1, &[deploy]);
    assert_eq!(report.executed[0].status, TxStatus::Success);
    let contract = report.executed[0].contract_address.unwrap();
    let maker = Address::repeat_byte(0xaa);
    set_balance(&mut state, &maker, &BASE, 100);
    set_balance(&mut state, &contract, &QUOTE, 1_000_000);
    let place =
        Place { trader: maker, nonce: 0, order_id: MAKER_ORDER, side: 1, tif: 0, tick: 100, qty: U256::from(5) };
    let signed = SignedMessage { message: Message::Place(place), signature: Signature([0; 65]) };
    let report =
        execute_messages(&market(), &mut state, &[signed], &mut DiscoveredHints::default(), TouchLog::digest_only())
            .unwrap();
    assert!(report.outcomes[0].is_accepted());
    (state, deployer, contract, maker)
}

fn call(state: &mut MemState, contract: Address, input: Vec<u8>) -> Bytes {
    let request = CallRequest { to: Some(contract), input: input.into(), ..Default::default() };
    let outcome = simulate(state, &env(1), &request).unwrap();
    assert_eq!(outcome.status, TxStatus::Success, "{outcome:?}");
    outcome.output
}

#[test]
fn the_read_precompile_answers_from_the_exchange_state() {
    let (mut state, _, contract, maker) = setup();
    let out = call(&mut state, contract, balancesCall { asset: QUOTE }.abi_encode());
    let (available, locked) = balancesCall::abi_decode_returns(&out).map(|r| (r._0, r._1)).unwrap();
    assert_eq!((available, locked), (U256::from(1_000_000), U256::ZERO));
    let out = call(&mut state, contract, balanceOfOwnerCall { owner: maker, asset: BASE }.abi_encode());
    let r = balanceOfOwnerCall::abi_decode_returns(&out).unwrap();
    let maker_balance = exchange_balance(&mut state, &maker, &BASE);
    assert_eq!((r._0, r._1), (maker_balance.available, maker_balance.locked));
    assert_eq!(maker_balance.locked, U256::from(5), "the resting sell locks its base");
    let r =
        bestCall::abi_decode_returns(&call(&mut state, contract, bestCall { market: MARKET }.abi_encode())).unwrap();
    assert_eq!((r._0, r._1, r._2, r._3), (false, 0, true, 100));
    let out = call(&mut state, contract, orderOfCall { market: MARKET, id: MAKER_ORDER }.abi_encode());
    let r = orderOfCall::abi_decode_returns(&out).unwrap();
    assert_eq!((r._0, r._1, r._2, r._3), (maker, 1, 100, U256::from(5)));
    let out = call(&mut state, contract, orderOfCall { market: MARKET, id: B256::repeat_byte(9) }.abi_encode());
    let r = orderOfCall::abi_decode_returns(&out).unwrap();
    assert_eq!((r._0, r._1, r._2, r._3), (Address::ZERO, 0, 0, U256::ZERO), "absent: all zero");
    // Malformed calldata reverts.
    let request =
        CallRequest { to: Some(numo_evm::limits::READ_PRECOMPILE), input: vec![1, 2, 3].into(), ..Default::default() };
    assert_eq!(simulate(&mut state, &env(1), &request).unwrap().status, TxStatus::Revert);
}

#[test]
fn the_system_contract_refuses_static_calls_value_and_bad_abi() {
    let (mut state, deployer, contract, _) = setup();
    let good = INumoExchange::cancelOrderCall { marketId: MARKET, orderId: MAKER_ORDER }.abi_encode();
    let ok = |out: Bytes| staticRequestCall::abi_decode_returns(&out).unwrap();
    assert!(!ok(call(&mut state, contract, staticRequestCall { data: good.clone().into() }.abi_encode())));
    let input = requestWithValueCall { data: good.clone().into(), value: U256::from(1) }.abi_encode();
    let request = CallRequest {
        from: Some(addr(&deployer)),
        to: Some(contract),
        input: input.into(),
        value: U256::from(1),
        ..Default::default()
    };
    let out = simulate(&mut state, &env(1), &request).unwrap();
    assert!(!requestWithValueCall::abi_decode_returns(&out.output).unwrap());
    assert!(!ok(call(&mut state, contract, rawRequestCall { data: good[..20].to_vec().into() }.abi_encode())));
    assert!(ok(call(&mut state, contract, rawRequestCall { data: good.into() }.abi_encode())));
}

#[test]
fn requests_of_successful_transactions_reach_the_outbox_and_execute_next_block() {
    let (mut state, deployer, contract, maker) = setup();
    let friend = Address::repeat_byte(0xf0);
    let txs = [
        // buy 2 IOC at 100: crosses the maker's ask
        placeCall { market: MARKET, side: 0, tif: 1, tick: 100, qty: U256::from(2), id: TAKER_ORDER }.abi_encode(),
        // reverted after requesting: no request
        placeThenRevertCall { market: MARKET, side: 0, tif: 0, tick: 90, qty: U256::from(1), id: B256::repeat_byte(3) }
            .abi_encode(),
        cancelCall { market: B256::repeat_byte(0x77), id: MAKER_ORDER }.abi_encode(),
        sendCall { asset: QUOTE, amount: U256::from(1_000), to: friend }.abi_encode(),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, input)| {
        tx1559(&deployer, CHAIN_ID, 1 + i as u64, Some(contract), U256::ZERO, input, 300_000, 2 * GWEI, 0)
    })
    .collect::<Vec<_>>();
    let report = block(&mut state, 2, &txs);
    let statuses: Vec<_> = report.executed.iter().map(|t| t.status.clone()).collect();
    assert_eq!(statuses, [TxStatus::Success, TxStatus::Revert, TxStatus::Success, TxStatus::Success]);
    let log = &report.executed[0].logs()[0];
    assert_eq!(log.address, SYSTEM_CONTRACT);
    assert_eq!(log.data.topics()[1], contract.into_word(), "topic1 is msg.sender");
    let expected = vec![
        SystemMessage::Place {
            trader: contract,
            market_id: MARKET,
            side: 0,
            tif: 1,
            tick: 100,
            qty: U256::from(2),
            order_id: TAKER_ORDER,
        },
        SystemMessage::Cancel { trader: contract, market_id: B256::repeat_byte(0x77), order_id: MAKER_ORDER },
        SystemMessage::Transfer { from: contract, asset_id: QUOTE, amount: U256::from(1_000), to: friend },
    ];
    assert_eq!(report.outbox, expected);
    assert_eq!(read_outbox(&mut state).unwrap(), expected);

    // The next exchange block's system batch.
    let system = execute_system_batch(&mut state, &venue(), TouchLog::sequenced()).unwrap();
    assert_eq!(system.touched.sequence().unwrap()[0], outbox_key());
    assert_eq!(*system.touched.sequence().unwrap().last().unwrap(), outbox_key());
    match system.outcomes[0] {
        SystemOutcome::Order { nonce: 0, outcome: MessageOutcome::Placed(summary) } => {
            assert_eq!(summary.filled, U256::from(2));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(system.outcomes[1], SystemOutcome::UnknownMarket);
    assert_eq!(system.outcomes[2], SystemOutcome::Transferred);
    assert_eq!(system.trades.len(), 1);
    let trade = system.trades[0];
    assert_eq!((trade.taker, trade.maker, trade.market_id), (contract, maker, MARKET));
    assert_eq!(trade.quote_amount, U256::from(200));
    // Balances moved, as the precompile reports; the outbox is gone.
    let base = exchange_balance(&mut state, &contract, &BASE);
    assert_eq!(base.available, U256::from(2));
    let quote = exchange_balance(&mut state, &contract, &QUOTE);
    assert_eq!(quote.available, U256::from(1_000_000 - 200 - 1_000) - trade.taker_fee);
    assert_eq!(exchange_balance(&mut state, &friend, &QUOTE).available, U256::from(1_000));
    let out = call(&mut state, contract, balancesCall { asset: BASE }.abi_encode());
    assert_eq!(balancesCall::abi_decode_returns(&out).unwrap()._0, U256::from(2));
    assert!(read_outbox(&mut state).unwrap().is_empty());
    assert_eq!(state.get(&outbox_key()).unwrap(), None);
    assert_eq!(system.input_digest, alloy_primitives::keccak256(numo_evm::values::encode_outbox(&expected).unwrap()));

    // A second run finds nothing to do.
    let again = execute_system_batch(&mut state, &venue(), TouchLog::sequenced()).unwrap();
    assert!(again.messages.is_empty() && again.outcomes.is_empty());
}

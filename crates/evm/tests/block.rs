//! E5, E8, E9: EVM blocks — exact fees, contracts, receipts and logs, reverts, skipped
//! transactions, the base fee, and determinism.

mod common;

use alloy_primitives::{Address, Bloom, B256, U256};
use alloy_sol_types::{sol, SolCall, SolEvent};
use common::*;
use numo_core::TouchLog;
use numo_evm::keys::head_key;
use numo_evm::values::EvmHead;
use numo_evm::{execute_evm_block, next_base_fee, simulate, CallRequest, SkipCode, TxStatus};
use numo_stf::values::StateValue;

sol! {
    function transfer(address to, uint256 value) returns (bool);
    function balanceOf(address owner) returns (uint256);
    event Transfer(address indexed from, address indexed to, uint256 value);
}

fn head(state: &mut MemState) -> EvmHead {
    EvmHead::decode(state.values.get(&head_key()).map(Vec::as_slice)).unwrap()
}

#[test]
fn a_value_transfer_pays_value_and_gas_to_the_wei() {
    let (a, b) = (key(1), key(2));
    let mut state = genesis(&funded(&[addr(&a)], 10 * NUMO));
    let genesis_head = head(&mut state);
    assert_eq!((genesis_head.number, genesis_head.base_fee), (0, 1_000_000_000));
    let value = U256::from(NUMO);
    let tx = tx1559(&a, CHAIN_ID, 0, Some(addr(&b)), value, vec![], 21_000, 2 * GWEI, GWEI);
    let report = block(&mut state, 1, &[tx]);

    let base_fee = 875_000_000u128; // genesis: 1 gwei, no gas used → −1/8 (EIP-1559)
    assert_eq!(report.header.base_fee_per_gas, Some(base_fee as u64));
    assert_eq!(report.executed.len(), 1);
    let executed = &report.executed[0];
    assert_eq!(executed.status, TxStatus::Success);
    assert_eq!(executed.gas_used, 21_000);
    assert_eq!(executed.effective_gas_price, base_fee + GWEI);
    assert_eq!(executed.receipt.cumulative_gas_used(), 21_000);
    let paid = U256::from(21_000 * (base_fee + GWEI));
    assert_eq!(balance(&mut state, &addr(&a)), U256::from(10 * NUMO) - value - paid);
    assert_eq!(account(&mut state, &addr(&a)).nonce, 1);
    assert_eq!(balance(&mut state, &addr(&b)), value);
    // The tip goes to the beneficiary (0x0); the base fee is burned.
    assert_eq!(balance(&mut state, &Address::ZERO), U256::from(21_000 * GWEI));

    let head = head(&mut state);
    assert_eq!((head.number, head.hash, head.gas_used), (1, report.hash, 21_000));
    assert_eq!(report.header.parent_hash, genesis_head.hash);
    assert_eq!(report.header.number, 1);
    assert_eq!(report.header.timestamp, (GENESIS_MS + 1_000) / 1000);
    assert_eq!(report.header.mix_hash, env(1).parent_hash);
    assert_eq!(report.hash, report.header.hash_slow());
    // stateRoot is the root before the head writes (E9), the state's root is after them.
    assert_ne!(report.header.state_root, state.root());
    assert_eq!(state.values.get(&numo_evm::keys::block_hash_key(1)).unwrap(), &report.hash.to_vec());
}

#[test]
fn legacy_and_2930_transfers_execute_at_their_gas_price() {
    let a = key(1);
    let mut state = genesis(&funded(&[addr(&a)], 10 * NUMO));
    let to = Address::repeat_byte(9);
    let txs = [
        tx_legacy(&a, Some(CHAIN_ID), 0, to, U256::from(1), 3 * GWEI),
        tx2930(&a, CHAIN_ID, 1, to, U256::from(2), 3 * GWEI),
    ];
    let report = block(&mut state, 1, &txs);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert_eq!(report.executed.iter().map(|t| t.tx.tx_type()).collect::<Vec<_>>(), [0, 1]);
    assert!(report.executed.iter().all(|t| t.effective_gas_price == 3 * GWEI));
    let paid = U256::from((21_000 + report.executed[1].gas_used as u128) * 3 * GWEI);
    assert_eq!(balance(&mut state, &addr(&a)), U256::from(10 * NUMO) - U256::from(3) - paid);
    assert_eq!(report.executed[1].receipt.cumulative_gas_used(), 21_000 + report.executed[1].gas_used);
}

#[test]
fn an_erc20_deploys_transfers_logs_and_reverts_keeping_nonce_and_fee() {
    let (a, b) = (key(1), key(2));
    let mut state = genesis(&funded(&[addr(&a)], 10 * NUMO));
    let supply = U256::from(1_000u64) * U256::from(NUMO);
    let deploy = tx1559(&a, CHAIN_ID, 0, None, U256::ZERO, token_creation(supply), 3_000_000, 2 * GWEI, 0);
    let report = block(&mut state, 1, &[deploy]);
    let token = report.executed[0].contract_address.unwrap();
    assert_eq!(token, addr(&a).create(0));
    assert_eq!(report.executed[0].status, TxStatus::Success);
    assert_ne!(account(&mut state, &token).code_hash, B256::ZERO, "code stored by hash");

    let amount = U256::from(5u64) * U256::from(NUMO);
    let call = transferCall { to: addr(&b), value: amount }.abi_encode();
    let too_much = transferCall { to: addr(&b), value: supply + U256::from(1) }.abi_encode();
    let txs = [
        tx1559(&a, CHAIN_ID, 1, Some(token), U256::ZERO, call, 100_000, 2 * GWEI, 0),
        tx1559(&a, CHAIN_ID, 2, Some(token), U256::ZERO, too_much, 100_000, 2 * GWEI, 0),
    ];
    let before = balance(&mut state, &addr(&a));
    let report = block(&mut state, 2, &txs);
    let (ok, reverted) = (&report.executed[0], &report.executed[1]);
    assert_eq!(ok.status, TxStatus::Success);
    assert_eq!(ok.logs().len(), 1);
    let log = &ok.logs()[0];
    assert_eq!(log.address, token);
    let event = Transfer::decode_log_data(&log.data).unwrap();
    assert_eq!((event.from, event.to, event.value), (addr(&a), addr(&b), amount));
    let bloom = report.header.logs_bloom;
    assert!(bloom.contains_input(alloy_primitives::BloomInput::Raw(token.as_slice())));
    assert!(bloom.contains_input(alloy_primitives::BloomInput::Raw(Transfer::SIGNATURE_HASH.as_slice())));
    assert_ne!(bloom, Bloom::ZERO);
    // The revert: status 0, no logs, nonce consumed, fee paid at the effective price.
    assert_eq!(reverted.status, TxStatus::Revert);
    assert!(reverted.logs().is_empty());
    assert!(!reverted.receipt.status());
    assert_eq!(account(&mut state, &addr(&a)).nonce, 3);
    let price = U256::from(ok.effective_gas_price);
    let fees = U256::from(ok.gas_used + reverted.gas_used) * price;
    assert_eq!(balance(&mut state, &addr(&a)), before - fees);
    assert_eq!(report.header.gas_used, ok.gas_used + reverted.gas_used);

    // The token's balances, read with eth_call (no write).
    let root = state.root();
    let query = |owner: Address, state: &mut MemState| {
        let request =
            CallRequest { to: Some(token), input: balanceOfCall { owner }.abi_encode().into(), ..Default::default() };
        U256::from_be_slice(&simulate(state, &env(2), &request).unwrap().output)
    };
    assert_eq!(query(addr(&b), &mut state), amount);
    assert_eq!(query(addr(&a), &mut state), supply - amount);
    assert_eq!(state.root(), root, "calls never write");
}

#[test]
fn invalid_transactions_are_skipped_with_their_codes_and_change_nothing() {
    let (a, poor) = (key(1), key(3));
    let mut state = genesis(&funded(&[addr(&a), addr(&poor)], 10 * NUMO));
    state.apply(numo_evm::alloc_writes(&funded(&[addr(&poor)], 1_000)).unwrap());
    let to = Some(Address::repeat_byte(5));
    let one = U256::from(1);
    let txs = vec![
        tx1559(&a, CHAIN_ID, 5, to, one, vec![], 21_000, 2 * GWEI, 0), // nonce gap
        tx1559(&poor, CHAIN_ID, 0, to, one, vec![], 21_000, 2 * GWEI, 0), // funds
        tx1559(&a, CHAIN_ID, 0, to, one, vec![], 21_000, 100, 0),      // under the base fee
        tx1559(&a, CHAIN_ID, 0, to, one, vec![], 20_000, 2 * GWEI, 0), // intrinsic gas
        tx1559(&a, 1, 0, to, one, vec![], 21_000, 2 * GWEI, 0),        // chain id
        vec![0x02, 0xc0],                                              // malformed
        tx1559(&a, CHAIN_ID, 0, to, one, vec![], 21_000, 2 * GWEI, 0), // executes
        tx1559(&a, CHAIN_ID, 1, to, one, vec![], 199_990_000, 2 * GWEI, 0), // block gas left
    ];
    let before = state.clone();
    let report = block(&mut state, 1, &txs);
    let codes: Vec<(usize, &str)> = report.skipped.iter().map(|s| (s.index, s.code.code())).collect();
    assert_eq!(
        codes,
        [
            (0, "evm_nonce"),
            (1, "evm_funds"),
            (2, "evm_fee_cap"),
            (3, "evm_intrinsic_gas"),
            (4, "evm_chain_id"),
            (5, "evm_malformed"),
            (7, "evm_block_gas")
        ]
    );
    assert_eq!(report.skipped[0].code, SkipCode::Nonce);
    assert_eq!(report.executed.len(), 1);
    assert_eq!(report.executed[0].index, 6);
    let mut poor_state = before.clone();
    assert_eq!(account(&mut state, &addr(&poor)), account(&mut poor_state, &addr(&poor)));
    assert_eq!(account(&mut state, &addr(&a)).nonce, 1);
    // The input digest covers every entry, skipped ones included (E10).
    let refs: Vec<&[u8]> = txs.iter().map(Vec::as_slice).collect();
    assert_eq!(report.input_digest, numo_evm::block::block_input_digest(&refs));
}

#[test]
fn the_base_fee_follows_eip1559_from_the_head() {
    let a = key(1);
    let mut state = genesis(&funded(&[addr(&a)], 10 * NUMO));
    let mut expected = 1_000_000_000u64;
    for n in 1..=4 {
        let parent = head(&mut state);
        expected = alloy_eips::eip1559::calc_next_block_base_fee(
            parent.gas_used,
            parent.gas_limit,
            expected,
            alloy_eips::eip1559::BaseFeeParams::ethereum(),
        );
        let report = block(&mut state, n, &[]);
        assert_eq!(report.header.base_fee_per_gas, Some(expected), "block {n}");
        assert!(report.executed.is_empty());
    }
    // Above the target the fee rises, below it falls, as alloy computes.
    for (used, base) in [(150_000_000, 7u64), (200_000_000, 1_000_000_000), (100_000_000, 5), (0, 8), (1, u64::MAX / 2)]
    {
        let parent = EvmHead { gas_limit: 200_000_000, gas_used: used, base_fee: base, ..EvmHead::default() };
        let alloy = alloy_eips::eip1559::calc_next_block_base_fee(
            used,
            200_000_000,
            base,
            alloy_eips::eip1559::BaseFeeParams::ethereum(),
        );
        assert_eq!(next_base_fee(&parent), alloy);
    }
    let max = EvmHead { gas_limit: 200_000_000, gas_used: 200_000_000, base_fee: u64::MAX, ..EvmHead::default() };
    assert_eq!(next_base_fee(&max), u64::MAX, "saturates instead of overflowing");
}

#[test]
fn the_same_block_on_two_states_writes_and_touches_the_same() {
    let (a, b) = (key(1), key(2));
    let txs = [
        tx1559(
            &a,
            CHAIN_ID,
            0,
            None,
            U256::ZERO,
            token_creation(U256::from(10u64).pow(U256::from(20))),
            3_000_000,
            2 * GWEI,
            0,
        ),
        tx1559(&a, CHAIN_ID, 1, Some(addr(&b)), U256::from(7), vec![], 21_000, 2 * GWEI, GWEI),
        tx1559(&b, CHAIN_ID, 0, Some(addr(&a)), U256::from(1), vec![], 21_000, 2 * GWEI, GWEI),
    ];
    let run = || {
        let mut state = genesis(&funded(&[addr(&a), addr(&b)], 10 * NUMO));
        let refs: Vec<&[u8]> = txs.iter().map(Vec::as_slice).collect();
        let report = execute_evm_block(&mut state, &env(1), &venue(), &refs, TouchLog::sequenced()).unwrap();
        (state.root(), report.hash, report.touched.digest(), report.touched.sequence().unwrap().to_vec(), state.values)
    };
    let (first, second) = (run(), run());
    assert_eq!(first, second);
    assert!(first.3.len() > 10);
}

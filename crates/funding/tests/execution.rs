//! F7 over a plain in-memory state: what each funding message does to balances, queues, nonces
//! and withdrawal records, which conditions reject one Withdraw and which invalidate the whole
//! batch, and the exact access sequence (C25-style, key by key) of each message type.
//!
//! Signatures are not F7's concern (the guest and the builder check them before execution,
//! `validate_funding_batch`), so the Withdraws here carry a dummy signature.

use alloy_primitives::{Address, B256, U256};
use numo_core::{Signature, State, StateError, TouchLog};
use numo_funding::exec::{deposit_acc, forced_acc};
use numo_funding::keys::{
    deposit_queue_key, forced_queue_key, funding_nonce_key, withdrawal_ids_key, Counter, QueueHead,
};
use numo_funding::{
    execute_funding, execute_transfer, AssetRule, Deposit, ForcedWithdrawal, FundingContext, FundingError,
    FundingMessage, FundingOutcome, FundingReject, FundingReport, SignedTransfer, SignedWithdraw, Transfer,
    TransferRequest, Withdraw, WithdrawalRecord,
};
use numo_stf::keys::balance_key;
use numo_stf::values::{Balance, StateValue};
use std::collections::BTreeMap;

const BASE: B256 = B256::new([0xba; 32]);
const QUOTE: B256 = B256::new([0x0c; 32]);
/// Not in the asset table.
const OTHER: B256 = B256::new([0xee; 32]);
const ALICE: Address = Address::new([0xa1; 20]);
const BOB: Address = Address::new([0xb0; 20]);
/// An L1 depositor.
const L1: Address = Address::new([0xf0; 20]);
const CAP: u64 = 1_000;

/// A complete in-memory state.
#[derive(Default, Clone, PartialEq, Eq, Debug)]
struct MapState(BTreeMap<B256, Vec<u8>>);

impl State for MapState {
    fn get(&mut self, key: &B256) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.0.get(key).cloned())
    }
    fn put(&mut self, key: B256, value: Option<Vec<u8>>) -> Result<(), StateError> {
        match value {
            Some(value) => self.0.insert(key, value),
            None => self.0.remove(&key),
        };
        Ok(())
    }
}

impl MapState {
    fn balance(&self, owner: Address, asset: B256) -> Balance {
        Balance::decode(self.0.get(&balance_key(&owner, &asset)).map(Vec::as_slice)).unwrap()
    }
    fn set_balance(&mut self, owner: Address, asset: B256, available: u64, locked: u64) {
        let value = Balance { available: U256::from(available), locked: U256::from(locked) };
        self.put(balance_key(&owner, &asset), value.encode_canonical()).unwrap();
    }
    fn nonce(&self, owner: Address) -> u64 {
        Counter::decode(self.0.get(&funding_nonce_key(&owner)).map(Vec::as_slice)).unwrap().0
    }
    fn head(&self, key: B256) -> QueueHead {
        QueueHead::decode(self.0.get(&key).map(Vec::as_slice)).unwrap()
    }
    fn next_withdrawal_id(&self) -> u64 {
        Counter::decode(self.0.get(&withdrawal_ids_key()).map(Vec::as_slice)).unwrap().0
    }
}

fn ctx() -> FundingContext {
    FundingContext {
        chain_id: 1,
        venue_id: B256::repeat_byte(1),
        assets: vec![
            AssetRule { asset_id: QUOTE, max_balance: U256::from(CAP) },
            AssetRule { asset_id: BASE, max_balance: U256::from(CAP) },
        ],
    }
}

fn deposit(index: u64, asset_id: B256, to: Address, amount: u64) -> FundingMessage {
    FundingMessage::Deposit(Deposit { index, asset_id, from: L1, to, amount: U256::from(amount) })
}

fn withdraw(owner: Address, nonce: u64, asset_id: B256, amount: u64, recipient: Address) -> FundingMessage {
    FundingMessage::Withdraw(SignedWithdraw {
        withdraw: Withdraw { owner, nonce, asset_id, amount: U256::from(amount), recipient },
        signature: Signature([0; 65]),
    })
}

fn transfer(owner: Address, nonce: u64, asset_id: B256, amount: u64, to: Address) -> FundingMessage {
    FundingMessage::Transfer(SignedTransfer {
        transfer: Transfer { owner, nonce, asset_id, amount: U256::from(amount), to },
        signature: Signature([0; 65]),
    })
}

fn forced(index: u64, owner: Address, asset_id: B256, amount: u64) -> FundingMessage {
    FundingMessage::Forced(ForcedWithdrawal { index, owner, asset_id, amount: U256::from(amount) })
}

fn run(state: &mut MapState, messages: &[FundingMessage]) -> Result<FundingReport, FundingError> {
    execute_funding(&ctx(), state, messages, TouchLog::sequenced())
}

/// A credited deposit raises `to`'s available balance, advances the deposit queue with the F5
/// accumulator and appends no withdrawal record.
#[test]
fn deposit_of_a_known_asset_is_credited() {
    let mut state = MapState::default();
    state.set_balance(BOB, BASE, 10, 5);
    let message = deposit(0, BASE, BOB, 100);
    let report = run(&mut state, &[message]).unwrap();
    assert_eq!(report.outcomes, vec![FundingOutcome::Credited]);
    assert_eq!(state.balance(BOB, BASE), Balance { available: U256::from(110u64), locked: U256::from(5u64) });
    let FundingMessage::Deposit(d) = message else { unreachable!() };
    let head = QueueHead { next_index: 1, acc: deposit_acc(&B256::ZERO, &d) };
    assert_eq!(state.head(deposit_queue_key()), head);
    assert_eq!(report.deposits, (QueueHead::default(), head));
    assert_eq!(report.forced, (QueueHead::default(), QueueHead::default()));
    assert!(report.withdrawals.is_empty());
    assert_eq!(report.withdrawals_root(), B256::ZERO);
}

/// A deposit of an asset outside the table is refunded to its L1 sender `from` as a withdrawal
/// record (funds never strand), and the queue still advances.
#[test]
fn deposit_of_an_unknown_asset_is_refunded_to_from() {
    let mut state = MapState::default();
    let report = run(&mut state, &[deposit(0, OTHER, BOB, 100)]).unwrap();
    assert_eq!(report.outcomes, vec![FundingOutcome::Refunded { id: 0 }]);
    assert_eq!(
        report.withdrawals,
        vec![WithdrawalRecord { id: 0, recipient: L1, asset_id: OTHER, amount: U256::from(100u64) }]
    );
    assert_eq!(state.balance(BOB, OTHER), Balance::default());
    assert_eq!(state.next_withdrawal_id(), 1);
    assert_eq!(state.head(deposit_queue_key()).next_index, 1);
}

/// F6/F7: a deposit that would make `available + locked` exceed the asset's cap is refunded
/// whole; one that reaches the cap exactly is credited.
#[test]
fn deposit_past_the_cap_is_refunded() {
    let mut state = MapState::default();
    state.set_balance(BOB, BASE, 600, 300);
    let report = run(&mut state, &[deposit(0, BASE, BOB, 101), deposit(1, BASE, BOB, 100)]).unwrap();
    assert_eq!(report.outcomes, vec![FundingOutcome::Refunded { id: 0 }, FundingOutcome::Credited]);
    assert_eq!(report.withdrawals[0].amount, U256::from(101u64));
    assert_eq!(report.withdrawals[0].recipient, L1);
    assert_eq!(state.balance(BOB, BASE).available, U256::from(700u64));
    assert_eq!(state.head(deposit_queue_key()).next_index, 2);
}

/// A zero deposit credits nothing and appends no record, but it is still consumed from the
/// queue (index and accumulator advance).
#[test]
fn zero_deposit_only_advances_the_queue() {
    let mut state = MapState::default();
    let message = deposit(0, OTHER, BOB, 0);
    let report = run(&mut state, &[message]).unwrap();
    assert!(report.withdrawals.is_empty());
    assert_eq!(state.next_withdrawal_id(), 0);
    assert_eq!(state.balance(BOB, OTHER), Balance::default());
    let FundingMessage::Deposit(d) = message else { unreachable!() };
    assert_eq!(state.head(deposit_queue_key()), QueueHead { next_index: 1, acc: deposit_acc(&B256::ZERO, &d) });
    // Only the queue key changed.
    assert_eq!(state.0.keys().copied().collect::<Vec<_>>(), vec![deposit_queue_key()]);
}

/// A deposit that is not the queue's next record invalidates the batch.
#[test]
fn deposit_out_of_order_is_batch_invalid() {
    let mut state = MapState::default();
    let error = run(&mut state, &[deposit(0, BASE, BOB, 1), deposit(2, BASE, BOB, 1)]).unwrap_err();
    assert_eq!(error, FundingError::DepositOutOfOrder { index: 1, expected: 1, got: 2 });
    assert_eq!(error.code(), "deposit_out_of_order");
    let error = run(&mut MapState::default(), &[deposit(1, BASE, BOB, 1)]).unwrap_err();
    assert_eq!(error.code(), "deposit_out_of_order");
}

/// A successful Withdraw debits `available`, consumes the nonce and records `(id, recipient,
/// asset, amount)`.
#[test]
fn withdraw_debits_and_records() {
    let mut state = MapState::default();
    state.set_balance(ALICE, BASE, 100, 20);
    let report = run(&mut state, &[withdraw(ALICE, 0, BASE, 60, BOB)]).unwrap();
    assert_eq!(report.outcomes, vec![FundingOutcome::Withdrawn { id: 0 }]);
    assert_eq!(
        report.withdrawals,
        vec![WithdrawalRecord { id: 0, recipient: BOB, asset_id: BASE, amount: U256::from(60u64) }]
    );
    assert_eq!(state.balance(ALICE, BASE), Balance { available: U256::from(40u64), locked: U256::from(20u64) });
    assert_eq!(state.nonce(ALICE), 1);
    assert_eq!(state.next_withdrawal_id(), 1);
}

/// Each rejection of F7 keeps the nonce increment and changes nothing else.
#[test]
fn withdraw_rejections_keep_only_the_nonce_increment() {
    let cases = [
        (withdraw(ALICE, 0, BASE, 0, BOB), FundingReject::ZeroAmount, "zero_amount"),
        (withdraw(ALICE, 0, BASE, 10, Address::ZERO), FundingReject::ZeroRecipient, "zero_recipient"),
        (withdraw(ALICE, 0, OTHER, 10, BOB), FundingReject::UnknownAsset, "unknown_asset"),
        // Locked funds are not withdrawable: 100 available, 20 locked, asking 101.
        (withdraw(ALICE, 0, BASE, 101, BOB), FundingReject::InsufficientBalance, "insufficient_balance"),
    ];
    for (message, reason, name) in cases {
        let mut state = MapState::default();
        state.set_balance(ALICE, BASE, 100, 20);
        let mut expected = state.clone();
        let report = run(&mut state, &[message]).unwrap();
        assert_eq!(report.outcomes, vec![FundingOutcome::Rejected(reason)]);
        assert_eq!(reason.name(), name);
        assert!(report.withdrawals.is_empty());
        expected.put(funding_nonce_key(&ALICE), Counter(1).encode_canonical()).unwrap();
        assert_eq!(state, expected, "{name}: only the nonce moved");
    }
}

/// A Withdraw whose nonce is not the owner's next funding nonce invalidates the batch.
#[test]
fn withdraw_with_a_wrong_nonce_is_batch_invalid() {
    let mut state = MapState::default();
    state.set_balance(ALICE, BASE, 100, 0);
    let error = run(&mut state, &[withdraw(ALICE, 1, BASE, 1, BOB)]).unwrap_err();
    assert_eq!(error, FundingError::NonceMismatch { index: 0, expected: 0, got: 1 });
    assert_eq!(error.code(), "bad_nonce");
    // A replay of a consumed nonce in the same batch, too.
    let error = run(&mut MapState::default(), &[withdraw(ALICE, 0, BASE, 0, BOB), withdraw(ALICE, 0, BASE, 0, BOB)])
        .unwrap_err();
    assert_eq!(error.code(), "bad_nonce");
}

/// F7: a Withdraw at nonce 2^64 − 1 has no next nonce to write: `nonce_overflow`, the code
/// of the same condition for market nonces (C9), not a generic counter overflow.
#[test]
fn withdraw_past_the_last_nonce_is_nonce_overflow() {
    let mut state = MapState::default();
    state.set_balance(ALICE, BASE, 100, 0);
    state.put(funding_nonce_key(&ALICE), Counter(u64::MAX).encode_canonical()).unwrap();
    let error = run(&mut state, &[withdraw(ALICE, u64::MAX, BASE, 1, BOB)]).unwrap_err();
    assert_eq!(error, FundingError::NonceOverflow { index: 0 });
    assert_eq!(error.code(), "nonce_overflow");
}

/// Queue indexes and withdrawal ids that would pass 2^64 − 1 invalidate the batch (F7 names
/// no code for them: `counter_overflow`).
#[test]
fn queue_and_withdrawal_id_overflows_are_batch_invalid() {
    let full = |key: B256| {
        let mut state = MapState::default();
        state.put(key, QueueHead { next_index: u64::MAX, acc: B256::ZERO }.encode_canonical()).unwrap();
        state
    };
    let error = run(&mut full(deposit_queue_key()), &[deposit(u64::MAX, BASE, BOB, 1)]).unwrap_err();
    assert_eq!(error.code(), "counter_overflow");
    let error = run(&mut full(forced_queue_key()), &[forced(u64::MAX, ALICE, BASE, 1)]).unwrap_err();
    assert_eq!(error.code(), "counter_overflow");
    let mut state = MapState::default();
    state.put(withdrawal_ids_key(), Counter(u64::MAX).encode_canonical()).unwrap();
    let error = run(&mut state, &[deposit(0, OTHER, BOB, 1)]).unwrap_err();
    assert_eq!(error, FundingError::CounterOverflow { index: 0 });
}

/// F7: a forced request takes `min(amount, available)` and leaves locked funds in place; with
/// nothing available it records nothing; either way the forced queue advances.
#[test]
fn forced_withdrawal_takes_what_is_available_and_leaves_locked_funds() {
    let mut state = MapState::default();
    state.set_balance(ALICE, BASE, 30, 70);
    let messages = [forced(0, ALICE, BASE, 50), forced(1, ALICE, BASE, 50), forced(2, ALICE, OTHER, 5)];
    let report = run(&mut state, &messages).unwrap();
    assert_eq!(
        report.outcomes,
        vec![
            FundingOutcome::Forced(Some((0, U256::from(30u64)))),
            FundingOutcome::Forced(None),
            FundingOutcome::Forced(None)
        ]
    );
    assert_eq!(
        report.withdrawals,
        vec![WithdrawalRecord { id: 0, recipient: ALICE, asset_id: BASE, amount: U256::from(30u64) }]
    );
    assert_eq!(state.balance(ALICE, BASE), Balance { available: U256::ZERO, locked: U256::from(70u64) });
    let mut acc = B256::ZERO;
    for message in &messages {
        let FundingMessage::Forced(f) = message else { unreachable!() };
        acc = forced_acc(&acc, f);
    }
    assert_eq!(state.head(forced_queue_key()), QueueHead { next_index: 3, acc });
    assert_eq!(report.forced.1, QueueHead { next_index: 3, acc });

    // A request smaller than the available balance takes exactly the request.
    let mut state = MapState::default();
    state.set_balance(ALICE, BASE, 30, 0);
    let report = run(&mut state, &[forced(0, ALICE, BASE, 12)]).unwrap();
    assert_eq!(report.outcomes, vec![FundingOutcome::Forced(Some((0, U256::from(12u64))))]);
    assert_eq!(state.balance(ALICE, BASE).available, U256::from(18u64));
}

/// A forced request that is not the queue's next record invalidates the batch.
#[test]
fn forced_out_of_order_is_batch_invalid() {
    let error = run(&mut MapState::default(), &[forced(1, ALICE, BASE, 1)]).unwrap_err();
    assert_eq!(error, FundingError::ForcedOutOfOrder { index: 0, expected: 0, got: 1 });
    assert_eq!(error.code(), "forced_out_of_order");
}

/// Withdrawal ids are venue-global and consecutive across refunds, withdrawals and forced
/// withdrawals, in execution order, across batches.
#[test]
fn withdrawal_ids_are_global_and_in_execution_order() {
    let mut state = MapState::default();
    state.set_balance(ALICE, BASE, 100, 0);
    let first = run(&mut state, &[deposit(0, OTHER, BOB, 1), withdraw(ALICE, 0, BASE, 10, BOB)]).unwrap();
    assert_eq!(first.withdrawals.iter().map(|r| r.id).collect::<Vec<_>>(), vec![0, 1]);
    let second = run(&mut state, &[forced(0, ALICE, BASE, 5), deposit(1, BASE, BOB, CAP + 1)]).unwrap();
    assert_eq!(second.withdrawals.iter().map(|r| r.id).collect::<Vec<_>>(), vec![2, 3]);
    assert_eq!(second.deposits.0.next_index, 1, "the second batch starts where the first ended");
}

// ---------------------------------------------------------------------------------------------
// F7 access sequences, key by key
// ---------------------------------------------------------------------------------------------

fn name(key: &B256) -> String {
    let named = [
        (deposit_queue_key(), "funding(deposits)".to_string()),
        (forced_queue_key(), "funding(forced)".into()),
        (withdrawal_ids_key(), "funding(ids)".into()),
        (funding_nonce_key(&ALICE), "fnonce(alice)".into()),
        (balance_key(&ALICE, &BASE), "bal(alice, base)".into()),
        (balance_key(&BOB, &BASE), "bal(bob, base)".into()),
        (balance_key(&BOB, &OTHER), "bal(bob, other)".into()),
    ];
    named.iter().find(|(k, _)| k == key).map(|(_, n)| n.clone()).unwrap_or_else(|| format!("unknown({key})"))
}

/// The accesses of `messages` after the batch start, as names; also checks the batch start.
fn accesses(state: &mut MapState, messages: &[FundingMessage]) -> Vec<String> {
    let report = run(state, messages).unwrap();
    let sequence: Vec<String> = report.touched.sequence().unwrap().iter().map(name).collect();
    assert_eq!(
        sequence[..2],
        ["funding(deposits)", "funding(forced)"],
        "batch start: r FUNDING(0x01), r FUNDING(0x02)"
    );
    assert_eq!(report.touched.count(), sequence.len() as u64);
    sequence[2..].to_vec()
}

#[track_caller]
fn assert_accesses(actual: Vec<String>, expected: &[&str]) {
    assert_eq!(actual, expected.iter().map(|s| s.to_string()).collect::<Vec<_>>());
}

/// Deposit, credited: r FUNDING(0x01), r BAL, w BAL, w FUNDING(0x01).
#[test]
fn access_sequence_of_a_credited_deposit() {
    let actual = accesses(&mut MapState::default(), &[deposit(0, BASE, BOB, 5)]);
    assert_accesses(actual, &["funding(deposits)", "bal(bob, base)", "bal(bob, base)", "funding(deposits)"]);
}

/// Deposit refunded past the cap: r FUNDING(0x01), r BAL, r/w FUNDING(0x03), w FUNDING(0x01).
#[test]
fn access_sequence_of_a_deposit_refunded_past_the_cap() {
    let actual = accesses(&mut MapState::default(), &[deposit(0, BASE, BOB, CAP + 1)]);
    assert_accesses(
        actual,
        &["funding(deposits)", "bal(bob, base)", "funding(ids)", "funding(ids)", "funding(deposits)"],
    );
}

/// Deposit of an unknown asset: refunded without the BAL read.
#[test]
fn access_sequence_of_a_deposit_of_an_unknown_asset() {
    let actual = accesses(&mut MapState::default(), &[deposit(0, OTHER, BOB, 5)]);
    assert_accesses(actual, &["funding(deposits)", "funding(ids)", "funding(ids)", "funding(deposits)"]);
}

/// Zero deposit: r FUNDING(0x01), w FUNDING(0x01), nothing else.
#[test]
fn access_sequence_of_a_zero_deposit() {
    let actual = accesses(&mut MapState::default(), &[deposit(0, BASE, BOB, 0)]);
    assert_accesses(actual, &["funding(deposits)", "funding(deposits)"]);
}

/// Withdraw: r/w FNONCE, r BAL, w BAL, r/w FUNDING(0x03).
#[test]
fn access_sequence_of_a_withdraw() {
    let mut state = MapState::default();
    state.set_balance(ALICE, BASE, 100, 0);
    let actual = accesses(&mut state, &[withdraw(ALICE, 0, BASE, 10, BOB)]);
    assert_accesses(
        actual,
        &["fnonce(alice)", "fnonce(alice)", "bal(alice, base)", "bal(alice, base)", "funding(ids)", "funding(ids)"],
    );
}

/// Rejected Withdraws: `zero_amount` stops after the nonce; `insufficient_balance` after r BAL.
#[test]
fn access_sequence_of_rejected_withdraws() {
    let actual = accesses(&mut MapState::default(), &[withdraw(ALICE, 0, BASE, 0, BOB)]);
    assert_accesses(actual, &["fnonce(alice)", "fnonce(alice)"]);
    let actual = accesses(&mut MapState::default(), &[withdraw(ALICE, 0, BASE, 10, BOB)]);
    assert_accesses(actual, &["fnonce(alice)", "fnonce(alice)", "bal(alice, base)"]);
}

/// ForcedWithdrawal: r FUNDING(0x02), r BAL, w BAL, r/w FUNDING(0x03), w FUNDING(0x02); with
/// nothing available, no BAL write and no record.
#[test]
fn access_sequence_of_a_forced_withdrawal() {
    let mut state = MapState::default();
    state.set_balance(ALICE, BASE, 100, 0);
    let actual = accesses(&mut state, &[forced(0, ALICE, BASE, 10)]);
    assert_accesses(
        actual,
        &["funding(forced)", "bal(alice, base)", "bal(alice, base)", "funding(ids)", "funding(ids)", "funding(forced)"],
    );
    let actual = accesses(&mut MapState::default(), &[forced(0, ALICE, BASE, 10)]);
    assert_accesses(actual, &["funding(forced)", "bal(alice, base)", "funding(forced)"]);
    let actual = accesses(&mut MapState::default(), &[forced(0, ALICE, OTHER, 10)]);
    assert_accesses(actual, &["funding(forced)", "funding(forced)"]);
}

// ---------------------------------------------------------------------------------------------
// Transfer (0x05): the signed message and its balance move without the nonce step
// ---------------------------------------------------------------------------------------------

/// A contract's address: a Transfer may credit any address.
const CONTRACT: Address = Address::new([0xc0; 20]);

/// A Transfer moves available balance from its owner to `to`, locked funds untouched on both
/// sides, consumes the nonce and appends no withdrawal record.
#[test]
fn transfer_moves_available_balance() {
    let mut state = MapState::default();
    state.set_balance(ALICE, BASE, 100, 20);
    state.set_balance(CONTRACT, BASE, 5, 7);
    let report = run(&mut state, &[transfer(ALICE, 0, BASE, 60, CONTRACT)]).unwrap();
    assert_eq!(report.outcomes, vec![FundingOutcome::Transferred]);
    assert!(report.withdrawals.is_empty());
    assert_eq!(report.withdrawals_root(), B256::ZERO);
    assert_eq!(state.balance(ALICE, BASE), Balance { available: U256::from(40u64), locked: U256::from(20u64) });
    assert_eq!(state.balance(CONTRACT, BASE), Balance { available: U256::from(65u64), locked: U256::from(7u64) });
    assert_eq!(state.nonce(ALICE), 1);
    assert_eq!(state.nonce(CONTRACT), 0, "the recipient's nonce is not touched");
    assert_eq!(state.next_withdrawal_id(), 0, "no L1 effect");
    // The whole available balance may move; the locked part stays.
    let report = run(&mut state, &[transfer(ALICE, 1, BASE, 40, CONTRACT)]).unwrap();
    assert_eq!(report.outcomes, vec![FundingOutcome::Transferred]);
    assert_eq!(state.balance(ALICE, BASE), Balance { available: U256::ZERO, locked: U256::from(20u64) });
}

/// Withdraws and Transfers share one funding nonce sequence per owner (F4).
#[test]
fn transfers_and_withdraws_share_the_funding_nonce() {
    let mut state = MapState::default();
    state.set_balance(ALICE, BASE, 100, 0);
    let messages =
        [transfer(ALICE, 0, BASE, 10, BOB), withdraw(ALICE, 1, BASE, 10, BOB), transfer(ALICE, 2, BASE, 1, BOB)];
    let report = run(&mut state, &messages).unwrap();
    assert_eq!(
        report.outcomes,
        vec![FundingOutcome::Transferred, FundingOutcome::Withdrawn { id: 0 }, FundingOutcome::Transferred]
    );
    assert_eq!(state.nonce(ALICE), 3);
    assert_eq!(state.balance(BOB, BASE).available, U256::from(11u64));
    let error = run(&mut state, &[transfer(ALICE, 2, BASE, 1, BOB)]).unwrap_err();
    assert_eq!(error, FundingError::NonceMismatch { index: 0, expected: 3, got: 2 });
    assert_eq!(error.code(), "bad_nonce");
}

/// Each rejection of a Transfer keeps the nonce increment and changes nothing else.
#[test]
fn transfer_rejections_keep_only_the_nonce_increment() {
    let cases = [
        (transfer(ALICE, 0, BASE, 0, BOB), FundingReject::ZeroAmount, "zero_amount"),
        (transfer(ALICE, 0, BASE, 10, Address::ZERO), FundingReject::ZeroRecipient, "zero_recipient"),
        (transfer(ALICE, 0, BASE, 10, ALICE), FundingReject::SelfTransfer, "self_transfer"),
        (transfer(ALICE, 0, OTHER, 10, BOB), FundingReject::UnknownAsset, "unknown_asset"),
        // Locked funds are not transferable: 100 available, 20 locked, asking 101.
        (transfer(ALICE, 0, BASE, 101, BOB), FundingReject::InsufficientBalance, "insufficient_balance"),
        // Bob holds 900 + 50 locked under a cap of 1,000: 51 more passes the cap.
        (transfer(ALICE, 0, BASE, 51, BOB), FundingReject::MaxBalanceExceeded, "max_balance_exceeded"),
    ];
    for (message, reason, name) in cases {
        let mut state = MapState::default();
        state.set_balance(ALICE, BASE, 100, 20);
        state.set_balance(BOB, BASE, 900, 50);
        let mut expected = state.clone();
        let report = run(&mut state, &[message]).unwrap();
        assert_eq!(report.outcomes, vec![FundingOutcome::Rejected(reason)], "{name}");
        assert_eq!(reason.name(), name);
        assert_eq!(FundingReject::from_code(reason as u8), Some(reason));
        expected.put(funding_nonce_key(&ALICE), Counter(1).encode_canonical()).unwrap();
        assert_eq!(state, expected, "{name}: only the nonce moved");
    }
    // Exactly at the cap is accepted: 900 + 50 + 50 = 1,000.
    let mut state = MapState::default();
    state.set_balance(ALICE, BASE, 100, 0);
    state.set_balance(BOB, BASE, 900, 50);
    let report = run(&mut state, &[transfer(ALICE, 0, BASE, 50, BOB)]).unwrap();
    assert_eq!(report.outcomes, vec![FundingOutcome::Transferred]);
    assert_eq!(state.balance(BOB, BASE).available, U256::from(950u64));
}

/// A Transfer whose credit overflows `available` (or `available + locked`) is
/// `max_balance_exceeded`, never a wrapped balance, even under the largest cap.
#[test]
fn transfer_credit_overflow_is_max_balance_exceeded() {
    let ctx = FundingContext {
        chain_id: 1,
        venue_id: B256::repeat_byte(1),
        assets: vec![AssetRule { asset_id: BASE, max_balance: U256::MAX }],
    };
    for (to_available, to_locked) in [(U256::MAX, U256::ZERO), (U256::MAX - U256::from(1u64), U256::from(1u64))] {
        let mut state = MapState::default();
        state.set_balance(ALICE, BASE, 1, 0);
        let full = Balance { available: to_available, locked: to_locked };
        state.put(balance_key(&BOB, &BASE), full.encode_canonical()).unwrap();
        let before = state.clone();
        let request = TransferRequest { from: ALICE, asset_id: BASE, amount: U256::from(1u64), to: BOB };
        let result = execute_transfer(&ctx, &mut state, &mut TouchLog::sequenced(), &request).unwrap();
        assert_eq!(result, Err(FundingReject::MaxBalanceExceeded));
        assert_eq!(state, before);
    }
}

/// The balance move alone (E7's system Transfer): no nonce read or write, state unchanged on
/// every rejection, accesses appended to the caller's log in F7 order.
#[test]
fn execute_transfer_runs_without_the_nonce_step() {
    let mut state = MapState::default();
    state.set_balance(ALICE, BASE, 100, 0);
    let mut touched = TouchLog::sequenced();
    let request = TransferRequest { from: ALICE, asset_id: BASE, amount: U256::from(30u64), to: BOB };
    assert_eq!(execute_transfer(&ctx(), &mut state, &mut touched, &request), Ok(Ok(())));
    assert_eq!(state.balance(ALICE, BASE).available, U256::from(70u64));
    assert_eq!(state.balance(BOB, BASE).available, U256::from(30u64));
    assert_eq!(state.nonce(ALICE), 0);
    let sequence: Vec<String> = touched.sequence().unwrap().iter().map(name).collect();
    assert_eq!(sequence, ["bal(alice, base)", "bal(bob, base)", "bal(alice, base)", "bal(bob, base)"]);

    let before = state.clone();
    let mut touched = TouchLog::sequenced();
    let short = TransferRequest { amount: U256::from(71u64), ..request };
    assert_eq!(execute_transfer(&ctx(), &mut state, &mut touched, &short), Ok(Err(FundingReject::InsufficientBalance)));
    assert_eq!(state, before);
    assert_eq!(touched.count(), 1, "r BAL(from) only");
}

/// A state access that fails (the guest's unproven key) is an error, not a rejection, and
/// leaves the state unchanged.
#[test]
fn execute_transfer_surfaces_state_errors() {
    /// A state that refuses to read `bal(bob, base)`, as a witness state without its proof.
    struct Unproven(MapState);
    impl State for Unproven {
        fn get(&mut self, key: &B256) -> Result<Option<Vec<u8>>, StateError> {
            if *key == balance_key(&BOB, &BASE) {
                return Err(StateError::MissingWitness { key: *key });
            }
            self.0.get(key)
        }
        fn put(&mut self, key: B256, value: Option<Vec<u8>>) -> Result<(), StateError> {
            self.0.put(key, value)
        }
    }
    let mut state = Unproven(MapState::default());
    state.0.set_balance(ALICE, BASE, 100, 0);
    let before = state.0.clone();
    let request = TransferRequest { from: ALICE, asset_id: BASE, amount: U256::from(1u64), to: BOB };
    let error = execute_transfer(&ctx(), &mut state, &mut TouchLog::sequenced(), &request).unwrap_err();
    assert_eq!(error, StateError::MissingWitness { key: balance_key(&BOB, &BASE) });
    assert_eq!(state.0, before);
    let error = run_unproven(&mut state, &[transfer(ALICE, 0, BASE, 1, BOB)]);
    assert_eq!(error.code(), "missing_proof");

    fn run_unproven(state: &mut Unproven, messages: &[FundingMessage]) -> FundingError {
        execute_funding(&ctx(), state, messages, TouchLog::sequenced()).unwrap_err()
    }
}

/// Transfer: r/w FNONCE, r BAL(owner), r BAL(to), w BAL(owner), w BAL(to).
#[test]
fn access_sequence_of_a_transfer() {
    let mut state = MapState::default();
    state.set_balance(ALICE, BASE, 100, 0);
    let actual = accesses(&mut state, &[transfer(ALICE, 0, BASE, 10, BOB)]);
    assert_accesses(
        actual,
        &["fnonce(alice)", "fnonce(alice)", "bal(alice, base)", "bal(bob, base)", "bal(alice, base)", "bal(bob, base)"],
    );
}

/// Rejected Transfers: the field checks stop after the nonce; `insufficient_balance` after
/// r BAL(owner); `max_balance_exceeded` after r BAL(to).
#[test]
fn access_sequence_of_rejected_transfers() {
    for message in [
        transfer(ALICE, 0, BASE, 0, BOB),
        transfer(ALICE, 0, BASE, 10, Address::ZERO),
        transfer(ALICE, 0, BASE, 10, ALICE),
        transfer(ALICE, 0, OTHER, 10, BOB),
    ] {
        let actual = accesses(&mut MapState::default(), &[message]);
        assert_accesses(actual, &["fnonce(alice)", "fnonce(alice)"]);
    }
    let actual = accesses(&mut MapState::default(), &[transfer(ALICE, 0, BASE, 10, BOB)]);
    assert_accesses(actual, &["fnonce(alice)", "fnonce(alice)", "bal(alice, base)"]);
    let mut state = MapState::default();
    state.set_balance(ALICE, BASE, 100, 0);
    state.set_balance(BOB, BASE, CAP, 0);
    let actual = accesses(&mut state, &[transfer(ALICE, 0, BASE, 10, BOB)]);
    assert_accesses(actual, &["fnonce(alice)", "fnonce(alice)", "bal(alice, base)", "bal(bob, base)"]);
}

// ---------------------------------------------------------------------------------------------
// Conservation under random transfers
// ---------------------------------------------------------------------------------------------

mod conservation {
    use super::*;
    use proptest::prelude::*;

    const ACCOUNTS: [Address; 3] = [ALICE, BOB, CONTRACT];

    fn total(state: &MapState, asset: B256) -> U256 {
        ACCOUNTS.iter().map(|a| state.balance(*a, asset)).map(|b| b.available + b.locked).sum()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Random Transfers between three accounts (self-transfers, zero amounts, amounts past
        /// the balance or the cap included) never create or destroy value per asset, keep every
        /// balance within the cap, consume every owner's nonce exactly once per message, and
        /// move exactly the amounts of the `Transferred` messages.
        #[test]
        fn transfers_conserve_each_asset(
            moves in proptest::collection::vec((0usize..3, 0usize..3, any::<bool>(), 0u64..700), 1..40),
        ) {
            let mut state = MapState::default();
            // More BASE in total than one account's cap, so some credits hit it.
            state.set_balance(ALICE, BASE, 700, 100);
            state.set_balance(BOB, BASE, 600, 0);
            state.set_balance(CONTRACT, QUOTE, 900, 0);
            let before = (total(&state, BASE), total(&state, QUOTE));
            let mut nonces = [0u64; 3];
            let mut messages = Vec::new();
            for (from, to, base, amount) in &moves {
                let asset = if *base { BASE } else { QUOTE };
                messages.push(transfer(ACCOUNTS[*from], nonces[*from], asset, *amount, ACCOUNTS[*to]));
                nonces[*from] += 1;
            }
            let mut expected = state.clone();
            let report = run(&mut state, &messages).unwrap();
            prop_assert_eq!((total(&state, BASE), total(&state, QUOTE)), before);
            for (i, account) in ACCOUNTS.iter().enumerate() {
                prop_assert_eq!(state.nonce(*account), nonces[i]);
                for asset in [BASE, QUOTE] {
                    let b = state.balance(*account, asset);
                    prop_assert!(b.available + b.locked <= U256::from(CAP));
                }
            }
            // Replaying only the accepted moves by hand gives the same balances.
            for ((from, to, base, amount), outcome) in moves.iter().zip(&report.outcomes) {
                let asset = if *base { BASE } else { QUOTE };
                if *outcome == FundingOutcome::Transferred {
                    let (f, t) = (expected.balance(ACCOUNTS[*from], asset), expected.balance(ACCOUNTS[*to], asset));
                    let amount = U256::from(*amount);
                    expected.put(balance_key(&ACCOUNTS[*from], &asset), Balance { available: f.available - amount, ..f }.encode_canonical()).unwrap();
                    expected.put(balance_key(&ACCOUNTS[*to], &asset), Balance { available: t.available + amount, ..t }.encode_canonical()).unwrap();
                } else {
                    prop_assert!(matches!(outcome, FundingOutcome::Rejected(_)));
                }
            }
            for account in ACCOUNTS {
                for asset in [BASE, QUOTE] {
                    prop_assert_eq!(state.balance(account, asset), expected.balance(account, asset));
                }
            }
            prop_assert!(report.withdrawals.is_empty());
        }
    }
}

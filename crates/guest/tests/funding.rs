//! The funding guest (F12) against the host's funding builder: for batches built with
//! `numo_host::build_funding_batch` on a real state, the guest run on the blob must output the
//! builder's public inputs (F11) exactly; the compact witness must expand to the full blob byte
//! for byte; and each way of corrupting a blob must end in its typed error, never in public
//! inputs.
//!
//! Withdraws and Transfers are signed as a wallet would: secp256k1 over the F2 `msgHash` under the venue's
//! funding domain (F1), low-s.

use alloy_primitives::{Address, B256, U256};
use numo_core::signature::{secret_key_address, sign_digest};
use numo_funding::{
    AssetRule, Deposit, ForcedWithdrawal, FundingContext, FundingError, FundingMessage, FundingOutcome, FundingReject,
    SignedTransfer, SignedWithdraw, Transfer, Withdraw,
};
use numo_guest::funding::{run_funding, FundingInput};
use numo_guest::kind::{run_kind, BatchKind};
use numo_host::funding_builder::BuiltFundingBatch;
use numo_host::{build_funding_batch, witness, FullState, Signatures, WitnessForm};
use numo_stf::keys::balance_key;
use numo_stf::values::{Balance, StateValue};
use secp256k1::SecretKey;

const BASE: B256 = B256::new([0xba; 32]);
const QUOTE: B256 = B256::new([0x0c; 32]);
const OTHER: B256 = B256::new([0xee; 32]);
const L1: Address = Address::new([0xf0; 20]);

struct Fixture {
    ctx: FundingContext,
    state: FullState,
    alice: SecretKey,
    bob: Address,
}

/// A genesis with Alice holding 1000 of each asset (300 of BASE locked) and Bob holding nothing.
fn fixture() -> Fixture {
    let ctx = FundingContext {
        chain_id: 31337,
        venue_id: B256::repeat_byte(0x5e),
        assets: vec![
            AssetRule { asset_id: QUOTE, max_balance: U256::from(1_000_000u64) },
            AssetRule { asset_id: BASE, max_balance: U256::from(5_000u64) },
        ],
    };
    let alice = SecretKey::from_secret_bytes([0xa1; 32]).unwrap();
    let bob = secret_key_address(&SecretKey::from_secret_bytes([0xb0; 32]).unwrap());
    let a = secret_key_address(&alice);
    let state = FullState::from_entries([
        (balance_key(&a, &BASE), Balance { available: U256::from(1_000u64), locked: U256::from(300u64) }.encode()),
        (balance_key(&a, &QUOTE), Balance { available: U256::from(1_000u64), locked: U256::ZERO }.encode()),
    ]);
    Fixture { ctx, state, alice, bob }
}

fn signed_withdraw(
    ctx: &FundingContext,
    key: &SecretKey,
    nonce: u64,
    asset_id: B256,
    amount: u64,
    to: Address,
) -> FundingMessage {
    let withdraw =
        Withdraw { owner: secret_key_address(key), nonce, asset_id, amount: U256::from(amount), recipient: to };
    let signature = sign_digest(key, &withdraw.hash(&ctx.domain_separator()));
    FundingMessage::Withdraw(SignedWithdraw { withdraw, signature })
}

fn signed_transfer(
    ctx: &FundingContext,
    key: &SecretKey,
    nonce: u64,
    asset_id: B256,
    amount: u64,
    to: Address,
) -> FundingMessage {
    let transfer = Transfer { owner: secret_key_address(key), nonce, asset_id, amount: U256::from(amount), to };
    let signature = sign_digest(key, &transfer.hash(&ctx.domain_separator()));
    FundingMessage::Transfer(SignedTransfer { transfer, signature })
}

fn deposit(index: u64, asset_id: B256, to: Address, amount: u64) -> FundingMessage {
    FundingMessage::Deposit(Deposit { index, asset_id, from: L1, to, amount: U256::from(amount) })
}

/// One of each outcome: a credit, two refunds (unknown asset, past the cap), a zero deposit, a
/// withdrawal, a rejected withdrawal, a forced withdrawal capped by the available balance.
fn mixed_messages(f: &Fixture) -> Vec<FundingMessage> {
    let alice = secret_key_address(&f.alice);
    vec![
        deposit(0, QUOTE, f.bob, 250),
        deposit(1, OTHER, f.bob, 7),
        deposit(2, BASE, alice, 4_000),
        deposit(3, BASE, f.bob, 0),
        signed_withdraw(&f.ctx, &f.alice, 0, BASE, 400, f.bob),
        signed_withdraw(&f.ctx, &f.alice, 1, QUOTE, 0, f.bob),
        FundingMessage::Forced(ForcedWithdrawal {
            index: 0,
            owner: alice,
            asset_id: BASE,
            amount: U256::from(10_000u64),
        }),
        signed_withdraw(&f.ctx, &f.alice, 2, QUOTE, 999, L1),
    ]
}

fn build(
    state: &mut FullState,
    ctx: &FundingContext,
    seq: u64,
    messages: Vec<FundingMessage>,
    form: WitnessForm,
) -> BuiltFundingBatch {
    build_funding_batch(state, ctx, seq, 1_795_000_000_000 + seq, messages, Signatures::Check, form)
        .expect("a valid batch")
}

fn mixed_batch() -> (Fixture, BuiltFundingBatch) {
    let mut f = fixture();
    let messages = mixed_messages(&f);
    let ctx = f.ctx.clone();
    let built = build(&mut f.state, &ctx, 1, messages, WitnessForm::Full);
    (f, built)
}

/// The guest reproduces the builder's public inputs for a batch with every outcome, and for
/// the next batch built on the state the first one left.
#[test]
fn guest_outputs_the_builders_public_inputs() {
    let (mut f, built) = mixed_batch();
    let outcomes = &built.report.outcomes;
    assert_eq!(outcomes[0], FundingOutcome::Credited);
    assert!(matches!(outcomes[1], FundingOutcome::Refunded { .. }));
    assert!(matches!(outcomes[2], FundingOutcome::Refunded { .. }), "past the BASE cap of 5000");
    assert!(matches!(outcomes[5], FundingOutcome::Rejected(_)));
    assert_eq!(outcomes[6], FundingOutcome::Forced(Some((3, U256::from(600u64)))), "1000 − 400 available, 300 locked");
    let guest = run_funding(&built.blob).unwrap();
    assert_eq!(guest.public_inputs, built.public_inputs);
    assert_eq!(guest.report.touched.digest(), built.report.touched.digest());
    assert_eq!(guest.public_inputs.new_root, f.state.root());
    assert_ne!(built.public_inputs.withdrawals_root, B256::ZERO);
    assert_eq!(run_kind(BatchKind::Funding, &built.blob).unwrap(), built.public_inputs.to_vec());

    // A second batch continues both queues and the nonces from the new state.
    let ctx = f.ctx.clone();
    let messages = vec![
        deposit(4, BASE, f.bob, 1),
        signed_withdraw(&ctx, &f.alice, 3, QUOTE, 1, f.bob),
        FundingMessage::Forced(ForcedWithdrawal { index: 1, owner: f.bob, asset_id: QUOTE, amount: U256::from(5u64) }),
    ];
    let second = build(&mut f.state, &ctx, 2, messages, WitnessForm::Full);
    assert_eq!(second.public_inputs.prev_root, built.public_inputs.new_root);
    assert_eq!(second.public_inputs.deposits_before, built.public_inputs.deposits_after);
    assert_eq!(second.public_inputs.forced_before, built.public_inputs.forced_after);
    assert_eq!(run_funding(&second.blob).unwrap().public_inputs, second.public_inputs);
}

/// The compact witness the node stores expands to the very blob the Full form gives.
#[test]
fn compact_form_expands_to_the_full_blob() {
    let f = fixture();
    let messages = mixed_messages(&f);
    let mut full_state = fixture().state;
    let mut compact_state = fixture().state;
    let full = build(&mut full_state, &f.ctx, 1, messages.clone(), WitnessForm::Full);
    let compact = build(&mut compact_state, &f.ctx, 1, messages, WitnessForm::Compact);
    assert!(compact.blob.len() < full.blob.len());
    assert_eq!(witness::expand_funding(&compact.blob).unwrap(), full.blob);
    assert_eq!(compact.public_inputs, full.public_inputs);
    assert_eq!(full_state.root(), compact_state.root());
}

/// The blob decodes and re-encodes to itself (the encoding is canonical).
#[test]
fn funding_blob_round_trips() {
    let (_, built) = mixed_batch();
    let input = FundingInput::decode(&built.blob).unwrap();
    assert_eq!(input.messages.len(), 8);
    assert_eq!(input.encode(), built.blob);
}

fn run_edited(blob: &[u8], edit: impl FnOnce(&mut FundingInput<'_>)) -> FundingError {
    let mut input = FundingInput::decode(blob).unwrap();
    edit(&mut input);
    run_funding(&input.encode()).expect_err("the edited blob must be refused")
}

/// A flipped signature byte fails the C11 checks (`bad_signature`), with the message's index.
#[test]
fn flipped_signature_byte_is_bad_signature() {
    let (_, built) = mixed_batch();
    let error = run_edited(&built.blob, |input| {
        let FundingMessage::Withdraw(signed) = &mut input.messages[4] else { panic!("message 4 is a Withdraw") };
        signed.signature.0[5] ^= 0x01;
    });
    assert!(matches!(error, FundingError::Signature { index: 4, .. }), "{error:?}");
    assert_eq!(error.code(), "bad_signature");
}

/// An edit of a decoded blob.
type Edit = fn(&mut FundingInput<'_>);

/// Each header commitment is recomputed and compared: a changed one is its `*_mismatch`.
#[test]
fn changed_header_commitments_are_mismatches() {
    let (_, built) = mixed_batch();
    let cases: [(Edit, &str); 4] = [
        (|i| i.header.domain_separator.0[0] ^= 1, "domain_separator_mismatch"),
        (|i| i.header.rules_hash.0[0] ^= 1, "rules_hash_mismatch"),
        (|i| i.header.batch_digest.0[0] ^= 1, "batch_digest_mismatch"),
        (|i| i.header.da_commitment.0[0] ^= 1, "da_commitment_mismatch"),
    ];
    for (edit, code) in cases {
        assert_eq!(run_edited(&built.blob, edit).code(), code);
    }
    // Another batchSeq changes the digest the header claims.
    assert_eq!(run_edited(&built.blob, |i| i.header.batch_seq += 1).code(), "batch_digest_mismatch");
    // Another venue: the domain (and so every msgHash) differs; the Withdraw's signature
    // recovers to someone else first.
    assert_eq!(run_edited(&built.blob, |i| i.context.chain_id += 1).code(), "bad_signature");
}

/// Dropping the proof of a touched key leaves it unproven (`missing_proof`); a proof checked
/// against another root does not verify (`proof_mismatch`).
#[test]
fn dropped_proof_and_wrong_root_are_refused() {
    let (_, built) = mixed_batch();
    let error = run_edited(&built.blob, |input| {
        input.proofs.pop();
    });
    assert_eq!(error.code(), "missing_proof");
    let error = run_edited(&built.blob, |input| input.header.prev_root.0[31] ^= 1);
    assert_eq!(error.code(), "proof_mismatch");
}

/// Strict decoding (F12): trailing bytes and every truncation of the head are malformed.
#[test]
fn trailing_bytes_and_truncations_are_malformed() {
    let (_, built) = mixed_batch();
    let mut longer = built.blob.clone();
    longer.push(0);
    assert_eq!(run_funding(&longer).unwrap_err().code(), "malformed");
    for len in (0..built.blob.len()).step_by(97) {
        assert_eq!(run_funding(&built.blob[..len]).unwrap_err().code(), "malformed", "truncated to {len}");
    }
}

/// Transfers through the builder and the guest: a moved balance, each rejection (those after
/// r BAL(owner) and r BAL(to) need those keys' proofs), a deposit credited to the receiver in
/// the same batch and a withdrawal sharing the nonce sequence; the guest outputs the builder's
/// public inputs, the compact witness expands to the full blob, and a flipped Transfer
/// signature is `bad_signature`.
#[test]
fn batches_with_transfers_re_execute_to_the_builders_public_inputs() {
    let f = fixture();
    let alice = secret_key_address(&f.alice);
    let contract = Address::repeat_byte(0xc0);
    let messages = vec![
        signed_transfer(&f.ctx, &f.alice, 0, BASE, 600, contract),
        deposit(0, BASE, contract, 100),
        signed_transfer(&f.ctx, &f.alice, 1, BASE, 401, f.bob), // 400 left available: insufficient
        signed_transfer(&f.ctx, &f.alice, 2, BASE, 10, alice),  // self_transfer
        signed_transfer(&f.ctx, &f.alice, 3, OTHER, 10, f.bob), // unknown_asset
        signed_transfer(&f.ctx, &f.alice, 4, QUOTE, 0, f.bob),  // zero_amount
        signed_transfer(&f.ctx, &f.alice, 5, QUOTE, 1, Address::ZERO), // zero_recipient
        deposit(1, BASE, f.bob, 4_950),
        signed_transfer(&f.ctx, &f.alice, 6, BASE, 51, f.bob), // 4950 + 51 > the BASE cap of 5000
        signed_withdraw(&f.ctx, &f.alice, 7, QUOTE, 5, L1),
    ];
    let mut full_state = fixture().state;
    let mut compact_state = fixture().state;
    let built = build(&mut full_state, &f.ctx, 1, messages.clone(), WitnessForm::Full);
    let compact = build(&mut compact_state, &f.ctx, 1, messages, WitnessForm::Compact);
    use FundingOutcome::{Credited, Rejected, Transferred};
    assert_eq!(
        built.report.outcomes,
        vec![
            Transferred,
            Credited,
            Rejected(FundingReject::InsufficientBalance),
            Rejected(FundingReject::SelfTransfer),
            Rejected(FundingReject::UnknownAsset),
            Rejected(FundingReject::ZeroAmount),
            Rejected(FundingReject::ZeroRecipient),
            Credited,
            Rejected(FundingReject::MaxBalanceExceeded),
            FundingOutcome::Withdrawn { id: 0 },
        ]
    );
    let balance =
        |owner: &Address, asset: &B256| Balance::decode(full_state.value(&balance_key(owner, asset))).unwrap();
    assert_eq!(balance(&contract, &BASE).available, U256::from(700u64));
    assert_eq!(balance(&alice, &BASE), Balance { available: U256::from(400u64), locked: U256::from(300u64) });
    let guest = run_funding(&built.blob).unwrap();
    assert_eq!(guest.public_inputs, built.public_inputs);
    assert_eq!(guest.report.outcomes, built.report.outcomes);
    assert_eq!(guest.report.touched.digest(), built.report.touched.digest());
    assert_eq!(guest.public_inputs.new_root, full_state.root());
    assert_eq!(witness::expand_funding(&compact.blob).unwrap(), built.blob);
    assert_eq!(compact.public_inputs, built.public_inputs);

    let error = run_edited(&built.blob, |input| {
        let FundingMessage::Transfer(signed) = &mut input.messages[0] else { panic!("message 0 is a Transfer") };
        signed.signature.0[7] ^= 0x01;
    });
    assert!(matches!(error, FundingError::Signature { index: 0, .. }), "{error:?}");
    // A changed recipient no longer matches the signature (the owner signed `to`).
    let error = run_edited(&built.blob, |input| {
        let FundingMessage::Transfer(signed) = &mut input.messages[0] else { panic!("message 0 is a Transfer") };
        signed.transfer.to = f.bob;
    });
    assert_eq!(error.code(), "bad_signature");
}

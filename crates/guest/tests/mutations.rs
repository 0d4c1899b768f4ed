//! Mutation tests of the guest's batch-invalid conditions (C11).
//!
//! Each test starts from a blob the guest accepts — the three spec vectors' `guestInput`s,
//! or a batch built here with `numo_host::build_batch` from `genesis.json` and messages
//! signed with its traders' keys — changes exactly one thing, and checks that the guest
//! refuses it with the *matching* [`BatchError`] variant (and, where the error carries them,
//! the right message index, key or values). Asserting only `is_err()` would let a guest
//! that fails for the wrong reason — or for no reason other than its own bug — pass.
//!
//! When a mutation changes messages or signatures, `batchDigest` and `daCommitment` (C20)
//! are recomputed, so that the defect under test is the only one left. Positive controls
//! (a mutation the spec says must be accepted, such as `v ∈ {0,1}` instead of `{27,28}`,
//! or wrong hints on a Place that links no tick, C22) check that the guest is not simply
//! refusing everything that was touched.
//!
//! Covered: malformed bytes (short input at every length, trailing bytes, unknown and
//! reserved type bytes C24, hint flags C22), signatures (v, low-s, signer), nonces (C9,
//! overflow), counts, Rules, the four header commitments, proofs (missing, duplicate,
//! tampered) and tick hints (C17).

use alloy_primitives::{Address, B256, U256};
use numo_guest::{BatchHeader, GuestInput, GuestOutput, ProofEntry};
use numo_host::json::{self, b256, hex_bytes};
use numo_host::{build_batch, BuiltBatch, FullState};
use numo_smt::SIBLINGS_BYTES as PROOF_SIBLINGS_LEN;
use numo_stf::codec::DecodeError;
use numo_stf::commitments::{batch_digest, da_commitment};
use numo_stf::exec::hints::HintError;
use numo_stf::keys::{balance_key, nonce_key};
use numo_stf::limits::{HINTS_LEN, RULES_LEN, SIGNATURE_LEN};
use numo_stf::rules::RulesError;
use numo_stf::signature::{public_key_address, sign_digest, SignatureError};
use numo_stf::{
    validate_batch, BatchError, MarketContext, Message, MessageOutcome, Place, PublicInputs, Signature, SignedMessage,
    StateError, TickHints,
};
use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
use secp256k1::SecretKey;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const VECTORS: [&str; 3] = ["batch_1_plain_cross", "batch_2_rejects_and_cancel", "batch_3_multifill_fees_hints"];

/// Part 1 of C22: four B32, two U64, one B32.
const HEADER_LEN: usize = 4 * 32 + 2 * 8 + 32;
/// Part 2 of C22: `U64 chainId ‖ B32 venueId ‖ B32 marketId`.
const CONTEXT_LEN: usize = 8 + 32 + 32;
/// Offset of the first message: parts 1–3 and `U32 messageCount`.
const MESSAGES_START: usize = HEADER_LEN + CONTEXT_LEN + RULES_LEN + 4;

/// secp256k1 group order n (SEC 2), written out independently of the code under test.
const SECP256K1_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc,
    0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/vectors/batches").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// One spec vector: its blob, its expected output and which messages linked a new tick.
struct Vector {
    name: &'static str,
    blob: Vec<u8>,
    expected: PublicInputs,
    new_tick: Vec<bool>,
}

fn vectors() -> Vec<Vector> {
    VECTORS
        .iter()
        .map(|name| {
            let v = load(&format!("{name}.json"));
            let expected = hex_bytes(&v["expectedPublicInputs"], "expectedPublicInputs").unwrap();
            Vector {
                name,
                blob: hex_bytes(&v["guestInput"], "guestInput").unwrap(),
                expected: PublicInputs::decode(&expected).unwrap(),
                new_tick: v["outcomes"].as_array().unwrap().iter().map(|o| o["newTick"] == Value::Bool(true)).collect(),
            }
        })
        .collect()
}

/// A genesis trader with its signing key.
struct Trader {
    address: Address,
    key: SecretKey,
}

fn traders() -> Vec<Trader> {
    let genesis = load("genesis.json");
    genesis["traders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| Trader {
            address: json::address(&t["address"], "address").unwrap(),
            key: SecretKey::from_secret_bytes(b256(&t["privateKey"], "privateKey").unwrap().0).unwrap(),
        })
        .collect()
}

fn key_of<'t>(traders: &'t [Trader], address: &Address) -> &'t SecretKey {
    &traders.iter().find(|t| t.address == *address).unwrap_or_else(|| panic!("no key for {address}")).key
}

fn genesis() -> json::Genesis {
    json::genesis(&load("genesis.json")).unwrap()
}

fn e18() -> U256 {
    U256::from(1_000_000_000_000_000_000u64)
}

const BUY: u8 = 0;
const SELL: u8 = 1;
const GTC: u32 = 0;
const IOC: u32 = 1;

fn place(trader: &Trader, nonce: u64, id: u8, side: u8, tif: u32, tick: i32, qty: U256) -> Message {
    Message::Place(Place { trader: trader.address, nonce, order_id: B256::with_last_byte(id), side, tif, tick, qty })
}

fn sign(ctx: &MarketContext, key: &SecretKey, message: Message) -> SignedMessage {
    SignedMessage { message, signature: sign_digest(key, &message.hash(&ctx.domain_separator())) }
}

/// The message of [`book`] that links tick 10010 between 10000 and 10020.
const LINKING: usize = 2;
/// Messages of [`book`] whose Place links no tick (appended, filled, rejected).
const NOT_LINKING: [usize; 3] = [3, 4, 5];

/// A batch built here: three asks 10000 → 10020 and then 10010 linked between them (message
/// [`LINKING`]), a Place appended to an active tick, an IOC taker filled in full and a
/// rejected Place. All hint-relevant tick nodes are proven, so wrong hints on message
/// [`LINKING`] reach the C17 checks instead of a missing proof.
fn book() -> BuiltBatch {
    let genesis = genesis();
    let ctx = genesis.context;
    let mut state = genesis.state;
    let t = traders();
    let (alice, bob, carol) = (&t[0], &t[1], &t[2]);
    let messages = vec![
        sign(&ctx, &alice.key, place(alice, 0, 1, SELL, GTC, 10_000, e18())),
        sign(&ctx, &alice.key, place(alice, 1, 2, SELL, GTC, 10_020, e18())),
        sign(&ctx, &bob.key, place(bob, 0, 3, SELL, GTC, 10_010, e18())),
        sign(&ctx, &bob.key, place(bob, 1, 4, SELL, GTC, 10_010, e18())),
        sign(&ctx, &carol.key, place(carol, 0, 5, BUY, IOC, 10_000, e18() / U256::from(2))),
        sign(&ctx, &carol.key, place(carol, 1, 6, BUY, GTC, 9_000, U256::ZERO)),
    ];
    let built = build_batch(&mut state, &ctx, 7, 1_000, messages).expect("the book batch is valid");
    // The fixture must do what the tests rely on.
    assert_eq!(built.hints[LINKING], TickHints { prev: Some(10_000), next: Some(10_020) });
    let new_tick: Vec<bool> = built
        .report
        .outcomes
        .iter()
        .map(|o| match o {
            MessageOutcome::Placed(s) => s.new_tick,
            _ => false,
        })
        .collect();
    assert_eq!(new_tick, [true, true, true, false, false, false]);
    assert!(matches!(built.report.outcomes[4], MessageOutcome::Placed(s) if s.fills == 1 && s.rested.is_zero()));
    assert!(matches!(built.report.outcomes[5], MessageOutcome::Rejected(_)));
    built
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Decodes `blob`, lets `mutate` change the decoded input, re-encodes it and runs the guest.
fn run_mutated(blob: &[u8], mutate: impl FnOnce(&mut GuestInput<'_>)) -> Result<GuestOutput, BatchError> {
    let mut input = GuestInput::decode(blob).expect("fixture decodes");
    mutate(&mut input);
    numo_guest::run(&input.encode())
}

/// Runs the guest on raw bytes after `mutate` changed them in place.
fn run_bytes(blob: &[u8], mutate: impl FnOnce(&mut Vec<u8>)) -> Result<GuestOutput, BatchError> {
    let mut bytes = blob.to_vec();
    mutate(&mut bytes);
    numo_guest::run(&bytes)
}

fn invalid(result: Result<GuestOutput, BatchError>, what: &str) -> BatchError {
    match result {
        Ok(output) => panic!("{what}: the guest accepted it, output {:?}", output.public_inputs),
        Err(error) => error,
    }
}

/// Recomputes `batchDigest` and `daCommitment` from the (mutated) messages, so that the only
/// defect left is the one under test.
fn reseal(input: &mut GuestInput<'_>) {
    let domain = input.context.domain_separator();
    let hashes: Vec<B256> = input.messages.iter().map(|m| m.message.hash(&domain)).collect();
    input.header.batch_digest = batch_digest(&domain, input.header.batch_seq, &hashes);
    input.header.da_commitment = da_commitment(&input.messages);
}

/// Replaces message `index` by `message` signed with `key`, and reseals.
fn resign(input: &mut GuestInput<'_>, index: usize, message: Message, key: &SecretKey) {
    input.messages[index] = sign(&input.context, key, message);
    reseal(input);
}

fn with_nonce(message: Message, nonce: u64) -> Message {
    match message {
        Message::Place(p) => Message::Place(Place { nonce, ..p }),
        Message::Cancel(c) => Message::Cancel(numo_stf::Cancel { nonce, ..c }),
    }
}

/// Replaces the signature of message `index` and reseals.
fn set_signature(input: &mut GuestInput<'_>, index: usize, signature: [u8; 65]) {
    input.messages[index].signature = Signature(signature);
    reseal(input);
}

/// Byte offsets of the parts of a blob, found by walking the C22 layout independently of the
/// decoder (and checked against what the decoder returned).
struct Layout {
    /// Offset of each message's type byte.
    messages: Vec<usize>,
    /// Offset of each Place's hints (`None` for a Cancel).
    hints: Vec<Option<usize>>,
    /// Per proof: offset of the value and of the siblings.
    proofs: Vec<(usize, usize)>,
}

fn layout(blob: &[u8]) -> Layout {
    let input = GuestInput::decode(blob).unwrap();
    let (mut messages, mut hints, mut proofs) = (Vec::new(), Vec::new(), Vec::new());
    let mut at = MESSAGES_START;
    assert_eq!(blob[at - 4..at], (input.messages.len() as u32).to_be_bytes());
    for signed in &input.messages {
        let bytes = signed.message.encode();
        assert_eq!(&blob[at..at + bytes.len()], bytes.as_slice());
        messages.push(at);
        at += bytes.len() + SIGNATURE_LEN;
        match signed.message {
            Message::Place(_) => {
                hints.push(Some(at));
                at += HINTS_LEN;
            }
            Message::Cancel(_) => hints.push(None),
        }
    }
    assert_eq!(blob[at..at + 4], (input.proofs.len() as u32).to_be_bytes());
    at += 4;
    for proof in &input.proofs {
        assert_eq!(&blob[at..at + 32], proof.key.as_slice());
        let value_len = proof.value.map_or(0, <[u8]>::len);
        proofs.push((at + 36, at + 36 + value_len));
        at += 36 + value_len + PROOF_SIBLINGS_LEN;
    }
    assert_eq!(at, blob.len());
    Layout { messages, hints, proofs }
}

fn flip(value: B256) -> B256 {
    let mut bytes = value.0;
    bytes[31] ^= 0x01;
    B256::from(bytes)
}

// ---------------------------------------------------------------------------------------------
// Baseline: the fixtures pass and the helpers change nothing by themselves.
// ---------------------------------------------------------------------------------------------

#[test]
fn fixtures_are_accepted_and_helpers_are_faithful() {
    for v in vectors() {
        let input = GuestInput::decode(&v.blob).unwrap();
        assert_eq!(input.encode(), v.blob, "{}: encode(decode(blob)) == blob", v.name);
        let mut resealed = input.clone();
        reseal(&mut resealed);
        assert_eq!(resealed.header, input.header, "{}: reseal of an unmutated input is a no-op", v.name);
        assert_eq!(numo_guest::run(&v.blob).unwrap().public_inputs, v.expected, "{}", v.name);
        assert_eq!(run_mutated(&v.blob, |_| {}).unwrap().public_inputs, v.expected, "{}", v.name);
        layout(&v.blob);
    }
    let book = book();
    assert_eq!(numo_guest::run(&book.blob).unwrap().public_inputs, book.public_inputs);
    layout(&book.blob);
}

// ---------------------------------------------------------------------------------------------
// Malformed bytes (C11, section G, C22, C24)
// ---------------------------------------------------------------------------------------------

#[test]
fn trailing_bytes_are_malformed() {
    for v in vectors() {
        for extra in [1usize, 2, 31, 32, 36 + PROOF_SIBLINGS_LEN] {
            for fill in [0x00u8, 0xff] {
                let error = invalid(run_bytes(&v.blob, |b| b.resize(b.len() + extra, fill)), "trailing bytes");
                assert_eq!(
                    error,
                    BatchError::Decode(DecodeError::TrailingBytes { at: v.blob.len(), count: extra }),
                    "{} + {extra} × {fill:#04x}",
                    v.name
                );
            }
        }
    }
}

#[test]
fn every_truncation_is_short_input() {
    // ~700k runs in all: one thread per vector.
    let vectors = vectors();
    std::thread::scope(|scope| {
        for v in &vectors {
            scope.spawn(move || {
                for len in 0..v.blob.len() {
                    match numo_guest::run(&v.blob[..len]) {
                        Err(BatchError::Decode(DecodeError::UnexpectedEnd { at, needed })) => {
                            assert!(at <= len && at + needed > len, "{}: cut at {len}: field {needed}@{at}", v.name)
                        }
                        other => panic!("{}: cut at {len}: {:?}", v.name, other.map(|o| o.public_inputs)),
                    }
                }
            });
        }
    });
}

#[test]
fn unknown_message_type_bytes_are_malformed() {
    for v in vectors() {
        let layout = layout(&v.blob);
        for (index, offset) in layout.messages.iter().enumerate() {
            for byte in (0..=u8::MAX).filter(|b| ![0x01, 0x02].contains(b)) {
                let error = invalid(run_bytes(&v.blob, |b| b[*offset] = byte), "unknown type");
                assert_eq!(
                    error,
                    BatchError::Decode(DecodeError::UnknownMessageType(byte)),
                    "{} message {index}",
                    v.name
                );
            }
        }
    }
}

#[test]
fn reserved_types_withdraw_deposit_transfer_are_malformed_in_v1() {
    // C24: 0x03 Withdraw, 0x04 Deposit, 0x05 Transfer are reserved for later versions.
    let book = book();
    let layout = layout(&book.blob);
    for reserved in [0x03u8, 0x04, 0x05] {
        for offset in &layout.messages {
            let error = invalid(run_bytes(&book.blob, |b| b[*offset] = reserved), "reserved type");
            assert_eq!(error, BatchError::Decode(DecodeError::UnknownMessageType(reserved)));
            // The standalone message decoder agrees.
            let mut bytes = book.blob[*offset..*offset + 102].to_vec();
            bytes[0] = reserved;
            assert_eq!(Message::decode(&bytes), Err(DecodeError::UnknownMessageType(reserved)));
        }
    }
}

#[test]
fn hint_flag_outside_0_1_is_malformed() {
    let book = book();
    let mut blobs: Vec<Vec<u8>> = vectors().into_iter().map(|v| v.blob).collect();
    blobs.push(book.blob);
    for blob in &blobs {
        let layout = layout(blob);
        for hints in layout.hints.iter().flatten() {
            // prevTickHint flag, then nextTickHint flag.
            for flag_at in [*hints, *hints + 5] {
                for flag in 2..=u8::MAX {
                    let error = invalid(run_bytes(blob, |b| b[flag_at] = flag), "hint flag");
                    assert_eq!(error, BatchError::Decode(DecodeError::BadHintFlag), "flag {flag} at {flag_at}");
                }
            }
        }
    }
}

#[test]
fn hint_flag_0_with_nonzero_tick_is_malformed() {
    let book = book();
    let mut blobs: Vec<Vec<u8>> = vectors().into_iter().map(|v| v.blob).collect();
    blobs.push(book.blob);
    for blob in &blobs {
        let layout = layout(blob);
        for hints in layout.hints.iter().flatten() {
            for flag_at in [*hints, *hints + 5] {
                for tick in [1i32, -1, 10_000, i32::MIN, i32::MAX] {
                    let error = invalid(
                        run_bytes(blob, |b| {
                            b[flag_at] = 0;
                            b[flag_at + 1..flag_at + 5].copy_from_slice(&tick.to_be_bytes());
                        }),
                        "flag 0 with a tick",
                    );
                    assert_eq!(error, BatchError::Decode(DecodeError::BadHintFlag), "tick {tick} at {flag_at}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Signatures (C11: v, low-s DEVIATION, signer)
// ---------------------------------------------------------------------------------------------

#[test]
fn v_outside_0_1_27_28_is_rejected() {
    for v in vectors() {
        let last = GuestInput::decode(&v.blob).unwrap().messages.len() - 1;
        for bad_v in (0..=u8::MAX).filter(|b| ![0, 1, 27, 28].contains(b)) {
            let error = invalid(
                run_mutated(&v.blob, |input| {
                    let mut sig = input.messages[last].signature.0;
                    sig[64] = bad_v;
                    set_signature(input, last, sig);
                }),
                "bad v",
            );
            assert_eq!(error, BatchError::Signature { index: last, error: SignatureError::BadV(bad_v) }, "{}", v.name);
        }
    }
}

#[test]
fn v_0_1_is_the_same_signature_as_v_27_28() {
    // Positive control for the v check: the other accepted convention changes only the
    // signature bytes, hence only daCommitment.
    for v in vectors() {
        let mut expected_da = B256::ZERO;
        let output = run_mutated(&v.blob, |input| {
            for index in 0..input.messages.len() {
                let mut sig = input.messages[index].signature.0;
                assert!(sig[64] == 27 || sig[64] == 28, "vector signatures use 27/28");
                sig[64] -= 27;
                set_signature(input, index, sig);
            }
            expected_da = input.header.da_commitment;
        })
        .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_ne!(expected_da, v.expected.da_commitment);
        assert_eq!(output.public_inputs, PublicInputs { da_commitment: expected_da, ..v.expected }, "{}", v.name);
    }
}

#[test]
fn high_s_is_rejected_although_it_recovers_the_trader() {
    let order = U256::from_be_bytes(SECP256K1_ORDER);
    for v in vectors() {
        let input = GuestInput::decode(&v.blob).unwrap();
        for (index, signed) in input.messages.iter().enumerate() {
            let sig = signed.signature.0;
            let high_s = order - U256::from_be_slice(&sig[32..64]);
            let mut malleated = sig;
            malleated[32..64].copy_from_slice(&high_s.to_be_bytes::<32>());
            malleated[64] = if sig[64] == 27 { 28 } else { 27 };

            // The malleated signature is a valid signature of the same trader: only low-s
            // (the C11 DEVIATION) can refuse it.
            let recovery_id = RecoveryId::try_from(i32::from(malleated[64] - 27)).unwrap();
            let recoverable = RecoverableSignature::from_compact(&malleated[..64], recovery_id).unwrap();
            let digest = signed.message.hash(&input.context.domain_separator());
            let public = recoverable.recover_ecdsa(secp256k1::Message::from_digest(digest.0)).unwrap();
            assert_eq!(public_key_address(&public), signed.message.trader(), "{} message {index}", v.name);

            let error = invalid(run_mutated(&v.blob, |input| set_signature(input, index, malleated)), "high s");
            assert_eq!(error, BatchError::Signature { index, error: SignatureError::HighS }, "{} {index}", v.name);
        }
    }
}

#[test]
fn signature_by_another_key_is_wrong_signer() {
    let traders = traders();
    for v in vectors() {
        let input = GuestInput::decode(&v.blob).unwrap();
        for (index, signed) in input.messages.iter().enumerate() {
            let trader = signed.message.trader();
            let other = traders.iter().find(|t| t.address != trader).unwrap();
            let error =
                invalid(run_mutated(&v.blob, |input| resign(input, index, signed.message, &other.key)), "wrong signer");
            assert_eq!(
                error,
                BatchError::Signature {
                    index,
                    error: SignatureError::WrongSigner { expected: trader, recovered: other.address }
                },
                "{} message {index}",
                v.name
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Nonces (C9, C11)
// ---------------------------------------------------------------------------------------------

#[test]
fn nonce_other_than_next_nonce_is_rejected() {
    let traders = traders();
    for v in vectors() {
        let input = GuestInput::decode(&v.blob).unwrap();
        for (index, signed) in input.messages.iter().enumerate() {
            let nonce = signed.message.nonce();
            let key = key_of(&traders, &signed.message.trader());
            let mut wrong = vec![nonce + 1, nonce + 1000];
            if nonce > 0 {
                wrong.push(nonce - 1);
            }
            for got in wrong {
                let error = invalid(
                    run_mutated(&v.blob, |input| resign(input, index, with_nonce(signed.message, got), key)),
                    "wrong nonce",
                );
                assert_eq!(
                    error,
                    BatchError::NonceMismatch { index, expected: nonce, got },
                    "{} message {index}",
                    v.name
                );
            }
        }
    }
}

/// The genesis state plus alice's `nextNonce = next_nonce` (NS_NONCE value `U64`).
fn state_with_alice_nonce(genesis: &json::Genesis, alice: &Trader, next_nonce: u64) -> FullState {
    let mut entries: Vec<(B256, Vec<u8>)> = genesis.state.entries().map(|(k, v)| (*k, v.clone())).collect();
    entries.push((nonce_key(&alice.address, &genesis.context.market_id), next_nonce.to_be_bytes().to_vec()));
    FullState::from_entries(entries)
}

/// A C22 blob made by hand (not by the builder, which refuses invalid batches): correct
/// commitments, no hints, and a proof of every key of `state`.
fn hand_built_blob(state: &FullState, ctx: &MarketContext, messages: Vec<SignedMessage>) -> Vec<u8> {
    let c = validate_batch(ctx, 1, &messages).unwrap();
    let header = BatchHeader {
        prev_root: state.root(),
        batch_digest: c.batch_digest,
        rules_hash: c.rules_hash,
        domain_separator: c.domain_separator,
        batch_seq: 1,
        batch_timestamp: 0,
        da_commitment: c.da_commitment,
    };
    let siblings: Vec<Vec<u8>> = state.entries().map(|(key, _)| state.prove(key).to_bytes()).collect();
    let hints = vec![TickHints::default(); messages.len()];
    let proofs = state
        .entries()
        .zip(&siblings)
        .map(|((key, value), siblings)| ProofEntry { key: *key, value: Some(value.as_slice()), siblings })
        .collect();
    GuestInput { header, context: *ctx, messages, hints, proofs }.encode()
}

#[test]
fn nonce_increment_past_u64_max_is_invalid() {
    let genesis = genesis();
    let ctx = genesis.context;
    let t = traders();
    let alice = &t[0];
    let sell = |nonce| sign(&ctx, &alice.key, place(alice, nonce, 9, SELL, GTC, 10_000, e18()));

    // Host: nextNonce = 2^64 − 1 cannot be consumed, and the state is left as it was.
    let mut state = state_with_alice_nonce(&genesis, alice, u64::MAX);
    let root = state.root();
    let error = build_batch(&mut state, &ctx, 1, 0, vec![sell(u64::MAX)]).unwrap_err();
    assert_eq!(error, BatchError::NonceOverflow { index: 0 });
    assert_eq!(state.root(), root);

    // Guest, on a blob the host would never build.
    let blob = hand_built_blob(&state, &ctx, vec![sell(u64::MAX)]);
    assert_eq!(invalid(numo_guest::run(&blob), "nonce overflow"), BatchError::NonceOverflow { index: 0 });
    // Control: the same hand-built blob shape reads nextNonce = 2^64 − 1 from the state.
    let blob = hand_built_blob(&state, &ctx, vec![sell(u64::MAX - 1)]);
    assert_eq!(
        invalid(numo_guest::run(&blob), "nonce below nextNonce"),
        BatchError::NonceMismatch { index: 0, expected: u64::MAX, got: u64::MAX - 1 }
    );

    // Boundary: 2^64 − 2 is the last nonce that can be consumed; the guest agrees.
    let mut state = state_with_alice_nonce(&genesis, alice, u64::MAX - 1);
    let built = build_batch(&mut state, &ctx, 1, 0, vec![sell(u64::MAX - 1)]).unwrap();
    assert_eq!(numo_guest::run(&built.blob).unwrap().public_inputs, built.public_inputs);
    let nonce_value = state.value(&nonce_key(&alice.address, &ctx.market_id)).unwrap();
    assert_eq!(nonce_value, u64::MAX.to_be_bytes());
}

// ---------------------------------------------------------------------------------------------
// Message count (C11)
// ---------------------------------------------------------------------------------------------

#[test]
fn empty_batch_is_invalid() {
    for v in vectors() {
        let error = invalid(
            run_mutated(&v.blob, |input| {
                input.messages.clear();
                input.hints.clear();
                reseal(input);
            }),
            "no messages",
        );
        assert_eq!(error, BatchError::EmptyBatch, "{}", v.name);
    }
    let genesis = genesis();
    let mut state = genesis.state;
    assert_eq!(build_batch(&mut state, &genesis.context, 1, 0, vec![]).unwrap_err(), BatchError::EmptyBatch);
}

#[test]
fn more_messages_than_max_orders_per_batch_is_invalid() {
    for v in vectors() {
        let count = GuestInput::decode(&v.blob).unwrap().messages.len();
        assert!(count >= 2, "{}", v.name);
        // One below the count: invalid.
        let error = invalid(
            run_mutated(&v.blob, |input| {
                input.context.rules.max_orders_per_batch = count as u32 - 1;
                input.header.rules_hash = input.context.rules.hash();
            }),
            "too many messages",
        );
        assert_eq!(error, BatchError::TooManyMessages { count, max: count as u32 - 1 }, "{}", v.name);
        // Exactly the count: valid, and only rulesHash changes.
        let mut rules_hash = B256::ZERO;
        let output = run_mutated(&v.blob, |input| {
            input.context.rules.max_orders_per_batch = count as u32;
            input.header.rules_hash = input.context.rules.hash();
            rules_hash = input.header.rules_hash;
        })
        .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(output.public_inputs, PublicInputs { rules_hash, ..v.expected }, "{}", v.name);
    }

    // The host refuses to build one either: genesis allows 16.
    let genesis = genesis();
    let ctx = genesis.context;
    let mut state = genesis.state;
    let t = traders();
    let max = ctx.rules.max_orders_per_batch;
    let messages: Vec<SignedMessage> = (0..=u64::from(max))
        .map(|nonce| sign(&ctx, &t[0].key, place(&t[0], nonce, 1 + nonce as u8, SELL, GTC, 10_000, e18())))
        .collect();
    assert_eq!(
        build_batch(&mut state, &ctx, 1, 0, messages).unwrap_err(),
        BatchError::TooManyMessages { count: max as usize + 1, max }
    );
}

// ---------------------------------------------------------------------------------------------
// Rules (C11)
// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_rules_are_rejected_with_the_failing_check() {
    type Mutation = fn(&mut numo_stf::Rules);
    let cases: [(Mutation, RulesError); 9] = [
        (|r| r.price_scale = U256::from(10u64).pow(U256::from(17)), RulesError::PriceScale),
        (|r| r.price_scale += U256::from(1), RulesError::PriceScale),
        (|r| r.maker_fee_bps = 1, RulesError::MakerFee),
        (|r| r.taker_fee_bps = 10_001, RulesError::TakerFee),
        (|r| r.taker_fee_bps = u32::MAX, RulesError::TakerFee),
        (|r| r.tick_size = U256::ZERO, RulesError::TickSize),
        (|r| r.lot_size = U256::ZERO, RulesError::LotSize),
        (|r| r.max_orders_per_batch = 0, RulesError::MaxOrdersPerBatch),
        (|r| r.max_matches_per_order = 0, RulesError::MaxMatchesPerOrder),
    ];
    for v in vectors() {
        for (mutation, expected) in cases {
            let error = invalid(
                run_mutated(&v.blob, |input| {
                    mutation(&mut input.context.rules);
                    input.header.rules_hash = input.context.rules.hash();
                }),
                "invalid rules",
            );
            assert_eq!(error, BatchError::Rules(expected), "{}", v.name);
        }
    }
}

#[test]
fn taker_fee_of_exactly_10000_bps_passes_the_rules_check() {
    // Boundary of `takerFeeBps > 10000`: with the old rulesHash the guest gets past the Rules
    // check and stops at the hash comparison instead.
    for v in vectors() {
        let error = invalid(run_mutated(&v.blob, |input| input.context.rules.taker_fee_bps = 10_000), "fee 10000");
        assert!(matches!(error, BatchError::RulesHashMismatch { given, .. } if given == v.expected.rules_hash));
    }
}

// ---------------------------------------------------------------------------------------------
// Header commitments (C11, C20)
// ---------------------------------------------------------------------------------------------

#[test]
fn header_commitments_must_match_their_recomputation() {
    for v in vectors() {
        let e = v.expected;
        type Mutation = fn(&mut BatchHeader);
        let cases: [(Mutation, BatchError); 4] = [
            (
                |h| h.domain_separator = flip(h.domain_separator),
                BatchError::DomainSeparatorMismatch { given: flip(e.domain_separator), computed: e.domain_separator },
            ),
            (
                |h| h.rules_hash = flip(h.rules_hash),
                BatchError::RulesHashMismatch { given: flip(e.rules_hash), computed: e.rules_hash },
            ),
            (
                |h| h.batch_digest = flip(h.batch_digest),
                BatchError::BatchDigestMismatch { given: flip(e.batch_digest), computed: e.batch_digest },
            ),
            (
                |h| h.da_commitment = flip(h.da_commitment),
                BatchError::DaCommitmentMismatch { given: flip(e.da_commitment), computed: e.da_commitment },
            ),
        ];
        for (mutation, expected) in cases {
            let error = invalid(run_mutated(&v.blob, |input| mutation(&mut input.header)), "header");
            assert_eq!(error, expected, "{}", v.name);
        }
        // batchDigest commits to batchSeq; daCommitment does not cover hints (checked below).
        let error = invalid(run_mutated(&v.blob, |input| input.header.batch_seq += 1), "batchSeq");
        assert!(matches!(error, BatchError::BatchDigestMismatch { given, .. } if given == e.batch_digest));
        // Reordering messages keeps every signature valid but changes the msgHash sequence.
        let error = invalid(
            run_mutated(&v.blob, |input| {
                input.messages.swap(0, 1);
                input.hints.swap(0, 1);
            }),
            "reordered messages",
        );
        assert!(matches!(error, BatchError::BatchDigestMismatch { given, .. } if given == e.batch_digest));
    }
}

// ---------------------------------------------------------------------------------------------
// Proofs (C11, C22)
// ---------------------------------------------------------------------------------------------

/// The distinct keys the transition touches for vector `name`, from the host builder run on
/// the vector's `preState` and messages (the guest runs the same execution).
fn touched_keys(name: &str) -> BTreeSet<B256> {
    let v = load(&format!("{name}.json"));
    let entries = v["preState"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (b256(&e["key"], "key").unwrap(), hex_bytes(&e["value"], "value").unwrap()));
    let mut state = FullState::from_entries(entries);
    let ctx = genesis().context;
    let messages = json::signed_messages(&v["messages"], &ctx.domain_separator()).unwrap();
    let seq = v["batchSeq"].as_u64().unwrap();
    let built = build_batch(&mut state, &ctx, seq, v["batchTimestamp"].as_u64().unwrap(), messages).unwrap();
    built.report.touched.keys().unwrap().clone()
}

#[test]
fn missing_proof_of_a_touched_key_is_invalid() {
    // The vector blobs also prove keys the batch never touches (allowed by C22, see the
    // vectors' README): dropping one of those must change nothing, dropping a touched one
    // must name exactly that key.
    for v in vectors() {
        let touched = touched_keys(v.name);
        let keys: Vec<B256> = GuestInput::decode(&v.blob).unwrap().proofs.iter().map(|p| p.key).collect();
        assert!(touched.iter().all(|key| keys.contains(key)), "{}: the vector proves every touched key", v.name);
        let mut dropped_touched = 0;
        for (k, key) in keys.iter().enumerate() {
            let result = run_mutated(&v.blob, |input| {
                input.proofs.remove(k);
            });
            if touched.contains(key) {
                dropped_touched += 1;
                let error = invalid(result, "missing proof");
                assert_eq!(error, BatchError::State(StateError::MissingWitness { key: *key }), "{} proof {k}", v.name);
            } else {
                let output = result.unwrap_or_else(|e| panic!("{} proof {k} is of an untouched key: {e}", v.name));
                assert_eq!(output.public_inputs, v.expected, "{} proof {k}", v.name);
            }
        }
        assert!(dropped_touched > 5, "{}", v.name);
    }
    // The builder proves exactly the touched keys: every one of its proofs is needed.
    let book = book();
    let keys: Vec<B256> = GuestInput::decode(&book.blob).unwrap().proofs.iter().map(|p| p.key).collect();
    assert_eq!(keys.iter().copied().collect::<BTreeSet<_>>(), *book.report.touched.keys().unwrap());
    for (k, key) in keys.iter().enumerate() {
        let error = invalid(
            run_mutated(&book.blob, |input| {
                input.proofs.remove(k);
            }),
            "missing proof",
        );
        assert_eq!(error, BatchError::State(StateError::MissingWitness { key: *key }), "book proof {k}");
    }
}

#[test]
fn duplicate_proof_is_invalid() {
    for v in vectors() {
        let count = GuestInput::decode(&v.blob).unwrap().proofs.len();
        for k in 0..count {
            // Next to the original, and out of order at the end.
            for at in [k + 1, count] {
                let mut key = B256::ZERO;
                let error = invalid(
                    run_mutated(&v.blob, |input| {
                        let proof = input.proofs[k];
                        key = proof.key;
                        input.proofs.insert(at, proof);
                    }),
                    "duplicate proof",
                );
                assert_eq!(error, BatchError::DuplicateProof { key }, "{} proof {k} at {at}", v.name);
            }
        }
    }
}

#[test]
fn tampered_sibling_is_a_proof_mismatch() {
    for v in vectors() {
        let input = GuestInput::decode(&v.blob).unwrap();
        let layout = layout(&v.blob);
        for (k, (proof, (_, siblings))) in input.proofs.iter().zip(&layout.proofs).enumerate() {
            for sibling in [0usize, 1, 128, 254, 255] {
                let at = siblings + 32 * sibling + (sibling % 32);
                let error = invalid(run_bytes(&v.blob, |b| b[at] ^= 0x80), "tampered sibling");
                assert_eq!(
                    error,
                    BatchError::ProofMismatch { key: proof.key },
                    "{} proof {k} sibling {sibling}",
                    v.name
                );
            }
        }
    }
}

#[test]
fn tampered_value_is_a_proof_mismatch() {
    for v in vectors() {
        let input = GuestInput::decode(&v.blob).unwrap();
        let layout = layout(&v.blob);
        let mut present = 0;
        for (k, (proof, (value, _))) in input.proofs.iter().zip(&layout.proofs).enumerate() {
            let key = proof.key;
            let expected = BatchError::ProofMismatch { key };
            match proof.value {
                Some(bytes) => {
                    present += 1;
                    for at in [*value, *value + bytes.len() - 1] {
                        let error = invalid(run_bytes(&v.blob, |b| b[at] ^= 0x01), "tampered value");
                        assert_eq!(error, expected, "{} proof {k}", v.name);
                    }
                    // Claiming absence of a present key.
                    let error = invalid(run_mutated(&v.blob, |input| input.proofs[k].value = None), "absence");
                    assert_eq!(error, expected, "{} proof {k} claimed absent", v.name);
                }
                None => {
                    // Claiming presence of an absent key.
                    let error = invalid(
                        run_mutated(&v.blob, |input| input.proofs[k].value = Some(&[0, 0, 0, 0, 0, 0, 0, 1])),
                        "presence",
                    );
                    assert_eq!(error, expected, "{} proof {k} claimed present", v.name);
                }
            }
        }
        assert!(present > 0, "{}: some proven keys are present", v.name);
    }
}

#[test]
fn proofs_against_another_prev_root_do_not_verify() {
    for v in vectors() {
        let first = GuestInput::decode(&v.blob).unwrap().proofs[0].key;
        let error =
            invalid(run_mutated(&v.blob, |input| input.header.prev_root = flip(input.header.prev_root)), "root");
        assert_eq!(error, BatchError::ProofMismatch { key: first }, "{}", v.name);
    }
}

// ---------------------------------------------------------------------------------------------
// Tick hints (C17, C22, section E)
// ---------------------------------------------------------------------------------------------

#[test]
fn wrong_hints_on_a_linking_place_are_bad_tick_hints() {
    let book = book();
    let cases = [
        // The side's best (10000) is not "no better neighbour".
        (TickHints { prev: None, next: None }, HintError::PrevNotAdjacent),
        // 10000 is the better neighbour, but its next is 10020, not "none".
        (TickHints { prev: Some(10_000), next: None }, HintError::PrevNotAdjacent),
        (TickHints { prev: Some(10_000), next: Some(10_000) }, HintError::PrevNotAdjacent),
        // 10020 is active but worse than 10010.
        (TickHints { prev: Some(10_020), next: Some(10_020) }, HintError::PrevNotBetter(10_020)),
        // Best ask 10000 is named as the worse neighbour.
        (TickHints { prev: None, next: Some(10_000) }, HintError::NextNotWorse(10_000)),
        // The new tick itself is not active yet.
        (TickHints { prev: Some(10_010), next: Some(10_020) }, HintError::Inactive(10_010)),
    ];
    for (hints, reason) in cases {
        let error = invalid(run_mutated(&book.blob, |input| input.hints[LINKING] = hints), "wrong hints");
        assert_eq!(error, BatchError::BadTickHints { index: LINKING, reason }, "{hints:?}");
    }
}

#[test]
fn wrong_hints_on_linking_places_of_the_vectors_are_bad_tick_hints() {
    let mut linking = 0;
    for v in vectors() {
        let input = GuestInput::decode(&v.blob).unwrap();
        for (index, links) in v.new_tick.iter().enumerate() {
            if !links {
                continue;
            }
            linking += 1;
            let Message::Place(place) = input.messages[index].message else { panic!("only a Place links a tick") };
            // Either way the claim about the side's best (via MARKETBEST, always proven) is false.
            let wrong = match input.hints[index] {
                TickHints { prev: None, next: None } => TickHints { prev: None, next: Some(place.tick) },
                _ => TickHints { prev: None, next: None },
            };
            let error = invalid(run_mutated(&v.blob, |input| input.hints[index] = wrong), "wrong hints");
            assert_eq!(
                error,
                BatchError::BadTickHints { index, reason: HintError::PrevNotAdjacent },
                "{} message {index}",
                v.name
            );
        }
    }
    assert!(linking >= 5, "the vectors link new ticks");
}

#[test]
fn hints_of_a_place_that_links_no_tick_are_ignored() {
    let garbage = [
        TickHints { prev: Some(7), next: Some(-3) },
        TickHints { prev: Some(i32::MAX), next: None },
        TickHints { prev: None, next: Some(0) },
    ];
    let book = book();
    for index in NOT_LINKING {
        for hints in garbage {
            let output = run_mutated(&book.blob, |input| input.hints[index] = hints)
                .unwrap_or_else(|e| panic!("book message {index}: {e}"));
            assert_eq!(output.public_inputs, book.public_inputs, "book message {index}");
        }
    }
    let mut ignored = 0;
    for v in vectors() {
        let input = GuestInput::decode(&v.blob).unwrap();
        for (index, signed) in input.messages.iter().enumerate() {
            if v.new_tick[index] || !matches!(signed.message, Message::Place(_)) {
                continue;
            }
            ignored += 1;
            for hints in garbage {
                let output = run_mutated(&v.blob, |input| input.hints[index] = hints)
                    .unwrap_or_else(|e| panic!("{} message {index}: {e}", v.name));
                assert_eq!(output.public_inputs, v.expected, "{} message {index}", v.name);
            }
        }
    }
    assert!(ignored >= 5);
}

// ---------------------------------------------------------------------------------------------
// Unrelated keys are allowed (C22), so a correct extra proof changes nothing.
// ---------------------------------------------------------------------------------------------

#[test]
fn proofs_of_untouched_keys_are_allowed() {
    // Positive control for the proof checks: an extra, valid proof of a key the batch never
    // touches (a balance of an unknown owner, absent) leaves the output unchanged.
    let genesis = genesis();
    let t = traders();
    let mut state = genesis.state;
    let ctx = genesis.context;
    let extra_key = balance_key(&Address::repeat_byte(0x77), &ctx.rules.base_asset);
    let extra_siblings = state.prove(&extra_key).to_bytes();
    let built =
        build_batch(&mut state, &ctx, 1, 0, vec![sign(&ctx, &t[0].key, place(&t[0], 0, 1, SELL, GTC, 10_000, e18()))])
            .unwrap();
    let mut input = GuestInput::decode(&built.blob).unwrap();
    input.proofs.push(ProofEntry { key: extra_key, value: None, siblings: &extra_siblings });
    let blob = input.encode();
    assert_eq!(numo_guest::run(&blob).unwrap().public_inputs, built.public_inputs);
}

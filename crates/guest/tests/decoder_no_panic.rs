//! Property tests: the guest's decoders never panic, and the C22 encoding round-trips.
//!
//! The guest runs on bytes chosen by whoever submits a batch, and a batch-invalid input
//! (C11: short input, trailing bytes, unknown type bytes, bad hint flags, ...) must end in a
//! typed error, never in a panic (which in a zkVM is an unprovable abort, not a verdict).
//! These properties throw random byte strings, random tails behind a valid prefix, and
//! random byte flips, truncations, insertions and deletions of the spec vectors' valid
//! blobs at [`GuestInput::decode`], [`numo_guest::run`] and [`Message::decode`]. Whenever
//! a decoder accepts bytes, re-encoding must give back exactly those bytes (the encoding is
//! canonical: section G, C22), and structurally random inputs must survive
//! `decode(encode(x)) == x`.
//!
//! Case counts are kept small so that the file runs in a few seconds in a debug build; the
//! `fuzz/` targets explore the same entry points for longer.

use alloy_primitives::{hex, B256};
use numo_guest::{BatchHeader, GuestInput, ProofEntry};
use numo_smt::SIBLINGS_BYTES as PROOF_SIBLINGS_LEN;
use numo_stf::{MarketContext, Message, Rules, Signature, SignedMessage, TickHints};
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;

#[path = "../../../testing/byte_edits.rs"]
mod byte_edits;
use byte_edits::*;

const VECTORS: [&str; 3] = ["batch_1_plain_cross", "batch_2_rejects_and_cancel", "batch_3_multifill_fees_hints"];

/// Parts 1–3 of C22 and `U32 messageCount`: the first message starts here.
const MESSAGES_START: usize = 4 * 32 + 2 * 8 + 32 + 8 + 32 + 32 + 208 + 4;

/// The spec vectors' guest inputs, loaded once.
fn blobs() -> &'static [Vec<u8>] {
    static BLOBS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    BLOBS.get_or_init(|| {
        VECTORS
            .iter()
            .map(|name| {
                let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../../../shared/spec/vectors/batches")
                    .join(format!("{name}.json"));
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let json: serde_json::Value = serde_json::from_str(&text).unwrap();
                hex::decode(json["guestInput"].as_str().unwrap()).unwrap()
            })
            .collect()
    })
}

/// Everything the guest does with `bytes`: decode, and if that succeeds the encoding must be
/// the same bytes; then the whole guest. Neither may panic (proptest reports a panic as a
/// failure with the shrunk input).
fn check_guest(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(input) = GuestInput::decode(bytes) {
        prop_assert_eq!(input.encode(), bytes, "accepted bytes must re-encode to themselves");
    }
    let _ = numo_guest::run(bytes);
    Ok(())
}

/// `Message::decode` on `bytes`: no panic, and accepted bytes re-encode to themselves.
fn check_message(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(message) = Message::decode(bytes) {
        prop_assert_eq!(message.encode(), bytes);
        prop_assert_eq!(message.encoded_len(), bytes.len());
    }
    Ok(())
}

/// Edits that stay in the first `head` bytes (header, context, Rules, messages), where a
/// random position rarely lands in a blob that is mostly proof siblings.
fn head_edit(head: usize) -> impl Strategy<Value = Edit> {
    (0..head, 1..=u8::MAX).prop_map(|(at, mask)| Edit::Flip { at, mask })
}

fn signed_message() -> impl Strategy<Value = (SignedMessage, TickHints)> {
    (message(), prop::collection::vec(any::<u8>(), 65), any::<Option<i32>>(), any::<Option<i32>>()).prop_map(
        |(message, signature, prev, next)| {
            let hints = match message {
                Message::Place(_) => TickHints { prev, next },
                Message::Cancel(_) => TickHints::default(),
            };
            (SignedMessage { message, signature: Signature(signature.try_into().unwrap()) }, hints)
        },
    )
}

fn rules() -> impl Strategy<Value = Rules> {
    (b256(), b256(), u256(), u256(), u256(), any::<[u32; 4]>(), u256()).prop_map(
        |(base_asset, quote_asset, price_scale, tick_size, lot_size, small, max_balance)| Rules {
            base_asset,
            quote_asset,
            price_scale,
            tick_size,
            lot_size,
            taker_fee_bps: small[0],
            maker_fee_bps: small[1],
            max_orders_per_batch: small[2],
            max_matches_per_order: small[3],
            max_balance,
        },
    )
}

fn header() -> impl Strategy<Value = BatchHeader> {
    (b256(), b256(), b256(), b256(), any::<u64>(), any::<u64>(), b256()).prop_map(
        |(prev_root, batch_digest, rules_hash, domain_separator, batch_seq, batch_timestamp, da_commitment)| {
            BatchHeader {
                prev_root,
                batch_digest,
                rules_hash,
                domain_separator,
                batch_seq,
                batch_timestamp,
                da_commitment,
            }
        },
    )
}

/// Owned parts of a proof: key, value (`None` = absent; a present value is non-empty, since
/// `valueLen = 0` means absence, C22) and siblings.
type OwnedProof = (B256, Option<Vec<u8>>, Vec<u8>);

fn proof() -> impl Strategy<Value = OwnedProof> {
    (
        b256(),
        prop::option::of(prop::collection::vec(any::<u8>(), 1..120)),
        prop::collection::vec(any::<u8>(), PROOF_SIBLINGS_LEN),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..20_000)) {
        check_guest(&bytes)?;
        check_message(&bytes)?;
    }

    #[test]
    fn random_tail_after_a_valid_prefix_never_panics(
        which in 0..3usize,
        count in prop_oneof![0u32..4, any::<u32>()],
        tail in prop::collection::vec(any::<u8>(), 0..2_000),
    ) {
        // A valid header, context and Rules, then a chosen messageCount and random messages.
        let mut bytes = blobs()[which][..MESSAGES_START - 4].to_vec();
        bytes.extend_from_slice(&count.to_be_bytes());
        bytes.extend_from_slice(&tail);
        check_guest(&bytes)?;
    }

    #[test]
    fn edited_valid_blobs_never_panic(which in 0..3usize, edits in prop::collection::vec(edit(64), 1..4)) {
        let mut bytes = blobs()[which].clone();
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        check_guest(&bytes)?;
    }

    #[test]
    fn edits_in_the_head_of_valid_blobs_never_panic(
        which in 0..3usize,
        edits in prop::collection::vec(head_edit(3_000), 1..4),
    ) {
        let mut bytes = blobs()[which].clone();
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        check_guest(&bytes)?;
    }

    #[test]
    fn structured_inputs_round_trip(
        header in header(),
        chain_id in any::<u64>(),
        venue_id in b256(),
        market_id in b256(),
        rules in rules(),
        messages in prop::collection::vec(signed_message(), 0..5),
        proofs in prop::collection::vec(proof(), 0..3),
    ) {
        let context = MarketContext { chain_id, venue_id, market_id, rules };
        let (messages, hints): (Vec<SignedMessage>, Vec<TickHints>) = messages.into_iter().unzip();
        let proofs: Vec<ProofEntry<'_>> = proofs
            .iter()
            .map(|(key, value, siblings)| ProofEntry { key: *key, value: value.as_deref(), siblings })
            .collect();
        let input = GuestInput { header, context, messages, hints, proofs };
        let bytes = input.encode();
        let decoded = GuestInput::decode(&bytes);
        prop_assert_eq!(decoded.as_ref(), Ok(&input));
        prop_assert_eq!(decoded.unwrap().encode(), bytes.clone());
        // Random signatures and Rules: the guest refuses, without panicking.
        let _ = numo_guest::run(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_message_bytes_never_panic(
        type_byte in prop_oneof![Just(1u8), Just(2u8), any::<u8>()],
        rest in prop::collection::vec(any::<u8>(), 0..130),
    ) {
        let mut bytes = vec![type_byte];
        bytes.extend_from_slice(&rest);
        check_message(&bytes)?;
    }

    #[test]
    fn messages_round_trip(message in message()) {
        let bytes = message.encode();
        prop_assert_eq!(bytes.len(), message.encoded_len());
        prop_assert_eq!(Message::decode(&bytes), Ok(message));
        // Any strict prefix is short input, any extension is trailing bytes.
        for len in 0..bytes.len() {
            prop_assert!(Message::decode(&bytes[..len]).is_err());
        }
        let mut longer = bytes.clone();
        longer.push(0);
        prop_assert!(Message::decode(&longer).is_err());
    }
}

#[test]
fn vector_blobs_round_trip() {
    for blob in blobs() {
        let input = GuestInput::decode(blob).expect("vector blobs decode");
        assert_eq!(&input.encode(), blob);
        numo_guest::run(blob).expect("vector blobs are valid");
    }
}

//! Property tests: the node's binary store records — [`StoredBatch::decode`],
//! [`AdmissionEntry::decode`], and the API indexes' candles, fill and order rows — never panic,
//! and what they accept is canonical.
//!
//! The store reads batch records back on every API read and in `numo replay`, and admission-log
//! entries on restart; a damaged or foreign data dir must surface as a typed error (the store
//! reports it as corrupt), never as a panic in a request handler or a node that cannot start.
//! These properties throw random byte strings, random tails behind the version byte, and random
//! byte flips, truncations, insertions and deletions of valid records at the decoders. Whenever
//! one accepts bytes, re-encoding must give back exactly those bytes, and structurally random
//! records must survive `decode(encode(x)) == x`.
//!
//! The `fuzz/` target `node_records` explores the same entry points for longer.

use numo_node::records::AdmissionEntry;
use numo_node::stored::{StoredBatch, StoredMessage, BATCH_RECORD_VERSION};
use numo_stf::records::Trade;
use numo_stf::{MessageOutcome, PlaceSummary, PublicInputs, RejectReason, Side, Signature, SignedMessage};
use proptest::prelude::*;

#[path = "../../../testing/byte_edits.rs"]
mod byte_edits;
use byte_edits::*;

/// Both decoders on `bytes`: no panic, and accepted bytes re-encode to themselves.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(batch) = StoredBatch::decode(bytes) {
        prop_assert_eq!(batch.encode(), bytes, "an accepted record must re-encode to itself");
        // The API view is rendered from any record the store accepts: it must not panic either.
        let _ = batch.to_record(0);
    }
    if let Ok(entry) = AdmissionEntry::decode(1, bytes) {
        prop_assert_eq!(entry.encode(), bytes, "an accepted admission entry must re-encode to itself");
    }
    // The API's indexes (candles, account fills and orders) are read back on every request.
    if let Ok(candle) = numo_node::candles::Candle::decode(bytes) {
        prop_assert_eq!(candle.encode(), bytes, "an accepted candle must re-encode to itself");
    }
    let fill_key = [0u8; numo_node::history::FILL_KEY_LEN];
    if let Ok(fill) = numo_node::history::AccountFill::decode(&fill_key, bytes) {
        prop_assert_eq!(fill.encode_value(), bytes, "an accepted fill row must re-encode to itself");
    }
    let order_key = [0u8; numo_node::history::ORDER_KEY_LEN];
    if let Ok(row) = numo_node::history::OrderRow::decode(&order_key, bytes) {
        prop_assert_eq!(row.encode_value(), bytes, "an accepted order row must re-encode to itself");
    }
    Ok(())
}

fn outcome() -> impl Strategy<Value = MessageOutcome> {
    let placed = (u256(), u256(), u256(), any::<u32>(), any::<bool>()).prop_map(
        |(filled, rested, cancelled, fills, new_tick)| {
            MessageOutcome::Placed(PlaceSummary { filled, rested, cancelled, fills, new_tick })
        },
    );
    let cancelled =
        (u256(), u256()).prop_map(|(released, remaining)| MessageOutcome::Cancelled { released, remaining });
    let rejected = prop::sample::select(RejectReason::ALL.to_vec()).prop_map(MessageOutcome::Rejected);
    prop_oneof![placed, cancelled, rejected]
}

fn stored_message() -> impl Strategy<Value = StoredMessage> {
    (any::<u64>(), any::<u64>(), message(), prop::collection::vec(any::<u8>(), 65), b256(), outcome()).prop_map(
        |(global_index, mempool_seq, message, signature, msg_hash, outcome)| StoredMessage {
            global_index,
            mempool_seq,
            signed: SignedMessage { message, signature: Signature(signature.try_into().unwrap()) },
            msg_hash,
            outcome,
        },
    )
}

fn trade() -> impl Strategy<Value = (u64, Trade)> {
    (any::<u64>(), b256(), b256(), b256(), address(), address(), any::<bool>(), any::<i32>(), u256(), u256(), u256())
        .prop_map(
            |(index, market_id, maker_order_id, taker_order_id, maker, taker, sell, maker_tick, qty, quote, fee)| {
                let trade = Trade {
                    market_id,
                    maker_order_id,
                    taker_order_id,
                    maker,
                    taker,
                    taker_side: if sell { Side::Sell } else { Side::Buy },
                    maker_tick,
                    qty,
                    quote_amount: quote,
                    taker_fee: fee,
                };
                (index, trade)
            },
        )
}

fn admission_entry() -> impl Strategy<Value = AdmissionEntry> {
    (any::<u64>(), b256(), any::<u64>(), any::<u64>(), message(), prop::collection::vec(any::<u8>(), 65)).prop_map(
        |(seq, market_id, admitted_ms, lamport, message, signature)| AdmissionEntry {
            seq,
            market_id,
            admitted_ms,
            lamport,
            signed: SignedMessage { message, signature: Signature(signature.try_into().unwrap()) },
        },
    )
}

fn stored_batch() -> impl Strategy<Value = StoredBatch> {
    (
        any::<u64>(),
        any::<u64>(),
        b256(),
        prop::collection::vec(any::<u8>(), numo_stf::limits::PUBLIC_INPUTS_LEN),
        b256(),
        b256(),
        prop::collection::vec(stored_message(), 0..4),
        prop::collection::vec(trade(), 0..3),
    )
        .prop_map(|(batch_seq, block_height, market_id, public_inputs, prev_root, new_root, messages, trades)| {
            StoredBatch {
                batch_seq,
                block_height,
                market_id,
                public_inputs: PublicInputs::decode(&public_inputs).unwrap(),
                prev_root,
                new_root,
                messages,
                trades,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
        check(&bytes)?;
    }

    #[test]
    fn random_tail_after_the_version_byte_never_panics(
        rest in prop::collection::vec(any::<u8>(), 0..2_000),
    ) {
        let mut bytes = vec![BATCH_RECORD_VERSION];
        bytes.extend_from_slice(&rest);
        check(&bytes)?;
    }

    #[test]
    fn edited_records_never_panic(batch in stored_batch(), edits in prop::collection::vec(edit(16), 1..4)) {
        let mut bytes = batch.encode();
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        check(&bytes)?;
    }

    #[test]
    fn edited_admission_entries_never_panic(entry in admission_entry(), edits in prop::collection::vec(edit(16), 1..4)) {
        let mut bytes = entry.encode();
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        check(&bytes)?;
    }

    #[test]
    fn admission_entries_round_trip(entry in admission_entry()) {
        // The sequence number is the log's key, not part of the value.
        let bytes = entry.encode();
        prop_assert_eq!(AdmissionEntry::decode(entry.seq, &bytes), Ok(entry));
        for len in 0..bytes.len() {
            prop_assert!(AdmissionEntry::decode(0, &bytes[..len]).is_err());
        }
        let mut longer = bytes;
        longer.push(0);
        prop_assert!(AdmissionEntry::decode(0, &longer).is_err());
    }

    #[test]
    fn records_round_trip(batch in stored_batch()) {
        let bytes = batch.encode();
        prop_assert_eq!(bytes[0], BATCH_RECORD_VERSION);
        prop_assert_eq!(StoredBatch::decode(&bytes), Ok(batch));
        // Any strict prefix is short input, any extension is trailing bytes.
        for len in 0..bytes.len() {
            prop_assert!(StoredBatch::decode(&bytes[..len]).is_err());
        }
        let mut longer = bytes;
        longer.push(0);
        prop_assert!(StoredBatch::decode(&longer).is_err());
    }
}

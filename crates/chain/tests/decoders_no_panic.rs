//! Property tests: the chain's binary decoders never panic, and what they accept is canonical.
//!
//! [`Entry::decode`] and [`Proposal::decode`] read bytes a peer proposer or a replayed data dir
//! hands in, [`BlockHeader::decode_record`] reads the store; a malformed record must end in a
//! typed error, never in a panic that takes the node (or a validator) down. These properties
//! throw random byte strings, random tails behind a valid version byte, and random byte flips,
//! truncations, insertions and deletions of valid encodings at the three decoders. Whenever a
//! decoder accepts bytes, re-encoding must give back exactly those bytes (the encodings are
//! strict: one value, one encoding), and structurally random values must survive
//! `decode(encode(x)) == x`.
//!
//! Case counts are kept small so that the file runs in a few seconds in a debug build; the
//! `fuzz/` target `chain_records` explores the same entry points for longer.

use alloy_primitives::{keccak256, B256};
use numo_chain::header::HEADER_RECORD_VERSION;
use numo_chain::proposal::PROPOSAL_RECORD_VERSION;
use numo_chain::{BlockHeader, Entry, Proposal};
use numo_funding::{Deposit, ForcedWithdrawal, FundingMessage, SignedWithdraw, Withdraw};
use numo_stf::{Signature, SignedMessage};
use proptest::prelude::*;

#[path = "../../../testing/byte_edits.rs"]
mod byte_edits;
use byte_edits::*;

/// `Entry::decode`: no panic, and accepted bytes re-encode to themselves.
fn check_entry(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(entry) = Entry::decode(bytes) {
        prop_assert_eq!(entry.encode(), bytes, "an accepted entry must re-encode to itself");
        prop_assert_eq!(entry.encoded_len(), bytes.len());
    }
    Ok(())
}

/// `Proposal::decode`: no panic, and accepted bytes re-encode to themselves.
fn check_proposal(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(proposal) = Proposal::decode(bytes) {
        prop_assert_eq!(proposal.encode(), bytes, "an accepted proposal must re-encode to itself");
    }
    Ok(())
}

/// `BlockHeader::decode_record`: no panic, accepted bytes re-encode to themselves, and the hash
/// it recomputes is N5's `keccak256(U64 height ‖ parentHash ‖ U64 timestampMs ‖ stateRoot ‖
/// batchesRoot)`, written out here independently of the crate.
fn check_header(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(header) = BlockHeader::decode_record(bytes) {
        prop_assert_eq!(header.encode_record(), bytes, "an accepted header must re-encode to itself");
        let mut preimage = Vec::with_capacity(112);
        preimage.extend_from_slice(&header.height.to_be_bytes());
        preimage.extend_from_slice(header.parent_hash.as_slice());
        preimage.extend_from_slice(&header.timestamp_ms.to_be_bytes());
        preimage.extend_from_slice(header.state_root.as_slice());
        preimage.extend_from_slice(header.batches_root.as_slice());
        prop_assert_eq!(header.hash, keccak256(&preimage));
    }
    Ok(())
}

fn check_all(bytes: &[u8]) -> Result<(), TestCaseError> {
    check_entry(bytes)?;
    check_proposal(bytes)?;
    check_header(bytes)
}

fn clob_entry() -> impl Strategy<Value = Entry> {
    (b256(), message(), prop::collection::vec(any::<u8>(), 65)).prop_map(|(market_id, message, signature)| {
        Entry::clob(market_id, SignedMessage { message, signature: Signature(signature.try_into().unwrap()) })
    })
}

/// A funding entry (kind 0x02, F3) of any of the three F2 types with arbitrary fields.
fn funding_entry() -> impl Strategy<Value = Entry> {
    let withdraw = (address(), any::<u64>(), b256(), u256(), address(), prop::collection::vec(any::<u8>(), 65))
        .prop_map(|(owner, nonce, asset_id, amount, recipient, signature)| {
            FundingMessage::Withdraw(SignedWithdraw {
                withdraw: Withdraw { owner, nonce, asset_id, amount, recipient },
                signature: Signature(signature.try_into().unwrap()),
            })
        });
    let deposit =
        (any::<u64>(), b256(), address(), address(), u256()).prop_map(|(index, asset_id, from, to, amount)| {
            FundingMessage::Deposit(Deposit { index, asset_id, from, to, amount })
        });
    let forced = (any::<u64>(), address(), b256(), u256()).prop_map(|(index, owner, asset_id, amount)| {
        FundingMessage::Forced(ForcedWithdrawal { index, owner, asset_id, amount })
    });
    prop_oneof![withdraw, deposit, forced].prop_map(Entry::Funding)
}

fn entry() -> impl Strategy<Value = Entry> {
    prop_oneof![clob_entry(), funding_entry()]
}

fn proposal() -> impl Strategy<Value = Proposal> {
    (any::<u64>(), any::<u64>(), prop::collection::vec(entry(), 0..6))
        .prop_map(|(height, timestamp_ms, entries)| Proposal { height, timestamp_ms, entries })
}

/// A header with arbitrary fields; its hash is whatever decoding the record recomputes.
fn header() -> impl Strategy<Value = BlockHeader> {
    (any::<u64>(), b256(), any::<u64>(), b256(), b256(), prop::collection::vec(any::<u64>(), 0..8)).prop_map(
        |(height, parent_hash, timestamp_ms, state_root, batches_root, batch_seqs)| {
            let header = BlockHeader {
                height,
                parent_hash,
                timestamp_ms,
                state_root,
                batches_root,
                batch_seqs,
                hash: B256::ZERO,
            };
            BlockHeader::decode_record(&header.encode_record()).expect("a header record decodes")
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_all(&bytes)?;
    }

    #[test]
    fn random_tail_after_a_valid_lead_byte_never_panics(
        lead in prop_oneof![Just(0x01u8), Just(0x02), Just(0x03), any::<u8>()],
        funding_type in prop_oneof![Just(0x03u8), Just(0x04), Just(0x06), any::<u8>()],
        rest in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        // 0x01 is the CLOB kind byte and both record versions, 0x02 the funding kind (its
        // payload starts with a funding type byte), 0x03 the EVM kind (its payload a transaction).
        let mut bytes = vec![lead];
        bytes.extend_from_slice(&rest);
        check_all(&bytes)?;
        let mut funding = vec![0x02, funding_type];
        funding.extend_from_slice(&rest);
        check_all(&funding)?;
    }

    #[test]
    fn proposals_with_random_entry_frames_never_panic(
        height in any::<u64>(),
        count in prop_oneof![0u32..4, any::<u32>()],
        frames in prop::collection::vec((prop_oneof![0u32..200, any::<u32>()], prop::collection::vec(any::<u8>(), 0..200)), 0..4),
    ) {
        // A valid version, height and time, then a chosen entry count and random length-prefixed frames.
        let mut bytes = vec![PROPOSAL_RECORD_VERSION];
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&height.wrapping_mul(3).to_be_bytes());
        bytes.extend_from_slice(&count.to_be_bytes());
        for (len, body) in &frames {
            bytes.extend_from_slice(&len.to_be_bytes());
            bytes.extend_from_slice(body);
        }
        check_proposal(&bytes)?;
    }

    #[test]
    fn edited_entries_never_panic(entry in entry(), edits in prop::collection::vec(edit(16), 1..4)) {
        let mut bytes = entry.encode();
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        check_all(&bytes)?;
    }

    #[test]
    fn edited_proposals_never_panic(proposal in proposal(), edits in prop::collection::vec(edit(16), 1..4)) {
        let mut bytes = proposal.encode();
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        check_all(&bytes)?;
    }

    #[test]
    fn edited_headers_never_panic(header in header(), edits in prop::collection::vec(edit(16), 1..4)) {
        let mut bytes = header.encode_record();
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        check_all(&bytes)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn entries_round_trip(entry in entry()) {
        let bytes = entry.encode();
        prop_assert_eq!(bytes.len(), entry.encoded_len());
        prop_assert_eq!(Entry::decode(&bytes), Ok(entry));
        // Any strict prefix is short input, any extension is trailing bytes.
        for len in 0..bytes.len() {
            prop_assert!(Entry::decode(&bytes[..len]).is_err());
        }
        let mut longer = bytes;
        longer.push(0);
        prop_assert!(Entry::decode(&longer).is_err());
    }

    #[test]
    fn proposals_round_trip(proposal in proposal()) {
        let bytes = proposal.encode();
        prop_assert_eq!(Proposal::decode(&bytes), Ok(proposal));
        for len in 0..bytes.len() {
            prop_assert!(Proposal::decode(&bytes[..len]).is_err());
        }
        let mut longer = bytes;
        longer.push(0);
        prop_assert!(Proposal::decode(&longer).is_err());
    }

    #[test]
    fn headers_round_trip(header in header()) {
        let bytes = header.encode_record();
        prop_assert_eq!(bytes[0], HEADER_RECORD_VERSION);
        prop_assert_eq!(BlockHeader::decode_record(&bytes), Ok(header));
        for len in 0..bytes.len() {
            prop_assert!(BlockHeader::decode_record(&bytes[..len]).is_err());
        }
        let mut longer = bytes;
        longer.push(0);
        prop_assert!(BlockHeader::decode_record(&longer).is_err());
    }

    #[test]
    fn header_hash_matches_block_header_new(
        height in any::<u64>(),
        parent_hash in b256(),
        timestamp_ms in any::<u64>(),
        state_root in b256(),
        public_inputs in prop::collection::vec(prop::collection::vec(any::<u8>(), 272), 0..3),
        batch_seqs in prop::collection::vec(any::<u64>(), 0..3),
    ) {
        // A header built the way the block function builds it decodes from its record unchanged.
        let header = BlockHeader::new(height, parent_hash, timestamp_ms, state_root, &public_inputs, batch_seqs);
        prop_assert_eq!(BlockHeader::decode_record(&header.encode_record()), Ok(header));
    }
}

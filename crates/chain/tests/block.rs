//! The block function: determinism across independent state copies, the guest agreeing with
//! every batch it makes, the proposal checks, and the deterministic dropping of entries that
//! cannot execute.

use alloy_primitives::B256;
use numo_chain::block::DropReason;
use numo_chain::{execute_block, BlockError, BlockOptions, BlockOutput, ChainTip, Entry, Proposal, Venue};
use numo_host::deep_book::DeepBook;
use numo_host::{witness, FullState};
use numo_stf::SignedMessage;
use std::sync::OnceLock;

/// A deep-book venue at its tip, and a proposal of `count` messages of its market. Each call
/// gives a fresh, independent copy of the state (rebuilt from its entries).
fn scenario(count: usize) -> (Venue, FullState, ChainTip, Proposal) {
    type Built = (Venue, Vec<(B256, Vec<u8>)>, ChainTip, Vec<SignedMessage>, B256);
    static BUILT: OnceLock<Built> = OnceLock::new();
    let (venue, entries, tip, messages, market) = BUILT.get_or_init(|| {
        let (mut book, state) = DeepBook::new();
        let mut messages = book.batch(128);
        messages.extend(book.batch(64));
        let tip = ChainTip { next_batch_seq: book.seq, ..ChainTip::genesis(state.root()) };
        let entries = state.entries().map(|(k, v)| (*k, v.clone())).collect();
        (Venue::new([book.ctx]), entries, tip, messages, book.ctx.market_id)
    });
    let entries_in = messages[..count].iter().map(|signed| Entry::clob(*market, *signed)).collect();
    let state = FullState::from_entries(entries.clone());
    (venue.clone(), state, *tip, Proposal { height: 1, timestamp_ms: 1_795_000_000_000, entries: entries_in })
}

/// Everything a block output commits to, as bytes.
fn output_bytes(output: &BlockOutput) -> Vec<Vec<u8>> {
    let mut out = vec![output.header.encode_record(), output.header.hash.to_vec()];
    for batch in &output.batches {
        out.push(batch.public_inputs.to_vec());
        out.push(batch.witness.clone());
        out.push(format!("{:?} {:?} {:?}", batch.entries, batch.report.outcomes, batch.report.trades).into_bytes());
        out.push(batch.report.touched.digest().to_vec());
    }
    for (key, value) in &output.state_writes {
        out.push(key.to_vec());
        out.push(value.clone().unwrap_or_default());
    }
    out.push(format!("{:?} {:?}", output.dropped, output.tip).into_bytes());
    out
}

#[test]
fn the_same_proposal_on_two_independent_states_gives_byte_identical_blocks() {
    let (venue, mut first, tip, proposal) = scenario(192);
    let (_, mut second, _, _) = scenario(192);
    let a = execute_block(&venue, &mut first, &tip, &proposal, BlockOptions::VERIFYING).unwrap();
    let b = execute_block(&venue, &mut second, &tip, &proposal, BlockOptions::VERIFYING).unwrap();
    assert_eq!(output_bytes(&a), output_bytes(&b));
    assert_eq!(first.root(), second.root());
    assert_eq!(a.header.state_root, first.root());
    // 192 messages of one market with maxOrdersPerBatch 128: two batches, numbered on.
    assert_eq!(a.batches.len(), 2);
    assert_eq!(a.header.batch_seqs, vec![tip.next_batch_seq, tip.next_batch_seq + 1]);
    assert_eq!(a.batches[1].first_global_index, 128);
    assert_eq!(a.tip.next_global_index, 192);
    assert!(a.batches.iter().all(|b| !b.report.trades.is_empty()), "the deep book trades");
    // The trusted-admission path builds the same block.
    let (_, mut third, _, _) = scenario(192);
    let c = execute_block(&venue, &mut third, &tip, &proposal, BlockOptions::ADMITTED).unwrap();
    assert_eq!(output_bytes(&a), output_bytes(&c));
}

#[test]
fn every_batch_of_a_block_re_executes_in_the_guest() {
    let (venue, mut state, tip, proposal) = scenario(160);
    let output = execute_block(&venue, &mut state, &tip, &proposal, BlockOptions::VERIFYING).unwrap();
    let mut root = tip.state_root;
    for batch in &output.batches {
        assert_eq!(batch.prev_root, root);
        let blob = witness::expand(&batch.witness).unwrap();
        let guest = numo_guest::run(&blob).unwrap();
        assert_eq!(guest.public_inputs, batch.public_inputs);
        assert_eq!(guest.report.touched.digest(), batch.report.touched.digest());
        root = batch.public_inputs.new_root;
    }
    assert_eq!(root, output.header.state_root);
}

#[test]
fn a_proposal_for_another_height_time_or_state_changes_nothing() {
    let (venue, mut state, tip, proposal) = scenario(8);
    let root = state.root();
    let wrong_height = Proposal { height: 2, ..proposal.clone() };
    assert_eq!(
        execute_block(&venue, &mut state, &tip, &wrong_height, BlockOptions::VERIFYING).unwrap_err(),
        BlockError::Height { expected: 1, got: 2 }
    );
    let parent = ChainTip { timestamp_ms: proposal.timestamp_ms + 1, ..tip };
    let err = execute_block(&venue, &mut state, &parent, &proposal, BlockOptions::VERIFYING).unwrap_err();
    assert_eq!(err.code(), "timestamp_backwards");
    let elsewhere = ChainTip { state_root: B256::repeat_byte(1), ..tip };
    let err = execute_block(&venue, &mut state, &elsewhere, &proposal, BlockOptions::VERIFYING).unwrap_err();
    assert_eq!(err.code(), "wrong_state");
    assert_eq!(state.root(), root);
    // A proposal at the parent's own timestamp is fine (time may stand still, not go back).
    let same_time = ChainTip { timestamp_ms: proposal.timestamp_ms, ..tip };
    assert!(execute_block(&venue, &mut state, &same_time, &proposal, BlockOptions::VERIFYING).is_ok());
}

#[test]
fn entries_that_cannot_execute_are_dropped_the_same_way_everywhere() {
    let (venue, mut state, tip, mut proposal) = scenario(8);
    let market = venue.markets.keys().next().copied().unwrap();
    // An unknown market, and a forged signature in the real market: the whole chunk of that
    // market is batch-invalid (C11), so it is dropped and consumes no batchSeq.
    let Entry::Clob(first) = proposal.entries[0] else { panic!("the scenario makes CLOB entries") };
    proposal.entries.push(Entry::clob(B256::repeat_byte(0xee), first.signed));
    let mut forged: SignedMessage = first.signed;
    forged.signature.0[10] ^= 1;
    proposal.entries[0] = Entry::clob(market, forged);
    let before = state.root();
    let output = execute_block(&venue, &mut state, &tip, &proposal, BlockOptions::VERIFYING).unwrap();
    assert!(output.batches.is_empty());
    assert_eq!(output.dropped.len(), 2);
    let codes: Vec<&str> = output.dropped.iter().map(|d| d.reason.code()).collect();
    assert!(codes.contains(&"unknown_market") && codes.contains(&"bad_signature"), "{codes:?}");
    let unknown = output.dropped.iter().find(|d| d.reason == DropReason::UnknownMarket).unwrap();
    assert_eq!(unknown.entries, vec![8]);
    assert_eq!(output.tip.next_batch_seq, tip.next_batch_seq);
    assert_eq!(output.tip.next_global_index, tip.next_global_index);
    assert_eq!(state.root(), before);
    assert_eq!(output.header.state_root, before);
}

#[test]
fn proposals_round_trip_through_their_record() {
    let (_, _, _, proposal) = scenario(40);
    let bytes = proposal.encode();
    assert_eq!(Proposal::decode(&bytes), Ok(proposal.clone()));
    let mut foreign = bytes.clone();
    foreign[0] = 2;
    assert!(Proposal::decode(&foreign).unwrap_err().to_string().contains("version 2"));
    let mut bad_entry = bytes.clone();
    bad_entry[1 + 8 + 8 + 4 + 4] = 0x03; // the first entry's kind byte: EVM, whose payload is no transaction
    assert_eq!(Proposal::decode(&bad_entry).unwrap_err().to_string(), "entry 0: malformed EVM transaction");
    assert!(Proposal::decode(&bytes[..bytes.len() - 1]).is_err());
}

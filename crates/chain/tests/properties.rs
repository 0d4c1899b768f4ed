//! Properties of the block function over random proposals of a deep-book market: two
//! independent nodes given the same proposals agree on every header, and how a proposer splits
//! one market's messages into blocks does not change the state they lead to (batches are
//! applied in order, C19; blocks only group them).

use alloy_primitives::B256;
use numo_chain::{execute_block, BlockOptions, ChainTip, Entry, Proposal, Venue};
use numo_host::deep_book::DeepBook;
use numo_host::FullState;
use numo_stf::SignedMessage;
use proptest::prelude::*;
use std::sync::OnceLock;

struct Fixture {
    venue: Venue,
    entries: Vec<(B256, Vec<u8>)>,
    tip: ChainTip,
    market: B256,
    messages: Vec<SignedMessage>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let (mut book, state) = DeepBook::new();
        let messages = book.batch(64);
        let tip = ChainTip { next_batch_seq: book.seq, ..ChainTip::genesis(state.root()) };
        let entries = state.entries().map(|(k, v)| (*k, v.clone())).collect();
        Fixture { venue: Venue::new([book.ctx]), entries, tip, market: book.ctx.market_id, messages }
    })
}

/// Runs `messages` cut at `cuts` as consecutive blocks (1 s apart) on a fresh copy of the state.
fn run(messages: &[SignedMessage], cuts: &[usize]) -> (Vec<B256>, B256) {
    let f = fixture();
    let mut state = FullState::from_entries(f.entries.clone());
    let mut tip = f.tip;
    let mut hashes = Vec::new();
    let mut start = 0;
    for end in cuts.iter().copied().chain([messages.len()]) {
        let entries = messages[start..end].iter().map(|s| Entry::clob(f.market, *s)).collect();
        let proposal = Proposal { height: tip.height + 1, timestamp_ms: 1_000 * (tip.height + 1), entries };
        let output = execute_block(&f.venue, &mut state, &tip, &proposal, BlockOptions::VERIFYING).unwrap();
        hashes.push(output.header.hash);
        tip = output.tip;
        start = end;
    }
    (hashes, state.root())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn independent_nodes_agree_and_block_boundaries_do_not_change_the_state(
        len in 1usize..=64,
        raw_cuts in proptest::collection::vec(0usize..=64, 0..4),
    ) {
        let messages = &fixture().messages[..len];
        let mut cuts: Vec<usize> = raw_cuts.into_iter().map(|c| c.min(len)).collect();
        cuts.sort_unstable();
        let (hashes_a, root_a) = run(messages, &cuts);
        let (hashes_b, root_b) = run(messages, &cuts);
        prop_assert_eq!(&hashes_a, &hashes_b);
        prop_assert_eq!(root_a, root_b);
        let (_, root_one_block) = run(messages, &[]);
        prop_assert_eq!(root_a, root_one_block);
    }
}

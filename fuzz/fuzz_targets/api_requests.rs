//! Fuzz target: the node's parsers of untrusted request bodies, on arbitrary bytes.
//!
//! `POST /v1/messages` bodies (canonical and friendly forms, `submission::parse`) and WebSocket
//! request frames (`stream::protocol::parse`) never panic: every input is a value or an error
//! with a code. A submission that parses re-encodes to a message that decodes to itself.

#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use numo_node::genesis::{MarketSpec, VenueGenesis};
use numo_stf::Message;

fn markets() -> &'static BTreeMap<alloy_primitives::B256, MarketSpec> {
    static MARKETS: OnceLock<BTreeMap<alloy_primitives::B256, MarketSpec>> = OnceLock::new();
    MARKETS.get_or_init(|| VenueGenesis::dev().markets.into_iter().map(|m| (m.context.market_id, m)).collect())
}

fuzz_target!(|data: &[u8]| {
    if let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) {
        match numo_node::submission::parse(markets(), &body) {
            Ok(submission) => {
                let bytes = submission.signed.message.encode();
                assert_eq!(Message::decode(&bytes), Ok(submission.signed.message));
            }
            Err(refusal) => assert!((400..500).contains(&refusal.status), "{refusal:?}"),
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = numo_node::stream::protocol::parse(markets(), text);
    }
});

//! The node's view of consensus (docs/CONSENSUS.md): what `/health` and `/metrics` show of the
//! BFT engine — height, round, proposer, peers — and the decide latency. The engine itself is
//! `numo_consensus` (Malachite); [`crate::consensus_app`] is the node's side of it.

use alloy_primitives::Address;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

/// Live consensus facts, updated by the engine's callbacks.
#[derive(Debug, Default)]
pub struct ConsensusLink {
    /// Height being decided.
    pub height: AtomicU64,
    /// Round of that height.
    pub round: AtomicU64,
    /// Connected consensus peers.
    pub peers: AtomicU64,
    /// Connected mempool peers.
    pub mempool_peers: AtomicU64,
    /// Proposer of the current round.
    pub proposer: Mutex<Option<Address>>,
    /// Whether this node votes (a validator) or only follows.
    pub validator: bool,
    /// Milliseconds from a height's first round to its commit, last height.
    pub last_decide_ms: AtomicU64,
    /// Sum and count of decide latencies, for the mean in `/metrics`.
    pub decide_ms_sum: AtomicU64,
    /// Heights committed through consensus (including synced ones).
    pub decided: AtomicU64,
    /// Proposals this node refused (K3), by any code.
    pub refused_proposals: AtomicU64,
}

impl ConsensusLink {
    /// A link for a validator (`true`) or a follower.
    pub fn new(validator: bool) -> Self {
        Self { validator, ..Self::default() }
    }

    /// Records a committed height and its decide latency.
    pub fn record_decide(&self, ms: u64) {
        self.last_decide_ms.store(ms, Relaxed);
        self.decide_ms_sum.fetch_add(ms, Relaxed);
        self.decided.fetch_add(1, Relaxed);
    }

    /// The `/health` fields.
    pub fn health(&self) -> serde_json::Value {
        serde_json::json!({
            "role": if self.validator { "validator" } else { "follower" },
            "height": self.height.load(Relaxed),
            "round": self.round.load(Relaxed),
            "proposer": *self.proposer.lock().expect("proposer lock"),
            "peers": self.peers.load(Relaxed),
            "mempoolPeers": self.mempool_peers.load(Relaxed),
            "lastDecideMs": self.last_decide_ms.load(Relaxed),
        })
    }

    /// The `/metrics` lines.
    pub fn render(&self, out: &mut String) {
        use std::fmt::Write;
        let decided = self.decided.load(Relaxed);
        let _ = writeln!(out, "numo_consensus_height {}", self.height.load(Relaxed));
        let _ = writeln!(out, "numo_consensus_round {}", self.round.load(Relaxed));
        let _ = writeln!(out, "numo_consensus_peers {}", self.peers.load(Relaxed));
        let _ = writeln!(out, "numo_mempool_peers {}", self.mempool_peers.load(Relaxed));
        let _ = writeln!(out, "numo_consensus_decided_total {decided}");
        let _ = writeln!(out, "numo_consensus_last_decide_ms {}", self.last_decide_ms.load(Relaxed));
        let _ = writeln!(out, "numo_consensus_decide_ms_sum {}", self.decide_ms_sum.load(Relaxed));
        let _ = writeln!(out, "numo_consensus_refused_proposals_total {}", self.refused_proposals.load(Relaxed));
    }
}

/// The JSON of a stored certificate (K5): height, round, value id and each validator's
/// precommit signature, plus the encoded bytes for tools that verify it themselves.
pub fn certificate_json(bytes: &[u8]) -> serde_json::Value {
    use alloy_primitives::hex;
    match numo_consensus::Certificate::decode(bytes) {
        Ok(certificate) => serde_json::json!({
            "height": certificate.height,
            "round": certificate.round,
            "valueId": certificate.value_id,
            "signatures": certificate.signatures.iter().map(|s| serde_json::json!({
                "validator": s.validator,
                "signature": hex::encode_prefixed(s.signature),
            })).collect::<Vec<_>>(),
            "encoded": hex::encode_prefixed(bytes),
        }),
        // The store only holds what this node encoded; say so rather than fail the block view.
        Err(error) => serde_json::json!({ "error": error.to_string(), "encoded": hex::encode_prefixed(bytes) }),
    }
}

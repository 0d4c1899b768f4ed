//! What a node configures, and the Malachite configuration numo derives from it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use malachitebft_app_channel::app::config::{
    self as mal, DiscoveryConfig, NodeConfig, P2pConfig, PubSubProtocol, ValuePayload, ValueSyncConfig,
};
use malachitebft_app_channel::app::net::Multiaddr;
use malachitebft_app_channel::app::types::core::LinearTimeouts;

use crate::keys::ValidatorKey;
use crate::stream::CHUNK_BYTES;
use crate::validators::ValidatorSet;

/// Default largest value: a full block of numo with room to spare.
pub const DEFAULT_MAX_VALUE_BYTES: usize = 16 << 20;
/// Room around a value in a sync response: the certificate and framing.
const RESPONSE_OVERHEAD_BYTES: usize = 1 << 20;
/// Gossip message limit: one proposal chunk with its framing, or a vote batch, fits with room.
const GOSSIP_MAX_BYTES: usize = 4 << 20;
const _: () = assert!(CHUNK_BYTES + 64 * 1024 <= GOSSIP_MAX_BYTES);

/// Round timeouts. Malachite 0.8.2 has no separate commit timeout: after a decision it waits
/// until `block_time` has passed since the height started (its `target_time`) and then starts
/// the next height, which paces blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// How long to wait for the round's proposal.
    pub propose: Duration,
    /// How long to wait for more prevotes after seeing 2f+1 of mixed values.
    pub prevote: Duration,
    /// How long to wait for more precommits after seeing 2f+1 of mixed values.
    pub precommit: Duration,
    /// Added to each of the three per round, so a slow network eventually fits.
    pub round_delta: Duration,
    /// How often a stuck round rebroadcasts its votes.
    pub rebroadcast: Duration,
    /// Target block time: the least time between the starts of two heights.
    pub block_time: Duration,
}

impl Default for Timeouts {
    /// For 100 ms blocks on a LAN: a silent proposer costs half a second, a split vote 150 ms.
    fn default() -> Self {
        Self::for_block_time(Duration::from_millis(100))
    }
}

impl Timeouts {
    /// Timeouts scaled to `block_time` (at least the LAN defaults).
    pub fn for_block_time(block_time: Duration) -> Self {
        Self {
            propose: (block_time * 5).max(Duration::from_millis(500)),
            prevote: (block_time * 3 / 2).max(Duration::from_millis(150)),
            precommit: (block_time * 3 / 2).max(Duration::from_millis(150)),
            round_delta: block_time.max(Duration::from_millis(100)),
            rebroadcast: (block_time * 20).max(Duration::from_secs(2)),
            block_time,
        }
    }

    pub(crate) fn linear(&self) -> LinearTimeouts {
        LinearTimeouts {
            propose: self.propose,
            propose_delta: self.round_delta,
            prevote: self.prevote,
            prevote_delta: self.round_delta,
            precommit: self.precommit,
            precommit_delta: self.round_delta,
            rebroadcast: self.rebroadcast,
            max_timeout: Duration::from_secs(30),
        }
    }
}

/// Everything [`crate::start`] needs.
#[derive(Debug, Clone)]
pub struct ConsensusConfig {
    /// Chain id in every signed digest.
    pub chain_id: u64,
    /// Node home; Malachite's WAL and the undecided proposals live under `home/consensus`.
    pub home: PathBuf,
    /// The validator key; `None` runs a follower that syncs and never votes.
    pub key: Option<ValidatorKey>,
    /// libp2p identity (ed25519 secret), stable across restarts so peers recognise the node.
    pub p2p_key: [u8; 32],
    /// Consensus p2p listen address (TCP).
    pub listen: SocketAddr,
    /// Persistent peers, dialled and redialled.
    pub peers: Vec<SocketAddr>,
    /// The validators (fixed for the chain's life in this version).
    pub validators: ValidatorSet,
    /// Round timeouts and block time.
    pub timeouts: Timeouts,
    /// Largest value a proposal or a sync response may carry.
    pub max_value_bytes: usize,
}

/// `/ip4/a.b.c.d/tcp/port` (or `/ip6/...`).
pub(crate) fn multiaddr(addr: &SocketAddr) -> Multiaddr {
    let ip = match addr.ip() {
        std::net::IpAddr::V4(ip) => format!("/ip4/{ip}"),
        std::net::IpAddr::V6(ip) => format!("/ip6/{ip}"),
    };
    format!("{ip}/tcp/{}", addr.port()).parse().expect("a socket address is a valid multiaddr")
}

/// Malachite's node configuration.
#[derive(Debug, Clone)]
pub(crate) struct MalConfig {
    moniker: String,
    consensus: mal::ConsensusConfig,
    value_sync: ValueSyncConfig,
}

impl MalConfig {
    pub(crate) fn new(config: &ConsensusConfig, moniker: String) -> Self {
        let response_max = config.max_value_bytes.saturating_add(RESPONSE_OVERHEAD_BYTES);
        let p2p = P2pConfig {
            listen_addr: multiaddr(&config.listen),
            persistent_peers: config.peers.iter().map(multiaddr).collect(),
            // A fixed validator set dials its configured peers; no discovery.
            discovery: DiscoveryConfig { enabled: false, ..DiscoveryConfig::default() },
            protocol: PubSubProtocol::default(),
            pubsub_max_size: bytesize::ByteSize::b(GOSSIP_MAX_BYTES as u64),
            // A sync response carries whole values.
            rpc_max_size: bytesize::ByteSize::b(response_max as u64),
            ..P2pConfig::default()
        };
        let consensus = mal::ConsensusConfig {
            enabled: true,
            p2p,
            value_payload: ValuePayload::ProposalAndParts,
            ..mal::ConsensusConfig::default()
        };
        let value_sync = ValueSyncConfig {
            enabled: true,
            // Peers learn each other's tip every second, so a lagging node starts catching up
            // within a second of falling behind.
            status_update_interval: Duration::from_secs(1),
            request_timeout: Duration::from_secs(5),
            max_request_size: bytesize::ByteSize::kib(64),
            max_response_size: bytesize::ByteSize::b(response_max as u64),
            parallel_requests: 4,
            batch_size: 4,
            ..ValueSyncConfig::default()
        };
        Self { moniker, consensus, value_sync }
    }
}

impl NodeConfig for MalConfig {
    fn moniker(&self) -> &str {
        &self.moniker
    }

    fn consensus(&self) -> &mal::ConsensusConfig {
        &self.consensus
    }

    fn consensus_mut(&mut self) -> &mut mal::ConsensusConfig {
        &mut self.consensus
    }

    fn value_sync(&self) -> &ValueSyncConfig {
        &self.value_sync
    }

    fn value_sync_mut(&mut self) -> &mut ValueSyncConfig {
        &mut self.value_sync
    }
}

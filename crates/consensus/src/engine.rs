//! Starting and stopping Malachite for a node: keys and identity, the engine's actors, the app
//! loop ([`crate::host`]) and a status poller.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use malachitebft_app_channel::app::engine::host::HeightParams;
use malachitebft_app_channel::app::types::codec::Codec;
use malachitebft_app_channel::app::types::Keypair;
use malachitebft_app_channel::{
    start_engine, ConsensusContext, EngineHandle, NetworkContext, NetworkIdentity, NetworkRequest, RequestContext,
    Signer, SyncContext, WalContext,
};
use tokio::task::JoinHandle;
use tracing::{error, Instrument};

use crate::app::Application;
use crate::codec::NumoCodec;
use crate::config::{ConsensusConfig, MalConfig};
use crate::context::{public_key_bytes, MalValidatorSet, NodeAddress, NumoContext};
use crate::host::Host;
use crate::signing::{NumoSigner, NumoVerifier};
use crate::stream::PartStreams;

/// How often the peer count is refreshed from the network's state.
const PEER_POLL_INTERVAL: Duration = Duration::from_millis(500);
/// Capacity of Malachite's request channels (state dumps).
const REQUEST_CHANNEL_CAPACITY: usize = 16;

/// Why consensus did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The home directory could not be prepared.
    #[error("consensus home: {0}")]
    Io(#[from] std::io::Error),
    /// The libp2p key is not a valid ed25519 secret.
    #[error("bad p2p key: {0}")]
    P2pKey(String),
    /// The configuration is inconsistent.
    #[error("bad consensus config: {0}")]
    Config(String),
    /// Malachite refused to start.
    #[error("malachite: {0}")]
    Engine(String),
}

impl StartError {
    /// Stable short code for tools and logs.
    pub const fn code(&self) -> &'static str {
        match self {
            StartError::Io(_) => "consensus_io",
            StartError::P2pKey(_) => "consensus_p2p_key",
            StartError::Config(_) => "consensus_config",
            StartError::Engine(_) => "consensus_engine",
        }
    }
}

/// Where consensus is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    /// Height of the current round (0 before the first round starts).
    pub height: u64,
    /// The current round.
    pub round: u32,
    /// Connected consensus peers.
    pub peers: usize,
}

#[derive(Default)]
pub(crate) struct SharedStatus {
    pub(crate) height: AtomicU64,
    pub(crate) round: AtomicU32,
    pub(crate) peers: AtomicUsize,
}

/// A running consensus; [`ConsensusHandle::stop`] ends it.
pub struct ConsensusHandle {
    engine: EngineHandle,
    host: JoinHandle<()>,
    poller: JoinHandle<()>,
    status: Arc<SharedStatus>,
    peer_id: String,
}

impl ConsensusHandle {
    /// The current height, round and peer count.
    pub fn status(&self) -> Status {
        Status {
            height: self.status.height.load(Ordering::Relaxed),
            round: self.status.round.load(Ordering::Relaxed),
            peers: self.status.peers.load(Ordering::Relaxed),
        }
    }

    /// This node's libp2p peer id (base58).
    pub fn peer_id(&self) -> &str {
        &self.peer_id
    }

    /// Stops Malachite's actors (waiting for them) and the app loop.
    pub async fn stop(self) {
        if let Err(error) = self.engine.actor.kill_and_wait(None).await {
            error!(%error, "stopping the consensus engine");
        }
        self.engine.handle.abort();
        self.host.abort();
        self.poller.abort();
        let _ = self.host.await;
        let _ = self.poller.await;
        let _ = self.engine.handle.await;
    }
}

/// Starts Malachite and the app loop on the current tokio runtime.
pub async fn start(config: ConsensusConfig, app: Arc<dyn Application>) -> Result<ConsensusHandle, StartError> {
    if config.max_value_bytes == 0 {
        return Err(StartError::Config("max_value_bytes is 0".into()));
    }
    let dir = config.home.join("consensus");
    std::fs::create_dir_all(dir.join("wal"))?;
    let keypair = Keypair::ed25519_from_bytes(config.p2p_key).map_err(|e| StartError::P2pKey(e.to_string()))?;
    let peer_id = keypair.public().to_peer_id();
    let address = config.key.as_ref().map(|k| NodeAddress(k.address()));
    if let Some(address) = address {
        if config.validators.get(&address.0).is_none() {
            // Allowed (a retired validator follows), but worth saying.
            tracing::warn!(%address, "the validator key is not in the validator set");
        }
    }
    let moniker = match address {
        Some(a) => format!("numo-{a}"),
        None => format!("numo-follower-{peer_id}"),
    };
    let verifier = NumoVerifier { chain_id: config.chain_id };
    let identity = match &config.key {
        Some(key) => {
            let signer = NumoSigner { chain_id: config.chain_id, key: key.clone() };
            let proof = signer
                .sign_validator_proof(public_key_bytes(&key.point()).to_vec(), peer_id.to_bytes())
                .await
                .map_err(|e| StartError::Engine(e.to_string()))?;
            let proof_bytes = NumoCodec.encode(&proof).map_err(|e| StartError::Engine(e.to_string()))?;
            NetworkIdentity::new_validator(moniker.clone(), keypair, key.address().to_string(), proof_bytes)
        }
        None => NetworkIdentity::new(moniker.clone(), keypair, None),
    };
    let consensus_ctx = match &config.key {
        Some(key) => ConsensusContext::new_validator(
            NodeAddress(key.address()),
            Box::new(verifier),
            Box::new(NumoSigner { chain_id: config.chain_id, key: key.clone() }),
        ),
        None => ConsensusContext::new_full_node(NodeAddress(Default::default()), Box::new(verifier)),
    };
    let (channels, engine) = start_engine(
        NumoContext,
        MalConfig::new(&config, moniker.clone()),
        WalContext::new(dir.join("wal").join("consensus.wal"), NumoCodec),
        NetworkContext::new(identity, NumoCodec),
        consensus_ctx,
        SyncContext::new(NumoCodec),
        RequestContext::new(REQUEST_CHANNEL_CAPACITY),
    )
    .await
    .map_err(|e| StartError::Engine(format!("{e:#}")))?;

    let status = Arc::new(SharedStatus::default());
    let mal_validators = MalValidatorSet::from_public(&config.validators);
    let params = HeightParams::new(mal_validators.clone(), config.timeouts.linear(), Some(config.timeouts.block_time));
    let host = Host {
        app,
        chain_id: config.chain_id,
        key: config.key.clone(),
        validators: config.validators.clone(),
        params,
        store_dir: dir.join("values"),
        max_value_bytes: config.max_value_bytes,
        status: status.clone(),
        store: None,
        streams: PartStreams::new(config.max_value_bytes),
        pending: Vec::new(),
        synced: Default::default(),
        height: 0,
        stream_counter: 0,
        committed: Default::default(),
    };
    let poller = spawn_peer_poller(channels.net_requests.clone(), status.clone());
    let span = tracing::info_span!("consensus", node = %moniker);
    let host = tokio::spawn(
        async move {
            if let Err(error) = host.run(channels).await {
                error!(%error, "consensus app loop stopped");
            }
        }
        .instrument(span),
    );
    Ok(ConsensusHandle { engine, host, poller, status, peer_id: peer_id.to_base58() })
}

fn spawn_peer_poller(requests: tokio::sync::mpsc::Sender<NetworkRequest>, status: Arc<SharedStatus>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(PEER_POLL_INTERVAL);
        loop {
            interval.tick().await;
            if let Ok(Some(dump)) = NetworkRequest::dump_state(&requests).await {
                status.peers.store(dump.peers.len(), Ordering::Relaxed);
            }
        }
    })
}

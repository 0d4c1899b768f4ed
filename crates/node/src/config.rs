//! Node settings (`numo node` flags).

pub use crate::limits::{DEFAULT_BLOCK_INTERVAL_MS, SNAPSHOT_DIRTY_KEYS_MIN, VERIFY_SAMPLE_EVERY};
use std::net::SocketAddr;
use std::path::PathBuf;

/// How much of the chain the background verifier re-executes with the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyMode {
    /// Every batch.
    All,
    /// One batch in [`VERIFY_SAMPLE_EVERY`].
    Sample,
    /// None.
    Off,
}

impl std::str::FromStr for VerifyMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "all" => Ok(Self::All),
            "sample" => Ok(Self::Sample),
            "off" => Ok(Self::Off),
            other => Err(format!("--verify must be all, sample or off, not `{other}`")),
        }
    }
}

/// Everything the node needs to start.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// Listen address of the HTTP API.
    pub http: SocketAddr,
    /// Where redb lives.
    pub data_dir: PathBuf,
    /// Block interval.
    pub block_interval_ms: u64,
    /// Background verification.
    pub verify: VerifyMode,
    /// Keys written between tree snapshots (at least; see [`SNAPSHOT_DIRTY_KEYS_MIN`]).
    pub snapshot_dirty_keys: usize,
    /// The key receipts are signed with (K6): a validator's key; `None` = the data dir's own
    /// `node.key`.
    pub signer_key: Option<secp256k1::SecretKey>,
}

/// How the node was started (`numo node --dev`, `--genesis FILE` or `--home DIR`), as
/// `GET /v1/info` names it: the web app offers the dev accounts only on a dev node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// The built-in dev genesis with funded, publicly known accounts.
    Dev,
    /// A single node of a genesis file.
    Genesis,
    /// A validator or follower of a consensus venue (its home directory).
    Home,
}

impl RunMode {
    /// The name `GET /v1/info` answers.
    pub const fn name(self) -> &'static str {
        match self {
            RunMode::Dev => "dev",
            RunMode::Genesis => "genesis",
            RunMode::Home => "home",
        }
    }
}

/// What the starter of the node (the CLI) knows and the node does not: the mode, how many dev
/// accounts the genesis funds, and where the EVM's JSON-RPC listens. Never a secret: the
/// browser derives the dev keys itself (`genesis::dev_account`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    /// How it was started.
    pub mode: RunMode,
    /// Dev accounts funded at genesis (0 unless [`RunMode::Dev`]).
    pub dev_accounts: u32,
    /// The EVM JSON-RPC's URL, when it is served.
    pub evm_rpc: Option<String>,
}

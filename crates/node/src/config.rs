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

//! Node settings (`numo node` flags).

use std::net::SocketAddr;
use std::path::PathBuf;

/// Exchange block interval (section "Blocks"): 100 ms unless configured.
pub const DEFAULT_BLOCK_INTERVAL_MS: u64 = 100;
/// Most messages one block executes; the rest wait for the next block (bounds block time
/// after a restart with a long admission backlog).
pub const MAX_MESSAGES_PER_BLOCK: usize = 4_096;
/// Largest accepted HTTP request body: a message is ~400 bytes of JSON.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

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

/// Sampling period of [`VerifyMode::Sample`].
pub const VERIFY_SAMPLE_EVERY: u64 = 16;

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
}

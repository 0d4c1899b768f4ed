//! Node settings (`numo node` flags).

use std::net::SocketAddr;
use std::path::PathBuf;

/// Exchange block interval (section "Blocks"): 100 ms unless configured.
pub const DEFAULT_BLOCK_INTERVAL_MS: u64 = 100;
/// Most messages one block executes; the rest wait for the next block (bounds block time
/// after a restart with a long admission backlog).
pub const MAX_MESSAGES_PER_BLOCK: usize = 4_096;
/// A tree snapshot is written with a block once this many keys (or a quarter of the state,
/// if more) were written since the last one: restarts then re-apply at most that many keys
/// instead of rehashing every leaf, at the cost of ~200 bytes per key written now and then.
pub const SNAPSHOT_DIRTY_KEYS_MIN: usize = 10_000;

/// Largest accepted HTTP request body: a message is ~400 bytes of JSON.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Largest `POST /v1/messages/batch` body: room for `api::SUBMIT_BATCH_MAX` (256) friendly
/// messages of up to 1 KiB each.
pub const MAX_BATCH_BODY_BYTES: usize = 256 * 1024;

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
    /// Keys written between tree snapshots (at least; see [`SNAPSHOT_DIRTY_KEYS_MIN`]).
    pub snapshot_dirty_keys: usize,
}

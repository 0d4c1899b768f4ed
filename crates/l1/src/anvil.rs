//! A real anvil for tests (this crate's and the node's): started on a free local port, killed
//! when dropped.
//!
//! The binary comes from npm (`npm ci` in `contracts/` installs `@foundry-rs/anvil`), never
//! from a download at test time; `NUMO_ANVIL` overrides the path. A missing binary is an error,
//! never a skipped test.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alloy::primitives::U256;
use alloy::providers::{DynProvider, Provider};
use alloy::signers::local::PrivateKeySigner;

use crate::rpc::connect;
use crate::L1Error;

/// The environment variable naming the anvil binary.
pub const ANVIL_ENV: &str = "NUMO_ANVIL";

/// How long [`Anvil::start`] waits for the RPC to answer.
pub const READY_TIMEOUT: Duration = Duration::from_secs(20);

pub use crate::dev::DEV_KEYS;

/// Dev account `i` (0–9) as a signer.
///
/// # Panics
/// If `i > 9`.
pub fn dev_key(i: usize) -> PrivateKeySigner {
    DEV_KEYS[i].parse().expect("anvil's dev keys are valid")
}

/// The anvil binary: `$NUMO_ANVIL`, else the npm package's under `<workspace>/contracts/`.
pub fn anvil_path() -> PathBuf {
    if let Some(path) = std::env::var_os(ANVIL_ENV) {
        return PathBuf::from(path);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../contracts/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")
}

/// A running anvil, killed (by its PID) on drop.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    url: String,
    provider: DynProvider,
}

impl Anvil {
    /// Starts anvil (automining, chain id 31337) on a free 127.0.0.1 port and waits until its
    /// RPC answers.
    pub async fn start() -> Result<Self, L1Error> {
        let path = anvil_path();
        if !path.is_file() {
            return Err(L1Error::Anvil(format!(
                "anvil not found: run `npm ci` in contracts/ (looked at {}; or set {ANVIL_ENV})",
                path.display()
            )));
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| L1Error::Anvil(format!("no free port: {e}")))?
            .port();
        let child = Command::new(&path)
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--silent"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| L1Error::Anvil(format!("spawning {}: {e}", path.display())))?;
        let url = format!("http://127.0.0.1:{port}");
        let provider = connect(&url)?;
        let anvil = Self { child, url, provider };
        let started = Instant::now();
        loop {
            if anvil.provider.get_block_number().await.is_ok() {
                return Ok(anvil);
            }
            if started.elapsed() > READY_TIMEOUT {
                return Err(L1Error::Anvil(format!("no answer on port {port} after {READY_TIMEOUT:?}")));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A read-only provider on it.
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// `evm_snapshot`: the id to [`Anvil::revert`] to.
    pub async fn snapshot(&self) -> Result<U256, L1Error> {
        Ok(self.provider.raw_request("evm_snapshot".into(), ()).await?)
    }

    /// `evm_revert`: back to the chain of snapshot `id` (later blocks are orphaned: a reorg).
    pub async fn revert(&self, id: U256) -> Result<bool, L1Error> {
        Ok(self.provider.raw_request("evm_revert".into(), (id,)).await?)
    }

    /// Mines `n` empty blocks.
    pub async fn mine(&self, n: u64) -> Result<(), L1Error> {
        let _: serde_json::Value = self.provider.raw_request("anvil_mine".into(), (U256::from(n),)).await?;
        Ok(())
    }

    /// `evm_setAutomine`: off, transactions wait in the pool until [`Anvil::mine`].
    pub async fn set_automine(&self, on: bool) -> Result<(), L1Error> {
        let _: serde_json::Value = self.provider.raw_request("evm_setAutomine".into(), (on,)).await?;
        Ok(())
    }

    /// Moves the clock `seconds` forward (effective from the next block).
    pub async fn increase_time(&self, seconds: u64) -> Result<(), L1Error> {
        let _: serde_json::Value = self.provider.raw_request("evm_increaseTime".into(), (U256::from(seconds),)).await?;
        Ok(())
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        // Only our own child, by its PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! The node's link to its L1 bridge (docs/BRIDGE.md): where the contracts are, how far the
//! bridge has settled, and the listener and settler tasks that keep both sides in step.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;

/// Where the bridge and the dev tokens live on L1, as kept in the data dir.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// The L1's chain id.
    pub l1_chain_id: u64,
    /// The bridge contract.
    pub bridge: alloy_primitives::Address,
    /// The epoch verifier contract.
    pub verifier: alloy_primitives::Address,
    /// Token per asset symbol.
    pub tokens: BTreeMap<String, alloy_primitives::Address>,
    /// L1 block of the deployment (the listener starts there).
    pub deploy_block: u64,
    /// The deployer (dev: also the operator and the committee).
    pub deployer: alloy_primitives::Address,
}

/// What the node knows of its L1 while running.
#[derive(Debug)]
pub struct L1Link {
    /// The L1 JSON-RPC endpoint.
    pub rpc_url: String,
    /// The contracts.
    pub deployment: Deployment,
    /// Blocks on top of a deposit's block before it is credited.
    pub confirmations: u64,
    /// The last `batchSeq` the bridge has settled (read from L1).
    pub last_settled_batch: AtomicU64,
    /// The L1 block the listener has processed up to.
    pub listened_block: AtomicU64,
}

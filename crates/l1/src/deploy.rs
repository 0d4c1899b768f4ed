//! Deployments: [`deploy_bridge`] for a real venue (committee verifier, bridge, asset
//! registrations for existing tokens) and [`deploy_dev`] for local networks and tests (dev
//! tokens first, then the same bridge deployment, then the dev mints).
//!
//! Transactions go out in rounds — every transaction of a round sent before any receipt of it is
//! awaited, so a dev L1 that mines on a timer needs one block per round, not per transaction —
//! and in a fixed order inside each round (tokens in the order of [`DevDeployParams::assets`],
//! the verifier, the bridge, the registrations, the mints), so the same parameters on a fresh
//! chain give the same addresses.

use std::collections::BTreeMap;

use alloy::primitives::{Address, B256, U256};
use alloy::providers::Provider;
use alloy::signers::local::PrivateKeySigner;
use serde::{Deserialize, Serialize};

use crate::bindings::{CommitteeVerifier, DevToken, NumoBridge};
use crate::rpc::{connect_signer, succeeded};
use crate::L1Error;

/// Whole tokens minted to every address of [`DevDeployParams::mint_to`], per token.
pub const DEV_MINT_WHOLE_TOKENS: u64 = 1_000_000;

/// One numo asset backed by a fresh [`DevToken`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevAsset {
    /// The numo asset id the bridge maps the token to (F2).
    pub asset_id: B256,
    /// The token's name and symbol.
    pub symbol: String,
    /// The token's decimals.
    pub decimals: u8,
    /// The sum of the numo genesis balances of this asset: minted to the bridge so every
    /// genesis balance is backed from the start (F14 escape pays from it).
    pub genesis_total: U256,
}

/// What [`deploy_dev`] deploys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevDeployParams {
    /// The assets, one token each, deployed in this order.
    pub assets: Vec<DevAsset>,
    /// The committee verifier's members (F13).
    pub committee: Vec<Address>,
    /// How many distinct members must sign an epoch.
    pub threshold: u64,
    /// The numo genesis state root: the bridge's first settled root.
    pub genesis_root: B256,
    /// The venue's funding domain separator (F1), checked in every funding batch.
    pub funding_domain: B256,
    /// Seconds a forced withdrawal may wait before anyone can freeze the bridge (F14).
    pub forced_window: u64,
    /// Addresses that receive [`DEV_MINT_WHOLE_TOKENS`] of every token.
    pub mint_to: Vec<Address>,
}

/// The addresses of a deployment, as the node's and the CLI's config read them (JSON,
/// camelCase).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// The L1 chain id (F13's epoch digest binds it).
    pub l1_chain_id: u64,
    /// `NumoBridge`.
    pub bridge: Address,
    /// The epoch verifier the bridge calls.
    pub verifier: Address,
    /// Token address by symbol.
    pub tokens: BTreeMap<String, Address>,
    /// The block the bridge was deployed in: the L1 reader starts there.
    pub deploy_block: u64,
    /// Who deployed (and owns) everything.
    pub deployer: Address,
}

/// Deploys a dev bridge with `deployer` as the owner of every contract (see the module doc for
/// the order), registers each asset, mints the dev balances and the genesis backing.
pub async fn deploy_dev(
    rpc_url: &str,
    deployer: PrivateKeySigner,
    params: DevDeployParams,
) -> Result<Deployment, L1Error> {
    let owner = deployer.address();
    let provider = connect_signer(rpc_url, deployer)?;

    // Tokens first (one round: every deployment sent before any receipt is awaited, so a dev
    // L1 that mines on a timer needs a block per round, not per transaction), then the bridge
    // as a real venue deploys it, then the mints.
    let mut pending_tokens = Vec::with_capacity(params.assets.len());
    for asset in &params.assets {
        let builder =
            DevToken::deploy_builder(&provider, asset.symbol.clone(), asset.symbol.clone(), asset.decimals, owner);
        pending_tokens.push(builder.send().await?);
    }
    let mut tokens = Vec::with_capacity(params.assets.len());
    for (asset, pending) in params.assets.iter().zip(pending_tokens) {
        tokens.push((asset.symbol.clone(), asset.asset_id, created(&succeeded(pending).await?)?));
    }
    let bridge_params = BridgeParams {
        committee: params.committee.clone(),
        threshold: params.threshold,
        genesis_root: params.genesis_root,
        funding_domain: params.funding_domain,
        forced_window: params.forced_window,
        tokens: tokens.clone(),
    };
    let deployment = deploy_bridge_with(&provider, owner, bridge_params).await?;

    let mut pending = Vec::new();
    for (asset, (_, _, token)) in params.assets.iter().zip(&tokens) {
        let contract = DevToken::new(*token, &provider);
        let whole = U256::from(DEV_MINT_WHOLE_TOKENS) * U256::from(10u64).pow(U256::from(asset.decimals));
        for to in &params.mint_to {
            pending.push(contract.mint(*to, whole).send().await?);
        }
        if !asset.genesis_total.is_zero() {
            pending.push(contract.mint(deployment.bridge, asset.genesis_total).send().await?);
        }
    }
    for tx in pending {
        succeeded(tx).await?;
    }
    Ok(deployment)
}

fn created(receipt: &alloy::rpc::types::TransactionReceipt) -> Result<Address, L1Error> {
    receipt
        .contract_address
        .ok_or_else(|| L1Error::Deploy(format!("no contract address in {}", receipt.transaction_hash)))
}

/// What a real venue's bridge needs: the committee that signs epochs, the venue's genesis root
/// and funding domain (F1), the forced-withdrawal window, and the existing ERC20 of each asset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BridgeParams {
    /// Committee members (epoch signers).
    pub committee: Vec<Address>,
    /// Signatures an epoch needs.
    pub threshold: u64,
    /// The venue's genesis state root (the bridge's first settled root).
    pub genesis_root: B256,
    /// The venue's funding domain (F1).
    pub funding_domain: B256,
    /// Seconds of L1 time a forced withdrawal may wait before anyone may freeze (F14).
    pub forced_window: u64,
    /// `(symbol, assetId, token)` per bridged asset.
    pub tokens: Vec<(String, B256, Address)>,
}

/// Deploys a committee verifier and a bridge for existing tokens and registers them; the
/// deployer owns the bridge. Backing the genesis balances (sending their tokens to the bridge)
/// is the operator's next step, not this function's.
pub async fn deploy_bridge(
    rpc_url: &str,
    deployer: PrivateKeySigner,
    params: BridgeParams,
) -> Result<Deployment, L1Error> {
    let owner = deployer.address();
    let provider = connect_signer(rpc_url, deployer)?;
    deploy_bridge_with(&provider, owner, params).await
}

/// [`deploy_bridge`] over a signing provider whose sender is `owner`.
async fn deploy_bridge_with(
    provider: &alloy::providers::DynProvider,
    owner: Address,
    params: BridgeParams,
) -> Result<Deployment, L1Error> {
    let l1_chain_id = provider.get_chain_id().await?;
    let pending = CommitteeVerifier::deploy_builder(provider, params.committee.clone(), U256::from(params.threshold))
        .send()
        .await?;
    let verifier = created(&succeeded(pending).await?)?;
    let pending = NumoBridge::deploy_builder(
        provider,
        params.genesis_root,
        params.funding_domain,
        verifier,
        params.forced_window,
        owner,
    )
    .send()
    .await?;
    let receipt = succeeded(pending).await?;
    let bridge = created(&receipt)?;
    let deploy_block =
        receipt.block_number.ok_or_else(|| L1Error::Deploy("bridge receipt without a block number".into()))?;
    let bridge_contract = NumoBridge::new(bridge, provider);
    let mut pending = Vec::new();
    for (_, asset_id, token) in &params.tokens {
        pending.push(bridge_contract.registerAsset(*asset_id, *token).send().await?);
    }
    for tx in pending {
        succeeded(tx).await?;
    }
    Ok(Deployment {
        l1_chain_id,
        bridge,
        verifier,
        tokens: params.tokens.iter().map(|(symbol, _, token)| (symbol.clone(), *token)).collect(),
        deploy_block,
        deployer: owner,
    })
}

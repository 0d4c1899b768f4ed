//! What an L1 user does with the bridge: deposit, request a forced withdrawal, claim, read a
//! token balance. The CLI and the tests call these; each waits for its receipt and refuses a
//! failed transaction.

use alloy::primitives::{Address, Bytes, B256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::{SolCall, SolEvent};

use crate::bindings::{DevToken, NumoBridge};
use crate::rpc::{connect, connect_signer, succeeded};
use crate::L1Error;

/// A deposit that was mined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepositReceipt {
    /// The deposit transaction.
    pub tx_hash: B256,
    /// Its queue index (F5).
    pub index: u64,
    /// The block it was mined in.
    pub block_number: u64,
}

/// A forced withdrawal request that was mined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ForcedReceipt {
    /// The request transaction.
    pub tx_hash: B256,
    /// Its queue index (F5).
    pub index: u64,
    /// The L1 time after which it lets anyone freeze the bridge if unsettled (F14).
    pub deadline: u64,
}

/// Approves `amount` of `token` to `bridge`, then deposits it for numo account `to`.
pub async fn approve_and_deposit(
    rpc_url: &str,
    key: &PrivateKeySigner,
    bridge: Address,
    token: Address,
    amount: U256,
    to: Address,
) -> Result<DepositReceipt, L1Error> {
    let provider = connect_signer(rpc_url, key.clone())?;
    let erc20 = DevToken::new(token, &provider);
    succeeded(erc20.approve(bridge, amount).send().await?).await?;
    let receipt = succeeded(NumoBridge::new(bridge, &provider).deposit(token, amount, to).send().await?).await?;
    let deposited = receipt
        .decoded_log::<NumoBridge::Deposited>()
        .ok_or_else(|| L1Error::BadLog("deposit receipt without Deposited".into()))?;
    Ok(DepositReceipt {
        tx_hash: receipt.transaction_hash,
        index: deposited.index,
        block_number: receipt.block_number.unwrap_or_default(),
    })
}

/// Requests a forced withdrawal of `amount` of `asset_id` from the sender's numo balance (F14).
pub async fn request_forced_withdrawal(
    rpc_url: &str,
    key: &PrivateKeySigner,
    bridge: Address,
    asset_id: B256,
    amount: U256,
) -> Result<ForcedReceipt, L1Error> {
    let provider = connect_signer(rpc_url, key.clone())?;
    let contract = NumoBridge::new(bridge, &provider);
    let receipt = succeeded(contract.requestForcedWithdrawal(asset_id, amount).send().await?).await?;
    let log = receipt
        .logs()
        .iter()
        .find(|l| l.topic0() == Some(&NumoBridge::ForcedWithdrawalRequested::SIGNATURE_HASH))
        .ok_or_else(|| L1Error::BadLog("request receipt without ForcedWithdrawalRequested".into()))?;
    let event = NumoBridge::ForcedWithdrawalRequested::decode_log_data(log.data())
        .map_err(|e| L1Error::BadLog(e.to_string()))?;
    Ok(ForcedReceipt { tx_hash: receipt.transaction_hash, index: event.index, deadline: event.deadline })
}

/// The ABI-encoded `claim(batchSeq, id, recipient, assetId, amount, proof)` call of a
/// withdrawal record (F10, F14); `proof` is the record's sibling path, empty for a lone leaf.
pub fn claim_calldata(
    batch_seq: u64,
    id: u64,
    recipient: Address,
    asset_id: B256,
    amount: U256,
    proof: &[B256],
) -> Bytes {
    NumoBridge::claimCall { batchSeq: batch_seq, id, recipient, assetId: asset_id, amount, proof: proof.to_vec() }
        .abi_encode()
        .into()
}

/// The ABI-encoded `escape(owner, assetId, available, locked, siblings)` call (F14): a BAL leaf
/// and its 256 leaf-first siblings (C7) against the bridge's settled root, sendable by anyone
/// once the bridge is frozen.
pub fn escape_calldata(owner: Address, asset_id: B256, available: U256, locked: U256, siblings: &[B256]) -> Bytes {
    NumoBridge::escapeCall { owner, assetId: asset_id, available, locked, siblings: siblings.to_vec() }
        .abi_encode()
        .into()
}

/// Sends `calldata` to `to` (a claim made by [`claim_calldata`]; anyone may send a claim) and
/// returns the mined transaction's hash.
pub async fn send_claim(rpc_url: &str, key: &PrivateKeySigner, to: Address, calldata: Bytes) -> Result<B256, L1Error> {
    let provider = connect_signer(rpc_url, key.clone())?;
    let request = TransactionRequest::default().to(to).input(calldata.into());
    let receipt = succeeded(provider.send_transaction(request).await?).await?;
    Ok(receipt.transaction_hash)
}

/// `token.balanceOf(owner)`.
pub async fn erc20_balance(rpc_url: &str, token: Address, owner: Address) -> Result<U256, L1Error> {
    let provider = connect(rpc_url)?;
    Ok(DevToken::new(token, &provider).balanceOf(owner).call().await?)
}

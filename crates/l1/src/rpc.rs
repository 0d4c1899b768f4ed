//! Connections to an L1 JSON-RPC endpoint: read-only or signing with one key.

use alloy::network::EthereumWallet;
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::TransactionReceipt;
use alloy::signers::local::PrivateKeySigner;

use crate::L1Error;

fn parse_url(rpc_url: &str) -> Result<alloy::transports::http::reqwest::Url, L1Error> {
    rpc_url.parse().map_err(|_| L1Error::BadUrl(rpc_url.to_string()))
}

/// A read-only provider (calls, logs, blocks).
pub fn connect(rpc_url: &str) -> Result<DynProvider, L1Error> {
    Ok(ProviderBuilder::new().connect_http(parse_url(rpc_url)?).erased())
}

/// A provider that signs and sends transactions with `signer`; nonce, gas and chain id are
/// filled from the node at send time. The nonce is the L1's pending transaction count, read for
/// every transaction (not alloy's default cache, which counts up locally: once a reorg drops a
/// sent transaction, every later one would carry a nonce past the account's and never be mined).
pub fn connect_signer(rpc_url: &str, signer: PrivateKeySigner) -> Result<DynProvider, L1Error> {
    let wallet = EthereumWallet::from(signer);
    Ok(ProviderBuilder::new()
        .disable_recommended_fillers()
        .with_gas_estimation()
        .with_simple_nonce_management()
        .fetch_chain_id()
        .wallet(wallet)
        .connect_http(parse_url(rpc_url)?)
        .erased())
}

/// Waits for the receipt of a sent transaction and refuses a failed one: everything this crate
/// sends must succeed, and a status-0 receipt has no revert data left to decode.
/// Whether `address` holds contract code on the L1 at `rpc_url` (a data dir's bridge on a
/// fresh dev chain does not).
pub async fn has_code(rpc_url: &str, address: alloy::primitives::Address) -> Result<bool, L1Error> {
    use alloy::providers::Provider;
    Ok(!connect(rpc_url)?.get_code_at(address).await?.is_empty())
}

pub(crate) async fn succeeded(
    pending: alloy::providers::PendingTransactionBuilder<alloy::network::Ethereum>,
) -> Result<TransactionReceipt, L1Error> {
    let receipt = pending.get_receipt().await?;
    if !receipt.status() {
        return Err(L1Error::Failed { tx: receipt.transaction_hash });
    }
    Ok(receipt)
}

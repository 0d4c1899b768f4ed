//! `numo transfer`: move an exchange balance to another numo address, a contract's included
//! (a signed F2 Transfer, type `0x05`, submitted to the node's `POST /v1/transfers`). This is
//! how a contract is funded to trade through the EVM system contract (issue 12). No L1 effect.
//!
//! Units, asset lookup, the funding domain (F1) and the funding nonce (F4, shared with
//! withdrawals) are `numo withdraw`'s ([`crate::funding_cmd`]).

use crate::client::{NodeClient, NodeError, NodeOpts};
use crate::failure::{finish, Failure};
use crate::funding_cmd::{assets, find_asset, funding_domain, funding_nonce, show_amount};
use crate::key_cmd::KeyOpts;
use crate::units::parse_token_amount;
use alloy_primitives::{hex, Address};
use anyhow::Result;
use clap::Args;
use numo_funding::Transfer;
use numo_stf::signature::{secret_key_address, sign_digest};
use serde_json::json;
use std::process::ExitCode;

/// `numo transfer --asset … --amount … --to …`.
#[derive(Args)]
pub(crate) struct TransferArgs {
    #[command(flatten)]
    node: NodeOpts,
    #[command(flatten)]
    key: KeyOpts,
    /// Asset symbol (USDC) or 0x asset id.
    #[arg(long)]
    asset: String,
    /// Amount in whole tokens (e.g. 1000 or 0.5); at most the asset's decimals after the point.
    #[arg(long)]
    amount: String,
    /// The numo address credited: any account or contract, not the signer itself.
    #[arg(long)]
    to: Address,
}

pub(crate) fn transfer(args: TransferArgs) -> ExitCode {
    finish(args.node.json, run_transfer(&args))
}

fn run_transfer(args: &TransferArgs) -> Result<()> {
    let secret = args.key.secret()?;
    let owner = secret_key_address(&secret);
    let client = NodeClient::new(&args.node)?;
    let markets = client.markets()?;
    let assets = assets(&markets);
    let asset = find_asset(&assets, &args.asset)?;
    let amount = parse_token_amount(&args.amount, asset.decimals, &asset.symbol)?;
    // The transition would reject these too (F7), but only after spending a funding nonce.
    if args.to.is_zero() {
        return Err(Failure::error("zero_recipient", "--to must not be the zero address (nobody could spend it)"));
    }
    if args.to == owner {
        return Err(Failure::error("self_transfer", format!("--to is the signer {owner} itself: nothing would move")));
    }
    let domain = funding_domain(&client, &markets)?;
    let nonce = funding_nonce(&client, owner)?;
    let transfer = Transfer { owner, nonce, asset_id: asset.id, amount, to: args.to };
    let msg_hash = transfer.hash(&domain);
    let signature = sign_digest(&secret, &msg_hash);
    let body = json!({
        "owner": owner, "nonce": nonce, "asset": asset.id, "amount": amount.to_string(),
        "to": args.to, "signature": hex::encode_prefixed(signature.0),
    });
    let shown = show_amount(&assets, &asset.id, amount);
    let mut answer = client.post("/v1/transfers", &body).map_err(|error| match error.downcast::<NodeError>() {
        // Executed and rejected (F7): the funding nonce is spent all the same.
        Ok(refusal) if refusal.status == 422 => anyhow::Error::new(NodeError {
            message: format!(
                "transfer of {shown} rejected: {}; funding nonce {nonce} was consumed (the next one signs nonce {})",
                refusal.code,
                nonce + 1
            ),
            ..refusal
        }),
        Ok(refusal) => refusal.into(),
        Err(other) => other,
    })?;
    if args.node.json {
        answer["request"] = json!({
            "owner": owner, "nonce": nonce, "asset": asset.symbol, "assetId": asset.id,
            "amount": amount.to_string(), "to": args.to, "msgHash": msg_hash,
        });
        println!("{answer}");
        return Ok(());
    }
    match answer["status"].as_str() {
        Some("transferred") => {
            println!("transferred {shown} from {owner} to {} (funding nonce {nonce})", args.to);
            println!(
                "  block {}  batch {}  global index {}",
                answer["blockHeight"], answer["batchSeq"], answer["globalIndex"]
            );
        }
        _ => {
            println!("queued: transfer of {shown} to {} (funding nonce {nonce}), msgHash {msg_hash}", args.to);
            println!("  its block is not committed yet; check the balances with: numo account {}", args.to);
        }
    }
    Ok(())
}

//! Moving tokens between L1 and numo: `numo deposit` (approve + deposit on the bridge),
//! `numo withdraw` (a signed F2 Withdraw submitted to the node), `numo withdraw claim` (the
//! settled withdrawal's claim sent to the bridge), and the `numo deposits` / `numo withdrawals`
//! lists.
//!
//! Amounts are typed in whole tokens and converted exactly with the asset's decimals (from the
//! node's `/v1/markets`): an amount with more fraction digits than the asset has is refused
//! before anything is sent. The bridge and token addresses come from the node's `GET /v1/l1`,
//! so the only L1 settings are the RPC URL (`--l1-rpc`, `NUMO_L1_RPC`) and the key that pays
//! for L1 transactions (`--l1-key`, `NUMO_L1_KEY`).
//!
//! The funding domain a withdrawal is signed under (F1) is computed here from the venue's
//! `chainId` and `venueId` (`/v1/markets`), with the one implementation in `numo-funding`, so a
//! node without an L1 (whose `/v1/l1` is 404 `no_l1`) can still take withdrawals; when the
//! node has an L1, its `fundingDomain` must agree, or nothing is signed.

use crate::client::{Market, NodeClient, NodeError, NodeOpts};
use crate::failure::{finish, Failure};
use crate::key_cmd::KeyOpts;
use crate::units::{format_units, parse_token_amount};
use alloy::providers::Provider;
use alloy_primitives::{hex, Address, B256, U256};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use numo_funding::context::funding_domain_separator;
use numo_funding::Withdraw;
use numo_l1::{L1Error, PrivateKeySigner};
use numo_stf::signature::{secret_key_address, sign_digest};
use serde_json::{json, Value};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The L1 side of a command: where to send transactions and who pays for them.
#[derive(Args, Clone)]
pub(crate) struct L1Opts {
    /// L1 private key (0x + 64 hex digits) that signs the L1 transactions (visible in the process
    /// list: prefer NUMO_L1_KEY).
    #[arg(long, env = "NUMO_L1_KEY", hide_env_values = true)]
    l1_key: Option<String>,
    /// L1 JSON-RPC URL.
    #[arg(long, env = "NUMO_L1_RPC", default_value = "http://127.0.0.1:8545")]
    l1_rpc: String,
}

impl L1Opts {
    fn signer(&self) -> Result<PrivateKeySigner> {
        let text = self.l1_key.as_deref().ok_or_else(|| {
            Failure::error(
                "no_l1_key",
                "no L1 key: pass --l1-key 0xHEX or set NUMO_L1_KEY (it pays for the L1 transactions)",
            )
        })?;
        text.trim().parse().map_err(|_| {
            Failure::error("bad_l1_key", "the L1 key must be a valid secp256k1 private key (0x + 64 hex digits)")
        })
    }
}

#[derive(Args)]
pub(crate) struct DepositArgs {
    #[command(flatten)]
    node: NodeOpts,
    #[command(flatten)]
    l1: L1Opts,
    /// Asset symbol (USDC) or 0x asset id.
    #[arg(long)]
    asset: String,
    /// Amount in whole tokens (e.g. 1000 or 0.5); at most the asset's decimals after the point.
    #[arg(long)]
    amount: String,
    /// The numo account credited (default: the L1 key's address).
    #[arg(long)]
    to: Option<Address>,
    /// Wait until the node has credited the deposit (after the bridge's L1 confirmations).
    #[arg(long)]
    wait: bool,
    /// How long --wait waits, in seconds.
    #[arg(long, default_value_t = 120)]
    timeout_secs: u64,
}

/// `numo withdraw --asset … --amount … --to …`; its options are required unless a subcommand
/// (`claim`) is given.
#[derive(Args)]
pub(crate) struct WithdrawArgs {
    #[command(flatten)]
    node: NodeOpts,
    #[command(flatten)]
    key: KeyOpts,
    /// Asset symbol (USDC) or 0x asset id.
    #[arg(long, required = true)]
    asset: Option<String>,
    /// Amount in whole tokens (e.g. 400 or 0.25); at most the asset's decimals after the point.
    #[arg(long, required = true)]
    amount: Option<String>,
    /// The L1 address the claim pays.
    #[arg(long, required = true)]
    to: Option<Address>,
}

#[derive(Subcommand)]
pub(crate) enum WithdrawCommand {
    /// Pay out a settled withdrawal on L1: send its claim to the bridge (anyone may send it; the
    /// tokens go to the withdrawal's recipient).
    Claim(ClaimArgs),
}

#[derive(Args)]
pub(crate) struct ClaimArgs {
    #[command(flatten)]
    node: NodeOpts,
    #[command(flatten)]
    l1: L1Opts,
    /// The withdrawal id (printed by `numo withdraw`, listed by `numo withdrawals`).
    #[arg(long)]
    id: u64,
}

#[derive(Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    node: NodeOpts,
    /// Only rows that involve this address (as numo owner, L1 sender or recipient).
    #[arg(long)]
    owner: Option<Address>,
}

pub(crate) fn deposit(args: DepositArgs) -> ExitCode {
    finish(args.node.json, run_deposit(&args))
}

pub(crate) fn withdraw(command: Option<WithdrawCommand>, args: WithdrawArgs) -> ExitCode {
    match command {
        Some(WithdrawCommand::Claim(claim)) => finish(claim.node.json, run_claim(&claim)),
        None => finish(args.node.json, run_withdraw(&args)),
    }
}

pub(crate) fn withdrawals(args: ListArgs) -> ExitCode {
    finish(args.node.json, list_withdrawals(&args))
}

pub(crate) fn deposits(args: ListArgs) -> ExitCode {
    finish(args.node.json, list_deposits(&args))
}

/// An asset some market trades, with its display decimals.
#[derive(Debug, Clone)]
pub(crate) struct Asset {
    pub(crate) symbol: String,
    pub(crate) id: B256,
    pub(crate) decimals: u32,
}

/// Every asset of the node's markets (the fundable ones, F6), once each.
pub(crate) fn assets(markets: &[Market]) -> Vec<Asset> {
    let mut out: Vec<Asset> = Vec::new();
    for m in markets {
        for (symbol, id, decimals) in [
            (&m.base_symbol, m.base_asset, m.grid.base_decimals),
            (&m.quote_symbol, m.quote_asset, m.grid.quote_decimals),
        ] {
            if !out.iter().any(|a| a.id == id) {
                out.push(Asset { symbol: symbol.clone(), id, decimals });
            }
        }
    }
    out
}

/// The asset `given` names: a symbol (any case) or a `0x` asset id.
pub(crate) fn find_asset<'a>(assets: &'a [Asset], given: &str) -> Result<&'a Asset> {
    let id = given.parse::<B256>().ok();
    assets.iter().find(|a| a.symbol.eq_ignore_ascii_case(given) || Some(a.id) == id).ok_or_else(|| {
        let known: Vec<&str> = assets.iter().map(|a| a.symbol.as_str()).collect();
        Failure::error("unknown_asset", format!("no asset `{given}` on this node (it has {})", known.join(", ")))
    })
}

/// `amount` of `asset_id` in whole tokens, or in base units when the asset is not a market's.
pub(crate) fn show_amount(assets: &[Asset], asset_id: &B256, amount: U256) -> String {
    match assets.iter().find(|a| a.id == *asset_id) {
        Some(a) => format!("{} {}", format_units(amount, a.decimals), a.symbol),
        None => format!("{amount} base units of {asset_id}"),
    }
}

/// The node's L1 coordinates (`GET /v1/l1`).
struct L1Info {
    chain_id: u64,
    bridge: Address,
    tokens: Value,
    last_settled: Option<u64>,
}

fn l1_info(client: &NodeClient) -> Result<L1Info> {
    let l1 = client.get("/v1/l1")?;
    Ok(L1Info {
        chain_id: l1["chainId"].as_u64().context("`/v1/l1` has no `chainId`")?,
        bridge: l1["bridge"].as_str().and_then(|s| s.parse().ok()).context("`/v1/l1` has no `bridge`")?,
        tokens: l1["tokens"].clone(),
        last_settled: l1["lastSettledBatch"].as_u64(),
    })
}

impl L1Info {
    /// The L1 token of `symbol` (the bridge's registered token for it).
    fn token(&self, symbol: &str) -> Result<Address> {
        let tokens = self.tokens.as_object().context("`/v1/l1` has no `tokens`")?;
        tokens
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(symbol))
            .and_then(|(_, a)| a.as_str()?.parse().ok())
            .ok_or_else(|| {
                let known: Vec<&String> = tokens.keys().collect();
                Failure::error(
                    "unknown_asset",
                    format!(
                        "the bridge has no token for {symbol} (it has {})",
                        known.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                )
            })
    }
}

/// Runs an L1 future to its end on a one-thread runtime (the rest of the CLI is blocking).
fn block_on<T>(future: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(future)
}

/// An L1 error with its stable code and what was being done.
fn l1_failure(doing: &str, error: L1Error) -> anyhow::Error {
    Failure::error(error.code(), format!("{doing}: {error}"))
}

/// Refuses an RPC endpoint on another chain than the node's bridge: a transaction there would
/// go to an unrelated contract (or none).
async fn check_chain(rpc_url: &str, expected: u64) -> Result<()> {
    let provider = numo_l1::rpc::connect(rpc_url).map_err(|e| l1_failure("connecting to the L1", e))?;
    let chain = provider.get_chain_id().await.map_err(|e| {
        Failure::error(
            "l1_unreachable",
            format!("cannot reach the L1 at {rpc_url} (pass --l1-rpc URL or set NUMO_L1_RPC): {e}"),
        )
    })?;
    if chain != expected {
        return Err(Failure::error(
            "l1_wrong_chain",
            format!("the L1 at {rpc_url} is chain {chain}, but the node's bridge is on chain {expected}"),
        ));
    }
    Ok(())
}

fn run_deposit(args: &DepositArgs) -> Result<()> {
    let signer = args.l1.signer()?;
    let from = signer.address();
    let to = args.to.unwrap_or(from);
    let client = NodeClient::new(&args.node)?;
    let assets = assets(&client.markets()?);
    let asset = find_asset(&assets, &args.asset)?.clone();
    let amount = parse_token_amount(&args.amount, asset.decimals, &asset.symbol)?;
    let l1 = l1_info(&client)?;
    let token = l1.token(&asset.symbol)?;
    let rpc = args.l1.l1_rpc.as_str();
    let receipt = block_on(async {
        check_chain(rpc, l1.chain_id).await?;
        let held = numo_l1::user::erc20_balance(rpc, token, from)
            .await
            .map_err(|e| l1_failure("reading the token balance", e))?;
        if held < amount {
            return Err(Failure::error(
                "insufficient_l1_balance",
                format!(
                    "{from} holds {} on L1, less than the {} to deposit",
                    show_amount(&assets, &asset.id, held),
                    show_amount(&assets, &asset.id, amount)
                ),
            ));
        }
        numo_l1::user::approve_and_deposit(rpc, &signer, l1.bridge, token, amount, to)
            .await
            .map_err(|e| l1_failure("depositing on the bridge", e))
    })?;
    let shown = show_amount(&assets, &asset.id, amount);
    let credited =
        if args.wait { Some(wait_for_deposit(&client, to, receipt.index, args.timeout_secs)?) } else { None };
    if args.node.json {
        println!(
            "{}",
            json!({
                "index": receipt.index, "txHash": receipt.tx_hash, "blockNumber": receipt.block_number,
                "asset": asset.symbol, "assetId": asset.id, "amount": amount.to_string(), "from": from, "to": to,
                "deposit": credited,
            })
        );
        return Ok(());
    }
    println!("deposited {shown} from L1 {from} to numo account {to}");
    println!("  deposit index {}  L1 tx {}  L1 block {}", receipt.index, receipt.tx_hash, receipt.block_number);
    match &credited {
        None => println!("  the node credits it after the bridge's L1 confirmations: numo deposits --owner {to}"),
        Some(row) => {
            let status = row["status"].as_str().unwrap_or("?");
            println!("  {status} in numo block {} (batch {})", row["blockHeight"], row["batchSeq"]);
            if status == "refunded" {
                println!(
                    "  refunded to {from} as withdrawal {} (the balance would pass the market's maxBalance): numo withdraw claim --id {}",
                    row["refundWithdrawalId"], row["refundWithdrawalId"]
                );
            }
        }
    }
    Ok(())
}

/// Polls `GET /v1/deposits?owner=` until deposit `index` is executed (credited or refunded).
fn wait_for_deposit(client: &NodeClient, owner: Address, index: u64, timeout_secs: u64) -> Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(timeout_secs);
    loop {
        let rows = client.get(&format!("/v1/deposits?owner={owner}"))?;
        if let Some(row) = rows.as_array().into_iter().flatten().find(|r| r["index"].as_u64() == Some(index)) {
            return Ok(row.clone());
        }
        if Instant::now() >= deadline {
            return Err(Failure::error(
                "timeout",
                format!(
                    "deposit {index} was mined but the node has not executed it after {timeout_secs} s (is it following this L1? see `numo deposits --owner {owner}` later)"
                ),
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The funding domain (F1) of the node's venue, checked against the node's own when it has an L1.
pub(crate) fn funding_domain(client: &NodeClient, markets: &[Market]) -> Result<B256> {
    let market = markets
        .first()
        .ok_or_else(|| Failure::error("funding_disabled", "the node lists no market, so no asset is fundable (F6)"))?;
    let domain = funding_domain_separator(market.chain_id, &market.venue_id);
    if let Some(l1) = client.get_optional("/v1/l1")? {
        let served: Option<B256> = l1["fundingDomain"].as_str().and_then(|s| s.parse().ok());
        if served.is_some_and(|served| served != domain) {
            return Err(Failure::error(
                "domain_mismatch",
                format!(
                    "the node's fundingDomain {} differs from the one of its venue (chain {}, venue {}): {domain}; nothing was signed",
                    l1["fundingDomain"], market.chain_id, market.venue_id
                ),
            ));
        }
    }
    Ok(domain)
}

/// The next funding nonce of `owner`: the node's `pendingNonce` (withdrawals and transfers
/// admitted but not in a block yet count), else `nextNonce`.
pub(crate) fn funding_nonce(client: &NodeClient, owner: Address) -> Result<u64> {
    let account = client.get(&format!("/v1/accounts/{owner}"))?;
    let nonce = &account["fundingNonce"];
    nonce["pendingNonce"]
        .as_u64()
        .or_else(|| nonce["nextNonce"].as_u64())
        .context("the account has no `fundingNonce` (a node older than this CLI?)")
}

fn run_withdraw(args: &WithdrawArgs) -> Result<()> {
    let (Some(asset_text), Some(amount_text), Some(recipient)) = (&args.asset, &args.amount, args.to) else {
        return Err(Failure::error("bad_arguments", "numo withdraw needs --asset, --amount and --to"));
    };
    let secret = args.key.secret()?;
    let owner = secret_key_address(&secret);
    let client = NodeClient::new(&args.node)?;
    let markets = client.markets()?;
    let assets = assets(&markets);
    let asset = find_asset(&assets, asset_text)?;
    let amount = parse_token_amount(amount_text, asset.decimals, &asset.symbol)?;
    if recipient.is_zero() {
        return Err(Failure::error("zero_recipient", "--to must not be the zero address (the tokens would be burned)"));
    }
    let domain = funding_domain(&client, &markets)?;
    let nonce = funding_nonce(&client, owner)?;
    let withdraw = Withdraw { owner, nonce, asset_id: asset.id, amount, recipient };
    let msg_hash = withdraw.hash(&domain);
    let signature = sign_digest(&secret, &msg_hash);
    let body = json!({
        "owner": owner, "nonce": nonce, "asset": asset.id, "amount": amount.to_string(),
        "recipient": recipient, "signature": hex::encode_prefixed(signature.0),
    });
    let shown = show_amount(&assets, &asset.id, amount);
    let mut answer = client.post("/v1/withdrawals", &body).map_err(|error| match error.downcast::<NodeError>() {
        // Executed and rejected (F7): the funding nonce is spent all the same.
        Ok(refusal) if refusal.status == 422 => anyhow::Error::new(NodeError {
            message: format!(
                "withdrawal of {shown} rejected: {}; funding nonce {nonce} was consumed (the next withdrawal signs nonce {})",
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
            "amount": amount.to_string(), "recipient": recipient, "msgHash": msg_hash,
        });
        println!("{answer}");
        return Ok(());
    }
    match answer["id"].as_u64() {
        Some(id) => {
            println!("withdrawal {id}: {shown} from {owner} to L1 {recipient} (funding nonce {nonce})");
            println!(
                "  block {}  batch {}  global index {}  status {}",
                answer["blockHeight"],
                answer["batchSeq"],
                answer["globalIndex"],
                answer["status"].as_str().unwrap_or("?")
            );
            println!("  once batch {} is settled on L1: numo withdraw claim --id {id}", answer["batchSeq"]);
        }
        None => {
            println!("queued: withdrawal of {shown} to L1 {recipient} (funding nonce {nonce}), msgHash {msg_hash}");
            println!("  its block is not committed yet; find its id later with: numo withdrawals --owner {owner}");
        }
    }
    Ok(())
}

fn run_claim(args: &ClaimArgs) -> Result<()> {
    let client = NodeClient::new(&args.node)?;
    let id = args.id;
    let withdrawal = client
        .get_optional(&format!("/v1/withdrawals/{id}"))?
        .ok_or_else(|| Failure::error("unknown_withdrawal", format!("the node has no withdrawal {id}")))?;
    let status = withdrawal["status"].as_str().unwrap_or("?").to_string();
    let recipient: Address =
        withdrawal["recipient"].as_str().and_then(|s| s.parse().ok()).context("withdrawal without `recipient`")?;
    let batch = &withdrawal["batchSeq"];
    match status.as_str() {
        "settled" => {}
        "claimed" => {
            return Err(Failure::error(
                "already_claimed",
                format!("withdrawal {id} was already claimed on L1 (paid to {recipient})"),
            ));
        }
        "pending" => {
            let l1 = l1_info(&client)?;
            let settled = l1.last_settled.map_or_else(|| "?".to_string(), |s| s.to_string());
            return Err(Failure::error(
                "not_settled",
                format!(
                    "withdrawal {id} is pending: its batch {batch} is not settled on L1 yet (last settled batch {settled}); claim it once it is"
                ),
            ));
        }
        other => {
            return Err(Failure::error("not_settled", format!("withdrawal {id} has status `{other}`, not `settled`")));
        }
    }
    let claim = &withdrawal["claim"];
    let to: Address =
        claim["to"].as_str().and_then(|s| s.parse().ok()).context("settled withdrawal without `claim.to`")?;
    let data: Vec<u8> =
        claim["data"].as_str().and_then(|s| hex::decode(s).ok()).context("settled withdrawal without `claim.data`")?;
    let asset_id: B256 =
        withdrawal["assetId"].as_str().and_then(|s| s.parse().ok()).context("withdrawal without `assetId`")?;
    let amount: U256 =
        withdrawal["amount"].as_str().and_then(|s| s.parse().ok()).context("withdrawal without `amount`")?;
    let symbol = withdrawal["asset"].as_str().unwrap_or("?").to_string();
    let assets = assets(&client.markets()?);
    let l1 = l1_info(&client)?;
    let token = l1.token(&symbol)?;
    let signer = args.l1.signer()?;
    let rpc = args.l1.l1_rpc.as_str();
    let (tx_hash, balance) = block_on(async {
        check_chain(rpc, l1.chain_id).await?;
        let tx = numo_l1::user::send_claim(rpc, &signer, to, data.into()).await.map_err(|e| match e {
            L1Error::Reverted { error } if error.contains("AlreadyClaimed") => Failure::error(
                "already_claimed",
                format!("withdrawal {id} was already claimed on L1 (the bridge reverted with {error})"),
            ),
            other => l1_failure(&format!("claiming withdrawal {id}"), other),
        })?;
        let balance = numo_l1::user::erc20_balance(rpc, token, recipient)
            .await
            .map_err(|e| l1_failure("reading the recipient's balance", e))?;
        Ok((tx, balance))
    })?;
    if args.node.json {
        println!(
            "{}",
            json!({
                "id": id, "txHash": tx_hash, "recipient": recipient, "asset": symbol, "assetId": asset_id,
                "amount": amount.to_string(), "recipientBalance": balance.to_string(), "token": token,
            })
        );
        return Ok(());
    }
    println!("claimed withdrawal {id}: {} paid to {recipient}", show_amount(&assets, &asset_id, amount));
    println!("  L1 tx {tx_hash}");
    println!("  {recipient} now holds {} on L1", show_amount(&assets, &asset_id, balance));
    Ok(())
}

/// A JSON scalar of a row as table text (strings without their quotes).
fn cell(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_string)
}

/// An address of a row, checksummed (EIP-55) as the rest of the CLI prints addresses.
fn address_cell(value: &Value) -> String {
    value.as_str().and_then(|s| s.parse::<Address>().ok()).map_or_else(|| cell(value), |a| a.to_string())
}

fn row_amount(assets: &[Asset], row: &Value) -> String {
    let id: B256 = row["assetId"].as_str().and_then(|s| s.parse().ok()).unwrap_or_default();
    let amount: U256 = row["amount"].as_str().and_then(|s| s.parse().ok()).unwrap_or_default();
    show_amount(assets, &id, amount)
}

fn owner_query(path: &str, owner: Option<Address>) -> String {
    owner.map_or_else(|| path.to_string(), |o| format!("{path}?owner={o}"))
}

/// The rows of `path` (filtered by `--owner`) with the venue's assets to show their amounts;
/// `None` when it printed them as JSON (`--json`) or said there are none.
fn list_rows(args: &ListArgs, path: &str, none: &str) -> Result<Option<(Vec<Asset>, Vec<Value>)>> {
    let client = NodeClient::new(&args.node)?;
    let rows = client.get(&owner_query(path, args.owner))?;
    if args.node.json {
        println!("{rows}");
        return Ok(None);
    }
    let rows = rows.as_array().cloned().unwrap_or_default();
    if rows.is_empty() {
        println!("{none}");
        return Ok(None);
    }
    Ok(Some((assets(&client.markets()?), rows)))
}

fn list_withdrawals(args: &ListArgs) -> Result<()> {
    let Some((assets, rows)) = list_rows(args, "/v1/withdrawals", "no withdrawals")? else { return Ok(()) };
    println!("{:>6} {:<10} {:>24} {:<42} {:>7} {:<8}", "id", "kind", "amount", "recipient", "batch", "status");
    for row in &rows {
        println!(
            "{:>6} {:<10} {:>24} {:<42} {:>7} {:<8}",
            cell(&row["id"]),
            cell(&row["kind"]),
            row_amount(&assets, row),
            address_cell(&row["recipient"]),
            cell(&row["batchSeq"]),
            cell(&row["status"])
        );
    }
    Ok(())
}

fn list_deposits(args: &ListArgs) -> Result<()> {
    let Some((assets, rows)) = list_rows(args, "/v1/deposits", "no deposits")? else { return Ok(()) };
    println!("{:>6} {:>24} {:<42} {:<42} {:>7} {:<8}", "index", "amount", "from (L1)", "to (numo)", "block", "status");
    for row in &rows {
        println!(
            "{:>6} {:>24} {:<42} {:<42} {:>7} {:<8}",
            cell(&row["index"]),
            row_amount(&assets, row),
            address_cell(&row["from"]),
            address_cell(&row["to"]),
            cell(&row["blockHeight"]),
            cell(&row["status"])
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Withdraw this CLI signs is the 113-byte F2 layout, hashed under the funding domain;
    /// the Python SDK's test_funding.py checks the same vector.
    #[test]
    fn withdraw_vector() {
        let domain = funding_domain_separator(31337, &B256::repeat_byte(0x11));
        let withdraw = Withdraw {
            owner: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8".parse().unwrap(),
            nonce: 7,
            asset_id: B256::repeat_byte(0x22),
            amount: U256::from(400_000_000u64),
            recipient: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC".parse().unwrap(),
        };
        let bytes = withdraw.encode();
        assert_eq!(bytes.len(), 113);
        assert_eq!(
            hex::encode(&bytes),
            concat!(
                "03",
                "70997970c51812dc3a010c7d01b50e0d17dc79c8",
                "0000000000000007",
                "2222222222222222222222222222222222222222222222222222222222222222",
                "0000000000000000000000000000000000000000000000000000000017d78400",
                "3c44cdddb6a900fa2b585dd299e03d12fa4293bc"
            )
        );
        let expect = |hex: &str| hex.parse::<B256>().unwrap();
        assert_eq!(domain, expect("0x47ee380e56910f959573d65cb4caa62914fd4d6cf3593ae1a434f1037c3f01d1"));
        assert_eq!(
            withdraw.hash(&domain),
            expect("0x031c823dfebfd3f74f53060983d03e30b96b2611c5d3c5e6334deee441d264de")
        );
    }
}

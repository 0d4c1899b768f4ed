//! `numo order place` and `numo order cancel`: human price and quantity → tick and lots on the
//! market's grid (refused before anything is sent when off the grid), the next nonce from the
//! node, an unused order id, the signature (numo-stf, the one implementation), submission, and
//! the outcome with its fills.

use crate::client::{Market, NodeClient, NodeOpts};
use crate::failure::{finish, Failure};
use crate::key_cmd::KeyOpts;
use alloy_primitives::{hex, Address, B256, U256};
use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use numo_stf::signature::{secret_key_address, sign_digest};
use numo_stf::{Cancel, Message, Place};
use serde_json::{json, Value};
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum OrderCommand {
    /// Sign and submit a limit order; print its outcome and fills.
    Place(PlaceArgs),
    /// Sign and submit the cancel of one of your resting orders.
    Cancel(CancelArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum SideArg {
    Buy,
    Sell,
}

#[derive(Args)]
pub(crate) struct PlaceArgs {
    #[command(flatten)]
    node: NodeOpts,
    #[command(flatten)]
    key: KeyOpts,
    /// Market symbol (WETH/USDC or WETH-USDC) or 0x market id.
    #[arg(long)]
    market: String,
    #[arg(long, value_enum)]
    side: SideArg,
    /// Limit price in quote per whole base asset (e.g. 3000.25 USDC per WETH); must be on the
    /// tick grid.
    #[arg(long)]
    price: String,
    /// Quantity in whole base asset (e.g. 0.5 WETH); must be a multiple of the lot size.
    #[arg(long)]
    qty: String,
    /// Immediate-or-cancel: fill what crosses now, cancel the rest (default: good till cancelled).
    #[arg(long)]
    ioc: bool,
    /// Order id: an integer or 0x + 64 hex digits (default: a random unused one).
    #[arg(long)]
    order_id: Option<String>,
    /// Answer once the message is durably admitted, without waiting for its block.
    #[arg(long)]
    no_wait: bool,
}

#[derive(Args)]
pub(crate) struct CancelArgs {
    #[command(flatten)]
    node: NodeOpts,
    #[command(flatten)]
    key: KeyOpts,
    /// Market symbol or 0x id.
    #[arg(long)]
    market: String,
    /// The resting order to cancel (integer or 0x hex, as placed).
    #[arg(long)]
    order_id: String,
    /// Answer once the message is durably admitted, without waiting for its block.
    #[arg(long)]
    no_wait: bool,
}

pub(crate) fn run(command: OrderCommand) -> ExitCode {
    match command {
        OrderCommand::Place(args) => finish(args.node.json, place(&args)),
        OrderCommand::Cancel(args) => finish(args.node.json, cancel(&args)),
    }
}

/// An order id from an integer (left-padded to 32 bytes, as the node's friendly form) or hex.
pub(crate) fn parse_order_id(text: &str) -> Result<B256> {
    let id = if text.starts_with("0x") {
        text.parse::<B256>().ok()
    } else {
        text.parse::<U256>().ok().map(|n| B256::from(n.to_be_bytes::<32>()))
    };
    match id {
        Some(id) if !id.is_zero() => Ok(id),
        Some(_) => Err(Failure::error("bad_order_id", "order id 0 is not allowed (C10)")),
        None => Err(Failure::error(
            "bad_order_id",
            format!("order id `{text}` is neither an integer nor 0x + 64 hex digits"),
        )),
    }
}

/// An order id as people type it: the integer when it fits in 16 bytes, else hex.
pub(crate) fn show_order_id(id: &B256) -> String {
    if id[..16].iter().all(|b| *b == 0) {
        U256::from_be_bytes(id.0).to_string()
    } else {
        hex::encode_prefixed(id)
    }
}

/// The trader's next nonce on `market`: the node's `pendingNonce`, which counts messages admitted
/// but not yet in a block (so quick `--no-wait` orders follow each other), else `nextNonce`.
fn next_nonce(client: &NodeClient, trader: Address, market: &Market) -> Result<u64> {
    let account = client.get(&format!("/v1/accounts/{trader}"))?;
    let nonces = account["nonces"].as_array().context("the account has no `nonces`")?;
    let entry = nonces
        .iter()
        .find(|n| n["marketId"].as_str().and_then(|m| m.parse::<B256>().ok()) == Some(market.id))
        .with_context(|| format!("the account lists no nonce for {}", market.symbol))?;
    entry["pendingNonce"].as_u64().or_else(|| entry["nextNonce"].as_u64()).context("`nextNonce` is not a number")
}

/// A random order id below 2^53 (it stays exact in every JSON tool) not resting on the market.
fn unused_order_id(client: &NodeClient, market: &Market) -> Result<B256> {
    loop {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("OS randomness unavailable: {e}"))?;
        let n = u64::from_be_bytes(bytes) >> 11;
        if n == 0 {
            continue;
        }
        let id = B256::left_padding_from(&n.to_be_bytes());
        if client.get_optional(&format!("/v1/orders/{}/{id}", market.id))?.is_none() {
            return Ok(id);
        }
    }
}

fn submit(
    client: &NodeClient,
    market: &Market,
    message: Message,
    secret: &secp256k1::SecretKey,
    wait: bool,
) -> Result<Value> {
    let signature = sign_digest(secret, &message.hash(&market.domain));
    let body = json!({
        "message": hex::encode_prefixed(message.encode()),
        "signature": hex::encode_prefixed(signature.0),
        "market": market.id,
    });
    client.post(if wait { "/v1/messages" } else { "/v1/messages?wait=false" }, &body)
}

fn place(args: &PlaceArgs) -> Result<()> {
    let secret = args.key.secret()?;
    let trader = secret_key_address(&secret);
    let client = NodeClient::new(&args.node)?;
    let market = client.market(&args.market)?;
    let grid = market.grid;
    let tick = grid.tick_of(&args.price)?;
    let qty = grid.qty_of(&args.qty)?;
    let order_id = match &args.order_id {
        Some(text) => parse_order_id(text)?,
        None => unused_order_id(&client, &market)?,
    };
    let nonce = next_nonce(&client, trader, &market)?;
    let side = match args.side {
        SideArg::Buy => 0,
        SideArg::Sell => 1,
    };
    let message = Message::Place(Place { trader, nonce, order_id, side, tif: u32::from(args.ioc), tick, qty });
    let answer = submit(&client, &market, message, &secret, !args.no_wait)?;
    let side_name = ["buy", "sell"][usize::from(side)];
    let tif = if args.ioc { "ioc" } else { "gtc" };
    let request = json!({
        "market": market.symbol, "marketId": market.id, "trader": trader, "nonce": nonce,
        "orderId": order_id, "orderIdShown": show_order_id(&order_id), "side": side_name, "tif": tif,
        "price": grid.price(i64::from(tick)), "tick": tick, "qty": grid.qty(qty), "qtyBase": qty.to_string(),
        "lots": (qty / grid.lot_size).to_string(),
    });
    let headline = format!(
        "{side_name} {} {} at {} {} on {} (tick {tick}, {} lots, {})",
        grid.qty(qty),
        market.base_symbol,
        grid.price(i64::from(tick)),
        market.quote_symbol,
        market.symbol,
        qty / grid.lot_size,
        tif.to_uppercase()
    );
    report(&args.node, &market, request, answer, &headline, |answer| {
        let mut lines = Vec::new();
        if let (Some(filled), Some(rested), Some(cancelled)) =
            (amount(answer, "filled"), amount(answer, "rested"), amount(answer, "cancelled"))
        {
            let b = &market.base_symbol;
            lines.push(format!(
                "  filled {} {b}, resting {} {b}, cancelled {} {b}",
                grid.qty(filled),
                grid.qty(rested),
                grid.qty(cancelled)
            ));
        }
        for fill in answer["fills"].as_array().into_iter().flatten() {
            lines.push(fill_line(&market, fill));
        }
        lines
    })
}

fn amount(value: &Value, name: &str) -> Option<U256> {
    value[name].as_str()?.parse().ok()
}

fn fill_line(market: &Market, fill: &Value) -> String {
    let grid = &market.grid;
    let tick = fill["tick"].as_i64().unwrap_or_default();
    format!(
        "  fill {} {} at {} {} (tick {tick}) = {} {}, taker fee {} {}; maker {} order {}",
        grid.qty(amount(fill, "qty").unwrap_or_default()),
        market.base_symbol,
        grid.price(tick),
        market.quote_symbol,
        grid.quote(amount(fill, "quoteAmount").unwrap_or_default()),
        market.quote_symbol,
        grid.quote(amount(fill, "fee").unwrap_or_default()),
        market.quote_symbol,
        fill["maker"].as_str().unwrap_or("?"),
        fill["makerOrderId"].as_str().and_then(|id| id.parse().ok()).map_or("?".into(), |id| show_order_id(&id)),
    )
}

/// Prints the answer (text or JSON) and turns a rejected outcome into exit status 1.
fn report(
    opts: &NodeOpts,
    market: &Market,
    request: Value,
    answer: Value,
    headline: &str,
    details: impl Fn(&Value) -> Vec<String>,
) -> Result<()> {
    let outcome = answer["outcome"].as_str().unwrap_or("admitted").to_string();
    let reason = answer["reason"].as_str().unwrap_or("").to_string();
    if opts.json {
        let mut result = answer.clone();
        result["request"] = request.clone();
        println!("{result}");
    } else {
        println!("{}: {headline}", if outcome == "admitted" { "admitted" } else { &outcome });
        let trader: Option<Address> = request["trader"].as_str().and_then(|t| t.parse().ok());
        println!(
            "  order {}  nonce {}  trader {}",
            request["orderIdShown"].as_str().unwrap_or("?"),
            request["nonce"],
            trader.map_or("?".into(), |t| t.to_string())
        );
        if outcome == "admitted" {
            println!(
                "  mempool seq {}: durable; the outcome comes with a later block (numo account / numo book {})",
                answer["mempoolSeq"], market.symbol
            );
        } else {
            println!(
                "  global index {}  block {}  batch {}",
                answer["globalIndex"], answer["blockHeight"], answer["batchSeq"]
            );
            if outcome == "rejected" {
                println!("  reason: {reason}");
            }
            for line in details(&answer) {
                println!("{line}");
            }
        }
    }
    if outcome == "rejected" {
        return Err(Failure::reported("rejected", format!("executed but rejected: {reason}")));
    }
    Ok(())
}

fn cancel(args: &CancelArgs) -> Result<()> {
    let secret = args.key.secret()?;
    let trader = secret_key_address(&secret);
    let client = NodeClient::new(&args.node)?;
    let market = client.market(&args.market)?;
    let order_id = parse_order_id(&args.order_id)?;
    let shown = show_order_id(&order_id);
    // Checked first, so a cancel that can only be rejected does not spend a nonce.
    let order = client.get_optional(&format!("/v1/orders/{}/{order_id}", market.id))?.ok_or_else(|| {
        Failure::error(
            "unknown_order",
            format!("order {shown} is not resting on {} (filled, cancelled or never placed)", market.symbol),
        )
    })?;
    let owner: Option<Address> = order["trader"].as_str().and_then(|t| t.parse().ok());
    if owner != Some(trader) {
        return Err(Failure::error(
            "not_order_owner",
            format!(
                "order {shown} on {} belongs to {}, not to {trader}",
                market.symbol,
                order["trader"].as_str().unwrap_or("?")
            ),
        ));
    }
    let nonce = next_nonce(&client, trader, &market)?;
    let message = Message::Cancel(Cancel { trader, nonce, order_id });
    let answer = submit(&client, &market, message, &secret, !args.no_wait)?;
    let grid = market.grid;
    let side = order["side"].as_str().unwrap_or("?").to_string();
    let remaining = amount(&order, "remaining").unwrap_or_default();
    let tick = order["tick"].as_i64().unwrap_or_default();
    let request = json!({
        "market": market.symbol, "marketId": market.id, "trader": trader, "nonce": nonce,
        "orderId": order_id, "orderIdShown": shown, "side": side, "tick": tick,
        "price": grid.price(tick), "remaining": grid.qty(remaining),
    });
    let headline = format!(
        "cancel order {shown} on {} ({side} {} {} at {} {})",
        market.symbol,
        grid.qty(remaining),
        market.base_symbol,
        grid.price(tick),
        market.quote_symbol
    );
    let released_symbol = if side == "sell" { market.base_symbol.clone() } else { market.quote_symbol.clone() };
    report(&args.node, &market, request, answer, &headline, |answer| {
        amount(answer, "released")
            .map(|released| {
                let shown = if side == "sell" { grid.qty(released) } else { grid.quote(released) };
                vec![format!("  released {shown} {released_symbol}")]
            })
            .unwrap_or_default()
    })
}

//! Read-only views of a node: `numo book`, `numo account`, `numo trades` and `numo batch SEQ`,
//! as tables in human units (with the protocol's ticks and lots beside them), or the node's
//! JSON with `--json`.

use crate::client::{find_market, Market, NodeClient, NodeOpts};
use crate::failure::finish;
use crate::key_cmd::KeyOpts;
use crate::order_cmd::show_order_id;
use crate::units::format_units;
use alloy_primitives::{Address, B256, U256};
use anyhow::{Context, Result};
use clap::Args;
use serde_json::Value;
use std::process::ExitCode;

#[derive(Args)]
pub(crate) struct BookArgs {
    #[command(flatten)]
    node: NodeOpts,
    /// Market symbol (WETH/USDC or WETH-USDC) or 0x id.
    market: String,
    /// Price levels per side.
    #[arg(long, default_value_t = 10)]
    depth: usize,
}

#[derive(Args)]
pub(crate) struct AccountArgs {
    #[command(flatten)]
    node: NodeOpts,
    /// The address (default: the address of --key / --key-file / NUMO_KEY).
    address: Option<Address>,
    #[command(flatten)]
    key: KeyOpts,
}

#[derive(Args)]
pub(crate) struct TradesArgs {
    #[command(flatten)]
    node: NodeOpts,
    /// Market symbol or 0x id.
    market: String,
    /// Most recent trades to show.
    #[arg(long, default_value_t = 20)]
    limit: usize,
}

#[derive(Args)]
pub(crate) struct BatchShowArgs {
    #[command(flatten)]
    pub(crate) node: NodeOpts,
    /// The batch sequence number.
    pub(crate) seq: u64,
}

pub(crate) fn book(args: BookArgs) -> ExitCode {
    finish(args.node.json, show_book(&args))
}

pub(crate) fn account(args: AccountArgs) -> ExitCode {
    finish(args.node.json, show_account(&args))
}

pub(crate) fn trades(args: TradesArgs) -> ExitCode {
    finish(args.node.json, show_trades(&args))
}

pub(crate) fn batch(args: BatchShowArgs) -> ExitCode {
    finish(args.node.json, show_batch(&args))
}

/// A JSON scalar as text (width and alignment apply to `String`, not to `Value`).
fn text(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_string)
}

fn u256(value: &Value, name: &str) -> U256 {
    value[name].as_str().and_then(|s| s.parse().ok()).unwrap_or_default()
}

fn show_book(args: &BookArgs) -> Result<()> {
    let client = NodeClient::new(&args.node)?;
    let market = client.market(&args.market)?;
    let book = client.get(&format!("/v1/markets/{}/book?depth={}", market.id, args.depth))?;
    if args.node.json {
        println!("{book}");
        return Ok(());
    }
    let grid = market.grid;
    let asks = book["asks"].as_array().cloned().unwrap_or_default();
    let bids = book["bids"].as_array().cloned().unwrap_or_default();
    println!("{} order book at block {} (up to {} levels a side)", market.symbol, book["height"], args.depth);
    println!(
        "{:<4} {:>16} {:>18} {:>11} {:>12} {:>7}",
        "",
        format!("price {}", market.quote_symbol),
        format!("qty {}", market.base_symbol),
        "tick",
        "lots",
        "orders"
    );
    let row = |side: &str, level: &Value| {
        let tick = level["tick"].as_i64().unwrap_or_default();
        let qty = u256(level, "qty");
        println!(
            "{side:<4} {:>16} {:>18} {tick:>11} {:>12} {:>7}",
            grid.price_aligned(tick),
            grid.qty_aligned(qty),
            (qty / grid.lot_size).to_string(),
            text(&level["orders"])
        );
    };
    // Asks above bids, the best of each next to the spread line.
    for level in asks.iter().rev() {
        row("ask", level);
    }
    let best = |side: &[Value]| side.first().and_then(|l| l["tick"].as_i64());
    match (best(&asks), best(&bids)) {
        (Some(ask), Some(bid)) => println!(
            "---- spread {} {} ({} ticks), mid {} ----",
            grid.price(ask - bid),
            market.quote_symbol,
            ask - bid,
            grid.price((ask + bid) / 2)
        ),
        _ => println!("----"),
    }
    for level in &bids {
        row("bid", level);
    }
    if asks.is_empty() && bids.is_empty() {
        println!("(empty book)");
    }
    Ok(())
}

/// Display decimals of every asset the markets trade.
fn asset_decimals(markets: &[Market], asset: &B256) -> Option<u32> {
    markets.iter().find_map(|m| {
        if m.base_asset == *asset {
            Some(m.grid.base_decimals)
        } else if m.quote_asset == *asset {
            Some(m.grid.quote_decimals)
        } else {
            None
        }
    })
}

fn show_account(args: &AccountArgs) -> Result<()> {
    let address = match args.address {
        Some(address) => address,
        None => numo_stf::signature::secret_key_address(&args.key.secret().context("no ADDRESS given")?),
    };
    let client = NodeClient::new(&args.node)?;
    let account = client.get(&format!("/v1/accounts/{address}"))?;
    if args.node.json {
        println!("{account}");
        return Ok(());
    }
    let markets = client.markets()?;
    let market_of = |id: &Value| {
        id.as_str().and_then(|s| s.parse::<B256>().ok()).and_then(|id| markets.iter().find(|m| m.id == id))
    };
    println!("account {address}");
    println!("\n{:<8} {:>24} {:>24}", "asset", "available", "locked");
    for balance in account["balances"].as_array().into_iter().flatten() {
        let asset: B256 = balance["assetId"].as_str().and_then(|s| s.parse().ok()).unwrap_or_default();
        let decimals = asset_decimals(&markets, &asset).unwrap_or(0);
        println!(
            "{:<8} {:>24} {:>24}",
            balance["symbol"].as_str().unwrap_or("?"),
            format_units(u256(balance, "available"), decimals),
            format_units(u256(balance, "locked"), decimals)
        );
    }
    let orders = account["openOrders"].as_array().cloned().unwrap_or_default();
    println!("\nopen orders: {}", orders.len());
    if !orders.is_empty() {
        println!(
            "{:<10} {:>20} {:<4} {:>14} {:>16} {:>10}",
            "market", "order id", "side", "price", "remaining", "tick"
        );
    }
    for order in &orders {
        let Some(market) = market_of(&order["marketId"]) else { continue };
        let tick = order["tick"].as_i64().unwrap_or_default();
        let id = order["orderId"].as_str().and_then(|s| s.parse().ok()).map_or("?".into(), |id| show_order_id(&id));
        println!(
            "{:<10} {:>20} {:<4} {:>14} {:>16} {tick:>10}",
            market.symbol,
            id,
            order["side"].as_str().unwrap_or("?"),
            market.grid.price_aligned(tick),
            market.grid.qty_aligned(u256(order, "remaining")),
        );
    }
    println!("\nnext nonces (committed):");
    for nonce in account["nonces"].as_array().into_iter().flatten() {
        let name = market_of(&nonce["marketId"]).map_or_else(|| nonce["marketId"].to_string(), |m| m.symbol.clone());
        println!("  {name:<10} {}", text(&nonce["nextNonce"]));
    }
    Ok(())
}

fn show_trades(args: &TradesArgs) -> Result<()> {
    let client = NodeClient::new(&args.node)?;
    let market = client.market(&args.market)?;
    let trades = client.get(&format!("/v1/markets/{}/trades?limit={}", market.id, args.limit))?;
    if args.node.json {
        println!("{trades}");
        return Ok(());
    }
    let list = trades.as_array().cloned().unwrap_or_default();
    let grid = market.grid;
    println!("{} trades, newest first ({} shown)", market.symbol, list.len());
    println!(
        "{:>7} {:>8} {:<5} {:>14} {:>16} {:>16} {:>12}  maker → taker",
        "batch",
        "index",
        "taker",
        format!("price {}", market.quote_symbol),
        format!("qty {}", market.base_symbol),
        format!("quote {}", market.quote_symbol),
        "fee"
    );
    for t in &list {
        let short = |name: &str| {
            let a = t[name].as_str().unwrap_or("?");
            if a.len() > 12 {
                format!("{}…{}", &a[..6], &a[a.len() - 4..])
            } else {
                a.to_string()
            }
        };
        println!(
            "{:>7} {:>8} {:<5} {:>14} {:>16} {:>16} {:>12}  {} → {}",
            text(&t["batchSeq"]),
            text(&t["globalIndex"]),
            t["takerSide"].as_str().unwrap_or("?"),
            grid.price_aligned(t["tick"].as_i64().unwrap_or_default()),
            grid.qty_aligned(u256(t, "qty")),
            grid.quote(u256(t, "quoteAmount")),
            grid.quote(u256(t, "fee")),
            short("maker"),
            short("taker")
        );
    }
    Ok(())
}

fn show_batch(args: &BatchShowArgs) -> Result<()> {
    let client = NodeClient::new(&args.node)?;
    let batch = client.get(&format!("/v1/batches/{}", args.seq))?;
    if args.node.json {
        println!("{batch}");
        return Ok(());
    }
    let markets = client.markets()?;
    let market = batch["marketId"].as_str().and_then(|id| find_market(&markets, id).ok());
    let pi = &batch["publicInputsDecoded"];
    println!(
        "batch {} — block {}, market {}, verification: {}",
        batch["batchSeq"],
        batch["blockHeight"],
        market.map_or_else(|| text(&batch["marketId"]), |m| m.symbol.clone()),
        text(&batch["verification"])
    );
    for name in ["prevRoot", "newRoot", "batchDigest", "rulesHash", "domainSeparator"] {
        println!("  {name:<16} {}", text(&pi[name]));
    }
    println!("  {:<16} {}", "batchSeq", pi["batchSeq"]);
    println!("  {:<16} {} (Unix ms)", "batchTimestamp", pi["batchTimestamp"]);
    for name in ["daCommitment", "tradesRoot", "feesRoot"] {
        println!("  {name:<16} {}", text(&pi[name]));
    }
    println!("  {:<16} {}", "publicInputs", text(&batch["publicInputs"]));
    let messages = batch["messages"].as_array().cloned().unwrap_or_default();
    println!("\nmessages: {}", messages.len());
    println!("{:>8} {:<6} {:<42} {:>6} {:>20}  outcome", "index", "kind", "trader", "nonce", "order id");
    for m in &messages {
        let outcome = match m["outcome"].as_str() {
            Some("rejected") => format!("rejected: {}", text(&m["reason"])),
            Some(other) => {
                let mut s = other.to_string();
                if let (Some(market), Some(filled)) = (market, m["filled"].as_str()) {
                    let filled = filled.parse().unwrap_or_default();
                    let rested = u256(m, "rested");
                    let cancelled = u256(m, "cancelled");
                    s += &format!(
                        ", filled {}, resting {}, cancelled {}",
                        market.grid.qty(filled),
                        market.grid.qty(rested),
                        market.grid.qty(cancelled)
                    );
                } else if let Some(released) = m["released"].as_str() {
                    s += &format!(", released {released} units");
                }
                s
            }
            None => "?".into(),
        };
        let id = m["orderId"].as_str().and_then(|s| s.parse().ok()).map_or("?".into(), |id| show_order_id(&id));
        println!(
            "{:>8} {:<6} {:<42} {:>6} {:>20}  {outcome}",
            text(&m["globalIndex"]),
            text(&m["kind"]),
            text(&m["trader"]),
            text(&m["nonce"]),
            id
        );
    }
    let trades = batch["trades"].as_array().cloned().unwrap_or_default();
    println!("\ntrades: {}", trades.len());
    if let Some(market) = market {
        for t in &trades {
            println!(
                "  {} {} {} at {} {} (tick {})",
                text(&t["takerSide"]),
                market.grid.qty(u256(t, "qty")),
                market.base_symbol,
                market.grid.price(t["tick"].as_i64().unwrap_or_default()),
                market.quote_symbol,
                t["tick"]
            );
        }
    }
    Ok(())
}

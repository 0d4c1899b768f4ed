//! The account-history half of the HTTP API (docs/API.md, "Account history"): an account's
//! fills and orders, newest first, read from the rows each block's commit writes
//! ([`crate::history`]).

use crate::api::{internal, ApiError, ApiPath, ApiResult};
use crate::error::{Refusal, RefusalCode};
use crate::history::{AccountFill, OrderRow};
use crate::limits::{ACCOUNT_HISTORY_DEFAULT, ACCOUNT_HISTORY_MAX};
use crate::node::Node;
use crate::records::{side_name, TradeRecord};
use crate::units::DisplayGrid;
use alloy_primitives::{Address, B256};
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::Json;
use numo_stf::Side;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// `?limit=N`.
#[derive(Deserialize)]
pub(crate) struct HistoryQuery {
    limit: Option<usize>,
}

/// The account and row count a history request asks for; a limit outside
/// `1..=ACCOUNT_HISTORY_MAX` is refused (`bad_query`).
fn history_request(
    address: &str,
    query: Result<Query<HistoryQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<(Address, usize), ApiError> {
    let address: Address = address
        .parse()
        .map_err(|_| ApiError::from(Refusal::new(RefusalCode::BadHex, "address must be 20 bytes of 0x hex")))?;
    let Query(query) = query.map_err(|e| ApiError::from(Refusal::new(RefusalCode::BadQuery, e.body_text())))?;
    let limit = query.limit.unwrap_or(ACCOUNT_HISTORY_DEFAULT);
    if !(1..=ACCOUNT_HISTORY_MAX).contains(&limit) {
        let message = format!("limit {limit} is outside 1..={ACCOUNT_HISTORY_MAX}");
        return Err(ApiError::from(Refusal::new(RefusalCode::BadQuery, message)));
    }
    Ok((address, limit))
}

/// A market's symbol and display grid (every stored row is of a venue market; an unknown id,
/// which only a foreign data dir could hold, shows its id and raw ticks).
fn market_view(node: &Node, market: &B256) -> (String, Option<DisplayGrid>) {
    match node.markets.get(market) {
        Some(spec) => (spec.symbol.clone(), Some(DisplayGrid::of(spec, &node.genesis))),
        None => (market.to_string(), None),
    }
}

/// A fill from the account's side: the trade object plus `market`, `marketId`, `price`, the
/// account's `side` and `liquidity`, and `fee`, what the account paid.
fn fill_json(node: &Node, fill: &AccountFill) -> Value {
    let record = TradeRecord::new(fill.batch_seq, fill.global_index, fill.block, &fill.trade);
    let mut answer = serde_json::to_value(&record).expect("records serialize");
    let (symbol, grid) = market_view(node, &fill.trade.market_id);
    let taker_side = fill.trade.taker_side;
    let side = match fill.liquidity {
        crate::history::Liquidity::Taker => taker_side,
        crate::history::Liquidity::Maker if taker_side == Side::Buy => Side::Sell,
        crate::history::Liquidity::Maker => Side::Buy,
    };
    answer["market"] = json!(symbol);
    answer["marketId"] = json!(fill.trade.market_id);
    answer["price"] = json!(grid.map(|g| g.price(fill.trade.maker_tick.into())));
    answer["side"] = json!(side_name(side));
    answer["liquidity"] = json!(fill.liquidity.name());
    answer["fee"] = json!(fill.fee().to_string());
    answer
}

/// An order row as the API shows it.
fn order_json(node: &Node, row: &OrderRow) -> Value {
    let (symbol, grid) = market_view(node, &row.market_id);
    let side = match row.side {
        0 => json!("buy"),
        1 => json!("sell"),
        other => json!(other),
    };
    let tif = match row.tif {
        0 => json!("gtc"),
        1 => json!("ioc"),
        other => json!(other),
    };
    json!({
        "market": symbol, "marketId": row.market_id, "orderId": row.order_id, "side": side, "tif": tif,
        "tick": row.tick, "price": grid.map(|g| g.price(row.tick.into())), "qty": row.qty.to_string(),
        "filled": row.filled.to_string(), "status": row.status.name(), "reason": row.reason.map(|r| r.name()),
        "globalIndex": row.global_index, "batchSeq": row.batch_seq, "blockHeight": row.block.height,
        "timestampMs": row.block.timestamp_ms,
    })
}

/// `GET /v1/accounts/{address}/trades?limit=N`: the account's fills, maker or taker, newest
/// first.
pub(crate) async fn trades(
    State(node): State<Arc<Node>>,
    ApiPath(address): ApiPath<String>,
    query: Result<Query<HistoryQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let (address, limit) = history_request(&address, query)?;
    let fills = node.store.account_fills(&address, limit).map_err(internal)?;
    let list: Vec<Value> = fills.iter().map(|fill| fill_json(&node, fill)).collect();
    Ok(Json(list).into_response())
}

/// `GET /v1/accounts/{address}/orders?limit=N`: the account's orders, newest first, each with
/// its current status.
pub(crate) async fn orders(
    State(node): State<Arc<Node>>,
    ApiPath(address): ApiPath<String>,
    query: Result<Query<HistoryQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let (address, limit) = history_request(&address, query)?;
    let rows = node.store.account_orders(&address, limit).map_err(internal)?;
    let list: Vec<Value> = rows.iter().map(|row| order_json(&node, row)).collect();
    Ok(Json(list).into_response())
}

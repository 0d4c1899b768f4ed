//! The market-data half of the HTTP API (docs/API.md, "Market data"): candles and 24-hour
//! tickers, read from the candles each block's commit maintains ([`crate::candles`]), with
//! prices and sizes in human units ([`crate::units::DisplayGrid`]).
//!
//! A ticker's 24 hours end at the latest block's header time (not the wall clock: an idle venue's
//! ticker does not drift) and are the 1,440 one-minute candles ending with that block's.

use crate::api::{internal, ApiError, ApiPath, ApiResult};
use crate::candles::{change_percent, day_window_start_s, fold, Candle, Interval, DAY_MINUTES};
use crate::error::{Refusal, RefusalCode};
use crate::limits::{CANDLES_DEFAULT, CANDLES_MAX};
use crate::node::Node;
use crate::store::StoredCandle;
use crate::submission::resolve_market;
use crate::units::DisplayGrid;
use alloy_primitives::B256;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

fn bad_query(message: impl Into<String>) -> ApiError {
    ApiError::from(Refusal::new(RefusalCode::BadQuery, message))
}

/// `?interval=1m|5m|1h&limit=N`.
#[derive(Deserialize)]
pub(crate) struct CandlesQuery {
    interval: Option<String>,
    limit: Option<usize>,
}

/// The interval and row count a candles query asks for; a missing or unknown interval, or a
/// limit outside `1..=CANDLES_MAX`, is refused (`bad_query`) rather than guessed.
fn candles_query(
    query: Result<Query<CandlesQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<(Interval, usize), ApiError> {
    let Query(query) = query.map_err(|e| bad_query(e.body_text()))?;
    let names = Interval::ALL.map(Interval::name).join(", ");
    let interval = match query.interval.as_deref() {
        None => return Err(bad_query(format!("`interval` is required: one of {names}"))),
        Some(name) => {
            Interval::parse(name).ok_or_else(|| bad_query(format!("interval `{name}` is not one of {names}")))?
        }
    };
    let limit = query.limit.unwrap_or(CANDLES_DEFAULT);
    if !(1..=CANDLES_MAX).contains(&limit) {
        return Err(bad_query(format!("limit {limit} is outside 1..={CANDLES_MAX}")));
    }
    Ok((interval, limit))
}

/// One candle as the API shows it: bucket start in Unix seconds, human prices and sizes.
fn candle_json(grid: &DisplayGrid, (start_s, candle): &StoredCandle) -> Value {
    let Candle { open, high, low, close, volume, quote_volume, trades } = *candle;
    json!({
        "time": start_s, "open": grid.price(open.into()), "high": grid.price(high.into()),
        "low": grid.price(low.into()), "close": grid.price(close.into()), "volume": grid.qty(volume),
        "quoteVolume": grid.quote(quote_volume), "trades": trades,
    })
}

/// `GET /v1/markets/{market}/candles?interval=1m|5m|1h&limit=N`: the newest `limit` candles
/// (default [`CANDLES_DEFAULT`]), oldest first; buckets without trades are absent.
pub(crate) async fn candles(
    State(node): State<Arc<Node>>,
    ApiPath(market): ApiPath<String>,
    query: Result<Query<CandlesQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let market = resolve_market(&node.markets, &market)?;
    let (interval, limit) = candles_query(query)?;
    let grid = DisplayGrid::of(&node.markets[&market], &node.genesis);
    let rows = node.store.candles(&market, interval, limit).map_err(internal)?;
    let list: Vec<Value> = rows.iter().map(|row| candle_json(&grid, row)).collect();
    Ok(Json(list).into_response())
}

/// The 24-hour ticker of `market` for a window ending at `end_ms` (the latest block's time;
/// `None` before the first block).
fn ticker_json(node: &Node, market: &B256, end_ms: Option<u64>) -> Result<Value, ApiError> {
    let spec = &node.markets[market];
    let grid = DisplayGrid::of(spec, &node.genesis);
    let last = node.store.candles(market, Interval::Minute, 1).map_err(internal)?.pop().map(|(_, c)| c.close);
    let window = match end_ms {
        Some(end_ms) => node
            .store
            .candles_from(market, Interval::Minute, day_window_start_s(end_ms), DAY_MINUTES as usize)
            .map_err(internal)?,
        None => Vec::new(),
    };
    let day = fold(window.iter().map(|(_, candle)| candle));
    let price = |tick: Option<i32>| tick.map(|tick| grid.price(tick.into()));
    Ok(json!({
        "symbol": spec.symbol, "marketId": market, "last": price(last),
        "open24h": price(day.map(|d| d.open)), "high24h": price(day.map(|d| d.high)),
        "low24h": price(day.map(|d| d.low)),
        "volume24h": grid.qty(day.map_or(Default::default(), |d| d.volume)),
        "quoteVolume24h": grid.quote(day.map_or(Default::default(), |d| d.quote_volume)),
        "change24h": day.and_then(|d| change_percent(d.open, d.close)),
        "trades24h": day.map_or(0, |d| d.trades),
    }))
}

/// The header time of the latest block, where every ticker's window ends.
fn latest_block_ms(node: &Node) -> Option<u64> {
    node.chain.read().expect("chain lock").last_block.as_ref().map(|b| b.timestamp_ms)
}

/// `GET /v1/tickers`: one 24-hour ticker per market, in `GET /v1/markets` order.
pub(crate) async fn tickers(State(node): State<Arc<Node>>) -> ApiResult {
    let end_ms = latest_block_ms(&node);
    let list = node.markets.keys().map(|market| ticker_json(&node, market, end_ms)).collect::<Result<Vec<_>, _>>()?;
    Ok(Json(list).into_response())
}

/// `GET /v1/markets/{market}/ticker`: the market's 24-hour ticker.
pub(crate) async fn ticker(State(node): State<Arc<Node>>, ApiPath(market): ApiPath<String>) -> ApiResult {
    let market = resolve_market(&node.markets, &market)?;
    Ok(Json(ticker_json(&node, &market, latest_block_ms(&node))?).into_response())
}

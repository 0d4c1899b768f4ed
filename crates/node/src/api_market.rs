//! The market-data half of the HTTP API (docs/API.md, "Market data"): candles and 24-hour
//! tickers, read from the candles each block's commit maintains ([`crate::candles`]), with
//! prices and sizes in human units ([`crate::units::DisplayGrid`]).

use crate::api::{internal, ApiError, ApiPath, ApiResult};
use crate::candles::{Candle, Interval};
use crate::error::{Refusal, RefusalCode};
use crate::limits::{CANDLES_DEFAULT, CANDLES_MAX};
use crate::node::Node;
use crate::store::StoredCandle;
use crate::submission::resolve_market;
use crate::units::DisplayGrid;
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

//! The HTTP API (axum). Every error is `{"error": {"code", "message"}}` with a 4xx/5xx status;
//! no input can make a handler panic. Documented in `docs/API.md`. Paths outside the API serve
//! the embedded web app ([`crate::web`]).

use crate::error::{Refusal, RefusalCode};
use crate::ingress::{self, Ticket};
use crate::limits::{MAX_BATCH_BODY_BYTES, MAX_BODY_BYTES};
pub use crate::limits::{SUBMIT_BATCH_MAX, VIEW_ROWS_MAX, WAIT_FOR_BLOCK_MAX};
use crate::node::Node;
use crate::records::side_name;
use crate::store::{ChainStore, Verification};
use crate::submission::{self, resolve_market};
use crate::witness;
use alloy_primitives::{hex, Address, B256, U256};
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use numo_stf::keys::{balance_key, nonce_key, order_key};
use numo_stf::values::{Balance, NextNonce, Order};
use numo_stf::Side;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

/// An error answer.
pub struct ApiError(pub(crate) Refusal);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(json!({ "error": { "code": self.0.code.as_str(), "message": self.0.message } }))).into_response()
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        Self(refusal)
    }
}

/// [`Path`] whose rejection (a segment that is not UTF-8 once percent-decoded) is answered in
/// the error shape, not with axum's plain-text body.
pub(crate) struct ApiPath<T>(pub(crate) T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(e) => Err(ApiError(Refusal::with_status(e.status().as_u16(), RefusalCode::BadPath, e.body_text()))),
        }
    }
}

pub(crate) fn not_found(what: &str) -> ApiError {
    ApiError(Refusal::new(RefusalCode::NotFound, format!("{what} not found")))
}

pub(crate) fn internal(error: impl std::fmt::Display) -> ApiError {
    ApiError(Refusal::new(RefusalCode::StorageError, error.to_string()))
}

/// What a handler returns.
pub type ApiResult = Result<Response, ApiError>;

/// The router with every endpoint.
pub fn router(node: Arc<Node>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/v1/messages", post(submit))
        .route(
            "/v1/messages/batch",
            post(submit_batch).layer(axum::extract::DefaultBodyLimit::max(MAX_BATCH_BODY_BYTES)),
        )
        .route("/v1/info", get(info))
        .route("/v1/markets", get(markets))
        .route("/v1/markets/{market}/book", get(book))
        .route("/v1/markets/{market}/trades", get(trades))
        .route("/v1/markets/{market}/candles", get(crate::api_market::candles))
        .route("/v1/markets/{market}/ticker", get(crate::api_market::ticker))
        .route("/v1/tickers", get(crate::api_market::tickers))
        .route("/v1/orders/{market}/{order_id}", get(order))
        .route("/v1/accounts/{address}", get(account))
        .route("/v1/accounts/{address}/trades", get(crate::api_history::trades))
        .route("/v1/accounts/{address}/orders", get(crate::api_history::orders))
        .route("/v1/blocks/latest", get(latest_block))
        .route("/v1/blocks/{height}", get(block))
        .route("/v1/batches/{seq}", get(batch))
        .route("/v1/batches/{seq}/witness", get(batch_witness))
        .route("/v1/batches/{seq}/proof", get(batch_proof))
        .route("/v1/state/root", get(state_root))
        .route("/v1/mempool", get(mempool))
        .route("/v1/state/proof/{key}", get(state_proof))
        .route("/v1/ws", get(crate::stream::session::handler))
        .route("/v1/withdrawals", post(crate::api_funding::submit_withdrawal).get(crate::api_funding::withdrawals))
        .route("/v1/withdrawals/{id}", get(crate::api_funding::withdrawal))
        .route("/v1/transfers", post(crate::api_funding::submit_transfer))
        .route("/v1/deposits", get(crate::api_funding::deposits))
        .route("/v1/l1", get(crate::api_funding::l1))
        .fallback(app_or_no_route)
        .method_not_allowed_fallback(|| async {
            ApiError(Refusal::new(RefusalCode::MethodNotAllowed, "method not allowed on this endpoint"))
        })
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(node)
}

/// Any path no endpoint claims: a file of the embedded web app ([`crate::web`]) for a GET
/// outside `/v1/`, else `no_route` in the error shape.
async fn app_or_no_route(method: axum::http::Method, uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    let read = method == axum::http::Method::GET || method == axum::http::Method::HEAD;
    match read.then(|| crate::web::serve(uri.path(), &headers)).flatten() {
        Some(file) => file,
        None => ApiError(Refusal::new(RefusalCode::NoRoute, "no such endpoint")).into_response(),
    }
}

async fn health(State(node): State<Arc<Node>>) -> Response {
    let chain = node.chain.read().expect("chain lock");
    let height = chain.last_block.as_ref().map_or(0, |b| b.height);
    let pending = node.mempool.lock().expect("mempool lock").len();
    drop(chain);
    let mut answer = json!({ "status": "ok", "height": height, "pending": pending, "lamport": node.lamport.now() });
    if let Some(consensus) = node.consensus.get() {
        answer["consensus"] = consensus.health();
    }
    match node.failure() {
        None => Json(answer).into_response(),
        Some(reason) => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "failed", "reason": reason, "height": height })))
                .into_response()
        }
    }
}

/// `GET /v1/mempool`: messages admitted here and not yet in a block, in causal order (Lamport
/// time, K7), at most [`crate::limits::VIEW_ROWS_MAX`].
async fn mempool(State(node): State<Arc<Node>>) -> Response {
    let rows = mempool_by_lamport(&node, crate::limits::VIEW_ROWS_MAX);
    Json(json!({ "lamport": node.lamport.now(), "pending": rows })).into_response()
}

async fn metrics(State(node): State<Arc<Node>>) -> Response {
    let pending = node.mempool.lock().expect("mempool lock").len();
    let l1 = node.l1.get().map(|l1| (l1.last_settled_batch.load(Relaxed), l1.listened_block.load(Relaxed)));
    let mut text = node.metrics.render(pending, &node.streams.counters, l1);
    if let Some(consensus) = node.consensus.get() {
        consensus.render(&mut text);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

#[derive(Deserialize)]
struct SubmitQuery {
    wait: Option<bool>,
}

/// A body over the limit (or one that fails to arrive) is refused in the error shape too, not
/// with axum's plain-text rejection.
fn body_refusal(e: axum::extract::rejection::BytesRejection) -> Refusal {
    let code =
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE { RefusalCode::PayloadTooLarge } else { RefusalCode::BadBody };
    Refusal::with_status(e.status().as_u16(), code, e.body_text())
}

async fn submit(
    State(node): State<Arc<Node>>,
    query: Result<Query<SubmitQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult {
    let body = body.map_err(body_refusal);
    let result = match body {
        Ok(body) => admit(&node, query.map(|q| q.0.wait.unwrap_or(true)), &body).await,
        Err(refusal) => Err(refusal.into()),
    };
    if let Err(ApiError(refusal)) = &result {
        node.metrics.refuse(refusal.code.as_str());
    }
    result
}

async fn admit(
    node: &Arc<Node>,
    wait: Result<bool, axum::extract::rejection::QueryRejection>,
    body: &[u8],
) -> ApiResult {
    let wait = wait.map_err(|e| Refusal::new(RefusalCode::BadQuery, e.body_text()))?;
    let body: Value = serde_json::from_slice(body).map_err(|e| Refusal::new(RefusalCode::BadJson, e.to_string()))?;
    let admitted = start_admission(node, &body, wait)?;
    match finish_admission(node, admitted).await {
        Ok((status, answer)) => Ok((status, Json(answer)).into_response()),
        Err(refusal) => Err(refusal.into()),
    }
}

/// Parses one submission (this transport's part) and hands it to the one ingress.
fn start_admission(node: &Arc<Node>, body: &Value, wait: bool) -> Result<Ticket, Refusal> {
    let parsed = submission::parse(&node.markets, body)?;
    ingress::submit(node, parsed, wait)
}

/// Waits until `admitted` is durable and, if asked, for its block; the answer's status and body.
async fn finish_admission(node: &Arc<Node>, admitted: Ticket) -> Result<(StatusCode, Value), Refusal> {
    let Ticket { seq, lamport, durable, outcome } = admitted;
    match durable.await {
        Ok(Ok(())) => node.metrics.admitted.fetch_add(1, Relaxed),
        Ok(Err(reason)) => {
            return Err(Refusal::new(RefusalCode::LogWriteFailed, format!("admission log write failed: {reason}")))
        }
        Err(_) => return Err(Refusal::new(RefusalCode::LogUnavailable, "admission log stopped")),
    };
    let still_pending = (StatusCode::ACCEPTED, json!({ "mempoolSeq": seq, "lamport": lamport, "status": "admitted" }));
    let Some(outcome) = outcome else {
        return Ok((StatusCode::OK, json!({ "mempoolSeq": seq, "lamport": lamport, "status": "admitted" })));
    };
    match tokio::time::timeout(WAIT_FOR_BLOCK_MAX, outcome).await {
        Ok(Ok(Ok(receipt))) => {
            let mut answer = serde_json::to_value(&receipt.record).expect("records serialize");
            answer["blockHeight"] = json!(receipt.block_height);
            answer["batchSeq"] = json!(receipt.batch_seq);
            answer["fills"] = serde_json::to_value(&receipt.fills).expect("records serialize");
            answer["lamport"] = json!(lamport);
            // K6: the answer is evidence against this node if it ever gives the index away twice.
            let chain_id = node.genesis.chain_id;
            let signed = node.signer.receipt(
                chain_id,
                receipt.record.msg_hash,
                receipt.record.global_index,
                receipt.block_height,
            );
            answer["receipt"] = serde_json::to_value(&signed).expect("receipts serialize");
            Ok((StatusCode::OK, answer))
        }
        Ok(Ok(Err(reason))) => Err(Refusal::new(RefusalCode::Dropped, format!("dropped: {}", reason.code()))),
        _ => Ok(still_pending),
    }
}

/// `POST /v1/messages/batch`: up to [`SUBMIT_BATCH_MAX`] submissions, each admitted or refused
/// on its own and in order (so one trader's consecutive nonces may share a request). The
/// answer lists, per submission, what `POST /v1/messages` would have answered, with that
/// answer's HTTP status as `httpStatus`.
async fn submit_batch(
    State(node): State<Arc<Node>>,
    query: Result<Query<SubmitQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult {
    let result = admit_batch(&node, query, body).await;
    if let Err(ApiError(refusal)) = &result {
        node.metrics.refuse(refusal.code.as_str());
    }
    result
}

async fn admit_batch(
    node: &Arc<Node>,
    query: Result<Query<SubmitQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult {
    let body = body.map_err(body_refusal)?;
    let wait = query.map_err(|e| Refusal::new(RefusalCode::BadQuery, e.body_text()))?.0.wait.unwrap_or(true);
    let body: Value = serde_json::from_slice(&body).map_err(|e| Refusal::new(RefusalCode::BadJson, e.to_string()))?;
    let Some(items) = body.get("messages").and_then(Value::as_array) else {
        return Err(Refusal::new(RefusalCode::BadRequest, "the body must be {\"messages\": [submission, ...]}").into());
    };
    if items.is_empty() || items.len() > SUBMIT_BATCH_MAX {
        let message = format!("a batch holds 1 to {SUBMIT_BATCH_MAX} messages, got {}", items.len());
        return Err(Refusal::new(RefusalCode::BadBatchSize, message).into());
    }
    let started: Vec<Result<Ticket, Refusal>> = items.iter().map(|item| start_admission(node, item, wait)).collect();
    let mut results = Vec::with_capacity(started.len());
    let (mut admitted, mut refused) = (0usize, 0usize);
    for item in started {
        let answer = match item {
            Ok(item) => finish_admission(node, item).await,
            Err(refusal) => Err(refusal),
        };
        results.push(match answer {
            Ok((status, mut answer)) => {
                admitted += 1;
                answer["httpStatus"] = json!(status.as_u16());
                answer
            }
            Err(refusal) => {
                refused += 1;
                node.metrics.refuse(refusal.code.as_str());
                json!({ "httpStatus": refusal.status, "error": { "code": refusal.code.as_str(), "message": refusal.message } })
            }
        });
    }
    Ok(Json(json!({ "admitted": admitted, "refused": refused, "results": results })).into_response())
}

/// `GET /v1/info`: the venue and how this node runs, for a client's first request (the web
/// app offers the dev accounts only when `mode` is `dev`, deriving their keys itself).
async fn info(State(node): State<Arc<Node>>) -> Response {
    let run = node.run_info();
    let dev_accounts = if run.mode == crate::config::RunMode::Dev { run.dev_accounts } else { 0 };
    Json(json!({
        "chainId": node.genesis.chain_id, "venueId": node.genesis.venue_id, "mode": run.mode.name(),
        "devAccounts": dev_accounts, "evmRpc": run.evm_rpc, "version": env!("CARGO_PKG_VERSION"),
    }))
    .into_response()
}

async fn markets(State(node): State<Arc<Node>>) -> Response {
    let list: Vec<Value> = node
        .markets
        .values()
        .map(|m| {
            let c = &m.context;
            let r = &c.rules;
            let decimals = |asset| node.genesis.asset_by_id(asset).map(|a| a.decimals);
            json!({
                "baseDecimals": decimals(&r.base_asset), "quoteDecimals": decimals(&r.quote_asset),
                "symbol": m.symbol, "marketId": c.market_id, "baseAssetId": r.base_asset, "quoteAssetId": r.quote_asset,
                "priceScale": r.price_scale.to_string(), "tickSize": r.tick_size.to_string(), "lotSize": r.lot_size.to_string(),
                "maxBalance": r.max_balance.to_string(), "takerFeeBps": r.taker_fee_bps, "makerFeeBps": r.maker_fee_bps,
                "maxOrdersPerBatch": r.max_orders_per_batch, "maxMatchesPerOrder": r.max_matches_per_order,
                "domainSeparator": c.domain_separator(), "rulesHash": r.hash(), "chainId": c.chain_id, "venueId": c.venue_id,
            })
        })
        .collect();
    Json(list).into_response()
}

#[derive(Deserialize)]
struct RowsQuery {
    depth: Option<usize>,
    limit: Option<usize>,
}

fn rows(
    query: Result<Query<RowsQuery>, axum::extract::rejection::QueryRejection>,
    default: usize,
) -> Result<(usize, usize), ApiError> {
    let Query(q) = query.map_err(|e| Refusal::new(RefusalCode::BadQuery, e.body_text()))?;
    let clamp = |v: Option<usize>| v.unwrap_or(default).clamp(1, VIEW_ROWS_MAX);
    Ok((clamp(q.depth), clamp(q.limit)))
}

async fn book(
    State(node): State<Arc<Node>>,
    ApiPath(market): ApiPath<String>,
    query: Result<Query<RowsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let market = resolve_market(&node.markets, &market)?;
    let (depth, _) = rows(query, 20)?;
    let tick_size = node.markets[&market].context.rules.tick_size;
    let chain = node.chain.read().expect("chain lock");
    let side = |side: Side| -> Vec<Value> {
        chain
            .book_side(&market, side, depth)
            .into_iter()
            .map(|(tick, orders)| {
                let qty = orders.iter().fold(U256::ZERO, |sum, (_, o)| sum + o.remaining);
                let price = U256::from(tick.unsigned_abs()) * tick_size;
                json!({ "tick": tick, "price": price.to_string(), "qty": qty.to_string(), "orders": orders.len() })
            })
            .collect()
    };
    let height = chain.last_block.as_ref().map_or(0, |b| b.height);
    Ok(Json(json!({ "marketId": market, "height": height, "bids": side(Side::Buy), "asks": side(Side::Sell) }))
        .into_response())
}

async fn trades(
    State(node): State<Arc<Node>>,
    ApiPath(market): ApiPath<String>,
    query: Result<Query<RowsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let market = resolve_market(&node.markets, &market)?;
    let (_, limit) = rows(query, 100)?;
    let chain = node.chain.read().expect("chain lock");
    let list: Vec<Value> = chain
        .recent_trades
        .get(&market)
        .map(|t| t.iter().rev().take(limit).map(|t| serde_json::to_value(t).expect("records serialize")).collect())
        .unwrap_or_default();
    Ok(Json(list).into_response())
}

fn parse_b256(text: &str, what: &str) -> Result<B256, ApiError> {
    text.parse().map_err(|_| ApiError(Refusal::new(RefusalCode::BadHex, format!("{what} must be 32 bytes of 0x hex"))))
}

fn order_json(market: &B256, order_id: &B256, order: &Order) -> Value {
    json!({
        "marketId": market, "orderId": order_id, "trader": order.trader, "side": side_name(order.side),
        "tick": order.tick, "remaining": order.remaining.to_string(), "locked": order.locked.to_string(), "status": "resting",
    })
}

async fn order(State(node): State<Arc<Node>>, ApiPath((market, order_id)): ApiPath<(String, String)>) -> ApiResult {
    let market = resolve_market(&node.markets, &market)?;
    let order_id = parse_b256(&order_id, "orderId")?;
    let order: Order = node.chain.read().expect("chain lock").read(&order_key(&market, &order_id));
    if order == Order::default() {
        return Err(not_found("resting order"));
    }
    Ok(Json(order_json(&market, &order_id, &order)).into_response())
}

async fn account(State(node): State<Arc<Node>>, ApiPath(address): ApiPath<String>) -> ApiResult {
    let address: Address = address
        .parse()
        .map_err(|_| ApiError(Refusal::new(RefusalCode::BadHex, "address must be 20 bytes of 0x hex")))?;
    let chain = node.chain.read().expect("chain lock");
    let balances: Vec<Value> = node
        .genesis
        .assets
        .iter()
        .map(|asset| {
            let balance: Balance = chain.read(&balance_key(&address, &asset.asset_id));
            json!({ "assetId": asset.asset_id, "symbol": asset.symbol, "available": balance.available.to_string(), "locked": balance.locked.to_string() })
        })
        .collect();
    let orders: Vec<Value> = chain
        .open_orders
        .get(&address)
        .map(|set| set.iter().map(|(m, id)| order_json(m, id, &chain.read(&order_key(m, id)))).collect())
        .unwrap_or_default();
    let nonces: Vec<Value> = node
        .markets
        .keys()
        .map(|m| {
            let committed = chain.read::<NextNonce>(&nonce_key(&address, m)).0;
            // Admitted messages not yet in a block have reserved the nonces up to the pending one.
            let pending = node.admission.pending_nonce(&address, m).map_or(committed, |p| p.max(committed));
            json!({ "marketId": m, "nextNonce": committed, "pendingNonce": pending })
        })
        .collect();
    let funding_committed =
        chain.read::<numo_funding::keys::Counter>(&numo_funding::keys::funding_nonce_key(&address)).0;
    let funding_pending = node
        .funding
        .lock()
        .expect("funding lock")
        .pending_nonce(&address)
        .map_or(funding_committed, |p| p.max(funding_committed));
    let funding_nonce = json!({ "nextNonce": funding_committed, "pendingNonce": funding_pending });
    Ok(Json(json!({
        "address": address, "balances": balances, "openOrders": orders, "nonces": nonces, "fundingNonce": funding_nonce,
    }))
    .into_response())
}

async fn latest_block(State(node): State<Arc<Node>>) -> ApiResult {
    let chain = node.chain.read().expect("chain lock");
    let header = chain.last_block.as_ref().ok_or_else(|| not_found("block"))?;
    Ok(Json(header).into_response())
}

fn parse_u64(text: &str, what: &str) -> Result<u64, ApiError> {
    text.parse()
        .map_err(|_| ApiError(Refusal::new(RefusalCode::BadNumber, format!("{what} must be an unsigned integer"))))
}

async fn block(State(node): State<Arc<Node>>, ApiPath(height): ApiPath<String>) -> ApiResult {
    let height = parse_u64(&height, "height")?;
    let header = node.store.block(height).map_err(internal)?.ok_or_else(|| not_found("block"))?;
    let mut answer = serde_json::to_value(&header).expect("headers serialize");
    // K5: the certificate this node finalized the block with (not covered by the hash).
    if let Some(bytes) = node.store.certificate(height).map_err(internal)? {
        answer["certificate"] = crate::consensus::certificate_json(&bytes);
    }
    Ok(Json(answer).into_response())
}

async fn batch(State(node): State<Arc<Node>>, ApiPath(seq): ApiPath<String>) -> ApiResult {
    let seq = parse_u64(&seq, "batchSeq")?;
    if let Some(evm) = node.store.evm_batch(seq).map_err(internal)? {
        let verification = match node.store.verification(seq).map_err(internal)? {
            Verification::Pending => "pending",
            Verification::Verified => "verified",
            Verification::Mismatch => "mismatch",
        };
        let tx_hashes = match &evm.facts {
            crate::stored_evm::EvmBatchFacts::Block { number, .. } => {
                node.store.evm_block(*number).map_err(internal)?.map(|b| b.tx_hashes).unwrap_or_default()
            }
            crate::stored_evm::EvmBatchFacts::System { .. } => Vec::new(),
        };
        let timestamp_ms = block_timestamp_ms(&node, evm.block_height)?;
        return Ok(Json(crate::evm_block::batch_json(&evm, timestamp_ms, &tx_hashes, verification)).into_response());
    }
    let Some(stored) = node.store.batch(seq).map_err(internal)? else {
        let funding = node.store.funding_batch(seq).map_err(internal)?.ok_or_else(|| not_found("batch"))?;
        return Ok(Json(crate::api_funding::funding_batch_json(&node, &funding)?).into_response());
    };
    let (pi, record) = (stored.public_inputs, stored.to_record(block_timestamp_ms(&node, stored.block_height)?));
    let verification = match node.store.verification(seq).map_err(internal)? {
        Verification::Pending => "pending",
        Verification::Verified => "verified",
        Verification::Mismatch => "mismatch",
    };
    let mut answer = serde_json::to_value(&record).expect("records serialize");
    answer["verification"] = json!(verification);
    let (proof_status, proof_error) = crate::prover::status(&node, seq).map_err(internal)?;
    answer["proof"] = json!({ "status": proof_status.as_str() });
    if let Some(reason) = proof_error {
        answer["proof"]["error"] = json!(reason);
    }
    answer["publicInputsDecoded"] = numo_host::json::public_inputs(&pi);
    Ok(Json(answer).into_response())
}

/// The header timestamp of the committed block at `height`: the time of its batches' trades.
fn block_timestamp_ms(node: &Node, height: u64) -> Result<u64, ApiError> {
    let header = node.store.block(height).map_err(internal)?;
    let header = header.ok_or_else(|| internal(format!("block {height} of a stored batch is not stored")))?;
    Ok(header.timestamp_ms)
}

async fn batch_witness(State(node): State<Arc<Node>>, ApiPath(seq): ApiPath<String>) -> ApiResult {
    let seq = parse_u64(&seq, "batchSeq")?;
    // A funding batch's witness is an F12 blob; the kind header tells a verifier which guest.
    let (kind, blob) =
        witness::stored_blob(node.store.as_ref(), seq).map_err(internal)?.ok_or_else(|| not_found("batch"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::HeaderName::from_static("x-numo-batch-kind"), kind.name()),
        ],
        blob,
    )
        .into_response())
}

/// The batch's SP1 proof file (`numo proof verify --proof FILE --input WITNESS` checks it).
async fn batch_proof(State(node): State<Arc<Node>>, ApiPath(seq): ApiPath<String>) -> ApiResult {
    let seq = parse_u64(&seq, "batchSeq")?;
    node.store.batch(seq).map_err(internal)?.ok_or_else(|| not_found("batch"))?;
    match node.store.proof(seq).map_err(internal)? {
        Some(crate::store::ProofRecord::Proved(proof)) => {
            Ok(([(header::CONTENT_TYPE, "application/octet-stream")], proof).into_response())
        }
        _ => {
            let (status, _) = crate::prover::status(&node, seq).map_err(internal)?;
            let message = format!("batch {seq} has no proof (status {})", status.as_str());
            Err(ApiError(Refusal::new(RefusalCode::NoProof, message)))
        }
    }
}

async fn state_root(State(node): State<Arc<Node>>) -> Response {
    let chain = node.chain.read().expect("chain lock");
    let height = chain.last_block.as_ref().map_or(0, |b| b.height);
    Json(json!({ "root": chain.full.root(), "height": height })).into_response()
}

async fn state_proof(State(node): State<Arc<Node>>, ApiPath(key): ApiPath<String>) -> ApiResult {
    let key = parse_b256(&key, "key")?;
    let chain = node.chain.read().expect("chain lock");
    let proof = chain.full.prove(&key);
    let siblings: Vec<String> = proof.to_bytes().chunks(32).map(hex::encode_prefixed).collect();
    let value = chain.full.value(&key).map(hex::encode_prefixed);
    Ok(Json(json!({ "key": key, "root": chain.full.root(), "value": value, "siblingsLeafFirst": siblings }))
        .into_response())
}

/// The mempool in causal order (Lamport time, then admission), for `GET /v1/mempool`.
fn mempool_by_lamport(node: &Node, limit: usize) -> Vec<serde_json::Value> {
    let mempool = node.mempool.lock().expect("mempool lock");
    let mut rows: std::collections::BTreeMap<(u64, u64), Value> = std::collections::BTreeMap::new();
    for e in mempool.iter() {
        let m = &e.signed.message;
        let row = serde_json::json!({
            "lamport": e.lamport,
            "mempoolSeq": e.seq,
            "market": e.market_id,
            "trader": m.trader(),
            "nonce": m.nonce(),
            "kind": match m { numo_stf::Message::Place(_) => "place", numo_stf::Message::Cancel(_) => "cancel" },
        });
        rows.insert((e.lamport, e.seq), row);
    }
    rows.into_values().take(limit).collect()
}

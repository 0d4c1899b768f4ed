//! The Ethereum JSON-RPC of the EVM engine (issue 12): JSON-RPC 2.0 over HTTP `POST /`, single
//! calls and batches, served on `numo node --evm-rpc ADDR` (default
//! [`crate::limits::DEFAULT_EVM_RPC_ADDR`]) — what cast, forge, web3.py, viem and ethers call.
//!
//! Framing follows the JSON-RPC 2.0 specification: a body that is not JSON is `-32700`, a call
//! that is not a request object `-32600`, an unknown method `-32601` (clients fall back), bad
//! params `-32602`; a request without `id` is a notification and gets no answer. Errors of the
//! Ethereum methods use geth's codes and messages: `-32000` with the txpool's messages
//! ([`crate::evm_pool::PoolError`]), `3` with the revert data for a reverted `eth_call`.
//!
//! Calls run on a blocking thread: they read the committed state under the chain lock, and
//! `eth_sendRawTransaction` waits for its admission-log write (fsync) before answering.

pub mod methods;
pub mod params;
pub mod render;

use crate::limits::{EVM_RPC_MAX_BATCH, EVM_RPC_MAX_BODY_BYTES};
use crate::node::Node;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;

/// A JSON-RPC error object: `{code, message, data?}`.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    /// JSON-RPC / geth error code.
    pub code: i64,
    /// Human-readable message; for txpool errors, geth's exact words.
    pub message: String,
    /// Extra data (the revert bytes of a reverted call).
    pub data: Option<Value>,
}

/// JSON-RPC 2.0: the body is not JSON.
pub const PARSE_ERROR: i64 = -32700;
/// JSON-RPC 2.0: not a request object.
pub const INVALID_REQUEST: i64 = -32600;
/// JSON-RPC 2.0: no such method.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// JSON-RPC 2.0: the params are wrong.
pub const INVALID_PARAMS: i64 = -32602;
/// JSON-RPC 2.0: the node failed.
pub const INTERNAL_ERROR: i64 = -32603;
/// geth: a server-side refusal (txpool errors, unavailable state, limits).
pub const SERVER_ERROR: i64 = -32000;
/// geth: `eth_call` / `eth_estimateGas` reverted; `data` holds the revert bytes.
pub const EXECUTION_REVERTED: i64 = 3;

impl RpcError {
    /// An error without data.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), data: None }
    }

    /// `-32602` with `message`.
    pub fn params(message: impl Into<String>) -> Self {
        Self::new(INVALID_PARAMS, message)
    }

    /// `-32000` with `message`.
    pub fn server(message: impl Into<String>) -> Self {
        Self::new(SERVER_ERROR, message)
    }

    /// `-32603`: storage failed while answering.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::new(INTERNAL_ERROR, format!("internal error: {message}"))
    }

    fn to_json(&self) -> Value {
        match &self.data {
            Some(data) => json!({"code": self.code, "message": self.message, "data": data}),
            None => json!({"code": self.code, "message": self.message}),
        }
    }
}

impl From<crate::store::StoreError> for RpcError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::internal(error)
    }
}

/// The router: `POST /` (any other path or method is refused by axum with 404 / 405).
pub fn router(node: Arc<Node>) -> Router {
    Router::new()
        .route("/", post(handle))
        .layer(axum::extract::DefaultBodyLimit::max(EVM_RPC_MAX_BODY_BYTES))
        .with_state(node)
}

/// Serves the JSON-RPC on `listener` until the process ends.
pub async fn serve(node: Arc<Node>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(node)).await
}

async fn handle(State(node): State<Arc<Node>>, body: Bytes) -> Response {
    let answer = tokio::task::spawn_blocking(move || answer_body(&node, &body)).await;
    match answer {
        Ok(Some(value)) => ([(header::CONTENT_TYPE, "application/json")], value.to_string()).into_response(),
        Ok(None) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => {
            let error = RpcError::new(INTERNAL_ERROR, "internal error");
            let body = json!({"jsonrpc": "2.0", "id": Value::Null, "error": error.to_json()});
            ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
        }
    }
}

/// Answers one HTTP body: a single call, or a batch (an array of calls, answered as an array
/// of the non-notification answers in request order). `None`: nothing to answer (only
/// notifications).
pub fn answer_body(node: &Node, body: &[u8]) -> Option<Value> {
    let request: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => return Some(failure(Value::Null, &RpcError::new(PARSE_ERROR, format!("parse error: {error}")))),
    };
    match request {
        Value::Array(calls) if calls.is_empty() => {
            Some(failure(Value::Null, &RpcError::new(INVALID_REQUEST, "empty batch")))
        }
        Value::Array(calls) if calls.len() > EVM_RPC_MAX_BATCH => Some(failure(
            Value::Null,
            &RpcError::new(INVALID_REQUEST, format!("batch of {} calls, at most {EVM_RPC_MAX_BATCH}", calls.len())),
        )),
        Value::Array(calls) => {
            let answers: Vec<Value> = calls.into_iter().filter_map(|call| answer_call(node, call)).collect();
            (!answers.is_empty()).then_some(Value::Array(answers))
        }
        call => answer_call(node, call),
    }
}

/// Answers one call object; `None` for a notification.
fn answer_call(node: &Node, call: Value) -> Option<Value> {
    let Value::Object(mut object) = call else {
        return Some(failure(Value::Null, &RpcError::new(INVALID_REQUEST, "a call is a JSON object")));
    };
    let id = object.remove("id");
    let notification = id.is_none();
    let id = id.unwrap_or(Value::Null);
    if !matches!(id, Value::Null | Value::Number(_) | Value::String(_)) {
        return Some(failure(Value::Null, &RpcError::new(INVALID_REQUEST, "id must be a number, a string or null")));
    }
    if object.get("jsonrpc").is_some_and(|v| v != "2.0") {
        return Some(failure(id, &RpcError::new(INVALID_REQUEST, "jsonrpc must be \"2.0\"")));
    }
    let Some(Value::String(method)) = object.remove("method") else {
        return Some(failure(id, &RpcError::new(INVALID_REQUEST, "method must be a string")));
    };
    let params = match object.remove("params") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(values)) => values,
        Some(_) => return Some(failure(id, &RpcError::params("params must be an array"))),
    };
    let result = methods::call(node, &method, params::Params::new(params));
    if notification {
        return None;
    }
    Some(match result {
        Ok(value) => json!({"jsonrpc": "2.0", "id": id, "result": value}),
        Err(error) => failure(id, &error),
    })
}

fn failure(id: Value, error: &RpcError) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": error.to_json()})
}

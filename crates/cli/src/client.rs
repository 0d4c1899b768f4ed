//! The node's public HTTP API as the trading commands use it (reqwest, blocking), with errors
//! a person can act on: node not running, unknown market, refusals with their code.

use crate::failure::Failure;
use crate::units::Grid;
use alloy_primitives::{B256, U256};
use anyhow::{Context, Result};
use clap::Args;
use numo_node::genesis::symbol_key;
use serde_json::Value;
use std::time::Duration;

/// `--node` and `--json`, shared by every command that talks to a node.
#[derive(Args, Clone)]
pub(crate) struct NodeOpts {
    /// Node base URL.
    #[arg(long, env = "NUMO_NODE", default_value = "http://127.0.0.1:8080")]
    pub(crate) node: String,
    /// Print JSON for scripts (the node's answer or a stable result object) instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// A refusal or error answered by the node: `{"error": {"code", "message"}}` with its status.
#[derive(Debug)]
pub(crate) struct NodeError {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) message: String,
}

impl std::fmt::Display for NodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the node refused (HTTP {} {}): {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for NodeError {}

/// A market as `GET /v1/markets` describes it, with its grid.
#[derive(Debug, Clone)]
pub(crate) struct Market {
    pub(crate) symbol: String,
    pub(crate) id: B256,
    pub(crate) base_asset: B256,
    pub(crate) quote_asset: B256,
    pub(crate) domain: B256,
    pub(crate) grid: Grid,
    pub(crate) base_symbol: String,
    pub(crate) quote_symbol: String,
    /// The venue's settlement chain and id (C): with them the CLI computes the funding domain
    /// (F1) of a node that runs without an L1.
    pub(crate) chain_id: u64,
    pub(crate) venue_id: B256,
}

pub(crate) struct NodeClient {
    http: reqwest::blocking::Client,
    base: String,
}

fn field<'v>(value: &'v Value, name: &str) -> Result<&'v str> {
    value[name].as_str().with_context(|| format!("the node's answer has no `{name}`"))
}

fn u256_field(value: &Value, name: &str) -> Result<U256> {
    field(value, name)?.parse().with_context(|| format!("`{name}` is not a number"))
}

fn b256_field(value: &Value, name: &str) -> Result<B256> {
    field(value, name)?.parse().with_context(|| format!("`{name}` is not 32 bytes of hex"))
}

impl NodeClient {
    pub(crate) fn new(opts: &NodeOpts) -> Result<Self> {
        let http = reqwest::blocking::Client::builder()
            // Long enough for a submission that waits for its block (the node waits up to 30 s).
            .timeout(Duration::from_secs(40))
            .build()
            .context("building the HTTP client")?;
        Ok(Self { http, base: opts.node.trim_end_matches('/').to_string() })
    }

    fn answer(&self, path: &str, response: reqwest::Result<reqwest::blocking::Response>) -> Result<Value> {
        let response = response.map_err(|e| {
            let why = if e.is_connect() {
                "connection refused — is a node running there? Start one with `numo node --dev`, or pass --node URL / set NUMO_NODE".to_string()
            } else if e.is_timeout() {
                "no answer in time".to_string()
            } else {
                e.to_string()
            };
            Failure::error("node_unreachable", format!("cannot reach the node at {}: {why}", self.base))
        })?;
        let status = response.status().as_u16();
        let text = response.text().with_context(|| format!("reading the answer to {path}"))?;
        let value: Value = serde_json::from_str(&text)
            .with_context(|| format!("{path}: HTTP {status}, not JSON (is {} a numo node?)", self.base))?;
        if status >= 400 {
            let error = &value["error"];
            return Err(NodeError {
                status,
                code: error["code"].as_str().unwrap_or("http_error").to_string(),
                message: error["message"].as_str().unwrap_or(&text).to_string(),
            }
            .into());
        }
        Ok(value)
    }

    /// `GET path` as JSON.
    pub(crate) fn get(&self, path: &str) -> Result<Value> {
        self.answer(path, self.http.get(format!("{}{path}", self.base)).send())
    }

    /// `GET path`, `None` on 404.
    pub(crate) fn get_optional(&self, path: &str) -> Result<Option<Value>> {
        match self.get(path) {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.downcast_ref::<NodeError>().is_some_and(|n| n.status == 404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST path` with a JSON body; the answer's status too (200, or 202 when the block took
    /// longer than the node waits).
    pub(crate) fn post(&self, path: &str, body: &Value) -> Result<Value> {
        self.answer(path, self.http.post(format!("{}{path}", self.base)).json(body).send())
    }

    /// Every market, with the display symbols of its assets.
    pub(crate) fn markets(&self) -> Result<Vec<Market>> {
        let list = self.get("/v1/markets")?;
        let list = list.as_array().context("GET /v1/markets is not an array")?;
        list.iter()
            .map(|m| {
                let symbol = field(m, "symbol")?.to_string();
                let (base_symbol, quote_symbol) = symbol.split_once('/').unwrap_or((&symbol, "quote"));
                let decimals = |name: &str| -> Result<u32> {
                    m[name].as_u64().map(|d| d as u32).with_context(|| {
                        format!("market {symbol}: the node does not report `{name}` (a node older than this CLI?)")
                    })
                };
                Ok(Market {
                    base_symbol: base_symbol.to_string(),
                    quote_symbol: quote_symbol.to_string(),
                    id: b256_field(m, "marketId")?,
                    base_asset: b256_field(m, "baseAssetId")?,
                    quote_asset: b256_field(m, "quoteAssetId")?,
                    domain: b256_field(m, "domainSeparator")?,
                    chain_id: m["chainId"].as_u64().context("the node's answer has no `chainId`")?,
                    venue_id: b256_field(m, "venueId")?,
                    grid: Grid::new(
                        u256_field(m, "tickSize")?,
                        u256_field(m, "lotSize")?,
                        u256_field(m, "priceScale")?,
                        decimals("baseDecimals")?,
                        decimals("quoteDecimals")?,
                    )
                    .with_context(|| format!("market {symbol}"))?,
                    symbol,
                })
            })
            .collect()
    }

    /// The market named by `given`: its symbol (`WETH/USDC`, `weth-usdc`) or `0x` id.
    pub(crate) fn market(&self, given: &str) -> Result<Market> {
        let markets = self.markets()?;
        find_market(&markets, given).cloned()
    }
}

/// The market `given` names among `markets`, or an error listing them.
pub(crate) fn find_market<'m>(markets: &'m [Market], given: &str) -> Result<&'m Market> {
    let wanted = symbol_key(given);
    markets
        .iter()
        .find(|m| symbol_key(&m.symbol) == wanted || given.parse::<B256>().is_ok_and(|id| id == m.id))
        .ok_or_else(|| {
            let known: Vec<&str> = markets.iter().map(|m| m.symbol.as_str()).collect();
            Failure::error("unknown_market", format!("no market `{given}` on this node (it has {})", known.join(", ")))
        })
}

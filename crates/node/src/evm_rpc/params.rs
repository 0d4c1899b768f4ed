//! Positional params of a JSON-RPC call, read with alloy's serde types (quantities as `0x` hex,
//! block tags, EIP-1898 block ids, log filters), so the node reads what tools send exactly as
//! Ethereum clients do; any other shape is `-32602` naming the position.

use super::RpcError;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The `params` array of a call.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<Value>);

impl Params {
    /// Wraps a params array.
    pub fn new(values: Vec<Value>) -> Self {
        Self(values)
    }

    /// Param `index`, required.
    pub fn get<T: DeserializeOwned>(&self, index: usize, name: &str) -> Result<T, RpcError> {
        match self.0.get(index) {
            None | Some(Value::Null) => Err(RpcError::params(format!("missing param {index} ({name})"))),
            Some(value) => decode(value, index, name),
        }
    }

    /// Param `index`, `None` when absent or null.
    pub fn opt<T: DeserializeOwned>(&self, index: usize, name: &str) -> Result<Option<T>, RpcError> {
        match self.0.get(index) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => decode(value, index, name).map(Some),
        }
    }

    /// Refuses more than `max` params (a client that sends more means something else).
    pub fn at_most(&self, max: usize) -> Result<(), RpcError> {
        if self.0.len() > max {
            return Err(RpcError::params(format!("too many params: {}, at most {max}", self.0.len())));
        }
        Ok(())
    }
}

fn decode<T: DeserializeOwned>(value: &Value, index: usize, name: &str) -> Result<T, RpcError> {
    T::deserialize(value).map_err(|error| RpcError::params(format!("invalid param {index} ({name}): {error}")))
}

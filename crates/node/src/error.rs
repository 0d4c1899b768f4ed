//! Why the node refuses a request: one enum of stable codes, each with its HTTP status, so the
//! API, the WebSocket protocol, the metrics and the docs (docs/API.md, "Errors") share one
//! vocabulary and no handler invents a code as a string.

use numo_stf::RejectReason;

/// A stable, machine-readable refusal code (the `code` of `{"error": {"code", "message"}}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalCode {
    /// A member of the body is missing or has the wrong type or value.
    BadRequest,
    /// The body is not JSON.
    BadJson,
    /// A hex field does not decode.
    BadHex,
    /// A hex field has the wrong length.
    BadLength,
    /// A number in the path is not an unsigned integer.
    BadNumber,
    /// The query string does not parse.
    BadQuery,
    /// The body could not be read.
    BadBody,
    /// A path segment does not decode.
    BadPath,
    /// The body is over the limit.
    PayloadTooLarge,
    /// A batch submission holds no message or too many.
    BadBatchSize,
    /// The message bytes do not decode (C11).
    MalformedMessage,
    /// The signature fails C11 or recovers someone else.
    BadSignature,
    /// No market has this id or symbol.
    UnknownMarket,
    /// The thing asked for does not exist.
    NotFound,
    /// No endpoint at this path.
    NoRoute,
    /// The endpoint does not take this method.
    MethodNotAllowed,
    /// The batch has no proof (yet).
    NoProof,
    /// The nonce was already used (C9).
    NonceUsed,
    /// The nonce skips ahead of the pending one (C9).
    NonceGap,
    /// The nonce cannot be incremented (C11).
    NonceOverflow,
    /// Execution would reject the message on a stateless C12 rule.
    Rejected(RejectReason),
    /// Storage failed while serving a view.
    StorageError,
    /// The message's block dropped it (admission should make this unreachable).
    Dropped,
    /// The admission log is not running.
    LogUnavailable,
    /// The admission log could not be written.
    LogWriteFailed,
    /// The node stopped admitting after a failure.
    NodeFailed,
    /// Too much is waiting for the next block (a bounded queue is full); retry shortly.
    Busy,
    /// The node runs without an L1 (`--l1-rpc` not given).
    NoL1,
    /// The L1 node did not answer.
    L1Unavailable,
    /// A withdrawal or transfer the funding engine rejected (F7); its nonce is consumed.
    FundingRejected(numo_funding::FundingReject),
    /// This venue's blocks carry no funding entries: a consensus venue, whose validators refuse
    /// kind-0x02 entries until funding is agreed through consensus (docs/CONSENSUS.md, K2).
    FundingDisabled,
}

impl RefusalCode {
    /// The code as clients see it.
    pub const fn as_str(self) -> &'static str {
        match self {
            RefusalCode::BadRequest => "bad_request",
            RefusalCode::BadJson => "bad_json",
            RefusalCode::BadHex => "bad_hex",
            RefusalCode::BadLength => "bad_length",
            RefusalCode::BadNumber => "bad_number",
            RefusalCode::BadQuery => "bad_query",
            RefusalCode::BadBody => "bad_body",
            RefusalCode::BadPath => "bad_path",
            RefusalCode::PayloadTooLarge => "payload_too_large",
            RefusalCode::BadBatchSize => "bad_batch_size",
            RefusalCode::MalformedMessage => "malformed_message",
            RefusalCode::BadSignature => "bad_signature",
            RefusalCode::UnknownMarket => "unknown_market",
            RefusalCode::NotFound => "not_found",
            RefusalCode::NoRoute => "no_route",
            RefusalCode::MethodNotAllowed => "method_not_allowed",
            RefusalCode::NoProof => "no_proof",
            RefusalCode::NonceUsed => "nonce_used",
            RefusalCode::NonceGap => "nonce_gap",
            RefusalCode::NonceOverflow => "nonce_overflow",
            RefusalCode::Rejected(reason) => reason.name(),
            RefusalCode::StorageError => "storage_error",
            RefusalCode::Dropped => "dropped",
            RefusalCode::LogUnavailable => "log_unavailable",
            RefusalCode::LogWriteFailed => "log_write_failed",
            RefusalCode::NodeFailed => "node_failed",
            RefusalCode::Busy => "busy",
            RefusalCode::NoL1 => "no_l1",
            RefusalCode::L1Unavailable => "l1_unavailable",
            RefusalCode::FundingRejected(reason) => reason.name(),
            RefusalCode::FundingDisabled => "funding_disabled",
        }
    }

    /// The HTTP status answered with it.
    pub const fn status(self) -> u16 {
        match self {
            RefusalCode::BadRequest
            | RefusalCode::BadJson
            | RefusalCode::BadHex
            | RefusalCode::BadLength
            | RefusalCode::BadNumber
            | RefusalCode::BadQuery
            | RefusalCode::BadBody
            | RefusalCode::BadPath
            | RefusalCode::BadBatchSize
            | RefusalCode::MalformedMessage => 400,
            RefusalCode::BadSignature => 401,
            RefusalCode::UnknownMarket
            | RefusalCode::NotFound
            | RefusalCode::NoRoute
            | RefusalCode::NoProof
            | RefusalCode::NoL1 => 404,
            RefusalCode::MethodNotAllowed => 405,
            RefusalCode::FundingDisabled => 409,
            RefusalCode::NonceUsed | RefusalCode::NonceGap | RefusalCode::NonceOverflow => 409,
            RefusalCode::PayloadTooLarge => 413,
            RefusalCode::Rejected(_) | RefusalCode::FundingRejected(_) => 422,
            RefusalCode::StorageError | RefusalCode::Dropped => 500,
            RefusalCode::LogUnavailable
            | RefusalCode::LogWriteFailed
            | RefusalCode::NodeFailed
            | RefusalCode::Busy
            | RefusalCode::L1Unavailable => 503,
        }
    }
}

/// Why a request is refused. Nothing is sequenced or consumed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} ({}): {message}", code.as_str(), status)]
pub struct Refusal {
    /// HTTP status to answer with: the code's, unless the transport reported its own (a body
    /// or path rejected by the HTTP layer).
    pub status: u16,
    /// Stable machine-readable code.
    pub code: RefusalCode,
    /// Human-readable detail.
    pub message: String,
}

impl Refusal {
    /// A refusal with `code`'s status.
    pub fn new(code: RefusalCode, message: impl Into<String>) -> Self {
        Self { status: code.status(), code, message: message.into() }
    }

    /// A refusal whose status the HTTP layer chose.
    pub fn with_status(status: u16, code: RefusalCode, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rejection_code_is_the_transition_s_name_with_422() {
        for reason in RejectReason::ALL {
            let code = RefusalCode::Rejected(reason);
            assert_eq!((code.as_str(), code.status()), (reason.name(), 422));
        }
        assert_eq!(Refusal::new(RefusalCode::NonceGap, "x").status, 409);
    }

    #[test]
    fn every_funding_rejection_code_is_the_engine_s_name_with_422() {
        for reason in numo_funding::FundingReject::ALL {
            let code = RefusalCode::FundingRejected(reason);
            assert_eq!((code.as_str(), code.status()), (reason.name(), 422));
        }
        assert_eq!(
            (RefusalCode::FundingDisabled.as_str(), RefusalCode::FundingDisabled.status()),
            ("funding_disabled", 409)
        );
    }
}

//! How the trading commands fail: one line for people on stderr, `{"error": {"code",
//! "message"}}` on stdout with `--json`, and exit status 1. Codes are stable: `off_grid`,
//! `unknown_market`, `node_unreachable`, `rejected` (executed but rejected, the reason in the
//! message), `no_key`, `bad_key`, the node's own refusal codes (`nonce_gap`, `bad_signature`,
//! …), and `error` for anything else.

use crate::client::NodeError;
use serde_json::json;
use std::process::ExitCode;

/// A failure with a stable code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: &'static str,
    pub(crate) message: String,
    /// The command already printed its JSON result (e.g. a rejected outcome): no error object.
    pub(crate) reported: bool,
}

impl Failure {
    pub(crate) fn error(code: &'static str, message: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(Self { code, message: message.into(), reported: false })
    }

    /// A failure whose details the command already printed (with `--json`, its result object).
    pub(crate) fn reported(code: &'static str, message: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(Self { code, message: message.into(), reported: true })
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Exit status and output of a command's result.
pub(crate) fn finish(json: bool, result: anyhow::Result<()>) -> ExitCode {
    let Err(error) = result else { return ExitCode::SUCCESS };
    let code = if let Some(f) = error.downcast_ref::<Failure>() {
        f.code.to_string()
    } else if let Some(n) = error.downcast_ref::<NodeError>() {
        n.code.clone()
    } else {
        "error".to_string()
    };
    let reported = error.downcast_ref::<Failure>().is_some_and(|f| f.reported);
    if json && !reported {
        println!("{}", json!({ "error": { "code": code, "message": format!("{error:#}") } }));
    }
    eprintln!("error: {error:#}");
    ExitCode::from(1)
}

//! The one ingress: every message enters the chain through [`submit`], whoever carries it —
//! the HTTP API today, P2P gossip tomorrow. It runs the whole admission pipeline: the node's
//! health, the signature under the market's domain (C11), the stateless C12 checks (the
//! transition's own), the nonce against the trader's *pending* nonce (C9), and the queueing for
//! the durable admission log. A refusal consumes nothing.
//!
//! Transports only parse their own encoding into a [`Submission`] and shape the answer.

use crate::admission::{self, Durable};
use crate::error::{Refusal, RefusalCode};
use crate::node::{Node, Outcome};
use crate::sequencer::now_ms;
use crate::submission::Submission;
use tokio::sync::oneshot;

/// An admitted message: its mempool sequence number and the receipts to await.
pub struct Ticket {
    /// Mempool sequence number (admission order).
    pub seq: u64,
    /// Resolves once the message is durable (group-committed to the admission log).
    pub durable: oneshot::Receiver<Durable>,
    /// Resolves with the message's block outcome, when the submitter asked to wait for it.
    pub outcome: Option<oneshot::Receiver<Outcome>>,
}

/// Admits `submission` or says why not. With `wait`, the ticket carries the block outcome.
pub fn submit(node: &Node, submission: Submission, wait: bool) -> Result<Ticket, Refusal> {
    if let Some(reason) = node.failure() {
        return Err(Refusal::new(RefusalCode::NodeFailed, reason));
    }
    let checked = admission::check(&node.markets, submission.market, submission.signed)?;
    let (outcome_tx, outcome_rx) = oneshot::channel::<Outcome>();
    let register = |seq: u64| {
        if wait {
            node.waiters.lock().expect("waiters lock").insert(seq, outcome_tx);
        }
    };
    let (seq, durable) = node.admission.admit(checked, now_ms(), |t, m| node.committed_nonce(t, m), register)?;
    Ok(Ticket { seq, durable, outcome: wait.then_some(outcome_rx) })
}

//! The one ingress: every message enters the chain through [`submit`], whoever carries it —
//! the HTTP API or a peer over the P2P mempool (K7). It runs the whole admission pipeline: the
//! node's health, the signature under the market's domain (C11), the stateless C12 checks (the
//! transition's own), the nonce against the trader's *pending* nonce (C9), and the queueing for
//! the durable admission log. A refusal consumes nothing. A message a client gave this node is
//! then gossiped to the others, stamped with this node's Lamport time.
//!
//! Transports only parse their own encoding into a [`Submission`] and shape the answer.

use crate::admission::{self, Durable};
use crate::error::{Refusal, RefusalCode};
use crate::node::{Node, Outcome};
use crate::sequencer::now_ms;
use crate::submission::Submission;
use alloy_primitives::B256;
use numo_stf::codec::Writer;
use numo_stf::SignedMessage;
use tokio::sync::oneshot;

/// Where a submission comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A client of this node (HTTP): stamped with a tick of this node's clock and gossiped.
    Client,
    /// A peer's gossip, stamped by its first node with this Lamport time.
    Peer {
        /// The message's Lamport timestamp.
        lamport: u64,
    },
}

/// Carries admitted messages to the other nodes (the gossip network on a consensus venue).
pub trait Broadcast: Send + Sync {
    /// Sends `payload` (see [`mempool_payload`]) stamped `lamport`; never blocks. A failure is
    /// logged by the implementation: the message stays in this node's mempool either way.
    fn publish(&self, lamport: u64, payload: Vec<u8>);
}

/// The gossip payload of a message (K7): `B32 marketId ‖ messageBytes ‖ sig65`.
pub fn mempool_payload(market_id: &B256, signed: &SignedMessage) -> Vec<u8> {
    let mut w = Writer::with_capacity(32 + signed.message.encoded_len() + 65);
    w.b32(market_id);
    signed.message.write(&mut w);
    w.bytes(&signed.signature.0);
    w.into_bytes()
}

/// An admitted message: its mempool sequence number and the receipts to await.
pub struct Ticket {
    /// Mempool sequence number (admission order).
    pub seq: u64,
    /// Its Lamport timestamp (K7).
    pub lamport: u64,
    /// Resolves once the message is durable (group-committed to the admission log).
    pub durable: oneshot::Receiver<Durable>,
    /// Resolves with the message's block outcome, when the submitter asked to wait for it.
    pub outcome: Option<oneshot::Receiver<Outcome>>,
}

/// Admits `submission` or says why not. With `wait`, the ticket carries the block outcome.
pub fn submit(node: &Node, submission: Submission, wait: bool) -> Result<Ticket, Refusal> {
    submit_from(node, submission, wait, Origin::Client)
}

/// [`submit`] for a message from `origin`.
pub fn submit_from(node: &Node, submission: Submission, wait: bool, origin: Origin) -> Result<Ticket, Refusal> {
    if let Some(reason) = node.failure() {
        return Err(Refusal::new(RefusalCode::NodeFailed, reason));
    }
    let checked = admission::check(&node.markets, submission.market, submission.signed)?;
    let (market_id, signed) = (checked.market_id, checked.signed);
    // The clock only fails at 2^64 events (or a peer stamp 2^32 ahead, which the transport
    // already refuses): then it stays where it is.
    let stamp = || match origin {
        Origin::Client => node.lamport.send().unwrap_or_else(|_| node.lamport.now()),
        Origin::Peer { lamport } => {
            let _ = node.lamport.receive(lamport);
            lamport
        }
    };
    let (outcome_tx, outcome_rx) = oneshot::channel::<Outcome>();
    let register = |seq: u64| {
        if wait {
            node.waiters.lock().expect("waiters lock").insert(seq, outcome_tx);
        }
    };
    let mut lamport = 0;
    let stamped = || {
        lamport = stamp();
        lamport
    };
    let (seq, durable) =
        node.admission.admit(checked, now_ms(), stamped, |t, m| node.committed_nonce(t, m), register)?;
    if origin == Origin::Client {
        if let Some(broadcast) = node.broadcast.get() {
            broadcast.publish(lamport, mempool_payload(&market_id, &signed));
        }
    }
    Ok(Ticket { seq, lamport, durable, outcome: wait.then_some(outcome_rx) })
}

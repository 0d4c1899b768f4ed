//! The node's side of the funding engine (docs/BRIDGE.md): what waits for the next block.
//!
//! Deposits and forced withdrawals come from the L1 listener (`crate::l1`) and enter blocks
//! strictly in their L1 queue order, from numo's own `nextDepositIndex` / `nextForcedIndex` in
//! state (F4), so a restart or a repeated L1 read can neither skip nor repeat one. Signed
//! withdrawals and transfers come from the API: the signature and the funding nonce (one
//! sequence per owner for both) are checked on entry, and the submitter is answered only once
//! the block that executed it is committed.

use crate::error::{Refusal, RefusalCode};
use crate::limits::MAX_FUNDING_PER_BLOCK;
use alloy_primitives::Address;
use numo_chain::block::DropReason;
use numo_funding::keys::{deposit_queue_key, forced_queue_key, funding_nonce_key, Counter, QueueHead};
use numo_funding::{Deposit, ForcedWithdrawal, FundingMessage, FundingOutcome};
use numo_host::FullState;
use numo_stf::values::StateValue;
use std::collections::{BTreeMap, HashMap, VecDeque};
use tokio::sync::oneshot;

/// What a withdrawal's or transfer's submitter learns once its block commits.
#[derive(Debug, Clone, Copy)]
pub struct FundingReceipt {
    /// Block height.
    pub block_height: u64,
    /// Funding batch number.
    pub batch_seq: u64,
    /// Global index of the message.
    pub global_index: u64,
    /// What execution did.
    pub outcome: FundingOutcome,
}

/// The answer promised to a waiting submitter.
pub type FundingAnswer = Result<FundingReceipt, DropReason>;

/// Funding messages waiting for a block.
#[derive(Debug, Default)]
pub struct FundingQueue {
    /// Signed Withdraws and Transfers in arrival order, with their tickets.
    signed: VecDeque<(u64, FundingMessage)>,
    deposits: BTreeMap<u64, Deposit>,
    forced: BTreeMap<u64, ForcedWithdrawal>,
    pending_nonces: HashMap<Address, u64>,
    waiters: HashMap<u64, oneshot::Sender<FundingAnswer>>,
    next_ticket: u64,
}

/// A funding message taken for a block, with the ticket of its waiting submitter.
pub type Taken = (Option<u64>, FundingMessage);

impl FundingQueue {
    /// Adds L1 deposits (already confirmed); indexes already known or executed are ignored.
    pub fn add_deposits(&mut self, deposits: impl IntoIterator<Item = Deposit>) {
        for deposit in deposits {
            self.deposits.entry(deposit.index).or_insert(deposit);
        }
    }

    /// Adds L1 forced withdrawal requests (already confirmed).
    pub fn add_forced(&mut self, requests: impl IntoIterator<Item = ForcedWithdrawal>) {
        for request in requests {
            self.forced.entry(request.index).or_insert(request);
        }
    }

    /// Queues a signed Withdraw or Transfer whose signature the caller verified: its nonce must
    /// be the owner's next funding nonce (committed nonce, or one past the last queued one; F4:
    /// withdrawals and transfers share it). A system message is refused: its authority is the
    /// L1 queue, not the API.
    pub fn add_signed(
        &mut self,
        state: &FullState,
        message: FundingMessage,
    ) -> Result<oneshot::Receiver<FundingAnswer>, Refusal> {
        let (owner, nonce) = match &message {
            FundingMessage::Withdraw(signed) => (signed.withdraw.owner, signed.withdraw.nonce),
            FundingMessage::Transfer(signed) => (signed.transfer.owner, signed.transfer.nonce),
            FundingMessage::Deposit(_) | FundingMessage::Forced(_) => {
                return Err(Refusal::new(RefusalCode::BadRequest, "system funding messages come from L1"));
            }
        };
        let expected = match self.pending_nonces.get(&owner) {
            Some(next) => *next,
            None => committed::<Counter>(state, &funding_nonce_key(&owner)).0,
        };
        if nonce != expected {
            let code = if nonce < expected { RefusalCode::NonceUsed } else { RefusalCode::NonceGap };
            return Err(Refusal::new(code, format!("funding nonce {nonce} is not the next one ({expected})")));
        }
        if self.signed.len() >= crate::limits::FUNDING_QUEUE_MAX {
            return Err(Refusal::new(RefusalCode::Busy, "too many funding messages waiting; retry shortly"));
        }
        self.pending_nonces.insert(owner, expected + 1);
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        let (sender, receiver) = oneshot::channel();
        self.waiters.insert(ticket, sender);
        self.signed.push_back((ticket, message));
        Ok(receiver)
    }

    /// Takes the next block's funding messages: deposits, then forced requests, each contiguous
    /// from the state's next index, then withdrawals and transfers in arrival order; at most
    /// [`MAX_FUNDING_PER_BLOCK`].
    pub fn take(&mut self, state: &FullState) -> Vec<Taken> {
        let mut out = Vec::new();
        let next_deposit = committed::<QueueHead>(state, &deposit_queue_key()).next_index;
        self.deposits.retain(|index, _| *index >= next_deposit);
        let mut index = next_deposit;
        while out.len() < MAX_FUNDING_PER_BLOCK {
            let Some(deposit) = self.deposits.remove(&index) else { break };
            out.push((None, FundingMessage::Deposit(deposit)));
            index += 1;
        }
        let next_forced = committed::<QueueHead>(state, &forced_queue_key()).next_index;
        self.forced.retain(|index, _| *index >= next_forced);
        let mut index = next_forced;
        while out.len() < MAX_FUNDING_PER_BLOCK {
            let Some(request) = self.forced.remove(&index) else { break };
            out.push((None, FundingMessage::Forced(request)));
            index += 1;
        }
        while out.len() < MAX_FUNDING_PER_BLOCK {
            let Some((ticket, message)) = self.signed.pop_front() else { break };
            out.push((Some(ticket), message));
        }
        out
    }

    /// Whether anything waits.
    pub fn is_empty(&self) -> bool {
        self.signed.is_empty() && self.deposits.is_empty() && self.forced.is_empty()
    }

    /// Answers the submitter of `ticket`.
    pub fn answer(&mut self, ticket: u64, answer: FundingAnswer) {
        if let Some(waiter) = self.waiters.remove(&ticket) {
            let _ = waiter.send(answer);
        }
    }

    /// After a dropped funding batch: forget the queued nonces (they are re-derived from state).
    pub fn reset_pending_nonces(&mut self) {
        self.pending_nonces.clear();
    }

    /// The funding nonce after `owner`'s queued withdrawals and transfers, if any are queued.
    pub fn pending_nonce(&self, owner: &Address) -> Option<u64> {
        self.pending_nonces.get(owner).copied()
    }

    /// Number of messages waiting.
    pub fn len(&self) -> usize {
        self.signed.len() + self.deposits.len() + self.forced.len()
    }
}

fn committed<V: StateValue>(state: &FullState, key: &alloy_primitives::B256) -> V {
    V::decode(state.value(key)).unwrap_or_default()
}

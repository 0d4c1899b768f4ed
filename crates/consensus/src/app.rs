//! The contract between consensus and the node.

use std::time::Instant;

use alloy_primitives::Address;

use crate::certificate::Certificate;

/// What the node supplies to consensus. Methods take `&self` (implementors use interior locks).
/// `propose` runs on a blocking thread and may block until its deadline; the others run on the
/// consensus loop, so they should return promptly.
pub trait Application: Send + Sync + 'static {
    /// Height consensus starts at after (re)start: last committed height + 1.
    fn start_height(&self) -> u64;

    /// Builds the value (opaque bytes) to propose at `height`/`round`; may wait until
    /// `deadline` for content. Called only on the round's proposer.
    fn propose(&self, height: u64, round: u32, deadline: Instant) -> Vec<u8>;

    /// Checks a value another validator proposed; `Err(reason)` makes this validator prevote
    /// nil.
    fn validate(&self, height: u64, proposer: Address, value: &[u8]) -> Result<(), String>;

    /// Checks a value that arrived through sync with its commit certificate: 2f+1 validators
    /// accepted it when it was proposed, so checks that depend on the moment (the proposer's
    /// clock against this node's) no longer apply. Defaults to [`Application::validate`].
    fn validate_synced(&self, height: u64, proposer: Address, value: &[u8]) -> Result<(), String> {
        self.validate(height, proposer, value)
    }

    /// Executes and durably commits the decided value with its certificate. Idempotent: a
    /// height already committed must return `Ok` without re-executing — after a crash
    /// Malachite may replay a decision.
    fn commit(&self, value: &[u8], certificate: &Certificate) -> Result<(), String>;

    /// A later, larger certificate for an already committed height (`Finalized` may carry more
    /// signatures than `Decided`); the node may store it.
    fn update_certificate(&self, certificate: &Certificate);

    /// Value and certificate of a committed height, for peers that sync.
    fn decided(&self, height: u64) -> Option<(Vec<u8>, Certificate)>;

    /// Lowest height whose decided value is still served.
    fn history_min_height(&self) -> u64;

    /// Called on each started round (for health and metrics).
    fn on_round(&self, height: u64, round: u32, proposer: Address) {
        let _ = (height, round, proposer);
    }
}

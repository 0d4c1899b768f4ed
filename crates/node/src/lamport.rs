//! This node's Lamport clock (docs/PROTOCOL.md K7, seed 003): it ticks when the node sends a
//! message into the mempool network and jumps past every timestamp it receives, so a message's
//! timestamp is greater than that of every message its sender had seen. It orders the mempool
//! causally and is shown by the API; execution never reads it (K2 orders a block).

use std::sync::atomic::{AtomicU64, Ordering};

/// A Lamport clock shared by the ingress paths.
#[derive(Debug, Default)]
pub struct LamportClock(AtomicU64);

impl LamportClock {
    /// A clock resumed at `value` (the largest timestamp the node stored).
    pub fn starting_at(value: u64) -> Self {
        Self(AtomicU64::new(value))
    }

    /// The send rule: increments and returns the new time, the stamp of the message sent.
    pub fn tick(&self) -> u64 {
        self.0.fetch_add(1, Ordering::SeqCst).saturating_add(1)
    }

    /// The receive rule: `max(local, received) + 1`; returns the new local time.
    pub fn observe(&self, received: u64) -> u64 {
        let previous = self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |local| Some(local.max(received).saturating_add(1)))
            .expect("the update always succeeds");
        previous.max(received).saturating_add(1)
    }

    /// The current time.
    pub fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_ticks_and_receive_jumps_past_the_sender() {
        let clock = LamportClock::starting_at(5);
        assert_eq!(clock.tick(), 6);
        assert_eq!(clock.observe(3), 7, "an older stamp still advances the clock by one");
        assert_eq!(clock.observe(40), 41, "a newer stamp is overtaken");
        assert_eq!(clock.tick(), 42);
        assert_eq!(clock.now(), 42);
    }
}

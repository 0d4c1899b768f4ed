//! The node's Lamport clock (seed 003): a counter that orders mempool events causally.
//!
//! - **send**: `clock += 1`, and the message carries the new value;
//! - **receipt** of a message stamped `t`: `clock = max(clock, t) + 1`.
//!
//! So a message's receipt always has a larger timestamp than its send, and the clock never
//! goes back. The clock is shared by [`crate::Gossip::publish`] (any thread) and the swarm task,
//! hence an atomic updated by compare-and-swap rather than a lock.
//!
//! Lamport clocks trust their peers; two bounds keep one bad peer from breaking the clock: a
//! receipt may lead the local clock by at most [`LAMPORT_LEAD_MAX`], and no step ever wraps
//! past `u64::MAX` (the step is refused instead).

use std::sync::atomic::{AtomicU64, Ordering};

use thiserror::Error;

use crate::limits::LAMPORT_LEAD_MAX;

/// Why the clock refused a step; the clock is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ClockError {
    /// The step would pass `u64::MAX`.
    #[error("the Lamport clock is exhausted")]
    Exhausted,
    /// A received timestamp leads the local clock by more than [`LAMPORT_LEAD_MAX`].
    #[error("received Lamport timestamp {received} leads the local clock {local} by more than 2^32")]
    TooFarAhead {
        /// The message's timestamp.
        received: u64,
        /// The local clock when it arrived.
        local: u64,
    },
}

impl ClockError {
    /// The stable, machine-readable code of this error.
    pub const fn code(&self) -> &'static str {
        match self {
            ClockError::Exhausted => "gossip_clock_exhausted",
            ClockError::TooFarAhead { .. } => "gossip_clock_too_far_ahead",
        }
    }
}

/// A Lamport clock; starts at 0, which no message carries (a send stamps at least 1).
#[derive(Debug, Default)]
pub struct LamportClock {
    value: AtomicU64,
}

impl LamportClock {
    /// A clock at `start`.
    pub const fn new(start: u64) -> LamportClock {
        LamportClock { value: AtomicU64::new(start) }
    }

    /// The current value.
    pub fn now(&self) -> u64 {
        self.value.load(Ordering::Acquire)
    }

    /// The send rule: `clock += 1`; returns the new value, the message's timestamp.
    pub fn send(&self) -> Result<u64, ClockError> {
        self.step(|local| local.checked_add(1).ok_or(ClockError::Exhausted))
    }

    /// The receipt rule for a message stamped `received`: `clock = max(clock, received) + 1`;
    /// returns the new value.
    pub fn receive(&self, received: u64) -> Result<u64, ClockError> {
        self.step(|local| receipt(local, received))
    }

    /// Applies `next` to the current value atomically; the value only ever grows.
    fn step(&self, next: impl Fn(u64) -> Result<u64, ClockError>) -> Result<u64, ClockError> {
        let mut local = self.now();
        loop {
            let after = next(local)?;
            assert!(after > local, "a Lamport step must move the clock forward");
            match self.value.compare_exchange_weak(local, after, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Ok(after),
                Err(current) => local = current,
            }
        }
    }
}

/// `max(local, received) + 1`, refusing a lead over [`LAMPORT_LEAD_MAX`] and overflow.
fn receipt(local: u64, received: u64) -> Result<u64, ClockError> {
    if received.saturating_sub(local) > LAMPORT_LEAD_MAX {
        return Err(ClockError::TooFarAhead { received, local });
    }
    local.max(received).checked_add(1).ok_or(ClockError::Exhausted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_increments_and_stamps_the_new_value() {
        let clock = LamportClock::default();
        assert_eq!(clock.now(), 0);
        assert_eq!(clock.send(), Ok(1));
        assert_eq!(clock.send(), Ok(2));
        assert_eq!(clock.now(), 2);
    }

    #[test]
    fn receipt_takes_the_max_plus_one() {
        let clock = LamportClock::new(5);
        assert_eq!(clock.receive(9), Ok(10), "behind: jump past the sender");
        assert_eq!(clock.receive(3), Ok(11), "ahead: still one step forward");
        assert_eq!(clock.receive(11), Ok(12), "equal: one past both");
        assert_eq!(clock.send(), Ok(13));
    }

    #[test]
    fn receipt_is_after_the_send_it_receives() {
        let sender = LamportClock::new(40);
        let receiver = LamportClock::new(2);
        let stamp = sender.send().unwrap();
        let after = receiver.receive(stamp).unwrap();
        assert!(after > stamp);
        // And a reply is after both.
        let reply = receiver.send().unwrap();
        assert!(sender.receive(reply).unwrap() > reply);
    }

    #[test]
    fn the_lead_bound_is_inclusive_and_refusals_leave_the_clock_alone() {
        let clock = LamportClock::new(10);
        assert_eq!(
            clock.receive(10 + LAMPORT_LEAD_MAX + 1),
            Err(ClockError::TooFarAhead { received: 10 + LAMPORT_LEAD_MAX + 1, local: 10 })
        );
        assert_eq!(clock.now(), 10);
        assert_eq!(clock.receive(10 + LAMPORT_LEAD_MAX), Ok(11 + LAMPORT_LEAD_MAX));
    }

    #[test]
    fn the_clock_never_wraps() {
        let clock = LamportClock::new(u64::MAX - 1);
        assert_eq!(clock.send(), Ok(u64::MAX));
        assert_eq!(clock.send(), Err(ClockError::Exhausted));
        assert_eq!(clock.receive(u64::MAX), Err(ClockError::Exhausted));
        assert_eq!(clock.now(), u64::MAX);
    }

    #[test]
    fn monotone_under_concurrent_sends_and_receipts() {
        let clock = std::sync::Arc::new(LamportClock::default());
        let threads: Vec<_> = (0..4u64)
            .map(|t| {
                let clock = clock.clone();
                std::thread::spawn(move || {
                    let mut last = 0;
                    for i in 0..2_000u64 {
                        let value = if i % 2 == 0 { clock.send() } else { clock.receive(i * t) }.unwrap();
                        assert!(value > last, "each step of one thread sees a larger value");
                        last = value;
                    }
                    last
                })
            })
            .collect();
        let lasts: Vec<u64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        // 8,000 steps, each +1 at least: the clock is at least that far.
        assert!(clock.now() >= 8_000);
        assert_eq!(clock.now(), *lasts.iter().max().unwrap());
    }
}

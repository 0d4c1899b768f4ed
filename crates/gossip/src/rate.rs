//! Per-peer token buckets: how many messages one peer may hand us, sustained and at once.
//!
//! A bucket holds up to `burst` tokens and refills at `rate` per second; a message takes one
//! token or is dropped. Time is passed in, so the tests drive it without sleeping.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::Instant;

/// One peer's bucket. Tokens are counted in nanotokens (10^-9) so the refill is exact integer
/// arithmetic: `rate` tokens per second is `rate` nanotokens per nanosecond.
#[derive(Debug, Clone)]
struct TokenBucket {
    nanotokens: u128,
    refilled_at: Instant,
}

const NANO: u128 = 1_000_000_000;

impl TokenBucket {
    fn full(burst: u32, now: Instant) -> TokenBucket {
        TokenBucket { nanotokens: u128::from(burst) * NANO, refilled_at: now }
    }

    /// Refills for the time since the last call (never above `burst`), then takes one token.
    fn try_take(&mut self, now: Instant, rate: u32, burst: u32) -> bool {
        let elapsed = now.saturating_duration_since(self.refilled_at).as_nanos();
        let capacity = u128::from(burst) * NANO;
        self.nanotokens = (self.nanotokens + elapsed * u128::from(rate)).min(capacity);
        self.refilled_at = self.refilled_at.max(now);
        if self.nanotokens >= NANO {
            self.nanotokens -= NANO;
            true
        } else {
            false
        }
    }
}

/// The buckets of every connected peer, all with the same rate and burst.
#[derive(Debug)]
pub(crate) struct RateLimiter<P> {
    rate: u32,
    burst: u32,
    buckets: HashMap<P, TokenBucket>,
}

impl<P: Eq + Hash> RateLimiter<P> {
    pub(crate) fn new(rate: u32, burst: u32) -> RateLimiter<P> {
        assert!(rate > 0 && burst > 0, "GossipLimits::validate refuses a zero rate or burst");
        RateLimiter { rate, burst, buckets: HashMap::new() }
    }

    /// Whether `peer` may hand us one more message at `now`; a new peer starts with a full
    /// bucket.
    pub(crate) fn allow(&mut self, peer: P, now: Instant) -> bool {
        let (rate, burst) = (self.rate, self.burst);
        self.buckets.entry(peer).or_insert_with(|| TokenBucket::full(burst, now)).try_take(now, rate, burst)
    }

    /// Forgets a peer that disconnected, so the map is bounded by the connected peers. A peer
    /// that reconnects starts full again; reconnecting costs a Noise handshake, so this is no
    /// cheaper than waiting for the refill.
    pub(crate) fn forget(&mut self, peer: &P) {
        self.buckets.remove(peer);
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.buckets.len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn burst_then_exactly_the_rate() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(10, 5);
        let taken = (0..20).filter(|_| limiter.allow("a", start)).count();
        assert_eq!(taken, 5, "a full bucket holds the burst");
        assert!(!limiter.allow("a", start + Duration::from_millis(99)), "0.99 of a token is none");
        assert!(limiter.allow("a", start + Duration::from_millis(100)), "one token per 100 ms at 10/s");
        assert!(!limiter.allow("a", start + Duration::from_millis(100)));
        // One second later: ten tokens, not more.
        let later = start + Duration::from_millis(1_100);
        assert_eq!((0..20).filter(|_| limiter.allow("a", later)).count(), 5, "refill is capped at the burst");
    }

    #[test]
    fn peers_have_their_own_buckets_and_are_forgotten() {
        let now = Instant::now();
        let mut limiter = RateLimiter::new(1, 1);
        assert!(limiter.allow("a", now));
        assert!(!limiter.allow("a", now));
        assert!(limiter.allow("b", now), "b is not charged for a");
        assert_eq!(limiter.tracked(), 2);
        limiter.forget(&"a");
        assert_eq!(limiter.tracked(), 1);
        assert!(limiter.allow("a", now), "a forgotten peer starts full");
    }

    #[test]
    fn time_going_back_neither_refills_nor_panics() {
        let now = Instant::now() + Duration::from_secs(10);
        let mut limiter = RateLimiter::new(1_000, 1);
        assert!(limiter.allow("a", now));
        assert!(!limiter.allow("a", now - Duration::from_secs(5)));
        assert!(!limiter.allow("a", now), "the earlier call did not move the refill time back");
    }
}

//! Which configured peers to dial, and when: each address is dialled at start and re-dialled
//! with a doubling backoff ([`REDIAL_BACKOFF_MIN`] to [`REDIAL_BACKOFF_MAX`]) while it is not
//! connected. Time, connection ids and peer ids are passed in, so the tests need no network.

use std::time::{Duration, Instant};

use crate::limits::{REDIAL_BACKOFF_MAX, REDIAL_BACKOFF_MIN};

/// Where one configured address stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Slot<C, P> {
    /// Not connected; dial once `next_dial` has passed.
    Waiting { next_dial: Instant },
    /// A dial is under way with this connection id.
    Dialing(C),
    /// Connected to this peer (by our dial, or by theirs once we know who answers here).
    Connected(P),
}

#[derive(Debug)]
struct Entry<C, P> {
    slot: Slot<C, P>,
    /// Who answered at this address the last time a dial succeeded.
    known_peer: Option<P>,
    backoff: Duration,
}

/// The configured peers' dial state; generic over the connection id `C` and peer id `P`.
#[derive(Debug)]
pub(crate) struct Dialer<C, P> {
    entries: Vec<Entry<C, P>>,
}

impl<C: PartialEq + Copy, P: PartialEq + Clone> Dialer<C, P> {
    /// `count` addresses, all due at `now`.
    pub(crate) fn new(count: usize, now: Instant) -> Dialer<C, P> {
        let entries = (0..count)
            .map(|_| Entry { slot: Slot::Waiting { next_dial: now }, known_peer: None, backoff: REDIAL_BACKOFF_MIN })
            .collect();
        Dialer { entries }
    }

    /// The addresses (by index) to dial now. An address whose last known peer is connected
    /// anyway (it dialled us) counts as connected and is not dialled.
    pub(crate) fn due(&mut self, now: Instant, is_connected: impl Fn(&P) -> bool) -> Vec<usize> {
        let mut due = Vec::new();
        for (index, entry) in self.entries.iter_mut().enumerate() {
            let Slot::Waiting { next_dial } = entry.slot else { continue };
            match &entry.known_peer {
                Some(peer) if is_connected(peer) => entry.slot = Slot::Connected(peer.clone()),
                _ if next_dial <= now => due.push(index),
                _ => {}
            }
        }
        due
    }

    /// A dial of address `index` started as connection `connection`.
    pub(crate) fn dialing(&mut self, index: usize, connection: C) {
        self.entries[index].slot = Slot::Dialing(connection);
    }

    /// The dial of address `index` could not even start: wait and try again.
    pub(crate) fn dial_refused(&mut self, index: usize, now: Instant) {
        self.back_off(index, now);
    }

    /// A connection was established; if it is one of our dials, its address is connected and
    /// its backoff starts over.
    pub(crate) fn established(&mut self, connection: C, peer: &P) {
        for entry in &mut self.entries {
            if entry.slot == Slot::Dialing(connection) {
                entry.slot = Slot::Connected(peer.clone());
                entry.known_peer = Some(peer.clone());
                entry.backoff = REDIAL_BACKOFF_MIN;
            }
        }
    }

    /// One of our dials failed: wait (twice as long as last time, up to the maximum).
    pub(crate) fn dial_failed(&mut self, connection: C, now: Instant) {
        let failed: Vec<usize> =
            (0..self.entries.len()).filter(|&i| self.entries[i].slot == Slot::Dialing(connection)).collect();
        for index in failed {
            self.back_off(index, now);
        }
    }

    /// The last connection to `peer` closed: its addresses are re-dialled after the backoff.
    pub(crate) fn disconnected(&mut self, peer: &P, now: Instant) {
        for entry in &mut self.entries {
            if entry.slot == Slot::Connected(peer.clone()) {
                entry.slot = Slot::Waiting { next_dial: now + entry.backoff };
            }
        }
    }

    fn back_off(&mut self, index: usize, now: Instant) {
        let entry = &mut self.entries[index];
        entry.slot = Slot::Waiting { next_dial: now + entry.backoff };
        entry.backoff = (entry.backoff * 2).min(REDIAL_BACKOFF_MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOBODY: fn(&&str) -> bool = |_| false;

    #[test]
    fn every_address_is_dialled_at_start_and_not_twice() {
        let now = Instant::now();
        let mut dialer: Dialer<u32, &str> = Dialer::new(3, now);
        assert_eq!(dialer.due(now, NOBODY), vec![0, 1, 2]);
        for index in 0..3 {
            dialer.dialing(index, index as u32);
        }
        assert!(dialer.due(now + REDIAL_BACKOFF_MAX, NOBODY).is_empty(), "dials under way are not repeated");
    }

    #[test]
    fn failures_back_off_doubling_up_to_the_maximum() {
        let mut now = Instant::now();
        let mut dialer: Dialer<u32, &str> = Dialer::new(1, now);
        let mut waits = Vec::new();
        for connection in 0..10 {
            assert_eq!(dialer.due(now, NOBODY), vec![0]);
            dialer.dialing(0, connection);
            dialer.dial_failed(connection, now);
            let mut wait = Duration::ZERO;
            while dialer.due(now + wait, NOBODY).is_empty() {
                wait += Duration::from_millis(50);
            }
            waits.push(wait);
            now += wait;
        }
        assert_eq!(waits[0], REDIAL_BACKOFF_MIN);
        assert_eq!(waits[1], REDIAL_BACKOFF_MIN * 2);
        assert_eq!(*waits.last().unwrap(), REDIAL_BACKOFF_MAX);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn a_connection_resets_the_backoff_and_a_disconnect_redials() {
        let now = Instant::now();
        let mut dialer: Dialer<u32, &str> = Dialer::new(1, now);
        dialer.dialing(0, 1);
        dialer.dial_failed(1, now);
        dialer.dial_refused(0, now);
        let later = now + REDIAL_BACKOFF_MAX;
        assert_eq!(dialer.due(later, NOBODY), vec![0]);
        dialer.dialing(0, 2);
        dialer.established(2, &"peer-b");
        assert!(dialer.due(later, NOBODY).is_empty(), "connected");
        dialer.disconnected(&"peer-b", later);
        assert!(dialer.due(later, NOBODY).is_empty(), "waits the reset backoff first");
        assert_eq!(dialer.due(later + REDIAL_BACKOFF_MIN, NOBODY), vec![0]);
    }

    #[test]
    fn a_known_peer_that_dialled_us_is_not_dialled_again() {
        let now = Instant::now();
        let mut dialer: Dialer<u32, &str> = Dialer::new(1, now);
        dialer.dialing(0, 7);
        dialer.established(7, &"peer-b");
        dialer.disconnected(&"peer-b", now);
        // peer-b reconnected on its own (its dial to us): nothing to do.
        assert!(dialer.due(now + REDIAL_BACKOFF_MAX, |peer| *peer == "peer-b").is_empty());
        // Another connection's events do not touch this slot.
        dialer.dial_failed(8, now);
        dialer.established(9, &"peer-c");
        assert!(dialer.due(now + REDIAL_BACKOFF_MAX, NOBODY).is_empty(), "still counted connected to peer-b");
        dialer.disconnected(&"peer-b", now);
        assert_eq!(dialer.due(now + REDIAL_BACKOFF_MAX, NOBODY), vec![0]);
    }
}

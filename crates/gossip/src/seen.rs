//! The bounded set of payload ids this node has delivered or published, so a payload is handed
//! to the node at most once even after gossipsub's time-based duplicate cache forgot it.

use std::collections::{HashSet, VecDeque};

/// Remembers the last `capacity` ids inserted; the oldest is forgotten first.
#[derive(Debug)]
pub(crate) struct SeenCache {
    capacity: usize,
    ids: HashSet<[u8; 32]>,
    order: VecDeque<[u8; 32]>,
}

impl SeenCache {
    pub(crate) fn new(capacity: usize) -> SeenCache {
        assert!(capacity > 0, "GossipLimits::validate refuses an empty seen cache");
        SeenCache { capacity, ids: HashSet::new(), order: VecDeque::new() }
    }

    pub(crate) fn contains(&self, id: &[u8; 32]) -> bool {
        self.ids.contains(id)
    }

    /// Adds `id`; false if it was already there (then nothing changes).
    pub(crate) fn insert(&mut self, id: [u8; 32]) -> bool {
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > self.capacity {
            let oldest = self.order.pop_front().expect("over capacity, so not empty");
            self.ids.remove(&oldest);
        }
        debug_assert_eq!(self.ids.len(), self.order.len());
        true
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.order.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> [u8; 32] {
        [n; 32]
    }

    #[test]
    fn duplicates_are_reported_and_the_oldest_is_evicted_first() {
        let mut seen = SeenCache::new(3);
        assert!(seen.insert(id(1)));
        assert!(!seen.insert(id(1)), "a second insert is a duplicate");
        assert!(seen.insert(id(2)) && seen.insert(id(3)));
        assert_eq!(seen.len(), 3);
        assert!(seen.insert(id(4)));
        assert_eq!(seen.len(), 3, "bounded");
        assert!(!seen.contains(&id(1)), "the oldest went first");
        assert!(seen.contains(&id(2)) && seen.contains(&id(3)) && seen.contains(&id(4)));
        // A duplicate does not refresh its age: 2 is still the next to go.
        assert!(!seen.insert(id(2)));
        assert!(seen.insert(id(5)));
        assert!(!seen.contains(&id(2)));
    }
}

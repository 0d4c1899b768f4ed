//! The validator set: who votes, with what power, and who proposes each round.

use alloy_primitives::Address;

use crate::keys::{public_key_address, KeyError, PUBLIC_KEY_LEN};

/// One validator: its Ethereum address, the compressed key behind it, its voting power.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validator {
    /// `keccak256(uncompressed key)[12..]`; must match `public_key`.
    pub address: Address,
    /// Compressed secp256k1 public key.
    pub public_key: [u8; PUBLIC_KEY_LEN],
    /// Weight of its votes (> 0).
    pub voting_power: u64,
}

impl Validator {
    /// A validator whose address is derived from `public_key`.
    pub fn new(public_key: [u8; PUBLIC_KEY_LEN], voting_power: u64) -> Result<Self, ValidatorSetError> {
        let address = public_key_address(&public_key).map_err(ValidatorSetError::BadKey)?;
        Ok(Self { address, public_key, voting_power })
    }
}

/// Why a validator list is not a valid set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidatorSetError {
    /// No validators at all.
    #[error("the validator set is empty")]
    Empty,
    /// The same address twice.
    #[error("validator {0} appears twice")]
    Duplicate(Address),
    /// A validator without power would never count.
    #[error("validator {0} has zero voting power")]
    ZeroPower(Address),
    /// The powers sum past `u64::MAX`.
    #[error("total voting power overflows u64")]
    PowerOverflow,
    /// A public key that is not a curve point.
    #[error("bad validator public key: {0}")]
    BadKey(KeyError),
    /// The address is not the key's.
    #[error("validator {address} does not match its public key (which is {derived})")]
    KeyMismatch {
        /// The address given.
        address: Address,
        /// The address of the public key.
        derived: Address,
    },
}

impl ValidatorSetError {
    /// Stable short code for tools and logs.
    pub const fn code(&self) -> &'static str {
        match self {
            ValidatorSetError::Empty => "validators_empty",
            ValidatorSetError::Duplicate(_) => "validators_duplicate",
            ValidatorSetError::ZeroPower(_) => "validators_zero_power",
            ValidatorSetError::PowerOverflow => "validators_power_overflow",
            ValidatorSetError::BadKey(_) => "validators_bad_key",
            ValidatorSetError::KeyMismatch { .. } => "validators_key_mismatch",
        }
    }
}

/// A non-empty set of validators sorted by address. The order is part of the protocol: it is
/// the proposer rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatorSet {
    validators: Vec<Validator>,
    total_power: u64,
}

impl ValidatorSet {
    /// Checks and sorts `validators`.
    pub fn new(mut validators: Vec<Validator>) -> Result<Self, ValidatorSetError> {
        if validators.is_empty() {
            return Err(ValidatorSetError::Empty);
        }
        validators.sort_by_key(|v| v.address);
        let mut total_power: u64 = 0;
        for (i, validator) in validators.iter().enumerate() {
            if i > 0 && validators[i - 1].address == validator.address {
                return Err(ValidatorSetError::Duplicate(validator.address));
            }
            if validator.voting_power == 0 {
                return Err(ValidatorSetError::ZeroPower(validator.address));
            }
            let derived = public_key_address(&validator.public_key).map_err(ValidatorSetError::BadKey)?;
            if derived != validator.address {
                return Err(ValidatorSetError::KeyMismatch { address: validator.address, derived });
            }
            total_power = total_power.checked_add(validator.voting_power).ok_or(ValidatorSetError::PowerOverflow)?;
        }
        Ok(Self { validators, total_power })
    }

    /// The validators, sorted by address.
    pub fn validators(&self) -> &[Validator] {
        &self.validators
    }

    /// The validator with this address.
    pub fn get(&self, address: &Address) -> Option<&Validator> {
        self.validators.binary_search_by_key(address, |v| v.address).ok().map(|i| &self.validators[i])
    }

    /// Sum of all voting power.
    pub fn total_power(&self) -> u64 {
        self.total_power
    }

    /// The least power that is more than two thirds of the total (2f + 1 when total = 3f + 1):
    /// what a certificate's signers must hold.
    pub fn quorum(&self) -> u64 {
        // floor(2·total / 3) + 1, in u128 so that 2·total cannot overflow.
        ((u128::from(self.total_power) * 2 / 3) as u64) + 1
    }

    /// The proposer of `height`/`round`: round-robin by `(height + round) mod n` over the
    /// validators sorted by address, so a rejected or absent proposer is replaced next round.
    pub fn proposer(&self, height: u64, round: u32) -> &Validator {
        &self.validators[self.proposer_index(height, round)]
    }

    pub(crate) fn proposer_index(&self, height: u64, round: u32) -> usize {
        let n = self.validators.len() as u128;
        ((u128::from(height) + u128::from(round)) % n) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::ValidatorKey;

    fn set_of(n: u8) -> (ValidatorSet, Vec<ValidatorKey>) {
        let keys: Vec<_> = (1..=n).map(|i| ValidatorKey::from_bytes([i; 32]).unwrap()).collect();
        let validators = keys.iter().map(|k| Validator::new(k.public_key(), 1).unwrap()).collect();
        (ValidatorSet::new(validators).unwrap(), keys)
    }

    #[test]
    fn proposer_rotates_by_height_plus_round_over_sorted_addresses() {
        let (set, _) = set_of(4);
        let sorted: Vec<_> = set.validators().iter().map(|v| v.address).collect();
        let mut check = sorted.clone();
        check.sort();
        assert_eq!(sorted, check);
        assert_eq!(set.proposer(0, 0).address, sorted[0]);
        assert_eq!(set.proposer(1, 0).address, sorted[1]);
        assert_eq!(set.proposer(5, 0).address, sorted[1]);
        assert_eq!(set.proposer(5, 2).address, sorted[3]);
        assert_eq!(set.proposer(5, 3).address, sorted[0]);
        assert_eq!(
            set.proposer(u64::MAX, u32::MAX).address,
            sorted[((u64::MAX as u128 + u32::MAX as u128) % 4) as usize]
        );
        // Every validator proposes once in any n consecutive rounds of a height.
        let mut seen: Vec<_> = (0..4).map(|r| set.proposer(9, r).address).collect();
        seen.sort();
        assert_eq!(seen, sorted);
    }

    #[test]
    fn quorum_is_more_than_two_thirds() {
        let (set, _) = set_of(4);
        assert_eq!(set.total_power(), 4);
        assert_eq!(set.quorum(), 3);
        let (one, _) = set_of(1);
        assert_eq!(one.quorum(), 1);
        let (three, _) = set_of(3);
        assert_eq!(three.quorum(), 3);
    }

    #[test]
    fn bad_sets_are_refused() {
        let (_, keys) = set_of(2);
        let a = Validator::new(keys[0].public_key(), 1).unwrap();
        assert_eq!(ValidatorSet::new(vec![]), Err(ValidatorSetError::Empty));
        assert_eq!(ValidatorSet::new(vec![a.clone(), a.clone()]), Err(ValidatorSetError::Duplicate(a.address)));
        let zero = Validator { voting_power: 0, ..a.clone() };
        assert_eq!(ValidatorSet::new(vec![zero]), Err(ValidatorSetError::ZeroPower(a.address)));
        let lying = Validator { address: Address::repeat_byte(1), ..a.clone() };
        assert!(matches!(ValidatorSet::new(vec![lying]), Err(ValidatorSetError::KeyMismatch { .. })));
        let b = Validator { voting_power: u64::MAX, ..Validator::new(keys[1].public_key(), 1).unwrap() };
        let a_max = Validator { voting_power: u64::MAX, ..a };
        assert_eq!(ValidatorSet::new(vec![a_max, b]), Err(ValidatorSetError::PowerOverflow));
    }
}

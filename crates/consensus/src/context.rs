//! numo's Malachite `Context`: the concrete types consensus runs on. They are internal — the
//! public API speaks in [`crate::Certificate`], [`crate::ValidatorSet`] and `alloy` addresses —
//! and convert at the edge (`host`).
//!
//! Consensus votes on a [`Value`] that is only the 32-byte id of the proposed bytes, so proposal
//! messages, votes and WAL entries stay small however large a block is; the bytes travel in
//! proposal streams and sync responses and are kept by the host.

use std::fmt;

use alloy_primitives::{Address, B256};
use bytes::Bytes;
use malachitebft_app_channel::app::types::core::{
    self as mal, NilOrVal, Round, SignedExtension, VoteType as MalVoteType,
};

use crate::keys::{self, KeyError, PUBLIC_KEY_LEN, SIGNATURE_LEN};
use crate::validators::ValidatorSet as PublicSet;

/// The context: its only state is the proposer rotation, which needs none.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NumoContext;

/// A height (Malachite needs its own trait on it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Height(pub(crate) u64);

impl fmt::Display for Height {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl mal::Height for Height {
    const ZERO: Self = Height(0);
    const INITIAL: Self = Height(1);

    fn increment_by(&self, n: u64) -> Self {
        Height(self.0.saturating_add(n))
    }

    fn decrement_by(&self, n: u64) -> Option<Self> {
        self.0.checked_sub(n).map(Height)
    }

    fn as_u64(&self) -> u64 {
        self.0
    }
}

/// A validator's Ethereum address (Malachite needs its own trait on it).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct NodeAddress(pub(crate) Address);

impl fmt::Display for NodeAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for NodeAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl mal::Address for NodeAddress {}

/// What consensus votes on: the id (`keccak256`) of the proposed bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Value(pub(crate) B256);

impl mal::Value for Value {
    type Id = B256;

    fn id(&self) -> B256 {
        self.0
    }
}

/// A 65-byte recoverable signature.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Signature(pub(crate) [u8; SIGNATURE_LEN]);

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", alloy_primitives::hex::encode(self.0))
    }
}

/// secp256k1 with Ethereum-style recoverable signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Secp256k1Scheme;

impl mal::SigningScheme for Secp256k1Scheme {
    type DecodingError = KeyError;
    type Signature = Signature;
    type PublicKey = secp256k1::PublicKey;
    type PrivateKey = secp256k1::SecretKey;

    fn decode_signature(bytes: &[u8]) -> Result<Signature, KeyError> {
        let bytes: [u8; SIGNATURE_LEN] = bytes.try_into().map_err(|_| KeyError::Unrecoverable)?;
        Ok(Signature(bytes))
    }

    fn encode_signature(signature: &Signature) -> Vec<u8> {
        signature.0.to_vec()
    }

    fn decode_public_key(bytes: &[u8]) -> Result<secp256k1::PublicKey, KeyError> {
        keys::parse_public_key(bytes)
    }

    fn encode_public_key(public_key: &secp256k1::PublicKey) -> Vec<u8> {
        public_key.serialize().to_vec()
    }
}

/// A vote. `round` is always defined for votes Malachite builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Vote {
    pub(crate) vote_type: MalVoteType,
    pub(crate) height: Height,
    pub(crate) round: Round,
    pub(crate) value: NilOrVal<B256>,
    pub(crate) validator: NodeAddress,
    pub(crate) extension: Option<SignedExtension<NumoContext>>,
}

impl mal::Vote<NumoContext> for Vote {
    fn height(&self) -> Height {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &NilOrVal<B256> {
        &self.value
    }

    fn take_value(self) -> NilOrVal<B256> {
        self.value
    }

    fn vote_type(&self) -> MalVoteType {
        self.vote_type
    }

    fn validator_address(&self) -> &NodeAddress {
        &self.validator
    }

    fn extension(&self) -> Option<&SignedExtension<NumoContext>> {
        self.extension.as_ref()
    }

    fn take_extension(&mut self) -> Option<SignedExtension<NumoContext>> {
        self.extension.take()
    }

    fn extend(self, extension: SignedExtension<NumoContext>) -> Self {
        Self { extension: Some(extension), ..self }
    }
}

/// A proposal message: the value id a proposer puts forward in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Proposal {
    pub(crate) height: Height,
    pub(crate) round: Round,
    pub(crate) value: Value,
    pub(crate) pol_round: Round,
    pub(crate) proposer: NodeAddress,
}

impl mal::Proposal<NumoContext> for Proposal {
    fn height(&self) -> Height {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &Value {
        &self.value
    }

    fn take_value(self) -> Value {
        self.value
    }

    fn pol_round(&self) -> Round {
        self.pol_round
    }

    fn validator_address(&self) -> &NodeAddress {
        &self.proposer
    }
}

/// The header of a proposal stream: which height/round/proposer the bytes belong to and how
/// many there are, so a receiver can refuse an oversized stream before buffering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PartInit {
    pub(crate) height: Height,
    pub(crate) round: Round,
    pub(crate) pol_round: Round,
    pub(crate) proposer: NodeAddress,
    pub(crate) value_len: u64,
}

/// One part of a proposal stream: `Init`, then `Data` chunks (≤ [`crate::stream::CHUNK_BYTES`]
/// each), then `Fin` with the proposer's signature over the proposal digest of the value id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProposalPart {
    Init(PartInit),
    Data(Bytes),
    Fin(Signature),
}

impl mal::ProposalPart<NumoContext> for ProposalPart {
    fn is_first(&self) -> bool {
        matches!(self, ProposalPart::Init(_))
    }

    fn is_last(&self) -> bool {
        matches!(self, ProposalPart::Fin(_))
    }
}

/// A validator as Malachite sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MalValidator {
    pub(crate) address: NodeAddress,
    pub(crate) public_key: secp256k1::PublicKey,
    pub(crate) voting_power: u64,
}

impl mal::Validator<NumoContext> for MalValidator {
    fn address(&self) -> &NodeAddress {
        &self.address
    }

    fn public_key(&self) -> &secp256k1::PublicKey {
        &self.public_key
    }

    fn voting_power(&self) -> u64 {
        self.voting_power
    }
}

/// The validator set as Malachite sees it, in the public set's (address) order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MalValidatorSet {
    pub(crate) validators: Vec<MalValidator>,
    total_power: u64,
}

impl MalValidatorSet {
    pub(crate) fn from_public(set: &PublicSet) -> Self {
        let validators = set
            .validators()
            .iter()
            .map(|v| MalValidator {
                address: NodeAddress(v.address),
                // The public set checked every key when it was built.
                public_key: keys::parse_public_key(&v.public_key).expect("checked key"),
                voting_power: v.voting_power,
            })
            .collect();
        Self { validators, total_power: set.total_power() }
    }
}

impl mal::ValidatorSet<NumoContext> for MalValidatorSet {
    fn count(&self) -> usize {
        self.validators.len()
    }

    fn total_voting_power(&self) -> u64 {
        self.total_power
    }

    fn get_by_address(&self, address: &NodeAddress) -> Option<&MalValidator> {
        self.validators.binary_search_by_key(address, |v| v.address).ok().map(|i| &self.validators[i])
    }

    fn get_by_index(&self, index: usize) -> Option<&MalValidator> {
        self.validators.get(index)
    }
}

impl mal::Context for NumoContext {
    type Address = NodeAddress;
    type Height = Height;
    type ProposalPart = ProposalPart;
    type Proposal = Proposal;
    type Validator = MalValidator;
    type ValidatorSet = MalValidatorSet;
    type Timeouts = mal::LinearTimeouts;
    type Value = Value;
    type Vote = Vote;
    type Extension = Bytes;
    type SigningScheme = Secp256k1Scheme;

    /// Round-robin by `(height + round) mod n` — the same rule as
    /// [`crate::ValidatorSet::proposer`].
    fn select_proposer<'a>(
        &self,
        validator_set: &'a MalValidatorSet,
        height: Height,
        round: Round,
    ) -> &'a MalValidator {
        let n = validator_set.validators.len() as u128;
        let round = u128::from(round.as_u32().unwrap_or(0));
        &validator_set.validators[((u128::from(height.0) + round) % n) as usize]
    }

    fn new_proposal(
        &self,
        height: Height,
        round: Round,
        value: Value,
        pol_round: Round,
        address: NodeAddress,
    ) -> Proposal {
        Proposal { height, round, value, pol_round, proposer: address }
    }

    fn new_prevote(&self, height: Height, round: Round, value_id: NilOrVal<B256>, address: NodeAddress) -> Vote {
        Vote { vote_type: MalVoteType::Prevote, height, round, value: value_id, validator: address, extension: None }
    }

    fn new_precommit(&self, height: Height, round: Round, value_id: NilOrVal<B256>, address: NodeAddress) -> Vote {
        Vote { vote_type: MalVoteType::Precommit, height, round, value: value_id, validator: address, extension: None }
    }
}

/// A compressed key's bytes.
pub(crate) fn public_key_bytes(key: &secp256k1::PublicKey) -> [u8; PUBLIC_KEY_LEN] {
    key.serialize()
}

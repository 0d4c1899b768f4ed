//! Malachite's signing provider for numo: every vote, proposal and peer proof is a 65-byte
//! recoverable secp256k1 signature over a domain-separated keccak256 digest ([`crate::digest`]).
//! Verification recovers the signer's key and compares it with the expected one.

use alloy_primitives::B256;
use async_trait::async_trait;
use bytes::Bytes;
use malachitebft_app_channel::app::types::core::{
    NilOrVal, Round, SignedMessage, ValidatorProof, VoteExtensionScope, VoteType as MalVoteType,
};
use malachitebft_app_channel::{Signer, Verifier};
use malachitebft_signing::{Error as SigningError, VerificationResult};

use crate::context::{NumoContext, Proposal, Signature, Vote};
use crate::digest::{extension_digest, peer_proof_digest, proposal_digest, vote_digest, VoteType};
use crate::keys::{self, ValidatorKey};

/// Why a message cannot be signed: Malachite never builds such messages, but the types allow it.
#[derive(Debug, thiserror::Error)]
#[error("cannot sign a message with an undefined round")]
struct NilRound;

fn defined(round: Round) -> Result<u32, SigningError> {
    round.as_u32().ok_or_else(|| SigningError::from_source(NilRound))
}

pub(crate) fn vote_digest_of(chain_id: u64, vote: &Vote) -> Option<B256> {
    let vote_type = match vote.vote_type {
        MalVoteType::Prevote => VoteType::Prevote,
        MalVoteType::Precommit => VoteType::Precommit,
    };
    let value = match vote.value {
        NilOrVal::Nil => None,
        NilOrVal::Val(id) => Some(id),
    };
    Some(vote_digest(chain_id, vote_type, vote.height.0, vote.round.as_u32()?, value))
}

pub(crate) fn proposal_digest_of(
    chain_id: u64,
    height: u64,
    round: Round,
    pol_round: Round,
    value_id: B256,
) -> Option<B256> {
    Some(proposal_digest(chain_id, height, round.as_u32()?, pol_round.as_u32(), value_id))
}

/// Signs with a validator key.
pub(crate) struct NumoSigner {
    pub(crate) chain_id: u64,
    pub(crate) key: ValidatorKey,
}

#[async_trait]
impl Signer<NumoContext> for NumoSigner {
    async fn sign_vote(&self, vote: Vote) -> Result<SignedMessage<NumoContext, Vote>, SigningError> {
        defined(vote.round)?;
        let digest = vote_digest_of(self.chain_id, &vote).expect("round checked");
        let signature = Signature(self.key.sign_digest(digest));
        Ok(SignedMessage::new(vote, signature))
    }

    async fn sign_proposal(&self, proposal: Proposal) -> Result<SignedMessage<NumoContext, Proposal>, SigningError> {
        defined(proposal.round)?;
        let digest =
            proposal_digest_of(self.chain_id, proposal.height.0, proposal.round, proposal.pol_round, proposal.value.0)
                .expect("round checked");
        Ok(SignedMessage::new(proposal, Signature(self.key.sign_digest(digest))))
    }

    async fn sign_vote_extension(
        &self,
        scope: VoteExtensionScope<NumoContext>,
        extension: Bytes,
    ) -> Result<SignedMessage<NumoContext, Bytes>, SigningError> {
        let round = defined(scope.round)?;
        let digest = extension_digest(self.chain_id, scope.height.0, round, scope.value_id, &extension);
        Ok(SignedMessage::new(extension, Signature(self.key.sign_digest(digest))))
    }

    async fn sign_validator_proof(
        &self,
        public_key: Vec<u8>,
        peer_id: Vec<u8>,
    ) -> Result<ValidatorProof<NumoContext>, SigningError> {
        let preimage = ValidatorProof::<NumoContext>::signing_bytes(&public_key, &peer_id);
        let signature = Signature(self.key.sign_digest(peer_proof_digest(self.chain_id, &preimage)));
        Ok(ValidatorProof::new(public_key, peer_id, signature))
    }
}

/// Verifies for one chain.
#[derive(Clone, Copy)]
pub(crate) struct NumoVerifier {
    pub(crate) chain_id: u64,
}

fn signed_by(digest: Option<B256>, signature: &Signature, key: &secp256k1::PublicKey) -> VerificationResult {
    let valid = digest
        .and_then(|digest| keys::recover_point(digest, &signature.0).ok())
        .is_some_and(|recovered| recovered == *key);
    VerificationResult::from_bool(valid)
}

#[async_trait]
impl Verifier<NumoContext> for NumoVerifier {
    async fn verify_signed_vote(
        &self,
        vote: &Vote,
        signature: &Signature,
        public_key: &secp256k1::PublicKey,
    ) -> Result<VerificationResult, SigningError> {
        Ok(signed_by(vote_digest_of(self.chain_id, vote), signature, public_key))
    }

    async fn verify_signed_proposal(
        &self,
        proposal: &Proposal,
        signature: &Signature,
        public_key: &secp256k1::PublicKey,
    ) -> Result<VerificationResult, SigningError> {
        let digest =
            proposal_digest_of(self.chain_id, proposal.height.0, proposal.round, proposal.pol_round, proposal.value.0);
        Ok(signed_by(digest, signature, public_key))
    }

    async fn verify_signed_vote_extension(
        &self,
        scope: &VoteExtensionScope<NumoContext>,
        extension: &Bytes,
        signature: &Signature,
        public_key: &secp256k1::PublicKey,
    ) -> Result<VerificationResult, SigningError> {
        let digest = scope
            .round
            .as_u32()
            .map(|round| extension_digest(self.chain_id, scope.height.0, round, scope.value_id, extension));
        Ok(signed_by(digest, signature, public_key))
    }

    async fn verify_validator_proof(
        &self,
        proof: &ValidatorProof<NumoContext>,
    ) -> Result<VerificationResult, SigningError> {
        let Ok(key) = keys::parse_public_key(&proof.public_key) else {
            return Ok(VerificationResult::Invalid);
        };
        let digest = peer_proof_digest(self.chain_id, &proof.preimage());
        Ok(signed_by(Some(digest), &proof.signature, &key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{Height, NodeAddress, Value};
    use alloy_primitives::Address;

    const CHAIN: u64 = 9;

    fn setup() -> (NumoSigner, NumoVerifier, secp256k1::PublicKey) {
        let key = ValidatorKey::from_bytes([5; 32]).unwrap();
        let public = key.point();
        (NumoSigner { chain_id: CHAIN, key }, NumoVerifier { chain_id: CHAIN }, public)
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    #[test]
    fn a_signed_precommit_is_the_public_vote_digest_signature() {
        let (signer, verifier, public) = setup();
        let vote = Vote {
            vote_type: MalVoteType::Precommit,
            height: Height(12),
            round: Round::new(3),
            value: NilOrVal::Val(B256::repeat_byte(1)),
            validator: NodeAddress(signer.key.address()),
            extension: None,
        };
        let signed = block_on(signer.sign_vote(vote.clone())).unwrap();
        let digest = vote_digest(CHAIN, VoteType::Precommit, 12, 3, Some(B256::repeat_byte(1)));
        assert_eq!(keys::recover_address(digest, &signed.signature.0).unwrap(), signer.key.address());
        assert!(block_on(verifier.verify_signed_vote(&vote, &signed.signature, &public)).unwrap().is_valid());
        // The same signature does not cover a prevote, another round or another chain.
        let prevote = Vote { vote_type: MalVoteType::Prevote, ..vote.clone() };
        assert!(block_on(verifier.verify_signed_vote(&prevote, &signed.signature, &public)).unwrap().is_invalid());
        let later = Vote { round: Round::new(4), ..vote.clone() };
        assert!(block_on(verifier.verify_signed_vote(&later, &signed.signature, &public)).unwrap().is_invalid());
        let other_chain = NumoVerifier { chain_id: CHAIN + 1 };
        assert!(block_on(other_chain.verify_signed_vote(&vote, &signed.signature, &public)).unwrap().is_invalid());
    }

    #[test]
    fn proposals_and_peer_proofs_verify_only_for_their_signer() {
        let (signer, verifier, public) = setup();
        let proposal = Proposal {
            height: Height(2),
            round: Round::new(0),
            value: Value(B256::repeat_byte(7)),
            pol_round: Round::Nil,
            proposer: NodeAddress(Address::ZERO),
        };
        let signed = block_on(signer.sign_proposal(proposal.clone())).unwrap();
        assert!(block_on(verifier.verify_signed_proposal(&proposal, &signed.signature, &public)).unwrap().is_valid());
        let other = ValidatorKey::from_bytes([6; 32]).unwrap().point();
        assert!(block_on(verifier.verify_signed_proposal(&proposal, &signed.signature, &other)).unwrap().is_invalid());

        let proof = block_on(signer.sign_validator_proof(public.serialize().to_vec(), vec![1, 2, 3])).unwrap();
        assert!(block_on(verifier.verify_validator_proof(&proof)).unwrap().is_valid());
        let mut moved = proof.clone();
        moved.peer_id = vec![1, 2, 4];
        assert!(block_on(verifier.verify_validator_proof(&moved)).unwrap().is_invalid());
    }
}

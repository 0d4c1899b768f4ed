//! The bytes every numo consensus signature covers. Each digest starts with its own domain tag,
//! so a signature made for one purpose (a vote, a proposal, a peer identity) is never valid for
//! another, and with the chain id, so it is never valid on another numo chain.

use alloy_primitives::{keccak256, B256};

/// Domain tag of votes (prevotes and precommits).
pub const VOTE_DOMAIN: &[u8] = b"NUMO_VOTE_V1";
/// Domain tag of proposals: the signed proposal message and the `Fin` part of a proposal stream.
pub const PROPOSAL_DOMAIN: &[u8] = b"NUMO_PROPOSAL_V1";
/// Domain tag of vote extensions (numo never extends votes, but Malachite asks for a scheme).
pub const EXTENSION_DOMAIN: &[u8] = b"NUMO_VOTE_EXTENSION_V1";
/// Domain tag of the proof that binds a validator key to its libp2p peer id.
pub const PEER_PROOF_DOMAIN: &[u8] = b"NUMO_VALIDATOR_PROOF_V1";

/// The two vote kinds of Tendermint; the byte is part of [`vote_digest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VoteType {
    /// First-stage vote (byte 0).
    Prevote,
    /// Second-stage vote (byte 1); a certificate is made of precommits.
    Precommit,
}

impl VoteType {
    /// The byte this vote type contributes to [`vote_digest`].
    pub const fn byte(self) -> u8 {
        match self {
            VoteType::Prevote => 0,
            VoteType::Precommit => 1,
        }
    }
}

/// `keccak256("NUMO_VOTE_V1" ‖ U64 chainId ‖ U8 voteType ‖ U64 height ‖ U32 round ‖ U8 isValue ‖
/// B32 valueId)` (big-endian; `valueId` zero and `isValue` 0 for a nil vote): the digest every
/// vote signature covers, and the one a certificate's precommits are checked against.
pub fn vote_digest(chain_id: u64, vote_type: VoteType, height: u64, round: u32, value_id: Option<B256>) -> B256 {
    let mut bytes = Vec::with_capacity(VOTE_DOMAIN.len() + 8 + 1 + 8 + 4 + 1 + 32);
    bytes.extend_from_slice(VOTE_DOMAIN);
    bytes.extend_from_slice(&chain_id.to_be_bytes());
    bytes.push(vote_type.byte());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&round.to_be_bytes());
    bytes.push(u8::from(value_id.is_some()));
    bytes.extend_from_slice(value_id.unwrap_or_default().as_slice());
    keccak256(bytes)
}

/// The id of a value: `keccak256(value bytes)`. Consensus votes on ids; the bytes travel in
/// proposal streams and sync responses.
pub fn value_id(value: &[u8]) -> B256 {
    keccak256(value)
}

/// `keccak256("NUMO_PROPOSAL_V1" ‖ U64 chainId ‖ U64 height ‖ U32 round ‖ U8 hasPolRound ‖
/// U32 polRound ‖ B32 valueId)`: what a proposer signs, both in its proposal message and in the
/// `Fin` part of the stream that carries the value's bytes.
pub(crate) fn proposal_digest(chain_id: u64, height: u64, round: u32, pol_round: Option<u32>, value_id: B256) -> B256 {
    let mut bytes = Vec::with_capacity(PROPOSAL_DOMAIN.len() + 8 + 8 + 4 + 1 + 4 + 32);
    bytes.extend_from_slice(PROPOSAL_DOMAIN);
    bytes.extend_from_slice(&chain_id.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&round.to_be_bytes());
    bytes.push(u8::from(pol_round.is_some()));
    bytes.extend_from_slice(&pol_round.unwrap_or(0).to_be_bytes());
    bytes.extend_from_slice(value_id.as_slice());
    keccak256(bytes)
}

/// `keccak256("NUMO_VOTE_EXTENSION_V1" ‖ U64 chainId ‖ U64 height ‖ U32 round ‖ B32 valueId ‖
/// B32 keccak256(extension))`.
pub(crate) fn extension_digest(chain_id: u64, height: u64, round: u32, value_id: B256, extension: &[u8]) -> B256 {
    let mut bytes = Vec::with_capacity(EXTENSION_DOMAIN.len() + 8 + 8 + 4 + 32 + 32);
    bytes.extend_from_slice(EXTENSION_DOMAIN);
    bytes.extend_from_slice(&chain_id.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&round.to_be_bytes());
    bytes.extend_from_slice(value_id.as_slice());
    bytes.extend_from_slice(keccak256(extension).as_slice());
    keccak256(bytes)
}

/// `keccak256("NUMO_VALIDATOR_PROOF_V1" ‖ U64 chainId ‖ preimage)` where `preimage` is
/// Malachite's length-prefixed `publicKey ‖ peerId` encoding.
pub(crate) fn peer_proof_digest(chain_id: u64, preimage: &[u8]) -> B256 {
    let mut bytes = Vec::with_capacity(PEER_PROOF_DOMAIN.len() + 8 + preimage.len());
    bytes.extend_from_slice(PEER_PROOF_DOMAIN);
    bytes.extend_from_slice(&chain_id.to_be_bytes());
    bytes.extend_from_slice(preimage);
    keccak256(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::hex;

    #[test]
    fn vote_digest_is_the_documented_preimage() {
        let id = B256::repeat_byte(0xab);
        // Written out by hand: tag, chain 7, precommit, height 0x0102, round 3, value.
        let mut preimage = b"NUMO_VOTE_V1".to_vec();
        preimage.extend_from_slice(&hex!("0000000000000007"));
        preimage.push(1);
        preimage.extend_from_slice(&hex!("0000000000000102"));
        preimage.extend_from_slice(&hex!("00000003"));
        preimage.push(1);
        preimage.extend_from_slice(&[0xab; 32]);
        assert_eq!(preimage.len(), 12 + 8 + 1 + 8 + 4 + 1 + 32);
        assert_eq!(vote_digest(7, VoteType::Precommit, 0x0102, 3, Some(id)), keccak256(&preimage));

        let mut nil = b"NUMO_VOTE_V1".to_vec();
        nil.extend_from_slice(&hex!("0000000000000007"));
        nil.push(0);
        nil.extend_from_slice(&hex!("0000000000000102"));
        nil.extend_from_slice(&hex!("00000003"));
        nil.push(0);
        nil.extend_from_slice(&[0; 32]);
        assert_eq!(vote_digest(7, VoteType::Prevote, 0x0102, 3, None), keccak256(&nil));
    }

    #[test]
    fn vote_digest_fixed_vector() {
        // Frozen (computed by an independent Keccak in Python): changing the vote encoding
        // changes this hash and breaks every L1 verifier.
        let digest = vote_digest(1, VoteType::Precommit, 1, 0, Some(B256::ZERO));
        assert_eq!(
            digest,
            keccak256(hex!(
                "4e554d4f5f564f54455f5631" // NUMO_VOTE_V1
                "0000000000000001" "01" "0000000000000001" "00000000" "01"
                "0000000000000000000000000000000000000000000000000000000000000000"
            ))
        );
        assert_eq!(digest, B256::from(hex!("35266eb4ebb611e6045043462c70612bac465f7bf36fb2e32d4541da6da265ea")));
    }

    #[test]
    fn a_nil_vote_differs_from_a_vote_for_zero() {
        let nil = vote_digest(1, VoteType::Prevote, 5, 0, None);
        let zero = vote_digest(1, VoteType::Prevote, 5, 0, Some(B256::ZERO));
        assert_ne!(nil, zero);
        assert_ne!(nil, vote_digest(2, VoteType::Prevote, 5, 0, None));
    }
}

//! The key a node answers with (docs/PROTOCOL.md K6): signed receipts. A submission that waited
//! for its block gets `msgHash`, `globalIndex` and `blockHeight` signed by the answering node, so
//! two receipts that give one global index to two messages are evidence a third party can check
//! against that node. A validator signs with its validator key; any other node with a key of its
//! own kept in its data dir (`node.key`, created on first start).

use alloy_primitives::{hex, keccak256, Address, B256};
use numo_stf::codec::Writer;
use numo_stf::signature::{recover_signer, secret_key_address, sign_digest};
use numo_stf::Signature;
use secp256k1::SecretKey;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Domain tag of receipt signatures.
pub const RECEIPT_TAG: &[u8] = b"NUMO_RECEIPT_V1";

/// `keccak256("NUMO_RECEIPT_V1" ‖ U64 chainId ‖ msgHash ‖ U64 globalIndex ‖ U64 blockHeight)`.
pub fn receipt_digest(chain_id: u64, msg_hash: &B256, global_index: u64, block_height: u64) -> B256 {
    let mut w = Writer::with_capacity(RECEIPT_TAG.len() + 8 + 32 + 8 + 8);
    w.bytes(RECEIPT_TAG).u64(chain_id).b32(msg_hash).u64(global_index).u64(block_height);
    keccak256(w.into_bytes())
}

/// A signed receipt, as the API answers it and `numo verify --receipt` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedReceipt {
    /// The venue's chain id.
    pub chain_id: u64,
    /// `msgHash` of the message (C11).
    pub msg_hash: B256,
    /// Its position in the venue's execution order.
    pub global_index: u64,
    /// The block that executed it.
    pub block_height: u64,
    /// The answering node's address.
    pub signer: Address,
    /// 65-byte signature over [`receipt_digest`], 0x hex.
    pub signature: String,
}

/// Why a receipt does not check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// The signature is not 65 hex bytes.
    #[error("receipt signature is not 65 bytes of hex")]
    Malformed,
    /// The signature does not recover the named signer.
    #[error("receipt signature recovers {recovered:?}, not the signer {signer}")]
    WrongSigner {
        /// The named signer.
        signer: Address,
        /// What the signature recovers, if anything.
        recovered: Option<Address>,
    },
}

impl ReceiptError {
    /// Stable short code.
    pub const fn code(&self) -> &'static str {
        match self {
            ReceiptError::Malformed => "malformed_receipt",
            ReceiptError::WrongSigner { .. } => "bad_receipt_signature",
        }
    }
}

impl SignedReceipt {
    /// Checks the signature against the named signer.
    pub fn verify(&self) -> Result<(), ReceiptError> {
        let bytes = hex::decode(&self.signature).map_err(|_| ReceiptError::Malformed)?;
        let bytes: [u8; 65] = bytes.try_into().map_err(|_| ReceiptError::Malformed)?;
        let digest = receipt_digest(self.chain_id, &self.msg_hash, self.global_index, self.block_height);
        let recovered = recover_signer(&digest, &Signature(bytes)).ok();
        if recovered != Some(self.signer) {
            return Err(ReceiptError::WrongSigner { signer: self.signer, recovered });
        }
        Ok(())
    }

    /// Whether `self` and `other`, both valid and by one signer, contradict each other: one
    /// global index for two messages, or one message at two indexes (K6 evidence).
    pub fn conflicts_with(&self, other: &SignedReceipt) -> bool {
        self.signer == other.signer
            && self.chain_id == other.chain_id
            && ((self.global_index == other.global_index && self.msg_hash != other.msg_hash)
                || (self.msg_hash == other.msg_hash && self.global_index != other.global_index))
    }
}

/// The node's signing key.
pub struct NodeSigner {
    key: SecretKey,
    /// Its address.
    pub address: Address,
}

impl NodeSigner {
    /// A signer of `key`.
    pub fn new(key: SecretKey) -> Self {
        Self { address: secret_key_address(&key), key }
    }

    /// The key in `dir/node.key` (hex), created from the OS's randomness if absent.
    pub fn load_or_create(dir: &Path) -> std::io::Result<Self> {
        let path = dir.join("node.key");
        let invalid =
            |e: String| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", path.display()));
        if let Ok(text) = std::fs::read_to_string(&path) {
            let bytes = hex::decode(text.trim()).map_err(|e| invalid(e.to_string()))?;
            let bytes: [u8; 32] = bytes.try_into().map_err(|_| invalid("not 32 bytes".into()))?;
            return SecretKey::from_secret_bytes(bytes).map(Self::new).map_err(|e| invalid(e.to_string()));
        }
        std::fs::create_dir_all(dir)?;
        let key = loop {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
            if let Ok(key) = SecretKey::from_secret_bytes(bytes) {
                break key;
            }
        };
        std::fs::write(&path, hex::encode(key.to_secret_bytes()))?;
        Ok(Self::new(key))
    }

    /// Signs a receipt.
    pub fn receipt(&self, chain_id: u64, msg_hash: B256, global_index: u64, block_height: u64) -> SignedReceipt {
        let digest = receipt_digest(chain_id, &msg_hash, global_index, block_height);
        let signature = sign_digest(&self.key, &digest);
        SignedReceipt {
            chain_id,
            msg_hash,
            global_index,
            block_height,
            signer: self.address,
            signature: format!("0x{}", hex::encode(signature.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_verify_and_two_indexes_for_one_slot_are_evidence() {
        let signer = NodeSigner::new(SecretKey::from_secret_bytes([7; 32]).unwrap());
        let a = signer.receipt(9, B256::repeat_byte(1), 5, 3);
        assert_eq!(a.verify(), Ok(()));
        let b = signer.receipt(9, B256::repeat_byte(2), 5, 3);
        assert!(a.conflicts_with(&b) && b.conflicts_with(&a));
        assert!(!a.conflicts_with(&signer.receipt(9, B256::repeat_byte(2), 6, 3)));
        let mut forged = a.clone();
        forged.global_index = 6;
        assert!(matches!(forged.verify(), Err(ReceiptError::WrongSigner { .. })));
        let mut garbled = a;
        garbled.signature = "0x12".into();
        assert_eq!(garbled.verify(), Err(ReceiptError::Malformed));
        // The digest layout, recomputed by hand.
        let mut preimage = b"NUMO_RECEIPT_V1".to_vec();
        preimage.extend(9u64.to_be_bytes());
        preimage.extend([1u8; 32]);
        preimage.extend(5u64.to_be_bytes());
        preimage.extend(3u64.to_be_bytes());
        assert_eq!(receipt_digest(9, &B256::repeat_byte(1), 5, 3), keccak256(preimage));
    }
}

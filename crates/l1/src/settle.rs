//! Settlement of epochs on L1 (F13): the epoch digest, committee proofs, and the transaction
//! that submits them, with the bridge views the settler needs to know where L1 stands.

use std::time::{Duration, Instant};

use alloy::eips::BlockNumberOrTag;
use alloy::primitives::{keccak256, Address, Bytes, B256, U256};
use alloy::providers::{DynProvider, Provider};
use alloy::signers::local::PrivateKeySigner;
use alloy::signers::SignerSync;

use crate::bindings::NumoBridge;
use crate::rpc::{connect, connect_signer};
use crate::L1Error;

/// The domain tag of F13's epoch digest.
pub const EPOCH_TAG: &[u8] = b"NUMO_EPOCH_V1";

/// How often [`Settler::wait_confirmed`] asks for the receipt.
pub const RECEIPT_POLL_INTERVAL: Duration = Duration::from_millis(250);

/// `keccak256("NUMO_EPOCH_V1" ‖ U256 l1ChainId ‖ ADDR bridge ‖ keccak256(epoch))` (F13): what the
/// verifier checks, bound to one chain and one bridge so a proof never settles elsewhere.
pub fn epoch_digest(l1_chain_id: u64, bridge: Address, epoch: &[u8]) -> B256 {
    let mut preimage = Vec::with_capacity(EPOCH_TAG.len() + 32 + 20 + 32);
    preimage.extend_from_slice(EPOCH_TAG);
    preimage.extend_from_slice(&U256::from(l1_chain_id).to_be_bytes::<32>());
    preimage.extend_from_slice(bridge.as_slice());
    preimage.extend_from_slice(keccak256(epoch).as_slice());
    keccak256(preimage)
}

/// The committee verifier's proof (F13): one 65-byte `r ‖ s ‖ v` signature (low s, `v` 27 or
/// 28) over `digest` itself, no EIP-191 prefix, per signer, signers in ascending address order
/// (the verifier refuses duplicates by that order).
///
/// # Panics
/// Never in practice: a local secp256k1 key signs any 32-byte hash (k256 fails only on a
/// nonce of zero, which RFC 6979 does not produce).
pub fn committee_proof(digest: B256, signers: &[PrivateKeySigner]) -> Bytes {
    let mut sorted: Vec<&PrivateKeySigner> = signers.iter().collect();
    sorted.sort_by_key(|s| s.address());
    let mut proof = Vec::with_capacity(65 * sorted.len());
    for signer in sorted {
        let signature = signer.sign_hash_sync(&digest).expect("a local key signs any hash");
        let signature = signature.normalize_s().unwrap_or(signature);
        proof.extend_from_slice(&signature.as_bytes());
    }
    proof.into()
}

/// Where a transaction was confirmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Confirmed {
    /// Its block.
    pub block_number: u64,
    /// That block's hash.
    pub block_hash: B256,
}

/// Submits epochs to one bridge with one key, and reads the bridge's settlement state.
#[derive(Clone, Debug)]
pub struct Settler {
    provider: DynProvider,
    bridge: NumoBridge::NumoBridgeInstance<DynProvider>,
}

impl Settler {
    /// A settler sending from `signer` to `bridge`.
    pub fn new(rpc_url: &str, signer: PrivateKeySigner, bridge: Address) -> Result<Self, L1Error> {
        let provider = connect_signer(rpc_url, signer)?;
        Ok(Self { bridge: NumoBridge::new(bridge, provider.clone()), provider })
    }

    /// A settler that only reads (its `submit` fails: no key).
    pub fn read_only(rpc_url: &str, bridge: Address) -> Result<Self, L1Error> {
        let provider = connect(rpc_url)?;
        Ok(Self { bridge: NumoBridge::new(bridge, provider.clone()), provider })
    }

    /// Sends `settle(epoch, proof)` and returns its hash without waiting for it to be mined. A
    /// settlement the bridge refuses fails here already (gas estimation runs it) with the custom
    /// error's name in [`L1Error::Reverted`].
    pub async fn submit(&self, epoch: Bytes, proof: Bytes) -> Result<B256, L1Error> {
        let pending = self.bridge.settle(epoch, proof).send().await?;
        Ok(*pending.tx_hash())
    }

    /// Waits until `tx` is mined with `confirmations` blocks on top of its block (a tx in block
    /// b is confirmed once head ≥ b + confirmations). [`L1Error::Dropped`] when the node has
    /// neither a receipt nor the transaction (a reorg removed it and it is not pending again):
    /// the caller sends it again. [`L1Error::Failed`] when it was mined and reverted.
    pub async fn wait_confirmed(&self, tx: B256, confirmations: u64, timeout: Duration) -> Result<Confirmed, L1Error> {
        let started = Instant::now();
        loop {
            if let Some(receipt) = self.provider.get_transaction_receipt(tx).await? {
                if !receipt.status() {
                    return Err(L1Error::Failed { tx });
                }
                if let (Some(number), Some(hash)) = (receipt.block_number, receipt.block_hash) {
                    let head = self.provider.get_block_number().await?;
                    if head >= number + confirmations {
                        let block = self.provider.get_block_by_number(BlockNumberOrTag::Number(number)).await?;
                        // The receipt may lag a reorg; the block at its height must be its block.
                        if block.is_some_and(|b| b.header.hash == hash) {
                            return Ok(Confirmed { block_number: number, block_hash: hash });
                        }
                    }
                }
            } else if self.provider.get_transaction_by_hash(tx).await?.is_none() {
                return Err(L1Error::Dropped { tx });
            }
            if started.elapsed() >= timeout {
                return Err(L1Error::Timeout { tx });
            }
            tokio::time::sleep(RECEIPT_POLL_INTERVAL).await;
        }
    }

    /// The bridge's address.
    pub fn bridge(&self) -> Address {
        *self.bridge.address()
    }

    /// The L1 chain id (for [`epoch_digest`]).
    pub async fn chain_id(&self) -> Result<u64, L1Error> {
        Ok(self.provider.get_chain_id().await?)
    }

    /// The last settled state root.
    pub async fn state_root(&self) -> Result<B256, L1Error> {
        Ok(self.bridge.stateRoot().call().await?)
    }

    /// The last settled batch sequence number (0 before the first settlement).
    pub async fn last_batch_seq(&self) -> Result<u64, L1Error> {
        Ok(self.bridge.lastBatchSeq().call().await?)
    }

    /// Whether the bridge has paid withdrawal `id` (F14's claimed bitmap).
    pub async fn is_claimed(&self, id: u64) -> Result<bool, L1Error> {
        Ok(self.bridge.isClaimed(id).call().await?)
    }

    /// How many deposits the settled state has consumed.
    pub async fn settled_deposit_count(&self) -> Result<u64, L1Error> {
        Ok(self.bridge.settledDepositCount().call().await?)
    }

    /// How many deposits were enqueued.
    pub async fn deposit_count(&self) -> Result<u64, L1Error> {
        Ok(self.bridge.depositCount().call().await?)
    }

    /// How many forced requests the settled state has consumed.
    pub async fn settled_forced_count(&self) -> Result<u64, L1Error> {
        Ok(self.bridge.settledForcedCount().call().await?)
    }

    /// The deposit accumulator after `count` deposits (F5).
    pub async fn deposit_acc_at(&self, count: u64) -> Result<B256, L1Error> {
        Ok(self.bridge.depositAccAt(count).call().await?)
    }

    /// The forced-request accumulator after `count` requests (F5).
    pub async fn forced_acc_at(&self, count: u64) -> Result<B256, L1Error> {
        Ok(self.bridge.forcedAccAt(count).call().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::address;

    #[test]
    fn digest_is_the_f13_preimage() {
        let bridge = address!("0x00000000000000000000000000000000000000aa");
        let mut pre = b"NUMO_EPOCH_V1".to_vec();
        pre.extend([0u8; 31]);
        pre.push(7);
        pre.extend(bridge.as_slice());
        pre.extend(keccak256([1u8, 2, 3]).as_slice());
        assert_eq!(pre.len(), 13 + 32 + 20 + 32);
        assert_eq!(epoch_digest(7, bridge, &[1, 2, 3]), keccak256(pre));
    }

    #[test]
    fn proof_is_sorted_low_s_raw_digest_signatures() {
        let signers: Vec<PrivateKeySigner> =
            (1u8..=3).map(|i| PrivateKeySigner::from_bytes(&B256::repeat_byte(i)).expect("key")).collect();
        let digest = keccak256(b"epoch");
        let proof = committee_proof(digest, &signers);
        assert_eq!(proof.len(), 3 * 65);
        let half_n =
            U256::from_str_radix("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", 16).expect("n/2");
        let mut previous = Address::ZERO;
        for chunk in proof.chunks(65) {
            let signature = alloy::primitives::Signature::from_raw(chunk).expect("65 bytes");
            assert!(chunk[64] == 27 || chunk[64] == 28);
            assert!(signature.s() <= half_n);
            let signer = signature.recover_address_from_prehash(&digest).expect("recovers");
            assert!(signer > previous, "ascending");
            previous = signer;
        }
    }
}

//! E3: an EVM entry's transaction — an EIP-2718 signed transaction of type legacy (EIP-155
//! only), `0x01` (EIP-2930) or `0x02` (EIP-1559), at most `EVM_MAX_TX_BYTES`, with no trailing
//! bytes — and its sender, recovered with numo-core's recovery (libsecp256k1 on a host, SP1's
//! precompiles in the zkVM) over the signature hash alloy computes, under EIP-2's low-s rule.

use crate::error::EvmTxError;
use crate::limits::EVM_MAX_TX_BYTES;
use alloc::string::ToString;
use alloc::vec::Vec;
use alloy_consensus::{Transaction, TxEnvelope};
use alloy_eips::eip2718::{Decodable2718, Typed2718};
use alloy_eips::eip2930::AccessList;
use alloy_primitives::{keccak256, Address, Bytes, TxKind, B256, U256};
use numo_core::signature::{recover_signer, Signature};

/// The EIP-2718 type byte of a legacy transaction, as receipts and `TxEnv` name it.
pub const LEGACY_TX_TYPE: u8 = 0x00;
/// EIP-2930 access-list transactions.
pub const EIP2930_TX_TYPE: u8 = 0x01;
/// EIP-1559 dynamic-fee transactions.
pub const EIP1559_TX_TYPE: u8 = 0x02;

/// A decoded transaction whose framing E3 accepts. Its sender and chain id are checked by
/// [`EvmTx::decode`]; [`decode_unchecked`] stops before them (the entry framing's check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvmTx {
    envelope: TxEnvelope,
    bytes: Vec<u8>,
    hash: B256,
    sender: Address,
}

/// Decodes `bytes` as E3 framing only: size, type, RLP and no trailing bytes. What the chain's
/// entry decoder refuses; the chain id and the signature are execution's checks (E5 skips).
pub fn decode_unchecked(bytes: &[u8]) -> Result<TxEnvelope, EvmTxError> {
    if bytes.len() > EVM_MAX_TX_BYTES {
        return Err(EvmTxError::Oversize(bytes.len()));
    }
    let first = *bytes.first().ok_or(EvmTxError::Empty)?;
    if first < 0xc0 && first != EIP2930_TX_TYPE && first != EIP1559_TX_TYPE {
        return Err(EvmTxError::UnsupportedType(first));
    }
    let mut buf = bytes;
    let envelope = TxEnvelope::decode_2718(&mut buf).map_err(|error| EvmTxError::Rlp(error.to_string()))?;
    if !buf.is_empty() {
        return Err(EvmTxError::TrailingBytes(buf.len()));
    }
    match envelope {
        TxEnvelope::Legacy(_) | TxEnvelope::Eip2930(_) | TxEnvelope::Eip1559(_) => Ok(envelope),
        other => Err(EvmTxError::UnsupportedType(other.ty())),
    }
}

impl EvmTx {
    /// E3 and E2: decodes `bytes`, checks the chain id (legacy transactions need EIP-155's) and
    /// recovers the sender.
    pub fn decode(bytes: &[u8], chain_id: u64) -> Result<Self, EvmTxError> {
        let envelope = decode_unchecked(bytes)?;
        match envelope.chain_id() {
            None => return Err(EvmTxError::MissingChainId),
            Some(got) if got != chain_id => return Err(EvmTxError::WrongChainId { expected: chain_id, got }),
            Some(_) => {}
        }
        let (signature, digest) = match &envelope {
            TxEnvelope::Legacy(signed) => (signed.signature(), signed.signature_hash()),
            TxEnvelope::Eip2930(signed) => (signed.signature(), signed.signature_hash()),
            TxEnvelope::Eip1559(signed) => (signed.signature(), signed.signature_hash()),
            _ => unreachable!("decode_unchecked admits only these three types"),
        };
        let sender = recover_signer(&digest, &Signature(signature.as_bytes())).map_err(|_| EvmTxError::Signature)?;
        Ok(Self { envelope, bytes: bytes.to_vec(), hash: keccak256(bytes), sender })
    }

    /// The alloy envelope.
    pub fn envelope(&self) -> &TxEnvelope {
        &self.envelope
    }

    /// The EIP-2718 bytes, as received.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// `txHash = keccak256(tx)` (E3).
    pub fn hash(&self) -> B256 {
        self.hash
    }

    /// The recovered sender.
    pub fn sender(&self) -> Address {
        self.sender
    }

    /// EIP-2718 type: 0 legacy, 1, 2.
    pub fn tx_type(&self) -> u8 {
        self.envelope.ty()
    }

    /// The nonce.
    pub fn nonce(&self) -> u64 {
        self.envelope.nonce()
    }

    /// The gas limit.
    pub fn gas_limit(&self) -> u64 {
        self.envelope.gas_limit()
    }

    /// `maxFeePerGas`, or the legacy gas price.
    pub fn max_fee(&self) -> u128 {
        self.envelope.max_fee_per_gas()
    }

    /// `maxPriorityFeePerGas` (EIP-1559 only).
    pub fn priority_fee(&self) -> Option<u128> {
        self.envelope.max_priority_fee_per_gas()
    }

    /// The price paid per gas at `base_fee`: `min(maxFee, baseFee + tip)`, or the legacy price.
    pub fn effective_gas_price(&self, base_fee: u64) -> u128 {
        self.envelope.effective_gas_price(Some(base_fee))
    }

    /// Wei sent.
    pub fn value(&self) -> U256 {
        self.envelope.value()
    }

    /// The callee, `None` for a contract creation.
    pub fn to(&self) -> Option<Address> {
        self.envelope.to()
    }

    /// Call or create.
    pub fn kind(&self) -> TxKind {
        self.envelope.kind()
    }

    /// Calldata or init code.
    pub fn input(&self) -> &Bytes {
        self.envelope.input()
    }

    /// The chain id it was signed for.
    pub fn chain_id(&self) -> Option<u64> {
        self.envelope.chain_id()
    }

    /// The EIP-2930 access list (empty for legacy).
    pub fn access_list(&self) -> AccessList {
        self.envelope.access_list().cloned().unwrap_or_default()
    }
}

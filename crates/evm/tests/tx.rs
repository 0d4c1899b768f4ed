//! E3: what an EVM entry's transaction may be, and its sender.

mod common;

use alloy_primitives::{Address, U256};
use common::*;
use numo_evm::limits::EVM_MAX_TX_BYTES;
use numo_evm::tx::decode_unchecked;
use numo_evm::{EvmTx, EvmTxError, SkipCode};

#[test]
fn each_accepted_type_decodes_with_its_sender_and_hash() {
    let secret = key(1);
    let to = Address::repeat_byte(7);
    let cases = [
        (tx1559(&secret, CHAIN_ID, 3, Some(to), U256::from(5), vec![1, 2], 50_000, 2 * GWEI, GWEI), 2u8),
        (tx_legacy(&secret, Some(CHAIN_ID), 3, to, U256::from(5), GWEI), 0),
        (tx2930(&secret, CHAIN_ID, 3, to, U256::from(5), GWEI), 1),
    ];
    for (bytes, ty) in cases {
        let tx = EvmTx::decode(&bytes, CHAIN_ID).unwrap();
        assert_eq!(tx.sender(), addr(&secret));
        assert_eq!(tx.tx_type(), ty);
        assert_eq!(tx.nonce(), 3);
        assert_eq!(tx.to(), Some(to));
        assert_eq!(tx.value(), U256::from(5));
        assert_eq!(tx.hash(), alloy_primitives::keccak256(&bytes));
        assert_eq!(tx.bytes(), &bytes[..]);
        assert_eq!(tx.chain_id(), Some(CHAIN_ID));
    }
}

#[test]
fn wrong_chain_and_pre_eip155_legacy_are_chain_id_errors() {
    let secret = key(1);
    let other = tx1559(&secret, 31337, 0, Some(Address::ZERO), U256::ZERO, vec![], 21_000, GWEI, 0);
    let error = EvmTx::decode(&other, CHAIN_ID).unwrap_err();
    assert_eq!(error, EvmTxError::WrongChainId { expected: CHAIN_ID, got: 31337 });
    assert_eq!(error.skip_code(), SkipCode::ChainId);
    assert!(!error.is_malformed(), "the framing accepts it: the chain id is execution's check");
    assert!(decode_unchecked(&other).is_ok());
    let unprotected = tx_legacy(&secret, None, 0, Address::ZERO, U256::ZERO, GWEI);
    assert_eq!(EvmTx::decode(&unprotected, CHAIN_ID).unwrap_err(), EvmTxError::MissingChainId);
}

#[test]
fn a_high_s_or_unrecoverable_signature_is_refused() {
    let secret = key(1);
    let bytes = tx_legacy(&secret, Some(CHAIN_ID), 0, Address::repeat_byte(1), U256::ZERO, GWEI);
    // The legacy RLP ends with r (33 bytes) and s (33 bytes): flip s to n − s (valid ECDSA, high s).
    let n = numo_core::ecrecover::GROUP_ORDER;
    let s_at = bytes.len() - 32;
    let s = U256::from_be_slice(&bytes[s_at..]);
    let mut high = bytes.clone();
    high[s_at..].copy_from_slice(&(n - s).to_be_bytes::<32>());
    // (v parity flips with s, but a high s is refused before recovery)
    assert_eq!(EvmTx::decode(&high, CHAIN_ID).unwrap_err(), EvmTxError::Signature);
    let mut zero_r = bytes.clone();
    let r_at = s_at - 33;
    zero_r[r_at..r_at + 32].fill(0);
    assert!(EvmTx::decode(&zero_r, CHAIN_ID).is_err());
}

#[test]
fn oversize_trailing_blob_and_set_code_types_are_malformed() {
    let secret = key(1);
    let good = tx1559(&secret, CHAIN_ID, 0, Some(Address::ZERO), U256::ZERO, vec![], 21_000, GWEI, 0);
    let mut trailing = good.clone();
    trailing.push(0);
    assert_eq!(EvmTx::decode(&trailing, CHAIN_ID).unwrap_err(), EvmTxError::TrailingBytes(1));
    for ty in [0x00, 0x03, 0x04, 0x05, 0x7f] {
        let mut typed = good.clone();
        typed[0] = ty;
        assert_eq!(EvmTx::decode(&typed, CHAIN_ID).unwrap_err(), EvmTxError::UnsupportedType(ty));
    }
    assert_eq!(EvmTx::decode(&[], CHAIN_ID).unwrap_err(), EvmTxError::Empty);
    let big = tx1559(&secret, CHAIN_ID, 0, None, U256::ZERO, vec![0; EVM_MAX_TX_BYTES], 30_000_000, GWEI, 0);
    assert_eq!(EvmTx::decode(&big, CHAIN_ID).unwrap_err(), EvmTxError::Oversize(big.len()));
    for cut in [1, 5, good.len() / 2, good.len() - 1] {
        let error = EvmTx::decode(&good[..cut], CHAIN_ID).unwrap_err();
        assert!(error.is_malformed(), "{cut}: {error:?}");
        assert_eq!(error.code(), "evm_malformed");
    }
}

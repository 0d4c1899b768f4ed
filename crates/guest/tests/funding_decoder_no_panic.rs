//! Property tests: the funding decoders never panic, and what they accept is canonical.
//!
//! A funding blob (F12), a funding message (F2, also the payload of a kind-0x02 entry), the
//! 400-byte public inputs (F11) and the node's compact funding witness all arrive as bytes
//! someone else chose; a malformed one must end in a typed error, never a panic (in the zkVM an
//! unprovable abort). These properties throw random bytes, random tails behind valid type
//! bytes, and random edits (`testing/byte_edits.rs`) of valid encodings built by the host's
//! funding builder at [`FundingMessage::decode`], [`FundingInput::decode`],
//! [`run_funding`], [`FundingPublicInputs::decode`] and [`expand_funding`]. Accepted bytes
//! must re-encode to themselves. The `fuzz/` target `funding` explores the same entry points
//! for longer.

use alloy_primitives::{Address, B256, U256};
use numo_core::signature::{secret_key_address, sign_digest};
use numo_funding::{
    AssetRule, Deposit, ForcedWithdrawal, FundingContext, FundingMessage, FundingPublicInputs, SignedTransfer,
    SignedWithdraw, Transfer, Withdraw,
};
use numo_guest::funding::{run_funding, FundingInput};
use numo_host::witness::expand_funding;
use numo_host::{build_funding_batch, FullState, Signatures, WitnessForm};
use numo_stf::keys::balance_key;
use numo_stf::values::{Balance, StateValue};
use numo_stf::Signature;
use proptest::prelude::*;
use secp256k1::SecretKey;
use std::sync::OnceLock;

#[path = "../../../testing/byte_edits.rs"]
mod byte_edits;
use byte_edits::*;

/// A valid funding batch of each message type: its full blob, compact witness and public
/// inputs.
fn built() -> &'static (Vec<u8>, Vec<u8>, Vec<u8>) {
    static BUILT: OnceLock<(Vec<u8>, Vec<u8>, Vec<u8>)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let base = B256::repeat_byte(0xba);
        let ctx = FundingContext {
            chain_id: 1,
            venue_id: B256::repeat_byte(0x5e),
            assets: vec![AssetRule { asset_id: base, max_balance: U256::from(1u64 << 40) }],
        };
        let key = SecretKey::from_secret_bytes([0xa1; 32]).unwrap();
        let alice = secret_key_address(&key);
        let genesis =
            [(balance_key(&alice, &base), Balance { available: U256::from(500u64), locked: U256::ZERO }.encode())];
        let withdraw = Withdraw {
            owner: alice,
            nonce: 0,
            asset_id: base,
            amount: U256::from(100u64),
            recipient: Address::repeat_byte(7),
        };
        let transfer =
            Transfer { owner: alice, nonce: 1, asset_id: base, amount: U256::from(50u64), to: Address::repeat_byte(8) };
        let messages = vec![
            FundingMessage::Deposit(Deposit {
                index: 0,
                asset_id: base,
                from: Address::repeat_byte(1),
                to: alice,
                amount: U256::from(9u64),
            }),
            FundingMessage::Withdraw(SignedWithdraw {
                withdraw,
                signature: sign_digest(&key, &withdraw.hash(&ctx.domain_separator())),
            }),
            FundingMessage::Forced(ForcedWithdrawal {
                index: 0,
                owner: alice,
                asset_id: base,
                amount: U256::from(3u64),
            }),
            FundingMessage::Transfer(SignedTransfer {
                transfer,
                signature: sign_digest(&key, &transfer.hash(&ctx.domain_separator())),
            }),
        ];
        let build = |form| {
            let mut state = FullState::from_entries(genesis.clone());
            build_funding_batch(&mut state, &ctx, 1, 2, messages.clone(), Signatures::Check, form).unwrap()
        };
        let full = build(WitnessForm::Full);
        let compact = build(WitnessForm::Compact);
        (full.blob, compact.blob, full.public_inputs.to_vec())
    })
}

/// Every funding decoder on `bytes`: no panic, accepted bytes re-encode to themselves, an
/// expanded compact witness is a well-formed F12 blob.
fn check_all(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(message) = FundingMessage::decode(bytes) {
        prop_assert_eq!(message.encode(), bytes);
    }
    if let Ok(input) = FundingInput::decode(bytes) {
        prop_assert_eq!(input.encode(), bytes, "an accepted blob must re-encode to itself");
    }
    let _ = run_funding(bytes);
    if let Ok(public_inputs) = FundingPublicInputs::decode(bytes) {
        prop_assert_eq!(public_inputs.to_vec(), bytes);
    }
    if let Ok(blob) = expand_funding(bytes) {
        prop_assert!(FundingInput::decode(&blob).is_ok(), "an expanded witness decodes");
    }
    Ok(())
}

fn funding_message() -> impl Strategy<Value = FundingMessage> {
    let withdraw = (address(), any::<u64>(), b256(), u256(), address(), prop::collection::vec(any::<u8>(), 65))
        .prop_map(|(owner, nonce, asset_id, amount, recipient, signature)| {
            FundingMessage::Withdraw(SignedWithdraw {
                withdraw: Withdraw { owner, nonce, asset_id, amount, recipient },
                signature: Signature(signature.try_into().unwrap()),
            })
        });
    let deposit =
        (any::<u64>(), b256(), address(), address(), u256()).prop_map(|(index, asset_id, from, to, amount)| {
            FundingMessage::Deposit(Deposit { index, asset_id, from, to, amount })
        });
    let forced = (any::<u64>(), address(), b256(), u256()).prop_map(|(index, owner, asset_id, amount)| {
        FundingMessage::Forced(ForcedWithdrawal { index, owner, asset_id, amount })
    });
    prop_oneof![withdraw, deposit, forced]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..1_200)) {
        check_all(&bytes)?;
    }

    #[test]
    fn random_tail_after_a_funding_type_byte_never_panics(
        kind in prop_oneof![Just(0x03u8), Just(0x04), Just(0x05), Just(0x06), any::<u8>()],
        rest in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut bytes = vec![kind];
        bytes.extend_from_slice(&rest);
        check_all(&bytes)?;
    }

    #[test]
    fn edited_valid_encodings_never_panic(which in 0..3usize, edits in prop::collection::vec(edit(64), 1..4)) {
        let (full, compact, public_inputs) = built();
        let mut bytes = [full, compact, public_inputs][which].clone();
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        check_all(&bytes)?;
    }

    #[test]
    fn edits_in_the_head_of_a_valid_blob_never_panic(
        at in 0..700usize,
        mask in 1..=u8::MAX,
        compact in any::<bool>(),
    ) {
        // Header, context, asset table and messages: where a random edit rarely lands in a blob
        // that is mostly proof siblings.
        let (full, small, _) = built();
        let mut bytes = if compact { small.clone() } else { full.clone() };
        let at = at % bytes.len();
        bytes[at] ^= mask;
        check_all(&bytes)?;
    }

    #[test]
    fn edited_messages_never_panic(message in funding_message(), edits in prop::collection::vec(edit(16), 1..4)) {
        let mut bytes = message.encode();
        prop_assert_eq!(FundingMessage::decode(&bytes), Ok(message));
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        check_all(&bytes)?;
    }
}

/// The valid encodings themselves are accepted and canonical.
#[test]
fn the_valid_encodings_are_accepted() {
    let (full, compact, public_inputs) = built();
    assert_eq!(FundingInput::decode(full).unwrap().encode(), *full);
    assert_eq!(expand_funding(compact).unwrap(), *full);
    assert_eq!(run_funding(full).unwrap().public_inputs.to_vec(), *public_inputs);
    assert_eq!(FundingPublicInputs::decode(public_inputs).unwrap().to_vec(), *public_inputs);
}

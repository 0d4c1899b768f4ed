//! The funding encodings and hashes of PROTOCOL.md §11 recomputed by hand from their byte
//! layouts: the messages (F2), the domain (F1), the asset table (F6), the queue accumulators
//! (F5), the withdrawals tree (F10) and the public inputs (F11). Each expected value is built
//! here from the protocol text, byte by byte, never with the function under test.

use alloy_primitives::{keccak256, Address, B256, U256};
use numo_core::codec::DecodeError;
use numo_core::Signature;
use numo_funding::exec::{deposit_acc, forced_acc};
use numo_funding::keys::QueueHead;
use numo_funding::limits::FUNDING_PUBLIC_INPUTS_LEN;
use numo_funding::withdrawals::{process_proof, root_of_leaves, withdrawal_proof, withdrawals_root};
use numo_funding::{
    AssetRule, Deposit, ForcedWithdrawal, FundingContext, FundingMessage, FundingPublicInputs, SignedTransfer,
    SignedWithdraw, Transfer, Withdraw, WithdrawalRecord,
};

fn u256_bytes(value: u64) -> [u8; 32] {
    U256::from(value).to_be_bytes::<32>()
}

fn withdraw() -> FundingMessage {
    let mut signature = [0u8; 65];
    signature.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
    FundingMessage::Withdraw(SignedWithdraw {
        withdraw: Withdraw {
            owner: Address::repeat_byte(0xa1),
            nonce: 7,
            asset_id: B256::repeat_byte(0xba),
            amount: U256::from(1_000u64),
            recipient: Address::repeat_byte(0xe1),
        },
        signature: Signature(signature),
    })
}

fn transfer() -> FundingMessage {
    let mut signature = [0u8; 65];
    signature.iter_mut().enumerate().for_each(|(i, b)| *b = 0x80 | i as u8);
    FundingMessage::Transfer(SignedTransfer {
        transfer: Transfer {
            owner: Address::repeat_byte(0xa2),
            nonce: 8,
            asset_id: B256::repeat_byte(0x0c),
            amount: U256::from(2_000u64),
            to: Address::repeat_byte(0xc0),
        },
        signature: Signature(signature),
    })
}

fn deposit() -> Deposit {
    Deposit {
        index: 3,
        asset_id: B256::repeat_byte(0x9e),
        from: Address::repeat_byte(0xf0),
        to: Address::repeat_byte(0x70),
        amount: U256::from(55u64),
    }
}

fn forced() -> ForcedWithdrawal {
    ForcedWithdrawal {
        index: 9,
        owner: Address::repeat_byte(0x0e),
        asset_id: B256::repeat_byte(0xba),
        amount: U256::from(12u64),
    }
}

/// The four messages with their hand-written F2 layouts (message bytes, without signature).
fn messages_with_layouts() -> Vec<(FundingMessage, Vec<u8>)> {
    let mut w = vec![0x03];
    w.extend([0xa1; 20]);
    w.extend(7u64.to_be_bytes());
    w.extend([0xba; 32]);
    w.extend(u256_bytes(1_000));
    w.extend([0xe1; 20]);
    let mut d = vec![0x04];
    d.extend(3u64.to_be_bytes());
    d.extend([0x9e; 32]);
    d.extend([0xf0; 20]);
    d.extend([0x70; 20]);
    d.extend(u256_bytes(55));
    let mut t = vec![0x05];
    t.extend([0xa2; 20]);
    t.extend(8u64.to_be_bytes());
    t.extend([0x0c; 32]);
    t.extend(u256_bytes(2_000));
    t.extend([0xc0; 20]);
    let mut f = vec![0x06];
    f.extend(9u64.to_be_bytes());
    f.extend([0x0e; 20]);
    f.extend([0xba; 32]);
    f.extend(u256_bytes(12));
    vec![
        (withdraw(), w),
        (FundingMessage::Deposit(deposit()), d),
        (transfer(), t),
        (FundingMessage::Forced(forced()), f),
    ]
}

/// F2: the layouts are exactly 113 / 113 / 113 / 93 bytes, a Withdraw's and a Transfer's
/// encoding appends its 65-byte signature and system messages carry none, and decoding gives
/// back the message.
#[test]
fn messages_encode_to_their_f2_layouts_and_round_trip() {
    let lengths = [113, 113, 113, 93];
    for ((message, layout), length) in messages_with_layouts().into_iter().zip(lengths) {
        assert_eq!(layout.len(), length);
        assert_eq!(message.message_len(), length);
        assert_eq!(message.message_bytes(), layout, "{}", message.type_name());
        let mut encoded = layout.clone();
        if let Some(signature) = message.signature() {
            encoded.extend(signature.0);
        }
        assert_eq!(message.encode(), encoded);
        assert_eq!(FundingMessage::decode(&encoded), Ok(message));
        assert_eq!(message.signature().is_some(), message.signer().is_some());
    }
    let (FundingMessage::Transfer(signed), _) = &messages_with_layouts()[2] else { panic!("a Transfer") };
    assert_eq!(transfer().signer(), Some(&signed.transfer.owner));
}

/// Strict decoding (C1): every proper prefix is refused, a trailing byte is refused, and a
/// type byte other than 0x03, 0x04, 0x05, 0x06 is unknown.
#[test]
fn truncations_trailing_bytes_and_unknown_types_are_refused() {
    for (message, _) in messages_with_layouts() {
        let encoded = message.encode();
        for len in 0..encoded.len() {
            assert!(
                matches!(FundingMessage::decode(&encoded[..len]), Err(DecodeError::UnexpectedEnd { .. })),
                "{} truncated to {len}",
                message.type_name()
            );
        }
        let mut longer = encoded.clone();
        longer.push(0);
        assert_eq!(FundingMessage::decode(&longer), Err(DecodeError::TrailingBytes { at: encoded.len(), count: 1 }));
        for kind in [0x00, 0x01, 0x02, 0x07, 0xff] {
            let mut other = encoded.clone();
            other[0] = kind;
            assert_eq!(FundingMessage::decode(&other), Err(DecodeError::UnknownMessageType(kind)));
        }
    }
}

/// F1 and F2: `fundingDomainSeparator = keccak256("NUMO_FUNDING_V1" ‖ U64 chainId ‖ B32
/// venueId)` and `msgHash = keccak256(0x19 ‖ 0x01 ‖ domain ‖ keccak256(messageBytes))`.
#[test]
fn domain_and_message_hash_follow_f1_and_f2() {
    let ctx = FundingContext { chain_id: 0x0102_0304_0506_0708, venue_id: B256::repeat_byte(0x5e), assets: vec![] };
    let mut preimage = b"NUMO_FUNDING_V1".to_vec();
    preimage.extend([1, 2, 3, 4, 5, 6, 7, 8]);
    preimage.extend([0x5e; 32]);
    let domain = keccak256(&preimage);
    assert_eq!(ctx.domain_separator(), domain);
    // Another chain or venue is another domain.
    assert_ne!(FundingContext { chain_id: 1, ..ctx.clone() }.domain_separator(), domain);
    for (message, layout) in messages_with_layouts() {
        let mut outer = vec![0x19, 0x01];
        outer.extend(domain.as_slice());
        outer.extend(keccak256(&layout).as_slice());
        assert_eq!(message.hash(&domain), keccak256(&outer), "{}", message.type_name());
    }
}

/// F6: `fundingRulesHash = keccak256(U32 n ‖ n × (B32 assetId ‖ U256 maxBalance))`, and only a
/// strictly ascending table with positive caps is valid.
#[test]
fn rules_hash_is_keccak_of_the_f6_table() {
    let a = AssetRule { asset_id: B256::repeat_byte(0x0c), max_balance: U256::from(500u64) };
    let b = AssetRule { asset_id: B256::repeat_byte(0xba), max_balance: U256::from(7u64) };
    let ctx = FundingContext { chain_id: 1, venue_id: B256::ZERO, assets: vec![a, b] };
    let mut table = 2u32.to_be_bytes().to_vec();
    table.extend([0x0c; 32]);
    table.extend(u256_bytes(500));
    table.extend([0xba; 32]);
    table.extend(u256_bytes(7));
    assert_eq!(ctx.rules_hash(), keccak256(&table));
    let empty = FundingContext { assets: vec![], ..ctx.clone() };
    assert_eq!(empty.rules_hash(), keccak256([0u8; 4]));

    assert!(ctx.validate().is_ok());
    assert!(FundingContext { assets: vec![b, a], ..ctx.clone() }.validate().is_err(), "descending");
    assert!(FundingContext { assets: vec![a, a], ..ctx.clone() }.validate().is_err(), "repeated");
    let zero = AssetRule { max_balance: U256::ZERO, ..b };
    assert!(FundingContext { assets: vec![a, zero], ..ctx }.validate().is_err(), "zero cap");
}

/// F6: an asset's cap is the smallest `maxBalance` of the markets listing it as base or quote.
#[test]
fn asset_table_from_markets_takes_the_smallest_cap() {
    use numo_stf::{MarketContext, Rules};
    let rules = |base: u8, quote: u8, cap: u64| Rules {
        base_asset: B256::repeat_byte(base),
        quote_asset: B256::repeat_byte(quote),
        price_scale: U256::from(1u64),
        tick_size: U256::from(1u64),
        lot_size: U256::from(1u64),
        taker_fee_bps: 0,
        maker_fee_bps: 0,
        max_orders_per_batch: 1,
        max_matches_per_order: 1,
        max_balance: U256::from(cap),
    };
    let market = |id: u8, rules: Rules| MarketContext {
        chain_id: 5,
        venue_id: B256::repeat_byte(9),
        market_id: B256::repeat_byte(id),
        rules,
    };
    let markets = [market(1, rules(0xba, 0x0c, 100)), market(2, rules(0xee, 0x0c, 40))];
    let ctx = FundingContext::from_markets(5, B256::repeat_byte(9), &markets);
    let expected: Vec<(B256, U256)> = vec![
        (B256::repeat_byte(0x0c), U256::from(40u64)),
        (B256::repeat_byte(0xba), U256::from(100u64)),
        (B256::repeat_byte(0xee), U256::from(40u64)),
    ];
    assert_eq!(ctx.assets.iter().map(|r| (r.asset_id, r.max_balance)).collect::<Vec<_>>(), expected);
    assert!(ctx.validate().is_ok());
}

/// F5: each record folds into the accumulator as `keccak256(acc ‖ record fields)` in the
/// `abi.encodePacked` order given by the protocol.
#[test]
fn queue_accumulators_fold_records_as_f5() {
    let d = deposit();
    let mut packed = vec![0u8; 32];
    packed.extend(3u64.to_be_bytes());
    packed.extend([0x9e; 32]);
    packed.extend([0xf0; 20]);
    packed.extend([0x70; 20]);
    packed.extend(u256_bytes(55));
    assert_eq!(packed.len(), 32 + 8 + 32 + 20 + 20 + 32);
    let first = keccak256(&packed);
    assert_eq!(deposit_acc(&B256::ZERO, &d), first);
    let mut again = first.to_vec();
    again.extend(&packed[32..]);
    assert_eq!(deposit_acc(&first, &d), keccak256(&again));

    let f = forced();
    let mut packed = vec![0u8; 32];
    packed.extend(9u64.to_be_bytes());
    packed.extend([0x0e; 20]);
    packed.extend([0xba; 32]);
    packed.extend(u256_bytes(12));
    assert_eq!(packed.len(), 32 + 8 + 20 + 32 + 32);
    assert_eq!(forced_acc(&B256::ZERO, &f), keccak256(&packed));
}

fn record(id: u64) -> WithdrawalRecord {
    WithdrawalRecord {
        id,
        recipient: Address::repeat_byte(id as u8 + 1),
        asset_id: B256::repeat_byte(0xba),
        amount: U256::from(id * 10 + 1),
    }
}

fn sorted_pair(a: B256, b: B256) -> B256 {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    keccak256([low.as_slice(), high.as_slice()].concat())
}

/// F10: the record is `U64 id ‖ ADDR recipient ‖ B32 assetId ‖ U256 amount` (92 B), the leaf
/// its keccak; with 3 leaves the root is `pair(pair(l0, l1), pair(l2, l2))` with sorted pairs;
/// one leaf is its own root, none is zero.
#[test]
fn withdrawals_root_of_three_leaves_is_hand_computed() {
    let r = record(4);
    let mut bytes = 4u64.to_be_bytes().to_vec();
    bytes.extend([5; 20]);
    bytes.extend([0xba; 32]);
    bytes.extend(u256_bytes(41));
    assert_eq!(bytes.len(), 92);
    assert_eq!(r.encode(), bytes);
    assert_eq!(r.leaf(), keccak256(&bytes));

    let records = [record(0), record(1), record(2)];
    let leaves: Vec<B256> = records.iter().map(WithdrawalRecord::leaf).collect();
    let expected = sorted_pair(sorted_pair(leaves[0], leaves[1]), sorted_pair(leaves[2], leaves[2]));
    assert_eq!(withdrawals_root(&records), expected);
    // Commutative: swapping the first two leaves keeps the root.
    assert_eq!(root_of_leaves(&[leaves[1], leaves[0], leaves[2]]), expected);
    assert_eq!(withdrawals_root(&records[..1]), leaves[0]);
    assert_eq!(withdrawals_root(&[]), B256::ZERO);
}

/// F10: the proof of every leaf, for every tree size 1..=9, folds back to the root with
/// OpenZeppelin's `processProof`; a proof of another leaf or a wrong position does not.
#[test]
fn every_withdrawal_proof_verifies_for_sizes_one_to_nine() {
    for size in 1..=9u64 {
        let leaves: Vec<B256> = (0..size).map(|id| record(id).leaf()).collect();
        let root = root_of_leaves(&leaves);
        for (i, leaf) in leaves.iter().enumerate() {
            let proof = withdrawal_proof(&leaves, i).unwrap();
            assert_eq!(process_proof(*leaf, &proof), root, "size {size}, leaf {i}");
            let depth = usize::BITS - (size as usize - 1).leading_zeros();
            assert_eq!(proof.len(), depth as usize, "one sibling per level");
            if size > 1 {
                let other = leaves[(i + 1) % leaves.len()];
                if other != *leaf {
                    assert_ne!(process_proof(B256::repeat_byte(0x77), &proof), root);
                }
            }
        }
        assert_eq!(withdrawal_proof(&leaves, size as usize), None);
    }
}

fn sample_public_inputs() -> FundingPublicInputs {
    let head = |i: u64, b: u8| QueueHead { next_index: i, acc: B256::repeat_byte(b) };
    FundingPublicInputs {
        prev_root: B256::repeat_byte(1),
        new_root: B256::repeat_byte(2),
        batch_digest: B256::repeat_byte(3),
        rules_hash: B256::repeat_byte(4),
        domain_separator: B256::repeat_byte(5),
        batch_seq: 6,
        batch_timestamp: 7,
        da_commitment: B256::repeat_byte(8),
        deposits_before: head(9, 10),
        deposits_after: head(11, 12),
        forced_before: head(13, 14),
        forced_after: head(15, 16),
        withdrawals_root: B256::repeat_byte(17),
    }
}

/// F11: 400 bytes in the protocol's field order; strict decoding refuses every other length.
#[test]
fn public_inputs_are_the_400_byte_f11_layout_and_round_trip() {
    let pi = sample_public_inputs();
    let bytes = pi.encode();
    assert_eq!(bytes.len(), FUNDING_PUBLIC_INPUTS_LEN);
    assert_eq!(FUNDING_PUBLIC_INPUTS_LEN, 400);
    let mut expected = Vec::new();
    for b in 1..=5u8 {
        expected.extend([b; 32]);
    }
    expected.extend(6u64.to_be_bytes());
    expected.extend(7u64.to_be_bytes());
    expected.extend([8; 32]);
    for (i, b) in [(9u64, 10u8), (11, 12), (13, 14), (15, 16)] {
        expected.extend(i.to_be_bytes());
        expected.extend([b; 32]);
    }
    expected.extend([17; 32]);
    assert_eq!(bytes.to_vec(), expected);
    assert_eq!(pi.to_vec(), expected);
    assert_eq!(FundingPublicInputs::decode(&bytes), Ok(pi));
    assert!(FundingPublicInputs::decode(&bytes[..399]).is_err());
    let mut longer = expected.clone();
    longer.push(0);
    assert!(FundingPublicInputs::decode(&longer).is_err());
}

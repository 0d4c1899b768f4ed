//! The L1 client against a real anvil and the compiled contracts: deployment, the confirmed
//! reader under shallow and deep reorgs, settlement of a committee-signed epoch and a claim.
//!
//! anvil comes from `npm ci` in contracts/ (or `NUMO_ANVIL`); without it these tests fail.

use std::time::Duration;

use numo_l1::anvil::{dev_key, Anvil, DEV_KEYS};
use numo_l1::bindings::NumoBridge;
use numo_l1::user::{approve_and_deposit, claim_calldata, erc20_balance, request_forced_withdrawal, send_claim};
use numo_l1::{
    committee_proof, deploy_dev, epoch_digest, Address, Cursor, Deployment, DevAsset, DevDeployParams, L1Error,
    L1Event, Reader, Settler, B256, U256,
};

use alloy::primitives::keccak256;
use alloy::providers::Provider;

const CONFIRMATIONS: u64 = 2;
const USDC: B256 = B256::repeat_byte(0x11);
const WETH: B256 = B256::repeat_byte(0x22);
const GENESIS_ROOT: B256 = B256::repeat_byte(0x33);
const FUNDING_DOMAIN: B256 = B256::repeat_byte(0x44);

fn params() -> DevDeployParams {
    DevDeployParams {
        assets: vec![
            DevAsset { asset_id: USDC, symbol: "USDC".into(), decimals: 6, genesis_total: U256::from(5_000_000u64) },
            DevAsset { asset_id: WETH, symbol: "WETH".into(), decimals: 18, genesis_total: U256::ZERO },
        ],
        committee: vec![dev_key(7).address(), dev_key(8).address(), dev_key(9).address()],
        threshold: 2,
        genesis_root: GENESIS_ROOT,
        funding_domain: FUNDING_DOMAIN,
        forced_window: 3600,
        mint_to: vec![dev_key(1).address(), dev_key(2).address()],
    }
}

async fn setup() -> (Anvil, Deployment) {
    let anvil = Anvil::start().await.expect("anvil starts (run `npm ci` in contracts/)");
    let deployment = deploy_dev(anvil.url(), dev_key(0), params()).await.expect("deploys");
    (anvil, deployment)
}

/// Polls until caught up, returning every event (a fresh reader catches up in one poll here).
async fn drain(reader: &Reader, cursor: &mut Option<Cursor>) -> Result<Vec<L1Event>, L1Error> {
    let mut events = Vec::new();
    loop {
        let poll = reader.poll(*cursor, CONFIRMATIONS).await?;
        events.extend(poll.events);
        *cursor = poll.cursor;
        if poll.caught_up {
            return Ok(events);
        }
    }
}

fn deposit_index(event: &L1Event) -> (u64, Address) {
    match event {
        L1Event::Deposit { index, from, .. } => (*index, *from),
        other => panic!("not a deposit: {other:?}"),
    }
}

#[tokio::test]
async fn dev_keys_are_anvils_accounts() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts: Vec<Address> = anvil.provider().get_accounts().await.expect("accounts");
    let ours: Vec<Address> = (0..DEV_KEYS.len()).map(|i| dev_key(i).address()).collect();
    assert_eq!(accounts, ours);
}

#[tokio::test]
async fn deploy_dev_registers_assets_and_mints() {
    let (anvil, d) = setup().await;
    assert_eq!(d.l1_chain_id, 31337);
    assert_eq!(d.deployer, dev_key(0).address());
    let usdc = d.tokens["USDC"];
    let weth = d.tokens["WETH"];
    let user = dev_key(1).address();
    assert_eq!(erc20_balance(anvil.url(), usdc, user).await.unwrap(), U256::from(1_000_000u64 * 1_000_000));
    assert_eq!(
        erc20_balance(anvil.url(), weth, user).await.unwrap(),
        U256::from(1_000_000u64) * U256::from(10u64).pow(U256::from(18))
    );
    assert_eq!(erc20_balance(anvil.url(), usdc, d.bridge).await.unwrap(), U256::from(5_000_000u64));
    assert_eq!(erc20_balance(anvil.url(), weth, d.bridge).await.unwrap(), U256::ZERO);

    let bridge = NumoBridge::new(d.bridge, anvil.provider());
    assert_eq!(bridge.tokenOf(USDC).call().await.unwrap(), usdc);
    assert_eq!(bridge.assetOf(weth).call().await.unwrap(), WETH);
    assert_eq!(bridge.fundingDomain().call().await.unwrap(), FUNDING_DOMAIN);
    let settler = Settler::read_only(anvil.url(), d.bridge).unwrap();
    assert_eq!(settler.state_root().await.unwrap(), GENESIS_ROOT);

    let json = serde_json::to_value(&d).unwrap();
    for key in ["l1ChainId", "bridge", "verifier", "tokens", "deployBlock", "deployer"] {
        assert!(json.get(key).is_some(), "{key} in {json}");
    }
    assert_eq!(serde_json::from_value::<Deployment>(json).unwrap(), d);
}

#[tokio::test]
async fn a_deposit_is_returned_after_two_confirmations_exactly_once() {
    let (anvil, d) = setup().await;
    let reader = Reader::new(anvil.url(), d.bridge, d.deploy_block).unwrap();
    let mut cursor = None;
    assert!(drain(&reader, &mut cursor).await.unwrap().is_empty());

    let user = dev_key(1);
    let sent = approve_and_deposit(anvil.url(), &user, d.bridge, d.tokens["USDC"], U256::from(700u64), user.address())
        .await
        .unwrap();
    assert_eq!(sent.index, 0);
    for _ in 0..CONFIRMATIONS {
        assert!(drain(&reader, &mut cursor).await.unwrap().is_empty(), "returned before its confirmations");
        anvil.mine(1).await.unwrap();
    }
    let events = drain(&reader, &mut cursor).await.unwrap();
    assert_eq!(events.len(), 1);
    match &events[0] {
        L1Event::Deposit { index, asset_id, from, to, amount, block_number, tx_hash, acc, .. } => {
            assert_eq!((*index, *asset_id, *from, *to), (0, USDC, user.address(), user.address()));
            assert_eq!(*amount, U256::from(700u64));
            assert_eq!(*block_number, sent.block_number);
            assert_eq!(*tx_hash, sent.tx_hash);
            let settler = Settler::read_only(anvil.url(), d.bridge).unwrap();
            assert_eq!(*acc, settler.deposit_acc_at(1).await.unwrap());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(cursor.unwrap().number, sent.block_number);
    anvil.mine(3).await.unwrap();
    assert!(drain(&reader, &mut cursor).await.unwrap().is_empty(), "returned twice");

    // A forced request is read the same way, interleaved in L1 order.
    let forced = request_forced_withdrawal(anvil.url(), &user, d.bridge, USDC, U256::from(5u64)).await.unwrap();
    anvil.mine(CONFIRMATIONS).await.unwrap();
    let events = drain(&reader, &mut cursor).await.unwrap();
    assert!(matches!(
        events.as_slice(),
        [L1Event::Forced { index: 0, owner, deadline, .. }] if *owner == user.address() && *deadline == forced.deadline
    ));
}

#[tokio::test]
async fn a_shallow_reorg_orphans_a_deposit_that_is_never_returned() {
    let (anvil, d) = setup().await;
    let reader = Reader::new(anvil.url(), d.bridge, d.deploy_block).unwrap();
    let mut cursor = None;
    drain(&reader, &mut cursor).await.unwrap();

    let snapshot = anvil.snapshot().await.unwrap();
    let orphan = dev_key(1);
    approve_and_deposit(anvil.url(), &orphan, d.bridge, d.tokens["USDC"], U256::from(1u64), orphan.address())
        .await
        .unwrap();
    assert!(drain(&reader, &mut cursor).await.unwrap().is_empty());
    assert!(anvil.revert(snapshot).await.unwrap());
    anvil.mine(3).await.unwrap();

    let later = dev_key(2);
    let sent = approve_and_deposit(anvil.url(), &later, d.bridge, d.tokens["USDC"], U256::from(2u64), later.address())
        .await
        .unwrap();
    assert_eq!(sent.index, 0, "the replacement takes the orphan's index");
    anvil.mine(CONFIRMATIONS).await.unwrap();
    let events = drain(&reader, &mut cursor).await.unwrap();
    assert_eq!(events.iter().map(deposit_index).collect::<Vec<_>>(), vec![(0, later.address())]);
}

#[tokio::test]
async fn a_reorg_below_the_cursor_is_an_error() {
    let (anvil, d) = setup().await;
    let reader = Reader::new(anvil.url(), d.bridge, d.deploy_block).unwrap();
    let snapshot = anvil.snapshot().await.unwrap();
    let user = dev_key(1);
    approve_and_deposit(anvil.url(), &user, d.bridge, d.tokens["USDC"], U256::from(1u64), user.address())
        .await
        .unwrap();
    anvil.mine(4).await.unwrap();
    let mut cursor = None;
    assert_eq!(drain(&reader, &mut cursor).await.unwrap().len(), 1);
    let passed = cursor.unwrap();

    assert!(anvil.revert(snapshot).await.unwrap());
    anvil.mine(10).await.unwrap();
    match reader.poll(Some(passed), CONFIRMATIONS).await {
        Err(L1Error::Reorged { number, expected, found }) => {
            assert_eq!(number, passed.number);
            assert_eq!(expected, passed.hash);
            assert_ne!(found, passed.hash);
        }
        other => panic!("expected Reorged, got {other:?}"),
    }
}

/// The 400-byte funding public inputs (F11).
#[allow(clippy::too_many_arguments)]
fn funding_pi(
    prev_root: B256,
    new_root: B256,
    batch_seq: u64,
    deposits: (u64, B256, u64, B256),
    forced: (u64, B256, u64, B256),
    withdrawals_root: B256,
) -> Vec<u8> {
    let mut pi = Vec::with_capacity(400);
    pi.extend(prev_root);
    pi.extend(new_root);
    pi.extend(B256::repeat_byte(0xbd)); // batchDigest: not checked on L1
    pi.extend(B256::repeat_byte(0xf6)); // fundingRulesHash: not checked on L1
    pi.extend(FUNDING_DOMAIN);
    pi.extend(batch_seq.to_be_bytes());
    pi.extend(1_700_000_000_000u64.to_be_bytes());
    pi.extend(B256::repeat_byte(0xda)); // daCommitment
    for (index_before, acc_before, index_after, acc_after) in [deposits, forced] {
        pi.extend(index_before.to_be_bytes());
        pi.extend(acc_before);
        pi.extend(index_after.to_be_bytes());
        pi.extend(acc_after);
    }
    pi.extend(withdrawals_root);
    assert_eq!(pi.len(), 400);
    pi
}

/// keccak256(U64 id ‖ ADDR recipient ‖ B32 assetId ‖ U256 amount) (F10).
fn withdrawal_leaf(id: u64, recipient: Address, asset: B256, amount: U256) -> B256 {
    let mut record = Vec::with_capacity(92);
    record.extend(id.to_be_bytes());
    record.extend(recipient);
    record.extend(asset);
    record.extend(amount.to_be_bytes::<32>());
    keccak256(record)
}

#[tokio::test]
async fn a_committee_signed_epoch_settles_and_its_withdrawal_is_claimed() {
    let (anvil, d) = setup().await;
    let user = dev_key(1);
    approve_and_deposit(anvil.url(), &user, d.bridge, d.tokens["USDC"], U256::from(100u64), user.address())
        .await
        .unwrap();
    let settler = Settler::new(anvil.url(), dev_key(6), d.bridge).unwrap();
    let recipient = dev_key(3).address();
    let amount = U256::from(40u64);
    let leaf = withdrawal_leaf(0, recipient, USDC, amount);
    let new_root = B256::repeat_byte(0x55);
    let pi = funding_pi(
        settler.state_root().await.unwrap(),
        new_root,
        settler.last_batch_seq().await.unwrap() + 1,
        (0, settler.deposit_acc_at(0).await.unwrap(), 1, settler.deposit_acc_at(1).await.unwrap()),
        (0, settler.forced_acc_at(0).await.unwrap(), 0, settler.forced_acc_at(0).await.unwrap()),
        leaf,
    );
    let mut epoch = vec![2u8];
    epoch.extend(&pi);
    let chain_id = settler.chain_id().await.unwrap();
    let digest = epoch_digest(chain_id, d.bridge, &epoch);
    let on_chain = NumoBridge::new(d.bridge, anvil.provider()).epochDigest(epoch.clone().into()).call().await.unwrap();
    assert_eq!(digest, on_chain, "F13 digest as the bridge computes it");

    // A non-member's signature is refused, named.
    let wrong = committee_proof(digest, &[dev_key(7), dev_key(5)]);
    match settler.submit(epoch.clone().into(), wrong).await {
        Err(L1Error::Reverted { error }) => assert_eq!(error, "NotCommitteeMember"),
        other => panic!("expected a revert, got {other:?}"),
    }

    let proof = committee_proof(digest, &[dev_key(9), dev_key(7)]);
    let tx = settler.submit(epoch.clone().into(), proof.clone()).await.unwrap();
    anvil.mine(1).await.unwrap();
    let confirmed = settler.wait_confirmed(tx, 1, Duration::from_secs(20)).await.unwrap();
    assert!(confirmed.block_number > d.deploy_block);
    assert_eq!(settler.state_root().await.unwrap(), new_root);
    assert_eq!(settler.last_batch_seq().await.unwrap(), 1);
    assert_eq!(settler.settled_deposit_count().await.unwrap(), 1);
    assert_eq!(settler.deposit_count().await.unwrap(), 1);

    // The same epoch again: its batchSeq is no longer next.
    match settler.submit(epoch.into(), proof).await {
        Err(L1Error::Reverted { error }) => assert_eq!(error, "BatchSeqGap"),
        other => panic!("expected a revert, got {other:?}"),
    }

    let before = erc20_balance(anvil.url(), d.tokens["USDC"], recipient).await.unwrap();
    let calldata = claim_calldata(1, 0, recipient, USDC, amount, &[]);
    send_claim(anvil.url(), &dev_key(4), d.bridge, calldata.clone()).await.unwrap();
    let after = erc20_balance(anvil.url(), d.tokens["USDC"], recipient).await.unwrap();
    assert_eq!(after - before, amount);
    match send_claim(anvil.url(), &dev_key(4), d.bridge, calldata).await {
        Err(L1Error::Reverted { error }) => assert_eq!(error, "AlreadyClaimed"),
        other => panic!("expected a revert, got {other:?}"),
    }
}

#[tokio::test]
async fn a_settlement_reorged_out_is_reported_dropped_and_resent() {
    let (anvil, d) = setup().await;
    let settler = Settler::new(anvil.url(), dev_key(6), d.bridge).unwrap();
    let zero = settler.deposit_acc_at(0).await.unwrap();
    let mut epoch = vec![2u8];
    epoch.extend(funding_pi(
        GENESIS_ROOT,
        B256::repeat_byte(0x66),
        1,
        (0, zero, 0, zero),
        (0, zero, 0, zero),
        B256::ZERO,
    ));
    let digest = epoch_digest(settler.chain_id().await.unwrap(), d.bridge, &epoch);
    let proof = committee_proof(digest, &[dev_key(8), dev_key(9)]);
    let dropped = |result: Result<_, L1Error>, tx| match result {
        Err(L1Error::Dropped { tx: dropped }) => assert_eq!(dropped, tx),
        other => panic!("expected Dropped, got {other:?}"),
    };

    // Mined, then orphaned by a reorg that does not re-include it.
    let snapshot = anvil.snapshot().await.unwrap();
    let tx = settler.submit(epoch.clone().into(), proof.clone()).await.unwrap();
    settler.wait_confirmed(tx, 0, Duration::from_secs(20)).await.unwrap();
    assert!(anvil.revert(snapshot).await.unwrap());
    anvil.mine(2).await.unwrap();
    dropped(settler.wait_confirmed(tx, 1, Duration::from_secs(20)).await, tx);
    assert_eq!(settler.last_batch_seq().await.unwrap(), 0);

    // Sent again, it settles. (From another key: anvil keeps the byte-identical transaction of
    // the orphaned block known-but-pending forever after `evm_revert`, which a real node does not.)
    let settler = Settler::new(anvil.url(), dev_key(5), d.bridge).unwrap();
    let tx = settler.submit(epoch.into(), proof).await.unwrap();
    anvil.mine(1).await.unwrap();
    settler.wait_confirmed(tx, 1, Duration::from_secs(20)).await.unwrap();
    assert_eq!(settler.last_batch_seq().await.unwrap(), 1);
}

//! The EVM mempool's rules (crates/node/src/evm_pool.rs): geth's admission errors, the bounded
//! nonce gap, the 10 % replacement bump, executable runs in sender-arrival order capped by gas,
//! durability before proposal, and pruning after a block (included, invalid, stale).

use alloy_primitives::{keccak256, Address, U256};
use numo_node::evm_pool::{AccountView, EvmPool, PoolError, PoolTx};
use numo_node::limits::{EVM_NONCE_GAP_MAX, EVM_POOL_MAX};

const GWEI: u128 = 1_000_000_000;
const BLOCK_GAS: u64 = 200_000_000;

fn addr(i: u8) -> Address {
    Address::repeat_byte(i)
}

/// A transfer of `sender` with `nonce`, 21,000 gas, fee cap `fee` gwei, tip 1 gwei, arriving `seq`.
fn tx(sender: u8, nonce: u64, fee: u128, seq: u64) -> PoolTx {
    let raw =
        [vec![sender], nonce.to_be_bytes().to_vec(), fee.to_be_bytes().to_vec(), seq.to_be_bytes().to_vec()].concat();
    PoolTx {
        hash: keccak256(&raw),
        sender: addr(sender),
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: fee * GWEI,
        max_priority_fee_per_gas: GWEI.min(fee * GWEI),
        value: U256::from(1u64),
        intrinsic_gas: 21_000,
        raw,
        seq,
        admitted_ms: 0,
    }
}

fn rich(nonce: u64) -> AccountView {
    AccountView { nonce, balance: U256::from(10u64).pow(U256::from(24u64)) }
}

fn insert(pool: &mut EvmPool, t: PoolTx, account: AccountView) -> Result<(), PoolError> {
    let hash = t.hash;
    pool.insert(t, account, GWEI, BLOCK_GAS)?;
    pool.mark_durable(&hash);
    Ok(())
}

#[test]
fn admission_errors_are_geths() {
    let mut pool = EvmPool::default();
    let account = rich(5);
    let low = pool.insert(tx(1, 4, 2, 1), account, GWEI, BLOCK_GAS).unwrap_err();
    assert_eq!(low, PoolError::NonceTooLow { account: 5, nonce: 4 });
    assert!(low.to_string().starts_with("nonce too low"));
    let high = pool.insert(tx(1, 5 + EVM_NONCE_GAP_MAX + 1, 2, 1), account, GWEI, BLOCK_GAS).unwrap_err();
    assert!(high.to_string().starts_with("nonce too high"), "{high}");
    // Exactly the gap is queued.
    pool.insert(tx(1, 5 + EVM_NONCE_GAP_MAX, 2, 1), account, GWEI, BLOCK_GAS).unwrap();

    let cheap = pool.insert(tx(2, 0, 1, 2), rich(0), 2 * GWEI, BLOCK_GAS).unwrap_err();
    assert!(cheap.to_string().starts_with("transaction underpriced"), "{cheap}");

    let poor = AccountView { nonce: 0, balance: U256::from(21_000u128 * 2 * GWEI) }; // value 1 wei short
    let funds = pool.insert(tx(3, 0, 2, 3), poor, GWEI, BLOCK_GAS).unwrap_err();
    assert!(funds.to_string().starts_with("insufficient funds for gas * price + value"), "{funds}");
    let enough = AccountView { nonce: 0, balance: U256::from(21_000u128 * 2 * GWEI + 1) };
    pool.insert(tx(3, 0, 2, 3), enough, GWEI, BLOCK_GAS).unwrap();

    let mut starved = tx(4, 0, 2, 4);
    starved.gas_limit = 20_999;
    let intrinsic = pool.insert(starved, rich(0), GWEI, BLOCK_GAS).unwrap_err();
    assert!(intrinsic.to_string().starts_with("intrinsic gas too low"), "{intrinsic}");

    let mut huge = tx(4, 0, 2, 4);
    huge.gas_limit = BLOCK_GAS + 1;
    assert!(matches!(pool.insert(huge, rich(0), GWEI, BLOCK_GAS), Err(PoolError::GasLimitTooHigh { .. })));

    let mut tip = tx(4, 0, 2, 4);
    tip.max_priority_fee_per_gas = tip.max_fee_per_gas + 1;
    assert_eq!(pool.insert(tip, rich(0), GWEI, BLOCK_GAS), Err(PoolError::TipAboveFeeCap));

    let again = tx(3, 0, 2, 3);
    assert_eq!(pool.insert(again, rich(0), GWEI, BLOCK_GAS), Err(PoolError::AlreadyKnown));
    assert_eq!(pool.len(), 2, "refusals leave nothing behind");
}

#[test]
fn replacement_needs_a_ten_percent_bump_on_both_fees() {
    let mut pool = EvmPool::default();
    insert(&mut pool, tx(1, 0, 10, 1), rich(0)).unwrap();
    // 10.9 % more fee cap but the same tip: refused.
    let mut same_tip = tx(1, 0, 10, 2);
    same_tip.max_fee_per_gas = 11 * GWEI;
    assert_eq!(
        pool.insert(same_tip, rich(0), GWEI, BLOCK_GAS).unwrap_err().to_string(),
        "replacement transaction underpriced: needs fees 10% above the pending one's"
    );
    // 9 % on both: refused.
    let mut small = tx(1, 0, 10, 3);
    small.max_fee_per_gas = 109 * GWEI / 10;
    small.max_priority_fee_per_gas = 109 * GWEI / 100;
    assert!(matches!(pool.insert(small, rich(0), GWEI, BLOCK_GAS), Err(PoolError::ReplacementUnderpriced { .. })));
    // Exactly 10 % on both: replaces, and the old one is handed back for its log row.
    let old_hash = tx(1, 0, 10, 1).hash;
    let mut bump = tx(1, 0, 10, 4);
    bump.max_fee_per_gas = 11 * GWEI;
    bump.max_priority_fee_per_gas = 11 * GWEI / 10;
    let new_hash = bump.hash;
    let inserted = pool.insert(bump, rich(0), GWEI, BLOCK_GAS).unwrap();
    assert_eq!(inserted.replaced.unwrap().hash, old_hash);
    assert!(pool.get(&old_hash).is_none());
    assert_eq!(pool.get(&new_hash).unwrap().seq, 4);
    assert_eq!(pool.len(), 1);
}

#[test]
fn select_takes_executable_runs_by_sender_arrival_within_gas() {
    let mut pool = EvmPool::default();
    // Sender 2 arrives first with nonces 0,1; sender 1 next with 0,1,3 (3 waits for 2);
    // sender 3's only tx has nonce 1 while its account is at 0 (queued).
    insert(&mut pool, tx(2, 0, 2, 10), rich(0)).unwrap();
    insert(&mut pool, tx(1, 0, 2, 11), rich(0)).unwrap();
    insert(&mut pool, tx(2, 1, 2, 12), rich(0)).unwrap();
    insert(&mut pool, tx(1, 1, 2, 13), rich(0)).unwrap();
    insert(&mut pool, tx(1, 3, 2, 14), rich(0)).unwrap();
    insert(&mut pool, tx(3, 1, 2, 15), rich(0)).unwrap();
    let nonce0 = |_: &Address| 0u64;
    let picked: Vec<(Address, u64)> = pool.select(nonce0, BLOCK_GAS).iter().map(|t| (t.sender, t.nonce)).collect();
    assert_eq!(picked, [(addr(2), 0), (addr(2), 1), (addr(1), 0), (addr(1), 1)]);
    assert_eq!(pool.pending_nonce(&addr(1), 0), 2);
    assert_eq!(pool.pending_nonce(&addr(3), 0), 0);
    assert!(pool.has_executable(nonce0));

    // Gas for three transfers: sender 2's run, then sender 1's first; its second does not fit.
    let picked = pool.select(nonce0, 3 * 21_000 + 20_999);
    assert_eq!(picked.len(), 3);
    // Same pool, same answer (a function of the pool).
    assert_eq!(pool.select(nonce0, BLOCK_GAS), pool.select(nonce0, BLOCK_GAS));

    // A non-durable entry ends its sender's run.
    let t = tx(4, 0, 2, 16);
    pool.insert(t.clone(), rich(0), GWEI, BLOCK_GAS).unwrap();
    assert!(!pool.select(nonce0, BLOCK_GAS).iter().any(|x| x.sender == addr(4)));
    pool.mark_durable(&t.hash);
    assert!(pool.select(nonce0, BLOCK_GAS).iter().any(|x| x.sender == addr(4)));
}

#[test]
fn prune_drops_included_invalid_and_stale_and_keeps_the_rest() {
    let mut pool = EvmPool::default();
    for (sender, nonce, seq) in [(1, 0, 1), (1, 1, 2), (1, 2, 3), (2, 0, 4), (2, 1, 5), (3, 4, 6)] {
        insert(&mut pool, tx(sender, nonce, 2, seq), rich(0)).unwrap();
    }
    // The block executed sender 1's nonce 0 and 1, skipped sender 2's nonce 0 for good; sender 1's
    // account is now at 2, sender 2's at 0, sender 3's moved to 5 (its nonce-4 tx is stale).
    let included = [tx(1, 0, 2, 1).hash, tx(1, 1, 2, 2).hash];
    let invalid = [tx(2, 0, 2, 4).hash];
    let nonces = |a: &Address| match a.0[0] {
        1 => 2,
        3 => 5,
        _ => 0,
    };
    let removed: Vec<u64> = pool.prune(&included, &invalid, nonces).iter().map(|t| t.seq).collect();
    assert_eq!(removed, [1, 2, 4, 6]);
    let left: Vec<(u8, u64)> = pool.iter().map(|t| (t.sender.0[0], t.nonce)).collect();
    assert_eq!(left, [(1, 2), (2, 1)]);
    // Sender 2's nonce 1 waits for a nonce 0 again: only sender 1's nonce 2 is executable.
    let next: Vec<(u8, u64)> = pool.select(nonces, BLOCK_GAS).iter().map(|t| (t.sender.0[0], t.nonce)).collect();
    assert_eq!(next, [(1, 2)]);
}

#[test]
fn restore_puts_back_durable_entries_and_the_later_arrival_wins() {
    let mut pool = EvmPool::default();
    assert_eq!(pool.restore(tx(1, 0, 2, 1)), None);
    assert_eq!(pool.restore(tx(1, 0, 3, 7)), Some(1));
    assert_eq!(pool.len(), 1);
    let picked = pool.select(|_: &Address| 0, BLOCK_GAS);
    assert_eq!(picked.len(), 1);
    assert_eq!(picked[0].seq, 7);
}

#[test]
fn the_pool_is_bounded() {
    let mut pool = EvmPool::default();
    let mut seq = 0;
    'fill: for sender in 0..=255u8 {
        for nonce in 0..=EVM_NONCE_GAP_MAX {
            if pool.len() == EVM_POOL_MAX {
                break 'fill;
            }
            seq += 1;
            pool.insert(tx(sender, nonce, 2, seq), rich(0), GWEI, BLOCK_GAS).unwrap();
        }
    }
    assert_eq!(pool.len(), EVM_POOL_MAX);
    let extra = pool.insert(tx(255, EVM_NONCE_GAP_MAX, 2, seq + 1), rich(0), GWEI, BLOCK_GAS).unwrap_err();
    assert_eq!(extra, PoolError::PoolFull);
    // A replacement does not grow the pool, so it is still taken when full.
    let mut bump = tx(0, 0, 3, seq + 2);
    bump.max_priority_fee_per_gas = 2 * GWEI;
    assert!(pool.insert(bump, rich(0), GWEI, BLOCK_GAS).unwrap().replaced.is_some());
    assert_eq!(pool.len(), EVM_POOL_MAX);
}

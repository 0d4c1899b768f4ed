//! Every bound and constant of the EVM engine, named once (docs/PROTOCOL.md §13).

use alloy_primitives::{address, Address};

/// E1: an EVM block executes at every exchange height `h` with `h % EVM_BLOCK_INTERVAL == 0`.
pub const EVM_BLOCK_INTERVAL: u64 = 10;

/// E3: the largest EIP-2718 transaction an EVM entry may carry, in bytes.
pub const EVM_MAX_TX_BYTES: usize = 131_072;

/// E5: the gas limit of every EVM block.
pub const EVM_BLOCK_GAS_LIMIT: u64 = 200_000_000;

/// E5, E8: the genesis head's base fee (1 gwei); later blocks follow EIP-1559.
pub const EVM_INITIAL_BASE_FEE: u64 = 1_000_000_000;

/// E6: gas charged per call of the read precompile (as a cold account access, EIP-2929).
pub const EXCHANGE_READ_GAS: u64 = 2_600;

/// E6: gas charged per call of the system contract (as a fresh storage write).
pub const EXCHANGE_WRITE_GAS: u64 = 20_000;

/// E6: the read precompile's address.
pub const READ_PRECOMPILE: Address = address!("0000000000000000000000000000000000000800");

/// E6: the system contract's address.
pub const SYSTEM_CONTRACT: Address = address!("3333333333333333333333333333333333333333");

/// E4: the largest code an account may hold (EIP-170), so the largest `NS_EVMCODE` value.
pub const MAX_CODE_BYTES: usize = 24_576;

/// E4/E7: the most system messages one outbox may hold. Each costs at least
/// [`EXCHANGE_WRITE_GAS`], so a block's gas bounds it well below this.
pub const MAX_OUTBOX_MESSAGES: usize = (EVM_BLOCK_GAS_LIMIT / EXCHANGE_WRITE_GAS) as usize;

/// E7: the encoded size of a system Place.
pub const SYSTEM_PLACE_LEN: usize = 1 + 20 + 32 + 1 + 1 + 4 + 32 + 32;
/// E7: the encoded size of a system Cancel.
pub const SYSTEM_CANCEL_LEN: usize = 1 + 20 + 32 + 32;
/// E7: the encoded size of a system Transfer.
pub const SYSTEM_TRANSFER_LEN: usize = 1 + 20 + 32 + 32 + 20;

/// E10: the encoded size of an EVM batch's public inputs.
pub const EVM_PUBLIC_INPUTS_LEN: usize = 1 + 8 + 8 + 8 + 6 * 32 + 8;

/// The most gas `eth_estimateGas` searches up to (a call never gets more than a block).
pub const ESTIMATE_GAS_CAP: u64 = EVM_BLOCK_GAS_LIMIT;

const _: () = {
    assert!(EVM_BLOCK_INTERVAL > 1);
    assert!(EXCHANGE_WRITE_GAS >= EXCHANGE_READ_GAS);
    // A maximal transaction fits a block entry and the block's gas holds a maximal call.
    assert!(EVM_MAX_TX_BYTES >= 2 * MAX_CODE_BYTES);
    assert!(EVM_BLOCK_GAS_LIMIT >= 30_000_000);
    assert!(EVM_PUBLIC_INPUTS_LEN == 225);
    assert!(SYSTEM_CANCEL_LEN == 85);
    assert!(MAX_OUTBOX_MESSAGES > 0);
};

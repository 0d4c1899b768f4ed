//! Sizes and bounds of the funding engine (§11), each with the item that sets it.

pub use numo_core::limits::SIGNATURE_LEN;

/// Withdraw: type, owner, nonce, assetId, amount, recipient (F2).
pub const WITHDRAW_LEN: usize = 1 + 20 + 8 + 32 + 32 + 20;
/// Transfer: type, owner, nonce, assetId, amount, to (F2).
pub const TRANSFER_LEN: usize = 1 + 20 + 8 + 32 + 32 + 20;
/// Deposit: type, index, assetId, from, to, amount (F2).
pub const DEPOSIT_LEN: usize = 1 + 8 + 32 + 20 + 20 + 32;
/// ForcedWithdrawal: type, index, owner, assetId, amount (F2).
pub const FORCED_LEN: usize = 1 + 8 + 20 + 32 + 32;
/// The shortest funding message, to bound pre-allocation from a claimed count.
pub const MIN_FUNDING_MESSAGE_LEN: usize = FORCED_LEN;
/// Messages per funding batch (F8, F12).
pub const MAX_FUNDING_PER_BATCH: usize = 128;
/// One asset of the table: `B32 assetId ‖ U256 maxBalance` (F6).
pub const ASSET_RULE_LEN: usize = 32 + 32;
/// Funding public inputs (F11): five B32, two U64, daCommitment, two queues of
/// (U64, B32) before and after, withdrawalsRoot.
pub const FUNDING_PUBLIC_INPUTS_LEN: usize = 5 * 32 + 2 * 8 + 32 + 4 * (8 + 32) + 32;
/// A withdrawal record: id, recipient, assetId, amount (F10).
pub const WITHDRAWAL_RECORD_LEN: usize = 8 + 20 + 32 + 32;

const _: () = assert!(WITHDRAW_LEN == 113, "F2: a Withdraw is 113 bytes");
const _: () = assert!(TRANSFER_LEN == 113, "F2: a Transfer is 113 bytes");
const _: () = assert!(DEPOSIT_LEN == 113, "F2: a Deposit is 113 bytes");
const _: () = assert!(FORCED_LEN == 93, "F2: a ForcedWithdrawal is 93 bytes");
const _: () = assert!(FUNDING_PUBLIC_INPUTS_LEN == 400, "F11: funding public inputs are 400 bytes");
const _: () = assert!(WITHDRAWAL_RECORD_LEN == 92, "F10: a withdrawal record is 92 bytes");
const _: () = assert!(
    FUNDING_PUBLIC_INPUTS_LEN != numo_core::limits::PUBLIC_INPUTS_LEN,
    "F13: the bridge tells trading and funding public inputs apart by kind and length"
);
const _: () = assert!(
    MIN_FUNDING_MESSAGE_LEN <= DEPOSIT_LEN
        && MIN_FUNDING_MESSAGE_LEN <= WITHDRAW_LEN
        && MIN_FUNDING_MESSAGE_LEN <= TRANSFER_LEN
);

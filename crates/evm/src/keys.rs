//! E4 state keys of the EVM: `key32 = keccak256(namespace32 ‖ 0x1f ‖ material)` (C2), derived
//! with numo-stf's one key function, so the EVM's keys live in the same tree as the exchange's.

use alloy_primitives::{Address, B256, U256};
use numo_stf::keys::namespaced_key;

/// Accounts: `ADDR address`.
pub const NS_EVMACCT: &str = "NS_EVMACCT";
/// Storage slots: `ADDR address ‖ U256 slot`.
pub const NS_EVMSTORE: &str = "NS_EVMSTORE";
/// Code by hash: `B32 codeHash`.
pub const NS_EVMCODE: &str = "NS_EVMCODE";
/// The chain's own records: head `0x01`, block hashes `0x02 ‖ U64 n`, outbox `0x03`.
pub const NS_EVM: &str = "NS_EVM";

/// `NS_EVM` tag of the head.
const HEAD_TAG: u8 = 0x01;
/// `NS_EVM` tag of a block hash.
const BLOCK_HASH_TAG: u8 = 0x02;
/// `NS_EVM` tag of the outbox.
const OUTBOX_TAG: u8 = 0x03;

/// `NS_EVMACCT(address)`.
pub fn account_key(address: &Address) -> B256 {
    namespaced_key(NS_EVMACCT, address.as_slice())
}

/// `NS_EVMSTORE(address ‖ slot)`.
pub fn storage_key(address: &Address, slot: &U256) -> B256 {
    let mut material = [0u8; 52];
    material[..20].copy_from_slice(address.as_slice());
    material[20..].copy_from_slice(&slot.to_be_bytes::<32>());
    namespaced_key(NS_EVMSTORE, &material)
}

/// `NS_EVMCODE(codeHash)`.
pub fn code_key(code_hash: &B256) -> B256 {
    namespaced_key(NS_EVMCODE, code_hash.as_slice())
}

/// `NS_EVM(0x01)`: the head.
pub fn head_key() -> B256 {
    namespaced_key(NS_EVM, &[HEAD_TAG])
}

/// `NS_EVM(0x02 ‖ number)`: the hash of EVM block `number`.
pub fn block_hash_key(number: u64) -> B256 {
    let mut material = [0u8; 9];
    material[0] = BLOCK_HASH_TAG;
    material[1..].copy_from_slice(&number.to_be_bytes());
    namespaced_key(NS_EVM, &material)
}

/// `NS_EVM(0x03)`: the outbox of system messages (E7).
pub fn outbox_key() -> B256 {
    namespaced_key(NS_EVM, &[OUTBOX_TAG])
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;

    #[test]
    fn keys_are_distinct_across_namespaces_and_materials() {
        let a = Address::repeat_byte(1);
        let keys = [
            account_key(&a),
            storage_key(&a, &U256::ZERO),
            storage_key(&a, &U256::from(1)),
            code_key(&B256::ZERO),
            head_key(),
            block_hash_key(0),
            block_hash_key(1),
            outbox_key(),
        ];
        assert_eq!(keys.iter().collect::<BTreeSet<_>>().len(), keys.len());
        assert_eq!(account_key(&a), namespaced_key("NS_EVMACCT", a.as_slice()));
    }
}

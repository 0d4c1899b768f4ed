//! E4 value layouts with canonical absence (C3) and strict decoding: a stored value of the wrong
//! length is `corrupt_value`, as for the exchange's values.

use crate::limits::{MAX_CODE_BYTES, MAX_OUTBOX_MESSAGES};
use crate::system::SystemMessage;
use alloc::vec::Vec;
use alloy_primitives::{B256, U256};
use numo_core::codec::{DecodeError, Reader, Writer};
use numo_core::StateError;
use numo_stf::values::StateValue;

/// `NS_EVMACCT` value: `U64 nonce ‖ U256 balance ‖ B32 codeHash` (72 B). `codeHash` is zero for
/// an account without code (revm's `KECCAK_EMPTY` maps to zero both ways); an all-zero account
/// is absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvmAccount {
    /// Transactions sent (or contracts created, for a contract).
    pub nonce: u64,
    /// Wei of the native token (NUMO, E8).
    pub balance: U256,
    /// `keccak256(code)`, or zero without code.
    pub code_hash: B256,
}

impl StateValue for EvmAccount {
    const LEN: usize = 72;
    fn write(&self, w: &mut Writer) {
        w.u64(self.nonce).u256(&self.balance).b32(&self.code_hash);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { nonce: r.u64()?, balance: r.u256()?, code_hash: r.b32()? })
    }
}

/// `NS_EVMSTORE` value: `U256 value` (32 B); a zero slot is absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlotValue(pub U256);

impl StateValue for SlotValue {
    const LEN: usize = 32;
    fn write(&self, w: &mut Writer) {
        w.u256(&self.0);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self(r.u256()?))
    }
}

/// `NS_EVM(0x02 ‖ n)` value: `B32 blockHash`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockHash(pub B256);

impl StateValue for BlockHash {
    const LEN: usize = 32;
    fn write(&self, w: &mut Writer) {
        w.b32(&self.0);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self(r.b32()?))
    }
}

/// `NS_EVM(0x01)` value, the head: `U64 number ‖ B32 hash ‖ U64 timestamp ‖ U64 gasLimit ‖
/// U64 gasUsed ‖ U256 baseFee` (96 B). The base fee is stored as a U256 (E4) but never exceeds
/// `u64::MAX` (E5 caps it there, as revm's block environment does); a larger stored value is
/// corrupt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvmHead {
    /// Number of the last EVM block (0 = genesis).
    pub number: u64,
    /// Its hash (E9).
    pub hash: B256,
    /// Its timestamp, in seconds.
    pub timestamp: u64,
    /// Its gas limit.
    pub gas_limit: u64,
    /// Gas its transactions used.
    pub gas_used: u64,
    /// Its base fee per gas, in wei.
    pub base_fee: u64,
}

impl StateValue for EvmHead {
    const LEN: usize = 96;
    fn write(&self, w: &mut Writer) {
        w.u64(self.number).b32(&self.hash).u64(self.timestamp).u64(self.gas_limit).u64(self.gas_used);
        w.u256(&U256::from(self.base_fee));
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let (number, hash, timestamp, gas_limit, gas_used) = (r.u64()?, r.b32()?, r.u64()?, r.u64()?, r.u64()?);
        let base_fee = r.u256()?;
        let base_fee = u64::try_from(base_fee).map_err(|_| DecodeError::BadValueLength { expected: 8, got: 32 })?;
        Ok(Self { number, hash, timestamp, gas_limit, gas_used, base_fee })
    }
}

/// Decodes a `NS_EVMCODE` value: 1 to `MAX_CODE_BYTES` bytes (an empty code is never stored).
pub fn decode_code(key: &B256, bytes: &[u8]) -> Result<(), StateError> {
    if bytes.is_empty() || bytes.len() > MAX_CODE_BYTES {
        let error = DecodeError::BadValueLength { expected: MAX_CODE_BYTES, got: bytes.len() };
        return Err(StateError::Corrupt { key: *key, error });
    }
    Ok(())
}

/// `NS_EVM(0x03)` value: `U32 n ‖ n × (U32 len ‖ systemMessage)` (E7). `None` for an empty
/// outbox (C3: it is absent).
pub fn encode_outbox(messages: &[SystemMessage]) -> Option<Vec<u8>> {
    if messages.is_empty() {
        return None;
    }
    let mut w = Writer::default();
    w.u32(messages.len() as u32);
    for message in messages {
        let bytes = message.encode();
        w.u32(bytes.len() as u32).bytes(&bytes);
    }
    Some(w.into_bytes())
}

/// Strict decode of an outbox value (`None` = empty outbox). A zero count is corrupt (it would
/// be stored as absent), as is a message that does not decode.
pub fn decode_outbox(bytes: Option<&[u8]>) -> Result<Vec<SystemMessage>, DecodeError> {
    let Some(bytes) = bytes else { return Ok(Vec::new()) };
    let mut r = Reader::new(bytes);
    let count = r.u32()? as usize;
    if count == 0 || count > MAX_OUTBOX_MESSAGES {
        return Err(DecodeError::BadValueLength { expected: 1, got: count });
    }
    let mut messages = Vec::with_capacity(count.min(r.remaining() / 4));
    for _ in 0..count {
        let len = r.u32()? as usize;
        messages.push(SystemMessage::decode(r.take(len)?)?);
    }
    r.finish()?;
    Ok(messages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::Address;

    #[test]
    fn accounts_and_heads_round_trip_and_refuse_other_lengths() {
        let account = EvmAccount { nonce: 3, balance: U256::from(7), code_hash: B256::repeat_byte(9) };
        let bytes = account.encode();
        assert_eq!(bytes.len(), 72);
        assert_eq!(EvmAccount::decode(Some(&bytes)), Ok(account));
        assert!(EvmAccount::decode(Some(&bytes[1..])).is_err());
        assert_eq!(EvmAccount::default().encode_canonical(), None);
        let head =
            EvmHead { number: 1, hash: B256::repeat_byte(1), timestamp: 2, gas_limit: 3, gas_used: 4, base_fee: 5 };
        assert_eq!(EvmHead::decode(Some(&head.encode())), Ok(head));
        let mut big = head.encode();
        big[64] = 1;
        assert!(EvmHead::decode(Some(&big)).is_err());
    }

    #[test]
    fn outbox_round_trips_and_is_strict() {
        let messages = alloc::vec![
            SystemMessage::Cancel {
                trader: Address::repeat_byte(1),
                market_id: B256::repeat_byte(2),
                order_id: B256::repeat_byte(3)
            },
            SystemMessage::Transfer {
                from: Address::repeat_byte(4),
                asset_id: B256::repeat_byte(5),
                amount: U256::from(6),
                to: Address::repeat_byte(7),
            },
        ];
        let bytes = encode_outbox(&messages).unwrap();
        assert_eq!(decode_outbox(Some(&bytes)).unwrap(), messages);
        let mut long = bytes.clone();
        long.push(0);
        assert!(decode_outbox(Some(&long)).is_err());
        assert!(decode_outbox(Some(&[0, 0, 0, 0])).is_err());
        assert_eq!(encode_outbox(&[]), None);
        assert_eq!(decode_outbox(None).unwrap(), Vec::new());
    }
}

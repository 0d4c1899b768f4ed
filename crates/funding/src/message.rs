//! Funding messages (F2): the byte layouts, strict decoding and `msgHash`.

use crate::limits::{DEPOSIT_LEN, FORCED_LEN, TRANSFER_LEN, WITHDRAW_LEN};
use crate::transfer::TransferRequest;
use alloc::vec::Vec;
use alloy_primitives::{keccak256, Address, B256, U256};
use numo_core::codec::{DecodeError, Reader, Writer};
use numo_core::hash::keccak_concat;
use numo_core::Signature;

/// Type byte of a Withdraw (C24 reserves it for this).
pub const WITHDRAW_TYPE: u8 = 0x03;
/// Type byte of a Deposit (C24).
pub const DEPOSIT_TYPE: u8 = 0x04;
/// Type byte of a Transfer (C24 reserves it for this).
pub const TRANSFER_TYPE: u8 = 0x05;
/// Type byte of a ForcedWithdrawal (numo's own).
pub const FORCED_TYPE: u8 = 0x06;

/// A signed request to move `amount` of `asset_id` from `owner`'s available balance to
/// `recipient` on L1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Withdraw {
    /// The numo account debited; must sign.
    pub owner: Address,
    /// The owner's funding nonce (F4), separate from market nonces.
    pub nonce: u64,
    /// Asset withdrawn.
    pub asset_id: B256,
    /// Base units.
    pub amount: U256,
    /// L1 address paid by the claim.
    pub recipient: Address,
}

/// A signed request to move `amount` of `asset_id` from `owner`'s available balance to `to`'s
/// available balance inside numo: any address, a contract's included, which is how a contract
/// is funded to trade through the EVM system contract (issue 12). No L1 effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer {
    /// The numo account debited; must sign.
    pub owner: Address,
    /// The owner's funding nonce (F4), shared with its Withdraws.
    pub nonce: u64,
    /// Asset moved.
    pub asset_id: B256,
    /// Base units.
    pub amount: U256,
    /// numo account credited.
    pub to: Address,
}

/// Deposit record `index` of the L1 bridge's queue, copied verbatim (a system message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deposit {
    /// Position in the L1 queue (from 0).
    pub index: u64,
    /// Asset deposited.
    pub asset_id: B256,
    /// L1 sender: refunds go back to it.
    pub from: Address,
    /// numo account credited.
    pub to: Address,
    /// Base units received by the bridge.
    pub amount: U256,
}

/// Forced withdrawal request `index` of the L1 bridge's queue (a system message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForcedWithdrawal {
    /// Position in the L1 forced queue (from 0).
    pub index: u64,
    /// The L1 sender, whose numo balance is withdrawn to itself.
    pub owner: Address,
    /// Asset requested.
    pub asset_id: B256,
    /// Base units requested; F7 takes at most the available balance.
    pub amount: U256,
}

/// A Withdraw and its 65-byte signature over its `msgHash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedWithdraw {
    /// The signed content.
    pub withdraw: Withdraw,
    /// `r ‖ s ‖ v` over `msgHash` (F2).
    pub signature: Signature,
}

/// A Transfer and its 65-byte signature over its `msgHash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedTransfer {
    /// The signed content.
    pub transfer: Transfer,
    /// `r ‖ s ‖ v` over `msgHash` (F2).
    pub signature: Signature,
}

/// One funding message as sequenced: only a Withdraw or a Transfer carries a signature, so the
/// type makes a signed system message or an unsigned user message unrepresentable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FundingMessage {
    /// Signed by its owner.
    Withdraw(SignedWithdraw),
    /// Signed by its owner.
    Transfer(SignedTransfer),
    /// From the L1 deposit queue.
    Deposit(Deposit),
    /// From the L1 forced-withdrawal queue.
    Forced(ForcedWithdrawal),
}

impl Withdraw {
    fn write(&self, w: &mut Writer) {
        w.u8(WITHDRAW_TYPE).address(&self.owner).u64(self.nonce).b32(&self.asset_id);
        w.u256(&self.amount).address(&self.recipient);
    }

    /// The 113 message bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(WITHDRAW_LEN);
        self.write(&mut w);
        w.into_bytes()
    }

    /// `msgHash` under the funding domain (F2).
    pub fn hash(&self, funding_domain: &B256) -> B256 {
        message_hash(funding_domain, &self.encode())
    }
}

impl Transfer {
    fn write(&self, w: &mut Writer) {
        w.u8(TRANSFER_TYPE).address(&self.owner).u64(self.nonce).b32(&self.asset_id);
        w.u256(&self.amount).address(&self.to);
    }

    /// The 113 message bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(TRANSFER_LEN);
        self.write(&mut w);
        w.into_bytes()
    }

    /// `msgHash` under the funding domain (F2).
    pub fn hash(&self, funding_domain: &B256) -> B256 {
        message_hash(funding_domain, &self.encode())
    }

    /// The balance move it asks for, run after its nonce step (F7).
    pub const fn request(&self) -> TransferRequest {
        TransferRequest { from: self.owner, asset_id: self.asset_id, amount: self.amount, to: self.to }
    }
}

impl Deposit {
    fn write(&self, w: &mut Writer) {
        w.u8(DEPOSIT_TYPE).u64(self.index).b32(&self.asset_id).address(&self.from).address(&self.to);
        w.u256(&self.amount);
    }
}

impl ForcedWithdrawal {
    fn write(&self, w: &mut Writer) {
        w.u8(FORCED_TYPE).u64(self.index).address(&self.owner).b32(&self.asset_id).u256(&self.amount);
    }
}

/// `msgHash = keccak256(0x19 ‖ 0x01 ‖ fundingDomainSeparator ‖ keccak256(messageBytes))` (F2).
pub fn message_hash(funding_domain: &B256, message_bytes: &[u8]) -> B256 {
    keccak_concat(&[&[0x19, 0x01], funding_domain.as_slice(), keccak256(message_bytes).as_slice()])
}

impl FundingMessage {
    /// The message bytes, without the signature.
    pub fn message_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(self.message_len());
        match self {
            FundingMessage::Withdraw(signed) => signed.withdraw.write(&mut w),
            FundingMessage::Transfer(signed) => signed.transfer.write(&mut w),
            FundingMessage::Deposit(deposit) => deposit.write(&mut w),
            FundingMessage::Forced(forced) => forced.write(&mut w),
        }
        w.into_bytes()
    }

    /// Length of the message bytes.
    pub const fn message_len(&self) -> usize {
        match self {
            FundingMessage::Withdraw(_) => WITHDRAW_LEN,
            FundingMessage::Transfer(_) => TRANSFER_LEN,
            FundingMessage::Deposit(_) => DEPOSIT_LEN,
            FundingMessage::Forced(_) => FORCED_LEN,
        }
    }

    /// The signature, for a Withdraw or a Transfer.
    pub const fn signature(&self) -> Option<&Signature> {
        match self {
            FundingMessage::Withdraw(signed) => Some(&signed.signature),
            FundingMessage::Transfer(signed) => Some(&signed.signature),
            FundingMessage::Deposit(_) | FundingMessage::Forced(_) => None,
        }
    }

    /// The account whose signature authorises the message (a Withdraw's or Transfer's
    /// `owner`); `None` for the system messages, whose authority is the L1 queue.
    pub const fn signer(&self) -> Option<&Address> {
        match self {
            FundingMessage::Withdraw(signed) => Some(&signed.withdraw.owner),
            FundingMessage::Transfer(signed) => Some(&signed.transfer.owner),
            FundingMessage::Deposit(_) | FundingMessage::Forced(_) => None,
        }
    }

    /// Message bytes followed by the signature of a signed message: the F3 entry payload and
    /// the F12 / F9 per-message encoding.
    pub fn write(&self, w: &mut Writer) {
        w.bytes(&self.message_bytes());
        if let Some(signature) = self.signature() {
            w.bytes(&signature.0);
        }
    }

    /// [`FundingMessage::write`] into a new vector.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(self.message_len() + 65);
        self.write(&mut w);
        w.into_bytes()
    }

    /// Reads one message (and a signed message's signature); an unknown type byte is malformed.
    pub fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let kind = r.peek_u8()?;
        match kind {
            WITHDRAW_TYPE => {
                r.u8()?;
                let withdraw = Withdraw {
                    owner: r.address()?,
                    nonce: r.u64()?,
                    asset_id: r.b32()?,
                    amount: r.u256()?,
                    recipient: r.address()?,
                };
                Ok(FundingMessage::Withdraw(SignedWithdraw { withdraw, signature: Signature::read(r)? }))
            }
            TRANSFER_TYPE => {
                r.u8()?;
                let transfer = Transfer {
                    owner: r.address()?,
                    nonce: r.u64()?,
                    asset_id: r.b32()?,
                    amount: r.u256()?,
                    to: r.address()?,
                };
                Ok(FundingMessage::Transfer(SignedTransfer { transfer, signature: Signature::read(r)? }))
            }
            DEPOSIT_TYPE => {
                r.u8()?;
                Ok(FundingMessage::Deposit(Deposit {
                    index: r.u64()?,
                    asset_id: r.b32()?,
                    from: r.address()?,
                    to: r.address()?,
                    amount: r.u256()?,
                }))
            }
            FORCED_TYPE => {
                r.u8()?;
                Ok(FundingMessage::Forced(ForcedWithdrawal {
                    index: r.u64()?,
                    owner: r.address()?,
                    asset_id: r.b32()?,
                    amount: r.u256()?,
                }))
            }
            other => Err(DecodeError::UnknownMessageType(other)),
        }
    }

    /// Strict decode of exactly one message (trailing bytes refused).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let message = Self::read(&mut r)?;
        r.finish()?;
        Ok(message)
    }

    /// `msgHash` under the funding domain (F2), the same formula for every type.
    pub fn hash(&self, funding_domain: &B256) -> B256 {
        message_hash(funding_domain, &self.message_bytes())
    }

    /// Short stable name of the type.
    pub const fn type_name(&self) -> &'static str {
        match self {
            FundingMessage::Withdraw(_) => "withdraw",
            FundingMessage::Transfer(_) => "transfer",
            FundingMessage::Deposit(_) => "deposit",
            FundingMessage::Forced(_) => "forced_withdrawal",
        }
    }
}

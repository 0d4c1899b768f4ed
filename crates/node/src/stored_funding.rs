//! The stored form of a funding batch (F8) and the index rows the API's deposit and withdrawal
//! views read: versioned binary records, like [`crate::stored`]'s.

use crate::stored::RecordError;
use alloy_primitives::{Address, U256};
use numo_funding::limits::FUNDING_PUBLIC_INPUTS_LEN;
use numo_funding::{FundingMessage, FundingOutcome, FundingPublicInputs, FundingReject, WithdrawalRecord};
use numo_stf::codec::{Reader, Writer};

/// Version byte of a [`StoredFundingBatch`] record.
pub const FUNDING_RECORD_VERSION: u8 = 1;

/// One executed funding batch as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFundingBatch {
    /// Venue-global batch number.
    pub batch_seq: u64,
    /// Its block.
    pub block_height: u64,
    /// Global index of its first message.
    pub first_global_index: u64,
    /// F11.
    pub public_inputs: FundingPublicInputs,
    /// Messages and what execution did with each, in order.
    pub messages: Vec<(FundingMessage, FundingOutcome)>,
    /// Withdrawal records in execution order (the F10 tree's leaves).
    pub withdrawals: Vec<WithdrawalRecord>,
}

/// How a withdrawal record came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum WithdrawalKind {
    /// A signed Withdraw.
    Withdraw = 1,
    /// A deposit numo could not credit, returned to its L1 sender.
    Refund = 2,
    /// A forced withdrawal requested on L1.
    Forced = 3,
}

impl WithdrawalKind {
    /// Stable name for the API.
    pub const fn name(self) -> &'static str {
        match self {
            WithdrawalKind::Withdraw => "withdrawal",
            WithdrawalKind::Refund => "refund",
            WithdrawalKind::Forced => "forced",
        }
    }
}

/// Index row of one withdrawal: where its record sits (for the claim proof) and whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WithdrawalRow {
    /// The funding batch holding the record.
    pub batch_seq: u64,
    /// Position of the record among the batch's withdrawals (its leaf index, F10).
    pub position: u32,
    /// How it came to be.
    pub kind: WithdrawalKind,
    /// The numo account it was debited from (the depositor for a refund).
    pub owner: Address,
    /// The record.
    pub record: WithdrawalRecord,
}

/// Index row of one deposit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepositRow {
    /// The funding batch that executed it.
    pub batch_seq: u64,
    /// Its block.
    pub block_height: u64,
    /// The L1 record.
    pub deposit: numo_funding::Deposit,
    /// Refund withdrawal id, if it could not be credited.
    pub refund: Option<u64>,
}

fn write_outcome(w: &mut Writer, outcome: &FundingOutcome) {
    match outcome {
        FundingOutcome::Credited => w.u8(1).u64(0).u256(&U256::ZERO),
        FundingOutcome::Refunded { id } => w.u8(2).u64(*id).u256(&U256::ZERO),
        FundingOutcome::Withdrawn { id } => w.u8(3).u64(*id).u256(&U256::ZERO),
        FundingOutcome::Rejected(reason) => w.u8(4).u64(*reason as u64).u256(&U256::ZERO),
        FundingOutcome::Forced(None) => w.u8(5).u64(0).u256(&U256::ZERO),
        FundingOutcome::Forced(Some((id, amount))) => w.u8(6).u64(*id).u256(amount),
        FundingOutcome::Transferred => w.u8(7).u64(0).u256(&U256::ZERO),
    };
}

fn read_outcome(r: &mut Reader<'_>) -> Result<FundingOutcome, RecordError> {
    let tag = r.u8()?;
    let id = r.u64()?;
    let amount = r.u256()?;
    Ok(match tag {
        1 => FundingOutcome::Credited,
        2 => FundingOutcome::Refunded { id },
        3 => FundingOutcome::Withdrawn { id },
        4 => FundingOutcome::Rejected(reject_of(id)?),
        5 => FundingOutcome::Forced(None),
        6 => FundingOutcome::Forced(Some((id, amount))),
        7 => FundingOutcome::Transferred,
        value => return Err(RecordError::OutOfRange { what: "funding outcome", value }),
    })
}

fn reject_of(code: u64) -> Result<FundingReject, RecordError> {
    u8::try_from(code)
        .ok()
        .and_then(FundingReject::from_code)
        .ok_or(RecordError::OutOfRange { what: "funding reject code", value: code.min(255) as u8 })
}

fn write_record(w: &mut Writer, record: &WithdrawalRecord) {
    w.u64(record.id).address(&record.recipient).b32(&record.asset_id).u256(&record.amount);
}

fn read_record(r: &mut Reader<'_>) -> Result<WithdrawalRecord, RecordError> {
    Ok(WithdrawalRecord { id: r.u64()?, recipient: r.address()?, asset_id: r.b32()?, amount: r.u256()? })
}

impl StoredFundingBatch {
    /// `U8 version ‖ U64 batchSeq ‖ U64 height ‖ U64 firstGlobalIndex ‖ publicInputs(400) ‖
    /// U32 n ‖ n × (funding message ‖ outcome) ‖ U32 m ‖ m × withdrawal record`.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.u8(FUNDING_RECORD_VERSION).u64(self.batch_seq).u64(self.block_height).u64(self.first_global_index);
        w.bytes(&self.public_inputs.encode());
        w.u32(self.messages.len() as u32);
        for (message, outcome) in &self.messages {
            message.write(&mut w);
            write_outcome(&mut w, outcome);
        }
        w.u32(self.withdrawals.len() as u32);
        for record in &self.withdrawals {
            write_record(&mut w, record);
        }
        w.into_bytes()
    }

    /// Strict decode.
    pub fn decode(bytes: &[u8]) -> Result<Self, RecordError> {
        let mut r = Reader::new(bytes);
        let version = r.u8()?;
        if version != FUNDING_RECORD_VERSION {
            return Err(RecordError::Version { found: version, expected: FUNDING_RECORD_VERSION });
        }
        let batch_seq = r.u64()?;
        let block_height = r.u64()?;
        let first_global_index = r.u64()?;
        let public_inputs = FundingPublicInputs::decode(r.take(FUNDING_PUBLIC_INPUTS_LEN)?)?;
        let count = r.u32()? as usize;
        let mut messages = Vec::with_capacity(count.min(r.remaining() / 100));
        for _ in 0..count {
            let message = FundingMessage::read(&mut r)?;
            messages.push((message, read_outcome(&mut r)?));
        }
        let count = r.u32()? as usize;
        let mut withdrawals = Vec::with_capacity(count.min(r.remaining() / 92));
        for _ in 0..count {
            withdrawals.push(read_record(&mut r)?);
        }
        r.finish()?;
        Ok(Self { batch_seq, block_height, first_global_index, public_inputs, messages, withdrawals })
    }

    /// The index rows of its withdrawals, by position.
    pub fn withdrawal_rows(&self) -> Vec<WithdrawalRow> {
        let mut owners: Vec<(u64, WithdrawalKind, Address)> = Vec::new();
        for (message, outcome) in &self.messages {
            match (message, outcome) {
                (FundingMessage::Withdraw(signed), FundingOutcome::Withdrawn { id }) => {
                    owners.push((*id, WithdrawalKind::Withdraw, signed.withdraw.owner));
                }
                (FundingMessage::Deposit(deposit), FundingOutcome::Refunded { id }) => {
                    owners.push((*id, WithdrawalKind::Refund, deposit.from));
                }
                (FundingMessage::Forced(forced), FundingOutcome::Forced(Some((id, _)))) => {
                    owners.push((*id, WithdrawalKind::Forced, forced.owner));
                }
                _ => {}
            }
        }
        self.withdrawals
            .iter()
            .enumerate()
            .map(|(position, record)| {
                let (kind, owner) = owners
                    .iter()
                    .find(|(id, _, _)| *id == record.id)
                    .map_or((WithdrawalKind::Withdraw, record.recipient), |(_, kind, owner)| (*kind, *owner));
                WithdrawalRow { batch_seq: self.batch_seq, position: position as u32, kind, owner, record: *record }
            })
            .collect()
    }

    /// The index rows of its deposits.
    pub fn deposit_rows(&self) -> Vec<DepositRow> {
        self.messages
            .iter()
            .filter_map(|(message, outcome)| match message {
                FundingMessage::Deposit(deposit) => Some(DepositRow {
                    batch_seq: self.batch_seq,
                    block_height: self.block_height,
                    deposit: *deposit,
                    refund: match outcome {
                        FundingOutcome::Refunded { id } => Some(*id),
                        _ => None,
                    },
                }),
                _ => None,
            })
            .collect()
    }
}

impl WithdrawalRow {
    /// `U64 batchSeq ‖ U32 position ‖ U8 kind ‖ ADDR owner ‖ record`.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.u64(self.batch_seq).u32(self.position).u8(self.kind as u8).address(&self.owner);
        write_record(&mut w, &self.record);
        w.into_bytes()
    }

    /// Strict decode.
    pub fn decode(bytes: &[u8]) -> Result<Self, RecordError> {
        let mut r = Reader::new(bytes);
        let batch_seq = r.u64()?;
        let position = r.u32()?;
        let kind = match r.u8()? {
            1 => WithdrawalKind::Withdraw,
            2 => WithdrawalKind::Refund,
            3 => WithdrawalKind::Forced,
            value => return Err(RecordError::OutOfRange { what: "withdrawal kind", value }),
        };
        let owner = r.address()?;
        let record = read_record(&mut r)?;
        r.finish()?;
        Ok(Self { batch_seq, position, kind, owner, record })
    }
}

impl DepositRow {
    /// `U64 batchSeq ‖ U64 height ‖ deposit message ‖ U8 refunded ‖ U64 refund id`.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.u64(self.batch_seq).u64(self.block_height);
        FundingMessage::Deposit(self.deposit).write(&mut w);
        w.u8(u8::from(self.refund.is_some())).u64(self.refund.unwrap_or(0));
        w.into_bytes()
    }

    /// Strict decode.
    pub fn decode(bytes: &[u8]) -> Result<Self, RecordError> {
        let mut r = Reader::new(bytes);
        let batch_seq = r.u64()?;
        let block_height = r.u64()?;
        let FundingMessage::Deposit(deposit) = FundingMessage::read(&mut r)? else {
            return Err(RecordError::OutOfRange { what: "deposit row message", value: 0 });
        };
        let refunded = r.u8()?;
        let id = r.u64()?;
        r.finish()?;
        let refund = match refunded {
            0 => None,
            1 => Some(id),
            value => return Err(RecordError::OutOfRange { what: "deposit refund flag", value }),
        };
        Ok(Self { batch_seq, block_height, deposit, refund })
    }
}

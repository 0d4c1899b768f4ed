//! The one revm configuration of the engine: Prague rules, mainnet handler, the chain id of E2,
//! numo's database and precompiles. Every block, call and estimate builds its EVM here.

use crate::db::NumoDb;
use crate::precompiles::NumoPrecompiles;
use crate::tx::EvmTx;
use alloc::vec::Vec;
use numo_core::State;
use revm::context::{BlockEnv, CfgEnv, Context, Evm, Journal, TxEnv};
use revm::context_interface::block::BlobExcessGasAndPrice;
use revm::handler::instructions::EthInstructions;
use revm::handler::EthFrame;
use revm::interpreter::interpreter::EthInterpreter;
use revm::primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE;
use revm::primitives::hardfork::SpecId;
use revm::{MainBuilder, MainContext};

/// The hard fork numo's EVM follows (E5).
pub const SPEC: SpecId = SpecId::PRAGUE;

/// revm's context over numo's state.
pub type NumoContext<'a, S> = Context<BlockEnv, TxEnv, CfgEnv, NumoDb<'a, S>, Journal<NumoDb<'a, S>>, ()>;

/// The EVM the engine runs.
pub type NumoEvm<'a, S> = Evm<
    NumoContext<'a, S>,
    (),
    EthInstructions<EthInterpreter, NumoContext<'a, S>>,
    NumoPrecompiles,
    EthFrame<EthInterpreter>,
>;

/// The configuration of chain `chain_id` (E2, E5).
pub fn evm_cfg(chain_id: u64) -> CfgEnv {
    let mut cfg = CfgEnv::new_with_spec(SPEC);
    cfg.chain_id = chain_id;
    cfg
}

/// An EVM over `db` in `block` with `cfg` ([`evm_cfg`], or a call's relaxation of it).
pub fn build_evm<S: State>(db: NumoDb<'_, S>, block: BlockEnv, cfg: CfgEnv) -> NumoEvm<'_, S> {
    Context::mainnet()
        .with_db(db)
        .with_block(block)
        .with_cfg(cfg)
        .build_mainnet()
        .with_precompiles(NumoPrecompiles::new(SPEC))
}

/// The block environment of an EVM block (E5): beneficiary zero, no blobs (excess 0).
pub fn block_env(
    number: u64,
    timestamp: u64,
    gas_limit: u64,
    base_fee: u64,
    prevrandao: alloy_primitives::B256,
) -> BlockEnv {
    BlockEnv {
        number: alloy_primitives::U256::from(number),
        beneficiary: alloy_primitives::Address::ZERO,
        timestamp: alloy_primitives::U256::from(timestamp),
        gas_limit,
        basefee: base_fee,
        difficulty: alloy_primitives::U256::ZERO,
        prevrandao: Some(prevrandao),
        blob_excess_gas_and_price: Some(BlobExcessGasAndPrice::new(0, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE)),
        ..BlockEnv::default()
    }
}

/// revm's transaction environment of a decoded transaction.
pub fn tx_env(tx: &EvmTx) -> TxEnv {
    TxEnv {
        tx_type: tx.tx_type(),
        caller: tx.sender(),
        gas_limit: tx.gas_limit(),
        gas_price: tx.max_fee(),
        kind: tx.kind(),
        value: tx.value(),
        data: tx.input().clone(),
        nonce: tx.nonce(),
        chain_id: tx.chain_id(),
        access_list: tx.access_list(),
        gas_priority_fee: tx.priority_fee(),
        blob_hashes: Vec::new(),
        max_fee_per_blob_gas: 0,
        authorization_list: Vec::new(),
    }
}

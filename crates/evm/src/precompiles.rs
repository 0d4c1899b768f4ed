//! The EVM's precompiles: Ethereum's (Prague) plus E6's two exchange addresses — the read
//! precompile at `0x…0800` and the system contract at `0x3333…3333`.
//!
//! Both read numo's state through the same recorded [`NumoDb`] as revm does, so their keys are
//! in the batch's touched log and the guest proves them like any other. A state access that
//! fails inside a precompile (an unproven key) is kept in [`NumoPrecompiles::failure`] and
//! aborts the transaction as an internal error: the engine then reports the state error itself,
//! never a transaction outcome built on a missing value.

use crate::abi::INumoExchange;
use crate::db::NumoDb;
use crate::limits::{EXCHANGE_READ_GAS, EXCHANGE_WRITE_GAS, READ_PRECOMPILE, SYSTEM_CONTRACT};
use crate::system::SystemMessage;
use alloc::string::String;
use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;
use numo_core::{State, StateError};
use numo_stf::keys::{balance_key, market_best_key, order_key};
use numo_stf::values::{Balance, MarketBest, Order};
use revm::context::Cfg;
use revm::context_interface::{ContextTr, JournalTr};
use revm::handler::{precompile_output_to_interpreter_result, EthPrecompiles, PrecompileProvider};
use revm::interpreter::{CallInputs, CallScheme, InterpreterResult};
use revm::precompile::{PrecompileHalt, PrecompileOutput};
use revm::primitives::hardfork::SpecId;
use revm::primitives::AddressSet;

/// Ethereum's precompiles for the spec, plus the exchange's two addresses (E6).
#[derive(Debug, Clone)]
pub struct NumoPrecompiles {
    eth: EthPrecompiles,
    warm: AddressSet,
    /// The first state error a precompile met, if any (the batch is invalid).
    pub failure: Option<StateError>,
}

impl NumoPrecompiles {
    /// The precompiles of `spec` (Prague for numo) plus E6's.
    pub fn new(spec: SpecId) -> Self {
        let eth = EthPrecompiles::new(spec);
        let mut warm = eth.warm_addresses().clone();
        warm.insert(READ_PRECOMPILE);
        warm.insert(SYSTEM_CONTRACT);
        Self { eth, warm, failure: None }
    }
}

/// How one exchange call ended, before gas accounting.
enum Answer {
    /// Return these bytes.
    Return(Bytes),
    /// Revert (wrong call scheme, value, static context or ABI).
    Revert,
}

impl<'a, S, CTX> PrecompileProvider<CTX> for NumoPrecompiles
where
    S: State + 'a,
    CTX: ContextTr<Db = NumoDb<'a, S>>,
    CTX::Cfg: Cfg<Spec = SpecId>,
{
    type Output = InterpreterResult;

    fn set_spec(&mut self, spec: SpecId) -> bool {
        let changed = <EthPrecompiles as PrecompileProvider<CTX>>::set_spec(&mut self.eth, spec);
        self.warm = self.eth.warm_addresses().clone();
        self.warm.insert(READ_PRECOMPILE);
        self.warm.insert(SYSTEM_CONTRACT);
        changed
    }

    fn run(&mut self, context: &mut CTX, inputs: &CallInputs) -> Result<Option<InterpreterResult>, String> {
        let (cost, answer) = if inputs.bytecode_address == READ_PRECOMPILE {
            (EXCHANGE_READ_GAS, read(context, inputs))
        } else if inputs.bytecode_address == SYSTEM_CONTRACT {
            (EXCHANGE_WRITE_GAS, request(context, inputs))
        } else {
            return <EthPrecompiles as PrecompileProvider<CTX>>::run(&mut self.eth, context, inputs);
        };
        if inputs.gas_limit < cost {
            let output = PrecompileOutput::halt(PrecompileHalt::OutOfGas, inputs.reservoir);
            return Ok(Some(precompile_output_to_interpreter_result(output, inputs.gas_limit)));
        }
        let output = match answer {
            Ok(Answer::Return(bytes)) => PrecompileOutput::new(cost, bytes, inputs.reservoir),
            Ok(Answer::Revert) => PrecompileOutput::revert(cost, Bytes::new(), inputs.reservoir),
            Err(error) => {
                self.failure.get_or_insert(error);
                return Err(String::from("numo state access failed"));
            }
        };
        Ok(Some(precompile_output_to_interpreter_result(output, inputs.gas_limit)))
    }

    fn warm_addresses(&self) -> &AddressSet {
        &self.warm
    }
}

/// Whether the call carries a non-zero value.
fn carries_value(inputs: &CallInputs) -> bool {
    !inputs.value.get().is_zero()
}

/// The read precompile (E6): `CALL` or `STATICCALL`, no value; reads `NS_BAL`,
/// `NS_MARKETBEST` or `NS_ORDER` through the recorded state.
fn read<'a, S: State + 'a, CTX: ContextTr<Db = NumoDb<'a, S>>>(
    context: &mut CTX,
    inputs: &CallInputs,
) -> Result<Answer, StateError> {
    if !matches!(inputs.scheme, CallScheme::Call | CallScheme::StaticCall) || carries_value(inputs) {
        return Ok(Answer::Revert);
    }
    let data = inputs.input.bytes(context);
    let store = &mut context.db_mut().store;
    if let Ok(call) = INumoExchange::balanceOfCall::abi_decode_validate(&data) {
        let balance: Balance = store.read(&balance_key(&call.owner, &call.assetId))?;
        let ret = INumoExchange::balanceOfReturn { available: balance.available, locked: balance.locked };
        return Ok(Answer::Return(INumoExchange::balanceOfCall::abi_encode_returns(&ret).into()));
    }
    if let Ok(call) = INumoExchange::bestBidAskCall::abi_decode_validate(&data) {
        let best: MarketBest = store.read(&market_best_key(&call.marketId))?;
        let ret = INumoExchange::bestBidAskReturn {
            hasBid: best.bid.is_some(),
            bidTick: best.bid.unwrap_or_default(),
            hasAsk: best.ask.is_some(),
            askTick: best.ask.unwrap_or_default(),
        };
        return Ok(Answer::Return(INumoExchange::bestBidAskCall::abi_encode_returns(&ret).into()));
    }
    if let Ok(call) = INumoExchange::orderCall::abi_decode_validate(&data) {
        let order: Order = store.read(&order_key(&call.marketId, &call.orderId))?;
        let ret = if order == Order::default() {
            INumoExchange::orderReturn { trader: Address::ZERO, side: 0, tick: 0, remaining: U256::ZERO }
        } else {
            INumoExchange::orderReturn {
                trader: order.trader,
                side: order.side as u8,
                tick: order.tick,
                remaining: order.remaining,
            }
        };
        return Ok(Answer::Return(INumoExchange::orderCall::abi_encode_returns(&ret).into()));
    }
    Ok(Answer::Revert)
}

/// The system contract (E6): `CALL` only, no value, not in a static context; validates the ABI
/// and emits the request's log from `0x3333…`, with `msg.sender` as the requester. It checks
/// nothing about the exchange: the system batch does (E7).
fn request<'a, S: State + 'a, CTX: ContextTr<Db = NumoDb<'a, S>>>(
    context: &mut CTX,
    inputs: &CallInputs,
) -> Result<Answer, StateError> {
    if inputs.scheme != CallScheme::Call || inputs.is_static || carries_value(inputs) {
        return Ok(Answer::Revert);
    }
    let data = inputs.input.bytes(context);
    let sender = inputs.caller;
    let message = if let Ok(call) = INumoExchange::placeOrderCall::abi_decode_validate(&data) {
        SystemMessage::Place {
            trader: sender,
            market_id: call.marketId,
            side: call.side,
            tif: call.tif,
            tick: call.tick,
            qty: call.qty,
            order_id: call.orderId,
        }
    } else if let Ok(call) = INumoExchange::cancelOrderCall::abi_decode_validate(&data) {
        SystemMessage::Cancel { trader: sender, market_id: call.marketId, order_id: call.orderId }
    } else if let Ok(call) = INumoExchange::transferCall::abi_decode_validate(&data) {
        SystemMessage::Transfer { from: sender, asset_id: call.assetId, amount: call.amount, to: call.to }
    } else {
        return Ok(Answer::Revert);
    };
    context.journal_mut().log(message.to_log());
    Ok(Answer::Return(Bytes::new()))
}

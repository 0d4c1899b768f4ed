//! JSON renderings for people reading batches.

use alloy_primitives::{hex, B256};
use numo_guest::GuestInput;
use numo_stf::records::Trade;
use numo_stf::{Message, MessageOutcome};
use serde_json::{json, Value};

fn message(message: &Message) -> Value {
    match message {
        Message::Place(p) => json!({
            "type": "place", "trader": p.trader, "nonce": p.nonce, "orderId": p.order_id,
            "side": p.side, "tif": p.tif, "tickIndex": p.tick, "qtyBase": p.qty.to_string(),
        }),
        Message::Cancel(c) => json!({ "type": "cancel", "trader": c.trader, "nonce": c.nonce, "orderId": c.order_id }),
    }
}

pub(crate) fn guest_input(input: &GuestInput<'_>) -> Value {
    let h = &input.header;
    let ctx = &input.context;
    let r = &ctx.rules;
    let messages: Vec<Value> = input
        .messages
        .iter()
        .zip(&input.hints)
        .map(|(signed, hints)| {
            let mut m = message(&signed.message);
            m["signature"] = json!(hex::encode_prefixed(signed.signature.0));
            if let Message::Place(_) = signed.message {
                m["hints"] = json!({ "prev": hints.prev, "next": hints.next });
            }
            m
        })
        .collect();
    let proofs: Vec<Value> = input
        .proofs
        .iter()
        .map(|p| json!({ "key": p.key, "value": p.value.map(hex::encode_prefixed), "present": p.value.is_some() }))
        .collect();
    json!({
        "header": {
            "prevRoot": h.prev_root, "batchDigest": h.batch_digest, "rulesHash": h.rules_hash,
            "domainSeparator": h.domain_separator, "batchSeq": h.batch_seq,
            "batchTimestamp": h.batch_timestamp, "daCommitment": h.da_commitment,
        },
        "context": { "chainId": ctx.chain_id, "venueId": ctx.venue_id, "marketId": ctx.market_id },
        "rules": {
            "baseAssetId": r.base_asset, "quoteAssetId": r.quote_asset, "priceScale": r.price_scale.to_string(),
            "tickSize": r.tick_size.to_string(), "lotSize": r.lot_size.to_string(), "takerFeeBps": r.taker_fee_bps,
            "makerFeeBps": r.maker_fee_bps, "maxOrdersPerBatch": r.max_orders_per_batch,
            "maxMatchesPerOrder": r.max_matches_per_order, "maxBalance": r.max_balance.to_string(),
        },
        "messages": messages,
        "proofs": proofs,
    })
}

pub(crate) fn outcome(outcome: &MessageOutcome) -> Value {
    match outcome {
        MessageOutcome::Placed(s) => json!({
            "status": "accepted", "type": "place", "filled": s.filled.to_string(), "rested": s.rested.to_string(),
            "cancelled": s.cancelled.to_string(), "fills": s.fills, "newTick": s.new_tick,
        }),
        MessageOutcome::Cancelled { released, remaining } => json!({
            "status": "accepted", "type": "cancel", "released": released.to_string(), "remaining": remaining.to_string(),
        }),
        MessageOutcome::Rejected(reason) => {
            json!({ "status": "rejected", "reason": reason.name(), "code": *reason as u8 })
        }
    }
}

pub(crate) fn trade(t: &Trade) -> Value {
    let id = |b: &B256| hex::encode_prefixed(b);
    json!({
        "makerOrderId": id(&t.maker_order_id), "takerOrderId": id(&t.taker_order_id), "maker": t.maker, "taker": t.taker,
        "sideTaker": t.taker_side as u8, "makerTickIndex": t.maker_tick, "qtyBase": t.qty.to_string(),
        "quoteAmt": t.quote_amount.to_string(), "takerFeeQuote": t.taker_fee.to_string(),
    })
}

//! The funding half of the HTTP API (docs/API.md, "Funding"): submit a signed withdrawal or
//! transfer, list
//! deposits and withdrawals (with the ready claim calldata once settled), the bridge's L1
//! coordinates, and funding batches.

use crate::api::{ApiError, ApiResult};
use crate::error::{Refusal, RefusalCode};
use crate::funding::FundingReceipt;
use crate::node::Node;
use crate::store::{ChainStore, Verification};
use crate::stored_funding::{StoredFundingBatch, WithdrawalRow};
use alloy_primitives::{hex, Address, B256, U256};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::Json;
use numo_funding::{FundingMessage, FundingOutcome, SignedTransfer, SignedWithdraw, Transfer, Withdraw};
use numo_stf::signature::verify_signer;
use numo_stf::Signature;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

fn refuse(code: RefusalCode, message: impl Into<String>) -> ApiError {
    ApiError::from(Refusal::new(code, message))
}

fn internal(error: impl std::fmt::Display) -> ApiError {
    refuse(RefusalCode::StorageError, error.to_string())
}

fn field<'a>(body: &'a Value, name: &str) -> Result<&'a str, ApiError> {
    body.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| refuse(RefusalCode::BadRequest, format!("`{name}` (string) is required")))
}

fn address(text: &str, name: &str) -> Result<Address, ApiError> {
    text.parse().map_err(|_| refuse(RefusalCode::BadHex, format!("`{name}` must be a 0x address")))
}

/// The asset id of a symbol (case-insensitive) or a `0x` id of a genesis asset.
fn asset_id(node: &Node, text: &str) -> Result<B256, ApiError> {
    if let Ok(id) = text.parse::<B256>() {
        return Ok(id);
    }
    node.genesis
        .asset(text)
        .map(|a| a.asset_id)
        .ok_or_else(|| refuse(RefusalCode::NotFound, format!("unknown asset `{text}`")))
}

fn symbol(node: &Node, asset_id: &B256) -> String {
    node.genesis.asset_by_id(asset_id).map_or_else(|| asset_id.to_string(), |a| a.symbol.clone())
}

/// The fields a signed Withdraw and Transfer share: `owner`, `nonce`, `asset`, `amount` (base
/// units) and `signature`.
struct SignedFields {
    owner: Address,
    nonce: u64,
    asset_id: B256,
    amount: U256,
    signature: Signature,
}

fn signed_fields(node: &Node, body: &Bytes) -> Result<(Value, SignedFields), ApiError> {
    let body: Value = serde_json::from_slice(body).map_err(|e| refuse(RefusalCode::BadJson, e.to_string()))?;
    let nonce = body
        .get("nonce")
        .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
        .ok_or_else(|| refuse(RefusalCode::BadNumber, "`nonce` must be an unsigned integer"))?;
    let amount: U256 = field(&body, "amount")?
        .parse()
        .map_err(|_| refuse(RefusalCode::BadNumber, "`amount` must be a decimal string of base units"))?;
    let signature_bytes = hex::decode(field(&body, "signature")?)
        .map_err(|_| refuse(RefusalCode::BadHex, "`signature` must be 0x hex"))?;
    let fields = SignedFields {
        owner: address(field(&body, "owner")?, "owner")?,
        nonce,
        asset_id: asset_id(node, field(&body, "asset")?)?,
        amount,
        signature: Signature(
            signature_bytes.try_into().map_err(|_| refuse(RefusalCode::BadLength, "`signature` must be 65 bytes"))?,
        ),
    };
    Ok((body, fields))
}

/// Checks the signature of a signed funding message under the venue's funding domain (F2),
/// queues it (nonce checked against committed and queued ones) and waits for its block: the
/// `msgHash` and, once committed, the receipt; no receipt if the block takes longer than the API
/// waits.
async fn submit_signed(node: &Node, message: FundingMessage) -> Result<(B256, Option<FundingReceipt>), ApiError> {
    let Some(funding) = &node.venue.funding else {
        return Err(refuse(RefusalCode::NotFound, "this venue has no funding context"));
    };
    let msg_hash = message.hash(&funding.domain_separator());
    let (Some(signature), Some(signer)) = (message.signature(), message.signer()) else {
        return Err(internal("only signed funding messages are submitted through the API"));
    };
    verify_signer(&msg_hash, signature, signer).map_err(|e| refuse(RefusalCode::BadSignature, e.to_string()))?;
    let receiver = {
        let chain = node.chain.read().expect("chain lock");
        node.funding.lock().expect("funding lock").add_signed(&chain.full, message)?
    };
    match tokio::time::timeout(crate::api::WAIT_FOR_BLOCK_MAX, receiver).await {
        Ok(Ok(Ok(receipt))) => Ok((msg_hash, Some(receipt))),
        Ok(Ok(Err(reason))) => Err(refuse(RefusalCode::Dropped, format!("dropped: {}", reason.code()))),
        _ => Ok((msg_hash, None)),
    }
}

/// `202 {"msgHash", "status": "queued"}`: accepted, its block not committed within the wait.
fn queued(msg_hash: &B256) -> ApiResult {
    Ok((axum::http::StatusCode::ACCEPTED, Json(json!({ "msgHash": msg_hash, "status": "queued" }))).into_response())
}

fn receipt_json(msg_hash: &B256, receipt: &FundingReceipt) -> Value {
    json!({
        "msgHash": msg_hash,
        "blockHeight": receipt.block_height,
        "batchSeq": receipt.batch_seq,
        "globalIndex": receipt.global_index,
    })
}

/// `POST /v1/withdrawals`: `{"owner", "nonce", "asset", "amount" (base units), "recipient",
/// "signature"}` signed over the Withdraw's `msgHash` under the funding domain (F2). Answered
/// once its block commits, with the withdrawal `id`.
pub async fn submit_withdrawal(State(node): State<Arc<Node>>, body: Bytes) -> ApiResult {
    let (body, fields) = signed_fields(&node, &body)?;
    let withdraw = Withdraw {
        owner: fields.owner,
        nonce: fields.nonce,
        asset_id: fields.asset_id,
        amount: fields.amount,
        recipient: address(field(&body, "recipient")?, "recipient")?,
    };
    let message = FundingMessage::Withdraw(SignedWithdraw { withdraw, signature: fields.signature });
    let (msg_hash, receipt) = submit_signed(&node, message).await?;
    let Some(receipt) = receipt else { return queued(&msg_hash) };
    let mut answer = receipt_json(&msg_hash, &receipt);
    match receipt.outcome {
        FundingOutcome::Withdrawn { id } => {
            answer["id"] = json!(id);
            answer["status"] = json!("pending");
            Ok(Json(answer).into_response())
        }
        FundingOutcome::Rejected(reason) => Err(refuse(
            RefusalCode::FundingRejected(reason),
            format!("withdrawal rejected: {} (funding nonce {} consumed)", reason.name(), withdraw.nonce),
        )),
        other => Err(internal(format!("unexpected withdrawal outcome {other:?}"))),
    }
}

/// `POST /v1/transfers`: `{"owner", "nonce", "asset", "amount" (base units), "to",
/// "signature"}` signed over the Transfer's `msgHash` under the funding domain (F2); `to` may
/// be any address, a contract's included. Answered once its block commits with `status:
/// "transferred"`; a rejection (F7) answers 422 with its reason, the funding nonce consumed.
pub async fn submit_transfer(State(node): State<Arc<Node>>, body: Bytes) -> ApiResult {
    let (body, fields) = signed_fields(&node, &body)?;
    let transfer = Transfer {
        owner: fields.owner,
        nonce: fields.nonce,
        asset_id: fields.asset_id,
        amount: fields.amount,
        to: address(field(&body, "to")?, "to")?,
    };
    let message = FundingMessage::Transfer(SignedTransfer { transfer, signature: fields.signature });
    let (msg_hash, receipt) = submit_signed(&node, message).await?;
    let Some(receipt) = receipt else { return queued(&msg_hash) };
    let mut answer = receipt_json(&msg_hash, &receipt);
    match receipt.outcome {
        FundingOutcome::Transferred => {
            answer["status"] = json!("transferred");
            Ok(Json(answer).into_response())
        }
        FundingOutcome::Rejected(reason) => Err(refuse(
            RefusalCode::FundingRejected(reason),
            format!("transfer rejected: {} (funding nonce {} consumed)", reason.name(), transfer.nonce),
        )),
        other => Err(internal(format!("unexpected transfer outcome {other:?}"))),
    }
}

/// `?owner=0x…` filter of the list endpoints.
#[derive(Deserialize)]
pub struct OwnerQuery {
    owner: Option<String>,
}

fn owner_filter(query: &OwnerQuery) -> Result<Option<Address>, ApiError> {
    query.owner.as_deref().map(|o| address(o, "owner")).transpose()
}

/// The JSON of one withdrawal, with its claim calldata once its batch is settled.
fn withdrawal_json(node: &Node, row: &WithdrawalRow) -> Result<Value, ApiError> {
    let record = &row.record;
    let settled = node.l1.get().is_some_and(|l1| l1.last_settled_batch.load(Relaxed) >= row.batch_seq);
    let claimed = node.l1.get().is_some_and(|l1| l1.is_claimed(record.id));
    let status = if claimed {
        "claimed"
    } else if settled {
        "settled"
    } else {
        "pending"
    };
    let mut out = json!({
        "id": record.id,
        "kind": row.kind.name(),
        "owner": row.owner,
        "asset": symbol(node, &record.asset_id),
        "assetId": record.asset_id,
        "amount": record.amount.to_string(),
        "recipient": record.recipient,
        "batchSeq": row.batch_seq,
        "status": status,
    });
    if settled {
        let batch = node
            .store
            .funding_batch(row.batch_seq)
            .map_err(internal)?
            .ok_or_else(|| internal("funding batch missing"))?;
        let leaves: Vec<B256> = batch.withdrawals.iter().map(|w| w.leaf()).collect();
        let proof = numo_funding::withdrawals::withdrawal_proof(&leaves, row.position as usize)
            .ok_or_else(|| internal("withdrawal position out of range"))?;
        let l1 = node.l1.get().expect("settled implies an L1");
        let data = numo_l1::user::claim_calldata(
            row.batch_seq,
            record.id,
            record.recipient,
            record.asset_id,
            record.amount,
            &proof,
        );
        out["claim"] = json!({ "to": l1.deployment.bridge, "data": hex::encode_prefixed(data) });
        out["proof"] = json!(proof);
    }
    Ok(out)
}

/// `GET /v1/withdrawals?owner=0x…`: withdrawals (and refunds, forced withdrawals) by id.
pub async fn withdrawals(State(node): State<Arc<Node>>, query: Query<OwnerQuery>) -> ApiResult {
    let owner = owner_filter(&query)?;
    let rows = node.store.withdrawals().map_err(internal)?;
    let mut out = Vec::new();
    for row in rows.iter().filter(|r| owner.is_none_or(|o| r.owner == o || r.record.recipient == o)) {
        out.push(withdrawal_json(&node, row)?);
    }
    Ok(Json(out).into_response())
}

/// `GET /v1/withdrawals/{id}`.
pub async fn withdrawal(State(node): State<Arc<Node>>, Path(id): Path<String>) -> ApiResult {
    let id: u64 =
        id.parse().map_err(|_| refuse(RefusalCode::BadNumber, "withdrawal id must be an unsigned integer"))?;
    let row = node
        .store
        .withdrawal(id)
        .map_err(internal)?
        .ok_or_else(|| refuse(RefusalCode::NotFound, "withdrawal not found"))?;
    Ok(Json(withdrawal_json(&node, &row)?).into_response())
}

/// `GET /v1/deposits?owner=0x…`: executed deposits (credited or refunded), by L1 index.
pub async fn deposits(State(node): State<Arc<Node>>, query: Query<OwnerQuery>) -> ApiResult {
    let owner = owner_filter(&query)?;
    let rows = node.store.deposits().map_err(internal)?;
    let out: Vec<Value> = rows
        .iter()
        .filter(|r| owner.is_none_or(|o| r.deposit.to == o || r.deposit.from == o))
        .map(|r| {
            json!({
                "index": r.deposit.index,
                "asset": symbol(&node, &r.deposit.asset_id),
                "assetId": r.deposit.asset_id,
                "from": r.deposit.from,
                "to": r.deposit.to,
                "amount": r.deposit.amount.to_string(),
                "batchSeq": r.batch_seq,
                "blockHeight": r.block_height,
                "status": if r.refund.is_some() { "refunded" } else { "credited" },
                "refundWithdrawalId": r.refund,
            })
        })
        .collect();
    Ok(Json(out).into_response())
}

/// `GET /v1/l1`: the bridge's coordinates and progress.
pub async fn l1(State(node): State<Arc<Node>>) -> ApiResult {
    let Some(l1) = node.l1.get() else {
        return Err(refuse(RefusalCode::NoL1, "this node runs without an L1 (start it with --l1-rpc)"));
    };
    let d = &l1.deployment;
    Ok(Json(json!({
        "chainId": d.l1_chain_id,
        "bridge": d.bridge,
        "verifier": d.verifier,
        "tokens": d.tokens,
        "deployBlock": d.deploy_block,
        "confirmations": l1.confirmations,
        "lastSettledBatch": l1.last_settled_batch.load(Relaxed),
        "listenedBlock": l1.listened_block.load(Relaxed),
        "fundingDomain": node.venue.funding.as_ref().map(|f| f.domain_separator()),
    }))
    .into_response())
}

/// The JSON of a funding batch (`GET /v1/batches/{seq}` when the batch is a funding one).
pub fn funding_batch_json(node: &Node, batch: &StoredFundingBatch) -> Result<Value, ApiError> {
    let verification = match node.store.verification(batch.batch_seq).map_err(internal)? {
        Verification::Pending => "pending",
        Verification::Verified => "verified",
        Verification::Mismatch => "mismatch",
    };
    let pi = &batch.public_inputs;
    let messages: Vec<Value> = batch
        .messages
        .iter()
        .enumerate()
        .map(|(i, (message, outcome))| {
            json!({
                "globalIndex": batch.first_global_index + i as u64,
                "type": message.type_name(),
                "bytes": hex::encode_prefixed(message.encode()),
                "outcome": outcome_json(outcome),
            })
        })
        .collect();
    Ok(json!({
        "kind": "funding",
        "batchSeq": batch.batch_seq,
        "blockHeight": batch.block_height,
        "prevRoot": pi.prev_root,
        "newRoot": pi.new_root,
        "publicInputs": hex::encode_prefixed(pi.encode()),
        "publicInputsDecoded": {
            "prevRoot": pi.prev_root, "newRoot": pi.new_root, "batchDigest": pi.batch_digest,
            "rulesHash": pi.rules_hash, "domainSeparator": pi.domain_separator, "batchSeq": pi.batch_seq,
            "batchTimestamp": pi.batch_timestamp, "daCommitment": pi.da_commitment,
            "depositIndexBefore": pi.deposits_before.next_index, "depositAccBefore": pi.deposits_before.acc,
            "depositIndexAfter": pi.deposits_after.next_index, "depositAccAfter": pi.deposits_after.acc,
            "forcedIndexBefore": pi.forced_before.next_index, "forcedAccBefore": pi.forced_before.acc,
            "forcedIndexAfter": pi.forced_after.next_index, "forcedAccAfter": pi.forced_after.acc,
            "withdrawalsRoot": pi.withdrawals_root,
        },
        "messages": messages,
        "withdrawals": batch.withdrawals.iter().map(|w| json!({
            "id": w.id, "recipient": w.recipient, "assetId": w.asset_id, "amount": w.amount.to_string(),
        })).collect::<Vec<_>>(),
        "verification": verification,
    }))
}

fn outcome_json(outcome: &FundingOutcome) -> Value {
    match outcome {
        FundingOutcome::Credited => json!({ "status": "credited" }),
        FundingOutcome::Refunded { id } => json!({ "status": "refunded", "withdrawalId": id }),
        FundingOutcome::Withdrawn { id } => json!({ "status": "withdrawn", "withdrawalId": id }),
        FundingOutcome::Transferred => json!({ "status": "transferred" }),
        FundingOutcome::Rejected(reason) => json!({ "status": "rejected", "reason": reason.name() }),
        FundingOutcome::Forced(None) => json!({ "status": "forced", "amount": "0" }),
        FundingOutcome::Forced(Some((id, amount))) => {
            json!({ "status": "forced", "withdrawalId": id, "amount": amount.to_string() })
        }
    }
}

//! `numo verify --receipt FILE…`: signed receipts (docs/PROTOCOL.md K6) checked three ways —
//! the signature recovers the named node, the node's chain holds that message at that global
//! index in that block, and no two receipts of one signer contradict each other (the evidence
//! of equivocation that receipts exist for).

use crate::client::{NodeClient, NodeOpts};
use anyhow::{Context, Result};
use numo_node::signer::SignedReceipt;
use serde_json::Value;
use std::path::PathBuf;

/// Checks every receipt; `Ok(false)` when one fails or two conflict (printed).
pub(crate) fn check(node: &NodeOpts, files: &[PathBuf]) -> Result<bool> {
    let mut receipts = Vec::with_capacity(files.len());
    for file in files {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let value: Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
        let receipt = value.get("receipt").cloned().unwrap_or(value);
        let receipt: SignedReceipt =
            serde_json::from_value(receipt).with_context(|| format!("{} holds no receipt", file.display()))?;
        receipts.push((file.display().to_string(), receipt));
    }
    let client = NodeClient::new(node)?;
    let mut ok = true;
    for (name, receipt) in &receipts {
        if let Err(error) = receipt.verify() {
            println!("BAD RECEIPT {name}: {error} ({})", error.code());
            ok = false;
            continue;
        }
        match on_chain(&client, receipt)? {
            None => println!(
                "ok {name}: signed by {}, message {} at global index {} in block {}",
                receipt.signer, receipt.msg_hash, receipt.global_index, receipt.block_height
            ),
            Some(what) => {
                println!("RECEIPT CONTRADICTS THE CHAIN {name}: {what}");
                ok = false;
            }
        }
    }
    for (i, (name_a, a)) in receipts.iter().enumerate() {
        for (name_b, b) in &receipts[i + 1..] {
            if a.verify().is_ok() && b.verify().is_ok() && a.conflicts_with(b) {
                println!(
                    "EVIDENCE against {}: {name_a} and {name_b} place messages {} and {} at global indexes {} and {}",
                    a.signer, a.msg_hash, b.msg_hash, a.global_index, b.global_index
                );
                ok = false;
            }
        }
    }
    Ok(ok)
}

/// `None` when block `blockHeight` of the node holds `msgHash` at `globalIndex`; else what differs.
fn on_chain(client: &NodeClient, receipt: &SignedReceipt) -> Result<Option<String>> {
    let Some(block) = client.get_optional(&format!("/v1/blocks/{}", receipt.block_height))? else {
        return Ok(Some(format!("the node has no block {}", receipt.block_height)));
    };
    for seq in block["batchSeqs"].as_array().context("a block lists its batches")? {
        let batch = client.get(&format!("/v1/batches/{}", seq.as_u64().context("batchSeq")?))?;
        for message in batch["messages"].as_array().map(Vec::as_slice).unwrap_or_default() {
            if message["globalIndex"].as_u64() == Some(receipt.global_index) {
                let found = message["msgHash"].as_str().unwrap_or_default();
                return Ok((found != receipt.msg_hash.to_string()).then(|| {
                    format!("global index {} holds {found}, not {}", receipt.global_index, receipt.msg_hash)
                }));
            }
        }
    }
    Ok(Some(format!("block {} holds no global index {}", receipt.block_height, receipt.global_index)))
}

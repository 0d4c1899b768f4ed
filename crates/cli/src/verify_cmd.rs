//! `numo verify`: an independent verifier that trusts nothing but the spec. It pulls every
//! batch's witness and record over the public API, re-executes the witness with the guest, and
//! checks the PublicInputs, the outcomes and the chain of roots. Any disagreement is a fraud
//! alert (exit 1) naming the batch, the expected and the claimed values.

use crate::client::NodeOpts;
use alloy_primitives::{hex, B256};
use anyhow::{bail, Context, Result};
use clap::Args;
use numo_node::genesis::VenueGenesis;
use numo_stf::MessageOutcome;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args)]
pub(crate) struct VerifyArgs {
    // `--node` (or `NUMO_NODE`), as every command that talks to a node; `--json` prints the
    // report as JSON.
    #[command(flatten)]
    node: NodeOpts,
    /// First batch to check; the chain is anchored at the previous batch's newRoot (or the
    /// genesis root for batch 1).
    #[arg(long, default_value_t = 1)]
    from: u64,
    /// Keep following new batches instead of stopping at the newest.
    #[arg(long)]
    follow: bool,
    /// Genesis root of batch 1's prevRoot (hex). Without it (or --genesis / --dev) the node's
    /// first prevRoot is taken as given, which the report says.
    #[arg(long)]
    genesis_root: Option<B256>,
    /// Compute the genesis root from a genesis TOML file.
    #[arg(long, conflicts_with = "genesis_root")]
    genesis: Option<PathBuf>,
    /// Compute the genesis root from the built-in dev genesis.
    #[arg(long, conflicts_with_all = ["genesis_root", "genesis"])]
    dev: bool,
    /// With --dev: the node was started with `--dev-accounts N` (part of its genesis root).
    #[arg(long, requires = "dev", default_value_t = numo_node::genesis::DEV_ACCOUNT_COUNT)]
    dev_accounts: u32,
    /// Check signed receipts instead of batches (K6; repeatable): each FILE holds a receipt or
    /// a whole `POST /v1/messages` answer. Each signature must recover its signer, the node's
    /// chain must hold that message at that global index in that block, and no two receipts of
    /// one signer may contradict each other (exit 1 with the evidence).
    #[arg(long, value_name = "FILE")]
    receipt: Vec<PathBuf>,
}

/// A verified disagreement between what the node claims and what the spec computes.
struct Fraud {
    batch_seq: u64,
    what: String,
    expected: String,
    claimed: String,
}

pub(crate) fn run(args: VerifyArgs) -> ExitCode {
    if !args.receipt.is_empty() {
        return match crate::receipt_check::check(&args.node, &args.receipt) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(error) => {
                eprintln!("error: {error:#}");
                ExitCode::from(2)
            }
        };
    }
    match verify(&args) {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(fraud)) => {
            let alert = json!({ "fraud": true, "batchSeq": fraud.batch_seq, "what": fraud.what, "expected": fraud.expected, "claimed": fraud.claimed });
            if args.node.json {
                println!("{alert}");
            } else {
                println!(
                    "FRAUD ALERT at batch {}: {}\n  expected {}\n  claimed  {}",
                    fraud.batch_seq, fraud.what, fraud.expected, fraud.claimed
                );
            }
            ExitCode::from(1)
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn genesis_root(args: &VerifyArgs) -> Result<Option<B256>> {
    if let Some(root) = args.genesis_root {
        return Ok(Some(root));
    }
    if args.dev {
        return Ok(Some(VenueGenesis::dev_with_accounts(args.dev_accounts).genesis_root()));
    }
    if let Some(path) = &args.genesis {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return Ok(Some(VenueGenesis::from_toml(&text)?.genesis_root()));
    }
    Ok(None)
}

struct Client {
    http: reqwest::blocking::Client,
    base: String,
}

impl Client {
    /// The batch record, `None` when the node has no such batch yet.
    fn batch(&self, seq: u64) -> Result<Option<Value>> {
        let url = format!("{}/v1/batches/{seq}", self.base);
        let response = self.http.get(&url).send().with_context(|| format!("GET {url}"))?;
        match response.status().as_u16() {
            404 => Ok(None),
            200 => Ok(Some(response.json().context("batch JSON")?)),
            status => bail!("GET /v1/batches/{seq}: HTTP {status}"),
        }
    }

    fn witness(&self, seq: u64) -> Result<Vec<u8>> {
        let url = format!("{}/v1/batches/{seq}/witness", self.base);
        let response = self.http.get(&url).send().with_context(|| format!("GET {url}"))?;
        if !response.status().is_success() {
            bail!("GET /v1/batches/{seq}/witness: HTTP {}", response.status());
        }
        Ok(response.bytes().context("witness bytes")?.to_vec())
    }
}

fn verify(args: &VerifyArgs) -> Result<Option<Fraud>> {
    let client =
        Client { http: reqwest::blocking::Client::new(), base: args.node.node.trim_end_matches('/').to_string() };
    let anchor = match (args.from, genesis_root(args)?) {
        (1, Some(root)) => Some(root),
        (1, None) => None,
        (from, _) => {
            let previous = client.batch(from - 1)?.with_context(|| format!("batch {} not found", from - 1))?;
            Some(field_b256(&previous, "newRoot")?)
        }
    };
    let trusted_anchor = anchor.is_some();
    let mut expected_prev = anchor;
    let mut seq = args.from;
    let mut checked = 0u64;
    loop {
        let Some(record) = client.batch(seq)? else {
            if args.follow {
                std::thread::sleep(Duration::from_millis(200));
                continue;
            }
            break;
        };
        if let Some(fraud) = check_batch(&client, seq, &record, expected_prev)? {
            return Ok(Some(fraud));
        }
        expected_prev = Some(field_b256(&record, "newRoot")?);
        checked += 1;
        if !args.node.json && (args.follow || checked.is_multiple_of(100)) {
            eprintln!("verified batch {seq}");
        }
        seq += 1;
    }
    let report = json!({
        "fraud": false, "batchesVerified": checked, "from": args.from, "lastBatch": seq - 1,
        "lastRoot": expected_prev, "anchoredAtGenesis": trusted_anchor,
    });
    if args.node.json {
        println!("{report}");
    } else {
        println!(
            "OK: {checked} batches verified ({}..={}), last root {}",
            args.from,
            seq - 1,
            expected_prev.map_or("-".into(), |r| r.to_string())
        );
        if !trusted_anchor {
            println!("note: batch {}'s prevRoot was taken from the node (pass --genesis-root, --genesis or --dev to anchor it)", args.from);
        }
    }
    Ok(None)
}

fn field_b256(record: &Value, name: &str) -> Result<B256> {
    record[name]
        .as_str()
        .with_context(|| format!("record has no `{name}`"))?
        .parse()
        .with_context(|| format!("`{name}` is not 32 bytes of hex"))
}

fn fraud(batch_seq: u64, what: &str, expected: impl ToString, claimed: impl ToString) -> Option<Fraud> {
    Some(caught(batch_seq, what, expected, claimed))
}

fn caught(batch_seq: u64, what: &str, expected: impl ToString, claimed: impl ToString) -> Fraud {
    Fraud { batch_seq, what: what.to_string(), expected: expected.to_string(), claimed: claimed.to_string() }
}

/// The root-chain checks every batch kind shares: its public inputs name `seq`, the record's
/// roots are the public inputs' roots, and `prevRoot` continues the previous batch's `newRoot`.
fn check_roots(
    seq: u64,
    record: &Value,
    batch_seq: u64,
    roots: (B256, B256),
    expected_prev: Option<B256>,
) -> Result<Option<Fraud>> {
    if batch_seq != seq {
        return Ok(fraud(seq, "batchSeq", seq, batch_seq));
    }
    for (name, value) in [("prevRoot", roots.0), ("newRoot", roots.1)] {
        let claimed = field_b256(record, name)?;
        if claimed != value {
            return Ok(fraud(seq, &format!("record {name} differs from its public inputs"), value, claimed));
        }
    }
    if let Some(expected) = expected_prev {
        if roots.0 != expected {
            return Ok(fraud(seq, "chain of roots broken: prevRoot is not the previous newRoot", expected, roots.0));
        }
    }
    Ok(None)
}

/// What every batch kind's check starts with: fetch the witness, re-execute it with `run`,
/// and compare the public inputs (`encoded`, with their `batchSeq` and roots) with what the
/// node claims, then the chain of roots. `Ok(Err(fraud))` when the node is caught; `Ok(Ok(o))`
/// hands the guest's output to the kind's own checks.
fn reexecute<O, E: std::fmt::Display>(
    client: &Client,
    seq: u64,
    record: &Value,
    expected_prev: Option<B256>,
    layout: &str,
    run: impl FnOnce(&[u8]) -> Result<O, E>,
    public_inputs: impl FnOnce(&O) -> (Vec<u8>, u64, B256, B256),
) -> Result<Result<O, Fraud>> {
    let claimed_pi = record["publicInputs"].as_str().context("record has no publicInputs")?;
    let blob = client.witness(seq)?;
    let output = match run(&blob) {
        Ok(output) => output,
        Err(error) => {
            let what = "the witness does not re-execute";
            return Ok(Err(caught(seq, what, format!("a valid {layout} witness"), format!("invalid: {error}"))));
        }
    };
    let (encoded, batch_seq, prev_root, new_root) = public_inputs(&output);
    let computed_pi = hex::encode_prefixed(encoded);
    if computed_pi != claimed_pi {
        return Ok(Err(caught(seq, "public inputs differ from the re-execution", computed_pi, claimed_pi)));
    }
    match check_roots(seq, record, batch_seq, (prev_root, new_root), expected_prev)? {
        Some(fraud) => Ok(Err(fraud)),
        None => Ok(Ok(output)),
    }
}

/// Re-executes one funding batch (F12) and compares its public inputs, roots, outcomes and
/// withdrawal records with what the node claims.
fn check_funding_batch(
    client: &Client,
    seq: u64,
    record: &Value,
    expected_prev: Option<B256>,
) -> Result<Option<Fraud>> {
    let output = match reexecute(client, seq, record, expected_prev, "F12", numo_guest::funding::run_funding, |o| {
        let pi = &o.public_inputs;
        (pi.encode().to_vec(), pi.batch_seq, pi.prev_root, pi.new_root)
    })? {
        Ok(output) => output,
        Err(fraud) => return Ok(Some(fraud)),
    };
    let messages = record["messages"].as_array().context("record has no messages")?;
    if messages.len() != output.report.outcomes.len() {
        return Ok(fraud(seq, "message count differs from the witness", output.report.outcomes.len(), messages.len()));
    }
    let withdrawals = record["withdrawals"].as_array().context("record has no withdrawals")?;
    let claimed_ids: Vec<u64> = withdrawals.iter().filter_map(|w| w["id"].as_u64()).collect();
    let computed_ids: Vec<u64> = output.report.withdrawals.iter().map(|w| w.id).collect();
    if claimed_ids != computed_ids {
        return Ok(fraud(seq, "withdrawal records", format!("{computed_ids:?}"), format!("{claimed_ids:?}")));
    }
    Ok(None)
}

/// Re-executes one EVM batch (E11: an EVM block or a system batch) and compares its public
/// inputs, roots, and what the record says it did: the EVM block's hash (E10 `outputDigest`)
/// or the system batch's messages and trades.
fn check_evm_batch(client: &Client, seq: u64, record: &Value, expected_prev: Option<B256>) -> Result<Option<Fraud>> {
    let pi = match reexecute(client, seq, record, expected_prev, "E11", numo_guest::evm::run_evm, |o| {
        let pi = &o.public_inputs;
        (pi.encode().to_vec(), pi.batch_seq, pi.prev_root, pi.new_root)
    })? {
        Ok(output) => output.public_inputs,
        Err(fraud) => return Ok(Some(fraud)),
    };
    match record["phase"].as_str() {
        Some("block") => {
            let claimed = field_b256(&record["evmBlock"], "hash")?;
            if claimed != pi.output_digest {
                return Ok(fraud(seq, "EVM block hash differs from the re-execution", pi.output_digest, claimed));
            }
        }
        Some("system") => {
            let messages = record["messages"].as_array().map_or(0, Vec::len) as u64;
            if messages != pi.count {
                return Ok(fraud(seq, "system message count differs from the witness", pi.count, messages));
            }
        }
        other => return Ok(fraud(seq, "EVM batch phase", "block or system", format!("{other:?}"))),
    }
    Ok(None)
}

/// Re-executes one batch and compares everything the node claims about it.
fn check_batch(client: &Client, seq: u64, record: &Value, expected_prev: Option<B256>) -> Result<Option<Fraud>> {
    match record["kind"].as_str() {
        Some("funding") => return check_funding_batch(client, seq, record, expected_prev),
        Some("evm") => return check_evm_batch(client, seq, record, expected_prev),
        _ => {}
    }
    let output = match reexecute(client, seq, record, expected_prev, "C22", numo_guest::run, |o| {
        let pi = &o.public_inputs;
        (pi.encode().to_vec(), pi.batch_seq, pi.prev_root, pi.new_root)
    })? {
        Ok(output) => output,
        Err(fraud) => return Ok(Some(fraud)),
    };
    let messages = record["messages"].as_array().context("record has no messages")?;
    if messages.len() != output.report.outcomes.len() {
        return Ok(fraud(seq, "message count differs from the witness", output.report.outcomes.len(), messages.len()));
    }
    for (index, (message, outcome)) in messages.iter().zip(&output.report.outcomes).enumerate() {
        let (status, reason) = match outcome {
            MessageOutcome::Rejected(reason) => ("rejected", Some(reason.name())),
            _ => ("accepted", None),
        };
        let claimed = (message["outcome"].as_str().unwrap_or(""), message["reason"].as_str());
        if claimed != (status, reason) {
            return Ok(fraud(
                seq,
                &format!("outcome of message {index}"),
                format!("{status} {reason:?}"),
                format!("{} {:?}", claimed.0, claimed.1),
            ));
        }
    }
    let claimed_trades = record["trades"].as_array().map_or(0, Vec::len);
    if claimed_trades != output.report.trades.len() {
        return Ok(fraud(seq, "trade count", output.report.trades.len(), claimed_trades));
    }
    Ok(None)
}

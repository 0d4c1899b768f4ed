//! Writes the guest input blob of a measured workload batch, for `numo prove` (docs/PROVING.md).
//!
//! `cargo run --release -p numo-prover --example workload_blob -- MESSAGES OUT`
//!
//! The workload is `numo_host::deep_book`, the same as numo-host's batch bench: 64 traders, 40 ask and 40 bid ticks with 4 resting
//! orders each, built by earlier batches. The measured batch has MESSAGES (1–128) messages in
//! the bench's proportions: half crossing takers with several fills each, a quarter Places
//! that open new ticks (hints), a quarter Cancels. Prints the message count, accepted count,
//! trades, touched keys and blob size.

use numo_host::build_batch;
use numo_host::deep_book::DeepBook;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(count), Some(out)) = (args.get(1).and_then(|n| n.parse::<usize>().ok()), args.get(2)) else {
        eprintln!("usage: workload_blob MESSAGES(1-128) OUT");
        std::process::exit(2);
    };
    assert!((1..=128).contains(&count), "MESSAGES must be 1..=128");
    let (mut scenario, mut state) = DeepBook::new();
    let messages = scenario.batch(count);
    let built = build_batch(&mut state, &scenario.ctx, scenario.seq, 0, messages).expect("valid batch");
    std::fs::write(out, &built.blob).expect("writing the blob");
    let accepted = built.report.outcomes.iter().filter(|outcome| outcome.is_accepted()).count();
    println!(
        "{count} messages ({accepted} accepted), {} trades, {} touched keys, blob {} bytes -> {out}",
        built.report.trades.len(),
        built.report.touched.keys().map_or(0, |keys| keys.len()),
        built.blob.len()
    );
}

//! Benchmarks of one 128-message batch on a deep book: native execution (matching only),
//! execution plus the new state root, the full host build (proofs and blob), the guest's
//! re-execution of that blob, and signature recovery. Prints the blob size.
//!
//! The workload is `numo_host::deep_book` (also behind the prover's `workload_blob` example):
//! 64 traders, 40 ask and 40 bid ticks with 4 orders each; the batch has 64 crossing takers
//! (several fills each), 32 Places that link new ticks (hints) and 32 Cancels.

use alloy_primitives::B256;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use numo_host::deep_book::DeepBook;
use numo_host::{build_batch, FullState};
use numo_stf::{execute_messages, validate_batch, DiscoveredHints, Overlay, TouchLog};

fn benches(c: &mut Criterion) {
    let (mut scenario, mut state) = DeepBook::new();
    let messages = scenario.batch(128);
    let ctx = scenario.ctx;
    let seq = scenario.seq;
    let entries: Vec<(B256, Vec<u8>)> = state.entries().map(|(k, v)| (*k, v.clone())).collect();

    let probe =
        build_batch(&mut FullState::from_entries(entries.clone()), &ctx, seq, 0, messages.clone()).expect("valid");
    let accepted = probe.report.outcomes.iter().filter(|o| o.is_accepted()).count();
    println!(
        "batch: {} messages ({} accepted), {} trades, {} touched keys, blob {} bytes ({} per message)",
        messages.len(),
        accepted,
        probe.report.trades.len(),
        probe.report.touched.keys().map_or(0, |k| k.len()),
        probe.blob.len(),
        probe.blob.len() / messages.len()
    );

    let mut group = c.benchmark_group("batch128");
    group.sample_size(20);
    group.bench_function("verify_signatures", |b| b.iter(|| validate_batch(&ctx, seq, &messages).unwrap()));
    group.bench_function("execute_matching_only", |b| {
        b.iter(|| {
            let mut overlay = Overlay::new(&mut state);
            let report = execute_messages(
                &ctx,
                &mut overlay,
                &messages,
                &mut DiscoveredHints::default(),
                TouchLog::digest_only(),
            );
            report.unwrap()
        })
    });
    group.bench_function("execute_and_new_root", |b| {
        b.iter_batched(
            || FullState::from_entries(entries.clone()),
            |mut fresh| {
                let mut overlay = Overlay::new(&mut fresh);
                execute_messages(
                    &ctx,
                    &mut overlay,
                    &messages,
                    &mut DiscoveredHints::default(),
                    TouchLog::digest_only(),
                )
                .unwrap();
                let (_, writes) = overlay.into_parts();
                fresh.apply(writes);
                fresh.root()
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("host_build_with_proofs_and_blob", |b| {
        b.iter_batched(
            || FullState::from_entries(entries.clone()),
            |mut fresh| build_batch(&mut fresh, &ctx, seq, 0, messages.clone()).unwrap(),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("guest_reexecution", |b| b.iter(|| numo_guest::run(&probe.blob).unwrap()));
    group.finish();
}

criterion_group!(batch, benches);
criterion_main!(batch);

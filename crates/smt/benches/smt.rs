//! Criterion benches of the SMT, with a per-key summary next to the hashing floor.
//!
//! The tree has `SMT_BENCH_KEYS` keys (default 1,000,000), built once by `update_batch`.
//! Every routine times only the operation; setup and undo (to keep the tree at its size) run
//! outside the timed region. At the end a table prints each bench per key against the floor of
//! 257 keccak-f calls per key (one leaf hash, 256 node hashes).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{Bencher, Criterion, Throughput};
use numo_smt::{node_hash, verify, PartialTree, Proof, SparseMerkleTree, Update, B256};

mod common;

use common::KeyStream;

/// Hashes of one key write in a full path: one leaf hash and 256 node hashes.
const FLOOR_HASHES_PER_KEY: f64 = 257.0;
/// Keccak calls per timed iteration of the hash bench, so `Instant` overhead vanishes.
const HASHES_PER_ITERATION: usize = 1000;

/// Summary name of the hash bench, the unit of the floor.
const HASH_BENCH: &str = "keccak256 of 65 bytes";

/// Nanoseconds per key of every sample, by bench name.
static SAMPLES: Mutex<BTreeMap<String, Vec<f64>>> = Mutex::new(BTreeMap::new());

/// Times `iters` calls of `one` (each returns its own timed part) and records ns per key.
fn measure(bencher: &mut Bencher<'_>, name: &str, keys: usize, mut one: impl FnMut() -> Duration) {
    bencher.iter_custom(|iters| {
        let total: Duration = (0..iters).map(|_| one()).sum();
        let per_key = total.as_nanos() as f64 / (iters as f64 * keys as f64);
        SAMPLES.lock().unwrap().entry(name.to_owned()).or_default().push(per_key);
        total
    });
}

/// Times `work` alone.
fn time(work: impl FnOnce()) -> Duration {
    let started = Instant::now();
    work();
    started.elapsed()
}

/// A rayon pool of `threads` threads.
fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool")
}

/// The big tree, its keys in insertion order, and a stream of fresh words.
struct Fixture {
    tree: SparseMerkleTree,
    keys: Vec<B256>,
    stream: KeyStream,
    cursor: usize,
}

impl Fixture {
    fn build(count: usize) -> Self {
        let mut stream = KeyStream::new(7);
        let keys = stream.take(count);
        let mut updates: Vec<Update> = keys.iter().map(|key| (*key, Some(*key))).collect();
        let mut tree = SparseMerkleTree::new();
        let elapsed = time(|| tree.update_batch(&mut updates));
        println!("fixture: {count} keys built by update_batch in {elapsed:.2?}");
        Self { tree, keys, stream, cursor: 0 }
    }

    /// The next `count` present keys, cycling through all of them.
    fn existing(&mut self, count: usize) -> Vec<B256> {
        let keys = (0..count).map(|i| self.keys[(self.cursor + i) % self.keys.len()]).collect();
        self.cursor = (self.cursor + count) % self.keys.len();
        keys
    }
}

fn bench_hash(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("hash");
    group.throughput(Throughput::Elements(HASHES_PER_ITERATION as u64));
    group.bench_function("keccak256_65_bytes", |b| {
        let (mut left, right) = (B256::repeat_byte(1), B256::repeat_byte(2));
        measure(b, HASH_BENCH, HASHES_PER_ITERATION, || {
            time(|| {
                for _ in 0..HASHES_PER_ITERATION {
                    left = node_hash(black_box(&left), &right);
                }
            })
        });
    });
}

fn bench_single(criterion: &mut Criterion, fixture: &mut Fixture) {
    let mut group = criterion.benchmark_group("tree");
    group.bench_function("update_existing_key", |b| {
        measure(b, "insert: update existing key", 1, || {
            let key = fixture.existing(1)[0];
            let value = fixture.stream.next_b256();
            time(|| fixture.tree.insert(key, Some(value)))
        });
    });
    group.bench_function("insert_new_key", |b| {
        measure(b, "insert: new key", 1, || {
            let key = fixture.stream.next_b256();
            let elapsed = time(|| fixture.tree.insert(key, Some(key)));
            fixture.tree.insert(key, None);
            elapsed
        });
    });
    group.bench_function("delete_key", |b| {
        measure(b, "insert None: delete key", 1, || {
            let key = fixture.existing(1)[0];
            let elapsed = time(|| fixture.tree.insert(key, None));
            fixture.tree.insert(key, Some(key));
            elapsed
        });
    });
}

/// A batch of `size` writes: all to existing keys, or half existing, a quarter new keys and
/// a quarter deletes. Returns the batch and the writes that undo it.
fn make_batch(fixture: &mut Fixture, size: usize, mixed: bool) -> (Vec<Update>, Vec<Update>) {
    let existing_count = if mixed { size * 3 / 4 } else { size };
    let existing = fixture.existing(existing_count);
    let deletes = if mixed { size / 4 } else { 0 };
    let mut batch = Vec::with_capacity(size);
    let mut undo = Vec::new();
    for (index, key) in existing.iter().enumerate() {
        let delete = index < deletes;
        batch.push((*key, if delete { None } else { Some(fixture.stream.next_b256()) }));
        if delete {
            undo.push((*key, Some(*key)));
        }
    }
    for _ in existing_count..size {
        let key = fixture.stream.next_b256();
        batch.push((key, Some(key)));
        undo.push((key, None));
    }
    (batch, undo)
}

fn bench_batches(criterion: &mut Criterion, fixture: &mut Fixture) {
    for threads in [1, 2] {
        let pool = pool(threads);
        for mixed in [false, true] {
            let kind = if mixed { "mixed" } else { "existing" };
            let mut group = criterion.benchmark_group(format!("update_batch_{kind}_{threads}t"));
            for size in [128, 1_000, 10_000] {
                group.throughput(Throughput::Elements(size as u64));
                let name = format!("update_batch {kind:8} {size:>6} keys, {threads} thread(s)");
                group.bench_function(size.to_string(), |b| {
                    measure(b, &name, size, || {
                        let (mut batch, mut undo) = make_batch(fixture, size, mixed);
                        let elapsed = time(|| pool.install(|| fixture.tree.update_batch(&mut batch)));
                        fixture.tree.update_batch(&mut undo);
                        elapsed
                    });
                });
            }
        }
    }
}

fn bench_prove(criterion: &mut Criterion, fixture: &mut Fixture) {
    let mut group = criterion.benchmark_group("prove");
    group.bench_function("present_key", |b| {
        measure(b, "prove: present key", 1, || {
            let key = fixture.existing(1)[0];
            time(|| drop(black_box(fixture.tree.prove(&key))))
        });
    });
    group.bench_function("absent_key", |b| {
        measure(b, "prove: absent key", 1, || {
            let key = fixture.stream.next_b256();
            time(|| drop(black_box(fixture.tree.prove(&key))))
        });
    });
    group.bench_function("verify_present_key", |b| {
        measure(b, "verify: present key", 1, || {
            let (key, value) = (fixture.existing(1)[0], fixture.stream.next_b256());
            fixture.tree.insert(key, Some(value));
            let (root, proof) = (fixture.tree.root(), fixture.tree.prove(&key));
            time(|| assert!(verify(&root, &key, Some(&value), &proof.siblings())))
        });
    });
}

/// `count` present keys, sorted, with fresh known values and their proofs.
fn proven_keys(fixture: &mut Fixture, count: usize) -> Vec<(B256, B256, Proof)> {
    let mut keys = fixture.existing(count);
    keys.sort();
    let values: Vec<B256> = fixture.stream.take(count);
    let mut writes: Vec<Update> = keys.iter().zip(&values).map(|(k, v)| (*k, Some(*v))).collect();
    fixture.tree.update_batch(&mut writes);
    keys.into_iter().zip(values).map(|(key, value)| (key, value, fixture.tree.prove(&key))).collect()
}

/// Guest work per proof: verify it, write every `stride`-th key, re-root. Proofs of keys that
/// are only read cost their verification alone. Proofs are added one by one (`add_proof`, the
/// zkVM's way) and all at once (`add_proofs`, eight at a time where AVX-512 is there).
fn bench_partial(criterion: &mut Criterion, fixture: &mut Fixture) {
    let mut group = criterion.benchmark_group("partial_tree");
    for (count, stride) in [(128, 1), (1_000, 1), (1_000, 10)] {
        let proofs = proven_keys(fixture, count);
        let root = fixture.tree.root();
        let checks: Vec<_> = proofs.iter().map(|(key, value, proof)| (*key, Some(*value), proof.siblings())).collect();
        for batched in [false, true] {
            let how = if batched { "add_proofs" } else { "add_proof" };
            let name = format!("PartialTree {count:>5} proofs, 1/{stride} written, {how}");
            group.throughput(Throughput::Elements(count as u64));
            group.bench_function(format!("{count}_proofs_1_in_{stride}_written_{how}"), |b| {
                measure(b, &name, count, || {
                    time(|| {
                        let mut partial = PartialTree::new(root);
                        if batched {
                            partial.add_proofs(checks.iter().copied()).unwrap();
                        } else {
                            for (key, value, siblings) in &checks {
                                partial.add_proof(*key, *value, *siblings).unwrap();
                            }
                        }
                        for (key, value, _) in proofs.iter().step_by(stride) {
                            partial.set(key, Some(node_hash(key, value))).unwrap();
                        }
                        black_box(partial.root());
                    })
                });
            });
        }
    }
}

/// Median ns per key of every bench, against 257 keccak calls.
fn print_summary() {
    let samples = SAMPLES.lock().unwrap();
    let median = |values: &Vec<f64>| {
        let mut values = values.clone();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let Some(keccak) = samples.get(HASH_BENCH).map(median) else {
        return;
    };
    let floor = keccak * FLOOR_HASHES_PER_KEY;
    println!("\nkeccak256 of 65 bytes: {keccak:.0} ns; floor per key (257 of them): {:.2} us", floor / 1e3);
    println!("per key, median of samples:");
    for (name, values) in samples.iter().filter(|(name, _)| *name != HASH_BENCH) {
        let ns = median(values);
        println!("  {name:50} {:>9.2} us = {:>5.2} x floor", ns / 1e3, ns / floor);
    }
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    bench_hash(&mut criterion);
    let mut fixture = Fixture::build(common::bench_keys());
    bench_single(&mut criterion, &mut fixture);
    bench_batches(&mut criterion, &mut fixture);
    bench_prove(&mut criterion, &mut fixture);
    bench_partial(&mut criterion, &mut fixture);
    criterion.final_summary();
    print_summary();
}

//! Prints the tree's heap bytes per key at `SMT_BENCH_KEYS` keys (default one million).
//!
//! A counting global allocator tracks live bytes; keys and values are generated before the
//! counted region, and the batch's sort buffer is freed before the second reading.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use numo_smt::{SparseMerkleTree, Update};

mod common;

/// System allocator plus counters of live bytes and live allocations.
struct Counting;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static LIVE_BLOCKS: AtomicUsize = AtomicUsize::new(0);
/// Live bytes as glibc malloc would hold them: 8-byte header, 16-byte multiple, 32 at least.
static LIVE_CHUNK_BYTES: AtomicUsize = AtomicUsize::new(0);

fn chunk_bytes(size: usize) -> usize {
    ((size + 8 + 15) & !15).max(32)
}

// SAFETY: forwards every call to `System` unchanged; the counters have no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        LIVE_CHUNK_BYTES.fetch_add(chunk_bytes(layout.size()), Ordering::Relaxed);
        LIVE_BLOCKS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        LIVE_CHUNK_BYTES.fetch_sub(chunk_bytes(layout.size()), Ordering::Relaxed);
        LIVE_BLOCKS.fetch_sub(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        LIVE_CHUNK_BYTES.fetch_add(chunk_bytes(new_size), Ordering::Relaxed);
        LIVE_CHUNK_BYTES.fetch_sub(chunk_bytes(layout.size()), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Live (requested bytes, glibc chunk bytes, blocks).
fn live() -> [usize; 3] {
    [&LIVE_BYTES, &LIVE_CHUNK_BYTES, &LIVE_BLOCKS].map(|counter| counter.load(Ordering::Relaxed))
}

fn main() {
    let count = common::bench_keys();
    let mut stream = common::KeyStream::new(1);
    let (keys, values) = (stream.take(count), stream.take(count));
    let mut updates: Vec<Update> = keys.into_iter().zip(values).map(|(k, v)| (k, Some(v))).collect();
    // Start rayon's pool outside the counted region.
    rayon::join(|| (), || ());

    let before = live();
    let started = Instant::now();
    let mut tree = SparseMerkleTree::new();
    tree.update_batch(&mut updates);
    let elapsed = started.elapsed();
    let after = live();

    let [bytes, chunk_bytes, blocks] = [0, 1, 2].map(|i| after[i] - before[i]);
    let per_key = |total: usize| total as f64 / count as f64;
    let threads = rayon::current_num_threads();
    println!("keys: {}, built by update_batch in {elapsed:.2?} ({threads} threads)", tree.len());
    println!("tree heap: {bytes} bytes requested in {blocks} blocks");
    println!(
        "per key: {:.1} bytes requested, {:.1} bytes as glibc chunks, {:.2} blocks",
        per_key(bytes),
        per_key(chunk_bytes),
        per_key(blocks)
    );
    std::hint::black_box(tree.root());
}

//! numo's guest as WebAssembly (wasm32-unknown-unknown): re-executes one batch from its witness
//! blob, exactly as the SP1 program does (programs/sp1-batch), and hands back its public inputs,
//! so a browser can check a batch itself (web/src/guest/guest.js is the JavaScript side).
//!
//! A plain `extern "C"` ABI over the module's linear memory (no wasm-bindgen):
//! - `numo_alloc(len) -> ptr` / `numo_free(ptr, len)`: a buffer for the blob;
//! - `numo_run(kind, ptr, len) -> status`: kind 1 trading (C22 blob, 272-byte public inputs),
//!   2 funding (F12 blob, 400 bytes), 3 EVM (E11 blob, 225 bytes); status [`STATUS_OK`],
//!   [`STATUS_INVALID`] (the batch has no valid execution) or [`STATUS_UNKNOWN_KIND`];
//! - `numo_output_ptr()` / `numo_output_len()`: after `STATUS_OK` the public-input bytes,
//!   otherwise the error's stable code (ASCII, e.g. `proof_mismatch`, `malformed`,
//!   `unknown_kind`), the same codes the node and the CLI use;
//! - `numo_message_ptr()` / `numo_message_len()`: the error's message (UTF-8), empty after
//!   `STATUS_OK`;
//! - `numo_abi_version()`: [`ABI_VERSION`].
//!
//! The outputs stay valid until the next `numo_run`. A panic aborts (a wasm trap): the guest
//! returns typed errors for every batch-invalid blob, so a trap is a bug; the JavaScript side
//! then reinstantiates the module.

use core::cell::RefCell;
use numo_guest::kind::{run_kind, BatchKind};
use std::alloc::{alloc, dealloc, Layout};

/// Version of this ABI (bumped if an export changes meaning).
pub const ABI_VERSION: u32 = 1;
/// `numo_run`: the public inputs are in the output.
pub const STATUS_OK: u32 = 0;
/// `numo_run`: the batch is invalid; the output holds the error's stable code.
pub const STATUS_INVALID: u32 = 1;
/// `numo_run`: the kind is not 1, 2 or 3; the output holds `unknown_kind`.
pub const STATUS_UNKNOWN_KIND: u32 = 2;

/// The last run's output and message.
struct Outputs {
    output: Vec<u8>,
    message: Vec<u8>,
}

/// The module's one instance of [`Outputs`] (wasm32-unknown-unknown runs one thread).
struct Slot(RefCell<Outputs>);

// SAFETY: wasm32-unknown-unknown without the atomics feature has a single thread, so the cell is
// never shared between threads.
unsafe impl Sync for Slot {}

static OUTPUTS: Slot = Slot(RefCell::new(Outputs { output: Vec::new(), message: Vec::new() }));

/// The ABI version, for the JavaScript side to check.
#[no_mangle]
pub extern "C" fn numo_abi_version() -> u32 {
    ABI_VERSION
}

/// Allocates `len` bytes (alignment 1) for the caller to fill; never null.
#[no_mangle]
pub extern "C" fn numo_alloc(len: usize) -> *mut u8 {
    if len == 0 {
        return core::ptr::NonNull::<u8>::dangling().as_ptr();
    }
    match Layout::from_size_align(len, 1) {
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => unsafe { alloc(layout) },
        Err(_) => core::ptr::null_mut(),
    }
}

/// Frees a buffer of [`numo_alloc`].
///
/// # Safety
/// `ptr` and `len` come from one `numo_alloc(len)` call, freed once.
#[no_mangle]
pub unsafe extern "C" fn numo_free(ptr: *mut u8, len: usize) {
    if len == 0 || ptr.is_null() {
        return;
    }
    if let Ok(layout) = Layout::from_size_align(len, 1) {
        // SAFETY: the caller passes a live allocation of this layout.
        unsafe { dealloc(ptr, layout) }
    }
}

/// Re-executes the blob at `ptr..ptr + len` as a batch of `kind` and keeps the result for
/// [`numo_output_ptr`] and [`numo_message_ptr`].
///
/// # Safety
/// `ptr..ptr + len` is readable memory of this module (e.g. a [`numo_alloc`] buffer).
#[no_mangle]
pub unsafe extern "C" fn numo_run(kind: u32, ptr: *const u8, len: usize) -> u32 {
    let blob: &[u8] = if len == 0 {
        &[]
    } else {
        // SAFETY: the caller passes readable memory of `len` bytes.
        unsafe { core::slice::from_raw_parts(ptr, len) }
    };
    let (status, output, message) = run(kind, blob);
    let mut outputs = OUTPUTS.0.borrow_mut();
    outputs.output = output;
    outputs.message = message;
    status
}

/// The status, output and message of one run.
fn run(kind: u32, blob: &[u8]) -> (u32, Vec<u8>, Vec<u8>) {
    let kind = u8::try_from(kind).ok().and_then(BatchKind::from_u8);
    let Some(kind) = kind else {
        let message = b"the kind is not 1 (trading), 2 (funding) or 3 (evm)".to_vec();
        return (STATUS_UNKNOWN_KIND, b"unknown_kind".to_vec(), message);
    };
    match run_kind(kind, blob) {
        Ok(public_inputs) => (STATUS_OK, public_inputs, Vec::new()),
        Err(error) => (STATUS_INVALID, error.code().as_bytes().to_vec(), error.to_string().into_bytes()),
    }
}

/// Start of the last run's output.
#[no_mangle]
pub extern "C" fn numo_output_ptr() -> *const u8 {
    OUTPUTS.0.borrow().output.as_ptr()
}

/// Length of the last run's output.
#[no_mangle]
pub extern "C" fn numo_output_len() -> usize {
    OUTPUTS.0.borrow().output.len()
}

/// Start of the last run's error message.
#[no_mangle]
pub extern "C" fn numo_message_ptr() -> *const u8 {
    OUTPUTS.0.borrow().message.as_ptr()
}

/// Length of the last run's error message.
#[no_mangle]
pub extern "C" fn numo_message_len() -> usize {
    OUTPUTS.0.borrow().message.len()
}

// numo's guest in the browser: the same re-execution the SP1 program proves, compiled to
// WebAssembly (programs/wasm-guest, built by scripts/build-wasm-guest.sh into numo_guest.wasm
// beside this file). Plain ES module, no dependencies; works in browsers and in Node >= 20.
//
//   import wasmUrl from './numo_guest.wasm?url';
//   import { loadGuest, fetchWitness, reexecute, toHex } from './guest.js';
//   const guest = await loadGuest(wasmUrl);
//   const { kind, blob } = await fetchWitness(seq);
//   const result = reexecute(guest, kind, blob);
//   if (result.ok) compare toHex(result.publicInputs) with the batch's publicInputs
//   else show result.code (stable, e.g. "proof_mismatch") and result.message
//
// The module's ABI (programs/wasm-guest/src/lib.rs): numo_alloc(len) -> ptr, numo_free(ptr, len),
// numo_run(kind, ptr, len) -> status (0 ok, 1 batch invalid, 2 unknown kind),
// numo_output_ptr()/numo_output_len() (public inputs, or the error's stable code),
// numo_message_ptr()/numo_message_len() (the error's message), numo_abi_version().

/** The ABI version this file speaks. */
export const ABI_VERSION = 1;

/** Kind numbers of the witness endpoint's `x-numo-batch-kind` names (F12). */
export const BATCH_KINDS = Object.freeze({ trading: 1, funding: 2, evm: 3 });

/** Length of the public inputs per kind: trading (section B), funding (F11), EVM (E10). */
export const PUBLIC_INPUTS_LEN = Object.freeze({ trading: 272, funding: 400, evm: 225 });

const STATUS_OK = 0;

/**
 * @typedef {object} GuestExports
 * @property {WebAssembly.Memory} memory
 * @property {() => number} numo_abi_version
 * @property {(len: number) => number} numo_alloc
 * @property {(ptr: number, len: number) => void} numo_free
 * @property {(kind: number, ptr: number, len: number) => number} numo_run
 * @property {() => number} numo_output_ptr
 * @property {() => number} numo_output_len
 * @property {() => number} numo_message_ptr
 * @property {() => number} numo_message_len
 */

/**
 * A loaded guest. Keep one and reuse it: each run frees what it allocated.
 * @typedef {object} Guest
 * @property {WebAssembly.Module} module
 * @property {WebAssembly.Instance} instance
 * @property {GuestExports} exports
 */

/**
 * @typedef {{ok: true, publicInputs: Uint8Array} | {ok: false, code: string, message: string}} ReexecuteResult
 */

/**
 * Compiles and instantiates the guest.
 * @param {WebAssembly.Module | ArrayBuffer | ArrayBufferView | Response | URL | string} wasmBytesOrUrl
 *   the module's bytes, a compiled module, a fetch Response, or its URL (fetched; in Node pass
 *   the bytes, e.g. `await readFile(path)`)
 * @returns {Promise<Guest>}
 */
export async function loadGuest(wasmBytesOrUrl) {
  const module = await compile(wasmBytesOrUrl);
  return instantiate(module);
}

/**
 * @param {WebAssembly.Module | ArrayBuffer | ArrayBufferView | Response | URL | string} source
 * @returns {Promise<WebAssembly.Module>}
 */
async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  const response = typeof Response !== 'undefined' && source instanceof Response ? source : await fetch(source);
  if (!response.ok) throw new Error(`numo guest: fetching the module failed: HTTP ${response.status}`);
  // Streaming compilation needs the application/wasm content type; fall back to the bytes.
  if (WebAssembly.compileStreaming && response.headers.get('content-type') === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * @param {WebAssembly.Module} module
 * @returns {Guest}
 */
function instantiate(module) {
  const instance = new WebAssembly.Instance(module, {});
  const exports = /** @type {GuestExports} */ (/** @type {unknown} */ (instance.exports));
  const version = exports.numo_abi_version();
  if (version !== ABI_VERSION) {
    throw new Error(`numo guest: module ABI version ${version}, this guest.js speaks ${ABI_VERSION}`);
  }
  return { module, instance, exports };
}

/**
 * The kind number of a kind name or number (undefined if unknown).
 * @param {'trading' | 'funding' | 'evm' | string | number} kind
 * @returns {number | undefined}
 */
export function kindNumber(kind) {
  if (typeof kind === 'number') return Number.isInteger(kind) && kind >= 0 && kind <= 0xffffffff ? kind : undefined;
  return Object.prototype.hasOwnProperty.call(BATCH_KINDS, kind) ? BATCH_KINDS[/** @type {'trading'} */ (kind)] : undefined;
}

/**
 * Re-executes one batch from its witness blob, as the SP1 program does, and returns its public
 * inputs, or why the batch has no valid execution (`code` is the node's stable error code, e.g.
 * `proof_mismatch`, `bad_signature`, `malformed`; `unknown_kind` for a kind not 1, 2 or 3;
 * `guest_trap` if the module itself failed, after which it is reinstantiated).
 * @param {Guest} guest from {@link loadGuest}
 * @param {'trading' | 'funding' | 'evm' | number} kind the `x-numo-batch-kind` header, or 1, 2, 3
 * @param {Uint8Array} blob the witness (`GET /v1/batches/{seq}/witness`)
 * @returns {ReexecuteResult}
 */
export function reexecute(guest, kind, blob) {
  const number = kindNumber(kind);
  if (number === undefined) {
    return { ok: false, code: 'unknown_kind', message: `unknown batch kind ${JSON.stringify(kind)}` };
  }
  const x = guest.exports;
  let ptr = 0;
  try {
    ptr = x.numo_alloc(blob.length);
    if (ptr === 0) return { ok: false, code: 'guest_out_of_memory', message: `cannot allocate ${blob.length} bytes` };
    new Uint8Array(x.memory.buffer, ptr, blob.length).set(blob);
    const status = x.numo_run(number, ptr, blob.length);
    // Read after the run: the memory may have grown (a new buffer).
    const output = new Uint8Array(x.memory.buffer, x.numo_output_ptr(), x.numo_output_len()).slice();
    if (status === STATUS_OK) return { ok: true, publicInputs: output };
    const message = new Uint8Array(x.memory.buffer, x.numo_message_ptr(), x.numo_message_len());
    const decoder = new TextDecoder();
    return { ok: false, code: decoder.decode(output), message: decoder.decode(message) };
  } catch (error) {
    // A trap (a bug, or memory exhausted) leaves the instance unusable: start a fresh one.
    const fresh = instantiate(guest.module);
    guest.instance = fresh.instance;
    guest.exports = fresh.exports;
    ptr = 0;
    return { ok: false, code: 'guest_trap', message: String(error && /** @type {Error} */ (error).message || error) };
  } finally {
    if (ptr !== 0) x.numo_free(ptr, blob.length);
  }
}

/**
 * Downloads a batch's witness blob and its kind (`x-numo-batch-kind`).
 * @param {number | bigint | string} seq the batch's sequence number
 * @param {{baseUrl?: string, fetch?: typeof fetch}} [options] `baseUrl` defaults to the page's origin
 * @returns {Promise<{kind: 'trading' | 'funding' | 'evm', blob: Uint8Array}>}
 */
export async function fetchWitness(seq, options = {}) {
  const get = options.fetch ?? fetch;
  const response = await get(`${options.baseUrl ?? ''}/v1/batches/${seq}/witness`);
  if (!response.ok) throw new Error(`witness of batch ${seq}: HTTP ${response.status}`);
  const kind = /** @type {'trading' | 'funding' | 'evm'} */ (response.headers.get('x-numo-batch-kind') ?? 'trading');
  return { kind, blob: new Uint8Array(await response.arrayBuffer()) };
}

/**
 * Lowercase `0x` hex of bytes (the API's format of public inputs).
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function toHex(bytes) {
  let out = '0x';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/**
 * Bytes of hex, with or without `0x` (whitespace ignored).
 * @param {string} hex
 * @returns {Uint8Array}
 */
export function fromHex(hex) {
  const clean = hex.trim().replace(/^0x/i, '').replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error('not hex');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// Types of guest.js: numo's guest (WebAssembly) re-executing one batch in the browser.

/** The ABI version guest.js speaks (the module's numo_abi_version()). */
export const ABI_VERSION: 1;

/** Kind numbers of the witness endpoint's `x-numo-batch-kind` names. */
export const BATCH_KINDS: Readonly<{ trading: 1; funding: 2; evm: 3 }>;

/** Length of the public inputs per kind. */
export const PUBLIC_INPUTS_LEN: Readonly<{ trading: 272; funding: 400; evm: 225 }>;

export type BatchKindName = 'trading' | 'funding' | 'evm';

/** The module's exports (plain extern "C" ABI). */
export interface GuestExports {
  memory: WebAssembly.Memory;
  numo_abi_version(): number;
  numo_alloc(len: number): number;
  numo_free(ptr: number, len: number): void;
  numo_run(kind: number, ptr: number, len: number): number;
  numo_output_ptr(): number;
  numo_output_len(): number;
  numo_message_ptr(): number;
  numo_message_len(): number;
}

/** A loaded guest; reuse it across runs. */
export interface Guest {
  module: WebAssembly.Module;
  instance: WebAssembly.Instance;
  exports: GuestExports;
}

export type ReexecuteResult =
  | { ok: true; publicInputs: Uint8Array }
  | {
      ok: false;
      /** Stable code: the node's batch error codes (e.g. `proof_mismatch`, `bad_signature`,
       * `malformed`), or `unknown_kind`, `guest_trap`, `guest_out_of_memory`. */
      code: string;
      message: string;
    };

/** Compiles and instantiates the guest from its bytes, a compiled module, a Response or its URL. */
export function loadGuest(
  wasmBytesOrUrl: WebAssembly.Module | ArrayBuffer | ArrayBufferView | Response | URL | string,
): Promise<Guest>;

/** The kind number of a kind name or number (undefined if unknown). */
export function kindNumber(kind: BatchKindName | string | number): number | undefined;

/** Re-executes one batch from its witness blob and returns its public inputs or why it is invalid. */
export function reexecute(guest: Guest, kind: BatchKindName | number, blob: Uint8Array): ReexecuteResult;

/** Downloads `GET {baseUrl}/v1/batches/{seq}/witness` and its `x-numo-batch-kind` header. */
export function fetchWitness(
  seq: number | bigint | string,
  options?: { baseUrl?: string; fetch?: typeof fetch },
): Promise<{ kind: BatchKindName; blob: Uint8Array }>;

/** Lowercase `0x` hex of bytes. */
export function toHex(bytes: Uint8Array): string;

/** Bytes of hex, with or without `0x`. */
export function fromHex(hex: string): Uint8Array;

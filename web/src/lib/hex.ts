// Hex <-> bytes and fixed-width big-endian integers: the spec's encodings are all of these.

export function bytesToHex(bytes: Uint8Array): string {
  let out = '0x';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function hexToBytes(hex: string, length?: number, what = 'value'): Uint8Array {
  const text = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) throw new Error(`${what} must be hex`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  if (length !== undefined && out.length !== length) {
    throw new Error(`${what} must be ${length} bytes, got ${out.length}`);
  }
  return out;
}

/** An unsigned integer as exactly `length` big-endian bytes (refused if it does not fit). */
export function uintBytes(value: bigint, length: number, what = 'value'): Uint8Array {
  if (value < 0n || value >= 1n << BigInt(8 * length)) {
    throw new Error(`${what} must be an integer in [0, 2^${8 * length})`);
  }
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** A signed 32-bit integer, two's complement big-endian (the spec's I32). */
export function int32Bytes(value: number, what = 'value'): Uint8Array {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new Error(`${what} must be a 32-bit signed integer`);
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value, false);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Bytes, 0x hex, or an unsigned integer (left-padded) as exactly `length` bytes. */
export function toBytes(value: Uint8Array | string | bigint, length: number, what: string): Uint8Array {
  if (typeof value === 'bigint') return uintBytes(value, length, what);
  if (typeof value === 'string') return hexToBytes(value, length, what);
  if (value.length !== length) throw new Error(`${what} must be ${length} bytes, got ${value.length}`);
  return value;
}

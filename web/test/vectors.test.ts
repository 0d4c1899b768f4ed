// The browser's signing code against the spec vectors (shared/spec/vectors/encodings.json, beside
// the repo root): the same message bytes, hashes, domain separator and signatures as the CLI and
// the Python SDK.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { domainSeparator, encodeMessage, msgHash, type Message } from '../src/lib/encoding';
import { bytesToHex, hexToBytes } from '../src/lib/hex';
import { addressOf, signHash, signMessage } from '../src/lib/signing';

const here = dirname(fileURLToPath(import.meta.url));
const vectors = JSON.parse(readFileSync(resolve(here, '../../../shared/spec/vectors/encodings.json'), 'utf8'));

function fromVector(v: any): Message {
  if (v.type === 'place') {
    return {
      type: 'place',
      trader: v.trader,
      nonce: BigInt(v.nonce),
      orderId: v.orderId,
      side: v.side,
      tif: v.tif,
      tick: v.tickIndex,
      qty: BigInt(v.qtyBase),
    };
  }
  return { type: 'cancel', trader: v.trader, nonce: BigInt(v.nonce), orderId: v.orderId };
}

describe('spec vectors', () => {
  const ds = vectors.domainSeparator;

  it('domain separator', () => {
    expect(bytesToHex(domainSeparator(BigInt(ds.chainId), ds.venueId, ds.marketId))).toBe(ds.value);
  });

  for (const name of Object.keys(vectors.messages)) {
    it(`${name} message bytes, keccak and msgHash`, () => {
      const v = vectors.messages[name];
      const bytes = encodeMessage(fromVector(v));
      expect(bytesToHex(bytes)).toBe(v.bytes);
      expect(bytes.length).toBe(name === 'place' ? 102 : 61);
      expect(bytesToHex(keccak_256(bytes))).toBe(v.keccakOfBytes);
      expect(bytesToHex(msgHash(bytes, ds.value))).toBe(v.msgHash);
    });
  }

  vectors.signatures.forEach((v: any, i: number) => {
    it(`signature ${i}: ${v.note}`, () => {
      const secret = hexToBytes(v.privateKey, 32);
      expect(addressOf(secret)).toBe(v.address.toLowerCase());
      const expected = hexToBytes(v.signature, 65);
      const vOffset = expected[64] >= 27 ? 27 : 0;
      expect(bytesToHex(signHash(hexToBytes(v.digest, 32), secret, vOffset))).toBe(v.signature);
    });
  });

  it('signMessage gives the canonical submission of the place vector', () => {
    const v = vectors.messages.place;
    const sig = vectors.signatures.find((s: any) => s.digest === v.msgHash && /(1b|1c)$/.test(s.signature));
    const body = signMessage(fromVector(v), ds.value, hexToBytes(sig.privateKey, 32));
    expect(body.message).toBe(v.bytes);
    expect(body.signature).toBe(sig.signature);
  });
});

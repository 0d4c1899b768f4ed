// Signing: the key signs the 32-byte msgHash directly (not EIP-191 personal_sign: the 0x19 0x01
// prefix is already inside msgHash). The result is the spec's 65-byte r | s | v, RFC 6979
// deterministic, low s, v in {27, 28} — what eth-account's unsafe_sign_hash gives the Python SDK.

import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, concatBytes, hexToBytes } from './hex';
import { encodeMessage, msgHash, type Message } from './encoding';

export function isValidSecret(secret: Uint8Array): boolean {
  return secp256k1.utils.isValidSecretKey(secret);
}

/** The lowercase 0x address of a secret key: the last 20 bytes of keccak256(uncompressed X|Y). */
export function addressOf(secret: Uint8Array): string {
  const pub = secp256k1.getPublicKey(secret, false);
  return bytesToHex(keccak_256(pub.subarray(1)).subarray(12));
}

/** 65-byte r | s | v of a 32-byte digest; `vOffset` 27 (the SDK's) or 0. */
export function signHash(digest: Uint8Array, secret: Uint8Array, vOffset: 0 | 27 = 27): Uint8Array {
  // 'recovered' is recovery byte first, then r | s (low s is noble's default for secp256k1).
  const rec = secp256k1.sign(digest, secret, { prehash: false, format: 'recovered', lowS: true });
  return concatBytes(rec.subarray(1, 65), Uint8Array.of(rec[0] + vOffset));
}

/** The canonical submission body of `POST /v1/messages`. */
export function signMessage(
  message: Message,
  domain: string | Uint8Array,
  secret: Uint8Array,
): { message: string; signature: string } {
  const bytes = encodeMessage(message);
  const signature = signHash(msgHash(bytes, domain), secret);
  return { message: bytesToHex(bytes), signature: bytesToHex(signature) };
}

export function secretFromHex(hex: string): Uint8Array {
  const secret = hexToBytes(hex.trim(), 32, 'private key');
  if (!isValidSecret(secret)) throw new Error('not a valid secp256k1 private key');
  return secret;
}

export function randomSecret(): Uint8Array {
  return secp256k1.utils.randomSecretKey();
}

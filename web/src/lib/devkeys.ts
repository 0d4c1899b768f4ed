// The dev venue's funded accounts (crates/node/src/genesis.rs dev_account): secret =
// keccak256("numo-dev-account" | u32 big-endian index), hashed again until it is a valid key.
// Public by design — never use them for real funds.

import { keccak_256 } from '@noble/hashes/sha3.js';
import { concatBytes, uintBytes } from './hex';
import { addressOf, isValidSecret } from './signing';

export interface DevAccount {
  index: number;
  address: string;
  secret: Uint8Array;
}

export function devAccount(index: number): DevAccount {
  let seed = keccak_256(concatBytes(new TextEncoder().encode('numo-dev-account'), uintBytes(BigInt(index), 4)));
  while (!isValidSecret(seed)) seed = keccak_256(seed);
  return { index, address: addressOf(seed), secret: seed };
}

export function devAccounts(count: number): DevAccount[] {
  return Array.from({ length: count }, (_, i) => devAccount(i));
}

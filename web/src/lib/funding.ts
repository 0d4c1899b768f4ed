// Funding messages (docs/PROTOCOL.md §11, F1/F2), ported from clients/python/numo_client and
// crates/funding: the browser signs a Withdraw with the numo key exactly as `numo withdraw` does.
//
// Withdraw (0x03, 113 bytes): type U8 | owner ADDR | nonce U64 | assetId B32 | amount U256 |
// recipient ADDR. fundingDomain = keccak256("NUMO_FUNDING_V1" | U64 chainId | B32 venueId).
// msgHash = keccak256(0x19 | 0x01 | fundingDomain | keccak256(messageBytes)) — the same
// construction as an order's, under the venue's funding domain instead of a market's.

import { keccak_256 } from '@noble/hashes/sha3.js';
import { msgHash } from './encoding';
import { bytesToHex, concatBytes, toBytes, uintBytes } from './hex';
import { signHash } from './signing';

export const WITHDRAW_TYPE = 0x03;
export const WITHDRAW_LEN = 113;

type Bytesish = Uint8Array | string | bigint;

export interface Withdraw {
  owner: Bytesish;
  nonce: bigint;
  assetId: Bytesish;
  /** base units of the asset */
  amount: bigint;
  /** the L1 address the tokens go to */
  recipient: Bytesish;
}

export function encodeWithdraw(w: Withdraw): Uint8Array {
  return concatBytes(
    Uint8Array.of(WITHDRAW_TYPE),
    toBytes(w.owner, 20, 'owner'),
    uintBytes(w.nonce, 8, 'nonce'),
    toBytes(w.assetId, 32, 'assetId'),
    uintBytes(w.amount, 32, 'amount'),
    toBytes(w.recipient, 20, 'recipient'),
  );
}

/** The venue's funding domain (F1); a node with an L1 also serves it as `fundingDomain` in `GET /v1/l1`. */
export function fundingDomain(chainId: bigint, venueId: Bytesish): Uint8Array {
  return keccak_256(concatBytes(new TextEncoder().encode('NUMO_FUNDING_V1'), uintBytes(chainId, 8, 'chainId'), toBytes(venueId, 32, 'venueId')));
}

export function withdrawHash(w: Withdraw, domain: Bytesish): Uint8Array {
  return msgHash(encodeWithdraw(w), domain);
}

export interface WithdrawBody {
  owner: string;
  nonce: number;
  asset: string;
  amount: string;
  recipient: string;
  signature: string;
}

/** The body of `POST /v1/withdrawals`, signed by `secret` (65-byte r | s | v, v 27/28). */
export function signWithdraw(w: Withdraw, domain: Bytesish, secret: Uint8Array): { body: WithdrawBody; msgHash: string } {
  if (w.amount <= 0n) throw new Error('amount must be above zero');
  const recipient = toBytes(w.recipient, 20, 'recipient');
  if (recipient.every((b) => b === 0)) throw new Error('the recipient must not be the zero address (the tokens would be burned)');
  const digest = withdrawHash(w, domain);
  return {
    body: {
      owner: bytesToHex(toBytes(w.owner, 20, 'owner')),
      nonce: Number(w.nonce),
      asset: bytesToHex(toBytes(w.assetId, 32, 'assetId')),
      amount: w.amount.toString(),
      recipient: bytesToHex(recipient),
      signature: bytesToHex(signHash(digest, secret)),
    },
    msgHash: bytesToHex(digest),
  };
}

// Message bytes and hashes of NUMO SPOT CLOB V1 (spec section C, C1): fixed-width big-endian
// fields, ported from clients/python/numo_client/encoding.py so the browser signs the same bytes
// as the CLI and the SDK.
//
// Place (0x01, 102 bytes): type U8 | trader ADDR | nonce U64 | orderId B32 | side U8 | tif U32 |
// tickIndex I32 | qtyBase U256. Cancel (0x02, 61 bytes): type U8 | trader ADDR | nonce U64 |
// orderId B32.
// domainSeparator = keccak256("NUMO_SPOT_CLOB_V1" | U64 chainId | B32 venueId | B32 marketId)
// msgHash = keccak256(0x19 | 0x01 | domainSeparator | keccak256(messageBytes))

import { keccak_256 } from '@noble/hashes/sha3.js';
import { concatBytes, int32Bytes, toBytes, uintBytes } from './hex';

export const PLACE_TYPE = 0x01;
export const CANCEL_TYPE = 0x02;
export const BUY = 0;
export const SELL = 1;
export const GTC = 0;
export const IOC = 1;

type Bytesish = Uint8Array | string | bigint;

export interface Place {
  type: 'place';
  trader: Bytesish;
  nonce: bigint;
  orderId: Bytesish;
  /** 0 = buy, 1 = sell */
  side: number;
  /** 0 = GTC, 1 = IOC */
  tif: number;
  /** tick index: price = tick × tickSize */
  tick: number;
  /** base smallest units, a multiple of lotSize */
  qty: bigint;
}

export interface Cancel {
  type: 'cancel';
  trader: Bytesish;
  nonce: bigint;
  orderId: Bytesish;
}

export type Message = Place | Cancel;

const ascii = (s: string) => new TextEncoder().encode(s);

export function encodeMessage(m: Message): Uint8Array {
  const head = [
    Uint8Array.of(m.type === 'place' ? PLACE_TYPE : CANCEL_TYPE),
    toBytes(m.trader, 20, 'trader'),
    uintBytes(m.nonce, 8, 'nonce'),
    toBytes(m.orderId, 32, 'orderId'),
  ];
  if (m.type === 'cancel') return concatBytes(...head);
  return concatBytes(
    ...head,
    uintBytes(BigInt(m.side), 1, 'side'),
    uintBytes(BigInt(m.tif), 4, 'tif'),
    int32Bytes(m.tick, 'tick'),
    uintBytes(m.qty, 32, 'qty'),
  );
}

/** The market's signing domain (the node also serves it in `GET /v1/markets`). */
export function domainSeparator(chainId: bigint, venueId: Bytesish, marketId: Bytesish): Uint8Array {
  return keccak_256(
    concatBytes(
      ascii('NUMO_SPOT_CLOB_V1'),
      uintBytes(chainId, 8, 'chainId'),
      toBytes(venueId, 32, 'venueId'),
      toBytes(marketId, 32, 'marketId'),
    ),
  );
}

/** The digest a trader signs: keccak256(0x19 0x01 | domainSeparator | keccak256(bytes)). */
export function msgHash(message: Message | Uint8Array, domain: Bytesish): Uint8Array {
  const raw = message instanceof Uint8Array ? message : encodeMessage(message);
  return keccak_256(concatBytes(Uint8Array.of(0x19, 0x01), toBytes(domain, 32, 'domainSeparator'), keccak_256(raw)));
}

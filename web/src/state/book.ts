// The L2 book of the selected market, written by the WebSocket (snapshot + per-block deltas),
// the REST fallback and the ?bench=book generator alike. Levels live in maps (tick → qty) that
// are mutated in place; views read them once per animation frame (FrameStore), so a thousand
// updates a second cost one render a frame.

import type { Level } from '../lib/api';
import { FrameStore } from './store';

export type Side = 'bids' | 'asks';

export interface BookState {
  marketId: string | null;
  /** height of the block the book reflects (WS seq); -1 before any data */
  seq: number;
  bids: Map<number, bigint>;
  asks: Map<number, bigint>;
  /** bumped on every change, so views can tell */
  version: number;
  /** the data came from a snapshot (REST or WS), not only from nothing */
  loaded: boolean;
}

export class BookStore extends FrameStore<BookState> {
  constructor() {
    super({ marketId: null, seq: -1, bids: new Map(), asks: new Map(), version: 0, loaded: false });
  }

  reset(marketId: string | null): void {
    this.value = { marketId, seq: -1, bids: new Map(), asks: new Map(), version: this.value.version + 1, loaded: false };
    this.notify();
  }

  /** A full snapshot (REST or WS `book_snapshot`) replaces both sides. */
  snapshot(marketId: string, seq: number, bids: Level[], asks: Level[]): void {
    if (this.value.marketId !== marketId) return;
    const v = this.value;
    v.bids = new Map(bids.map((l) => [l.tick, BigInt(l.qty)]));
    v.asks = new Map(asks.map((l) => [l.tick, BigInt(l.qty)]));
    v.seq = seq;
    v.loaded = true;
    v.version++;
    this.notify();
  }

  /** A WS `book_delta`: applied only on top of the block it follows. Returns false on a gap
   *  (the caller then asks for a fresh snapshot). */
  delta(marketId: string, seq: number, prevSeq: number, bids: Level[], asks: Level[]): boolean {
    const v = this.value;
    if (v.marketId !== marketId) return true;
    if (prevSeq !== v.seq) return false;
    for (const l of bids) this.write(v.bids, l.tick, BigInt(l.qty));
    for (const l of asks) this.write(v.asks, l.tick, BigInt(l.qty));
    v.seq = seq;
    v.version++;
    this.notify();
    return true;
  }

  /** One level's new total (0 removes it): the unit the stream and the bench both feed. */
  setLevel(side: Side, tick: number, qty: bigint): void {
    this.write(this.value[side], tick, qty);
    this.value.version++;
    this.notify();
  }

  private write(levels: Map<number, bigint>, tick: number, qty: bigint): void {
    if (qty === 0n) levels.delete(tick);
    else levels.set(tick, qty);
  }
}

export interface GroupedLevel {
  tick: number;
  qty: bigint;
  /** cumulative size from the best level to this one */
  total: bigint;
}

/** The best `rows` levels of a side, grouped to `group` ticks (bids floor, asks ceil: a group
 *  never shows a better price than its orders). */
export function groupLevels(levels: Map<number, bigint>, side: Side, group: number, rows: number): GroupedLevel[] {
  const grouped = new Map<number, bigint>();
  for (const [tick, qty] of levels) {
    const g = side === 'bids' ? Math.floor(tick / group) * group : Math.ceil(tick / group) * group;
    grouped.set(g, (grouped.get(g) ?? 0n) + qty);
  }
  const ticks = [...grouped.keys()].sort((a, b) => (side === 'bids' ? b - a : a - b)).slice(0, rows);
  let total = 0n;
  return ticks.map((tick) => {
    const qty = grouped.get(tick)!;
    total += qty;
    return { tick, qty, total };
  });
}

// The book store: snapshot, deltas applied only in sequence (a gap is reported so the caller
// resubscribes), removals, grouping, and notification coalesced to one per frame.
import { describe, expect, it, vi } from 'vitest';
import { BookStore, groupLevels } from '../src/state/book';

const lvl = (tick: number, qty: string) => ({ tick, price: '0', qty });

describe('book store', () => {
  it('applies a snapshot then deltas in order, and reports gaps', () => {
    const b = new BookStore();
    b.reset('m');
    b.snapshot('m', 5, [lvl(99, '10'), lvl(98, '5')], [lvl(101, '7')]);
    expect(b.get().seq).toBe(5);
    expect(b.delta('m', 6, 5, [lvl(99, '0'), lvl(97, '3')], [lvl(101, '2')])).toBe(true);
    expect([...b.get().bids]).toEqual([[98, 5n], [97, 3n]]);
    expect(b.get().asks.get(101)).toBe(2n);
    // a delta that does not follow seq 6 is a gap: nothing applied
    expect(b.delta('m', 9, 8, [lvl(50, '1')], [])).toBe(false);
    expect(b.get().bids.has(50)).toBe(false);
    expect(b.get().seq).toBe(6);
    // another market's frames are ignored
    expect(b.delta('other', 7, 6, [lvl(1, '1')], [])).toBe(true);
    expect(b.get().bids.has(1)).toBe(false);
  });

  it('groups bids down and asks up, with cumulative totals', () => {
    const bids = new Map<number, bigint>([[105, 1n], [109, 2n], [95, 4n]]);
    expect(groupLevels(bids, 'bids', 10, 5)).toEqual([
      { tick: 100, qty: 3n, total: 3n },
      { tick: 90, qty: 4n, total: 7n },
    ]);
    const asks = new Map<number, bigint>([[101, 1n], [110, 2n], [111, 4n]]);
    expect(groupLevels(asks, 'asks', 10, 1)).toEqual([{ tick: 110, qty: 3n, total: 3n }]);
  });

  it('notifies once per frame however many updates', () => {
    vi.stubGlobal('document', { hidden: false });
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
    const b = new BookStore();
    b.reset('m');
    frames.splice(0).forEach((f) => f(0));
    let renders = 0;
    b.subscribe(() => renders++);
    for (let i = 0; i < 1000; i++) b.setLevel('bids', 100 + (i % 50), BigInt(i));
    expect(frames.length).toBe(1);
    frames.splice(0).forEach((f) => f(16));
    expect(renders).toBe(1);
    vi.unstubAllGlobals();
  });
});

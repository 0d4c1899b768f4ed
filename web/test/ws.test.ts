// The WebSocket client: subscriptions are sent on open, all of them again after a reconnect,
// frames reach the handler of their subscription, and an unsubscribe is not resent.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { frameKey, WsClient } from '../src/lib/ws';

class FakeSocket {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: any[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: object) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  FakeSocket.all = [];
});

describe('ws client', () => {
  it('routes frames by subscription', () => {
    expect(frameKey({ type: 'book_delta', market: '0xAB' })).toBe('book:0xab');
    expect(frameKey({ type: 'trades', market: '0xab' })).toBe('trades:0xab');
    expect(frameKey({ type: 'account', address: '0xCD' })).toBe('account:0xcd');
    expect(frameKey({ type: 'subscribed' })).toBe(null);
  });

  it('resubscribes everything after a reconnect', () => {
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
    const ws = new WsClient('ws://x/v1/ws');
    const statuses: string[] = [];
    ws.onStatus((s) => statuses.push(s));
    ws.start();
    const book: any[] = [];
    ws.subscribe('book', { market: '0xab', depth: 50 }, (f) => book.push(f));
    const offTrades = ws.subscribe('trades', { market: '0xab' }, () => {});
    ws.subscribe('account', { address: '0xcd' }, () => {});
    const first = FakeSocket.all[0];
    first.open();
    expect(first.sent.map((f) => f.channel)).toEqual(['book', 'trades', 'account']);
    first.receive({ type: 'book_snapshot', market: '0xab', seq: 3, bids: [], asks: [] });
    expect(book).toHaveLength(1);

    offTrades();
    expect(first.sent.at(-1)).toEqual({ op: 'unsubscribe', channel: 'trades', market: '0xab' });
    first.close();
    expect(statuses.at(-1)).toBe('reconnecting');
    vi.advanceTimersByTime(1000);
    const second = FakeSocket.all[1];
    expect(second).toBeDefined();
    second.open();
    expect(statuses.at(-1)).toBe('live');
    expect(second.sent).toEqual([
      { op: 'subscribe', channel: 'book', market: '0xab', depth: 50 },
      { op: 'subscribe', channel: 'account', address: '0xcd' },
    ]);
  });

  it('backs off while the node is away', () => {
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
    const ws = new WsClient('ws://x/v1/ws');
    ws.start();
    for (let i = 0; i < 4; i++) {
      FakeSocket.all.at(-1)!.close();
      vi.advanceTimersByTime(200);
    }
    // 0.5 s (±25 %) then 1 s: after 800 ms in total at most two new sockets
    expect(FakeSocket.all.length).toBeLessThanOrEqual(3);
  });
});

// ?bench=book: feed synthetic level updates into the same book store the WebSocket writes,
// at `rate` updates/s for `duration` s, while measuring frames (requestAnimationFrame) and long
// tasks (PerformanceObserver), then publish the result as window.__numoBench.

import { book } from './state/app';

declare global {
  interface Window {
    __numoBench?: {
      updates: number;
      seconds: number;
      frames: number;
      fps: number;
      droppedFrames: number;
      maxFrameMs: number;
      p99FrameMs: number;
      longTasks: number;
    };
    __numoFirstRender?: number;
  }
}

export function benchParams(): { rate: number; duration: number } | null {
  const q = new URLSearchParams(location.search);
  if (q.get('bench') !== 'book') return null;
  return { rate: Number(q.get('rate') ?? 1000) || 1000, duration: Number(q.get('duration') ?? 5) || 5 };
}

/** Starts once the real market's book has data (so the levels sit around its real mid). */
export function runBookBench(rate: number, duration: number): void {
  const state = book.get();
  const bestBid = Math.max(0, ...state.bids.keys());
  const bestAsk = Math.min(...state.asks.keys());
  const mid = Number.isFinite(bestAsk) && bestBid > 0 ? Math.round((bestAsk + bestBid) / 2) : bestBid > 0 ? bestBid + 1 : Number.isFinite(bestAsk) ? bestAsk - 1 : 300000;
  // Deterministic pseudo-random stream (xorshift), so runs are comparable.
  let x = 0x9e3779b9;
  const rand = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };

  const frames: number[] = [];
  let longTasks = 0;
  let observer: PerformanceObserver | null = null;
  try {
    observer = new PerformanceObserver((list) => (longTasks += list.getEntries().length));
    observer.observe({ type: 'longtask', buffered: false });
  } catch {
    observer = null;
  }

  const start = performance.now();
  const end = start + duration * 1000;
  let fed = 0;
  let last = start;
  const onFrame = (t: number) => {
    frames.push(t - last);
    last = t;
    if (t < end) requestAnimationFrame(onFrame);
  };
  requestAnimationFrame((t) => {
    last = t;
    requestAnimationFrame(onFrame);
  });

  const feed = () => {
    const now = performance.now();
    const due = Math.min(rate * duration, Math.floor(((now - start) / 1000) * rate));
    for (; fed < due; fed++) {
      const offset = 1 + Math.floor(rand() * 40);
      const side = rand() < 0.5 ? 'bids' : 'asks';
      const tick = side === 'bids' ? mid - offset : mid + offset;
      // One in five updates removes the level, as cancels and fills do.
      const qty = rand() < 0.2 ? 0n : BigInt(1 + Math.floor(rand() * 5000)) * 10n ** 14n;
      book.setLevel(side, tick, qty);
    }
    if (now < end) setTimeout(feed, 4);
    else setTimeout(finish, 50);
  };
  const finish = () => {
    observer?.disconnect();
    const seconds = (performance.now() - start) / 1000;
    const sorted = [...frames].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
    const result = {
      updates: fed,
      seconds: Math.round(seconds * 1000) / 1000,
      frames: frames.length,
      fps: Math.round((frames.length / duration) * 10) / 10,
      droppedFrames: frames.filter((f) => f > median * 1.5).length,
      maxFrameMs: Math.round((sorted[sorted.length - 1] ?? 0) * 10) / 10,
      p99FrameMs: Math.round(p99 * 10) / 10,
      longTasks,
    };
    window.__numoBench = result;
    console.info('numo book bench', result);
  };
  setTimeout(feed, 4);
}

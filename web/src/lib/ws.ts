// The node's WebSocket streams (docs/CLIENTS.md "Live streams") with reconnect and resubscribe:
// the client remembers every subscription and sends them all again after each reconnect (a book
// subscription then brings a fresh snapshot, which is how a book resyncs). Reconnects back off
// exponentially (0.5 s doubling to 10 s, with jitter) and reset once a connection has lived.

export type WsStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';
type Frame = Record<string, any>;
type Handler = (frame: Frame) => void;

interface Sub {
  request: Frame;
  handler: Handler;
}

export function subKey(channel: string, target?: string): string {
  return target ? `${channel}:${target.toLowerCase()}` : channel;
}

/** The subscription a data frame belongs to. */
export function frameKey(frame: Frame): string | null {
  switch (frame.type) {
    case 'book_snapshot':
    case 'book_delta':
      return subKey('book', frame.market);
    case 'trades':
      return subKey('trades', frame.market);
    case 'account':
      return subKey('account', frame.address);
    case 'block':
      return 'blocks';
    default:
      return null;
  }
}

export class WsClient {
  private socket: WebSocket | null = null;
  private subs = new Map<string, Sub>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private openedAt = 0;
  private listeners = new Set<(s: WsStatus) => void>();
  status: WsStatus = 'connecting';

  constructor(private readonly url: string) {}

  start(): void {
    this.connect();
  }

  onStatus(fn: (s: WsStatus) => void): () => void {
    this.listeners.add(fn);
    fn(this.status);
    return () => this.listeners.delete(fn);
  }

  /** Subscribe (now if connected, and again after every reconnect); returns the unsubscribe. */
  subscribe(channel: string, target: { market?: string; address?: string; depth?: number }, handler: Handler): () => void {
    const key = subKey(channel, target.market ?? target.address);
    const request: Frame = { op: 'subscribe', channel, ...target };
    this.subs.set(key, { request, handler });
    this.send(request);
    return () => {
      if (this.subs.get(key)?.handler !== handler) return;
      this.subs.delete(key);
      const { depth: _depth, ...rest } = request;
      this.send({ ...rest, op: 'unsubscribe' });
    };
  }

  /** Ask for a fresh book snapshot (after a gap in the deltas). */
  resubscribe(channel: string, target: string): void {
    const sub = this.subs.get(subKey(channel, target));
    if (sub) this.send(sub.request);
  }

  private setStatus(s: WsStatus): void {
    this.status = s;
    for (const fn of this.listeners) fn(s);
  }

  private send(frame: Frame): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  private connect(): void {
    this.timer = null;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.openedAt = Date.now();
      this.setStatus('live');
      for (const sub of this.subs.values()) this.send(sub.request);
    };
    socket.onmessage = (ev) => {
      let frame: Frame;
      try {
        frame = JSON.parse(ev.data as string);
      } catch {
        return;
      }
      const key = frameKey(frame);
      if (key) this.subs.get(key)?.handler(frame);
      else if (frame.type === 'error') console.warn('numo ws error', frame.code, frame.message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    };
    socket.onerror = () => socket.close();
  }

  private scheduleReconnect(): void {
    if (this.timer) return;
    // A connection that lived 10 s was healthy: start the backoff over.
    if (Date.now() - this.openedAt > 10_000) this.attempt = 0;
    const base = Math.min(10_000, 500 * 2 ** this.attempt);
    this.attempt++;
    this.setStatus(this.attempt > 5 ? 'offline' : 'reconnecting');
    this.timer = setTimeout(() => this.connect(), base * (0.75 + Math.random() * 0.5));
  }
}

export function wsUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/v1/ws`;
}

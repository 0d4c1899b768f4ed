// The app's state and the actions that change it: markets, the selected market's book and
// trades, the selected account and its history, the connection. Views read the stores; only
// the functions here talk to the node.

import { api, type Account, type Fill, type Info, type Market, type OrderRecord, type Ticker, type Trade } from '../lib/api';
import type { Message } from '../lib/encoding';
import { ApiError } from '../lib/errors';
import { browserKeys, devKeyEntries, type KeyEntry } from '../lib/keys';
import { signMessage } from '../lib/signing';
import { Grid } from '../lib/units';
import { WsClient, wsUrl, type WsStatus } from '../lib/ws';
import { BookStore } from './book';
import { FrameStore, Store } from './store';

export const BOOK_DEPTH = 50;
const MARKET_ITEM = 'numo.market';
const ACCOUNT_ITEM = 'numo.account';

export interface NodeMode {
  dev: boolean;
  devCount: number;
  info: Info | null;
}

export const ws = new WsClient(wsUrl());
export const book = new BookStore();
export const trades = new FrameStore<Trade[]>([]);
export const markets = new Store<Market[]>([]);
export const market = new Store<Market | null>(null);
export const mode = new Store<NodeMode>({ dev: false, devCount: 0, info: null });
export const tickers = new Store<Record<string, Ticker>>({});
export const keys = new Store<KeyEntry[]>([]);
export const account = new Store<string | null>(null);
export const accountData = new Store<Account | null>(null);
/** Fills and order history: the node's account endpoints, or what this session saw on the
 *  account stream when the node does not serve them (`served` false). */
export const fills = new Store<{ served: boolean; rows: Fill[] }>({ served: true, rows: [] });
export const orderHistory = new Store<{ served: boolean; rows: OrderRecord[] }>({ served: true, rows: [] });
export const wsStatus = new Store<WsStatus>('connecting');
export const loadError = new Store<string | null>(null);

export const gridOf = (m: Market) =>
  new Grid({
    tickSize: BigInt(m.tickSize),
    lotSize: BigInt(m.lotSize),
    priceScale: BigInt(m.priceScale),
    baseDecimals: m.baseDecimals,
    quoteDecimals: m.quoteDecimals,
  });

export const marketById = (id: string | undefined) => markets.get().find((m) => m.marketId.toLowerCase() === id?.toLowerCase());
export const urlSymbol = (m: Market) => m.symbol.replace('/', '-');

function remember(item: string, value: string): void {
  try {
    localStorage.setItem(item, value);
  } catch {
    /* private mode: nothing remembered */
  }
}

function recall(item: string): string | null {
  try {
    return localStorage.getItem(item);
  } catch {
    return null;
  }
}

// ---- start ---------------------------------------------------------------------------------

export async function start(): Promise<void> {
  let wasLive = false;
  ws.onStatus((s) => {
    if (s === 'live' && wasLive) catchUp();
    if (s === 'live') wasLive = true;
    wsStatus.set(s);
  });
  ws.start();
  // A node that is down or restarting when the page opens: say so, and keep trying.
  let list: Market[] | null = null;
  for (let wait = 1000; list === null; wait = Math.min(wait * 2, 10_000)) {
    try {
      list = await api.markets();
    } catch (e) {
      loadError.set(`${e instanceof Error ? e.message : String(e)} — retrying`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  loadError.set(null);
  markets.set(list);
  const wanted = recall(MARKET_ITEM);
  const first = list.find((m) => urlSymbol(m) === wanted) ?? list[0];
  if (first) selectMarket(first);
  await detectMode(list);
  refreshKeys();
  const saved = recall(ACCOUNT_ITEM);
  const all = keys.get();
  const pick = all.find((k) => k.address === saved) ?? all[0];
  if (pick) selectAccount(pick.address);
  refreshTickers();
  setInterval(refreshTickers, 10_000);
}

/** Dev mode per `GET /v1/info`; on a node without it, the dev chain (7357) whose dev account 0
 *  is funded is taken as dev with its ten accounts. */
async function detectMode(list: Market[]): Promise<void> {
  try {
    const info = await api.info();
    mode.set({ dev: info.mode === 'dev', devCount: info.devAccounts ?? (info.mode === 'dev' ? 10 : 0), info });
    return;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) console.warn('info', e);
  }
  if (list[0]?.chainId !== 7357) return;
  const [zero] = devKeyEntries(1);
  try {
    const acct = await api.account(zero.address);
    if (acct.balances.some((b) => BigInt(b.available) + BigInt(b.locked) > 0n)) mode.set({ dev: true, devCount: 10, info: null });
  } catch {
    /* not dev */
  }
}

export function refreshKeys(): void {
  const m = mode.get();
  keys.set([...(m.dev ? devKeyEntries(m.devCount) : []), ...browserKeys()]);
}

async function refreshTickers(): Promise<void> {
  try {
    const list = await api.tickers();
    tickers.set(Object.fromEntries(list.map((t) => [t.marketId.toLowerCase(), t])));
  } catch {
    /* older node: the header falls back to the last trade */
  }
}

// ---- market --------------------------------------------------------------------------------

let marketSubs: (() => void)[] = [];
const tradeKey = (t: Trade) => `${t.batchSeq}:${t.globalIndex}:${t.makerOrderId}:${t.takerOrderId}`;
const MAX_TRADES = 100;

export function selectMarket(m: Market): void {
  for (const off of marketSubs) off();
  marketSubs = [];
  market.set(m);
  remember(MARKET_ITEM, urlSymbol(m));
  const id = m.marketId.toLowerCase();
  book.reset(id);
  trades.set([]);

  // REST first for a fast first paint; the WS snapshot supersedes it once it arrives.
  api.book(m.marketId, BOOK_DEPTH).then(
    (b) => {
      if (book.get().marketId === id && book.get().seq < 0) book.snapshot(id, -1, b.bids, b.asks);
    },
    (e) => console.warn('book', e),
  );
  api.trades(m.marketId, MAX_TRADES).then(
    (list) => {
      if (market.get() !== m) return;
      mergeTrades(list, false);
    },
    (e) => console.warn('trades', e),
  );

  marketSubs.push(
    ws.subscribe('book', { market: id, depth: BOOK_DEPTH }, (f) => {
      if (f.type === 'book_snapshot') book.snapshot(id, f.seq, f.bids, f.asks);
      else if (f.type === 'book_delta' && !book.delta(id, f.seq, f.prevSeq, f.bids, f.asks)) ws.resubscribe('book', id);
    }),
    ws.subscribe('trades', { market: id }, (f) => {
      const now = Date.now();
      const fresh: Trade[] = (f.trades as Trade[]).map((t) => ({
        ...t,
        blockHeight: t.blockHeight ?? f.height,
        timestampMs: t.timestampMs ?? now,
      }));
      mergeTrades(fresh.reverse(), true);
      tradeListeners.forEach((fn) => fn(fresh));
    }),
  );
}

/** Merge newest-first `list` into the tape, newest first by execution order (batchSeq, then
 *  globalIndex; a stable sort keeps the fills of one message as they came), so a late REST
 *  answer or a refetch after a reconnect lands where it belongs. */
function mergeTrades(list: Trade[], onTop: boolean): void {
  const seen = new Set(trades.get().map(tradeKey));
  const add = list.filter((t) => !seen.has(tradeKey(t)));
  if (!add.length) return;
  const merged = onTop ? [...add, ...trades.get()] : [...trades.get(), ...add];
  merged.sort((a, b) => b.batchSeq - a.batchSeq || b.globalIndex - a.globalIndex);
  trades.set(merged.slice(0, MAX_TRADES));
}

/** After a reconnect: what happened while the socket was down comes from REST (the book
 *  resyncs itself from the snapshot its resubscription brings). */
function catchUp(): void {
  const m = market.get();
  if (m) api.trades(m.marketId, MAX_TRADES).then((list) => market.get() === m && mergeTrades(list, false), () => undefined);
  scheduleAccountRefresh();
}

const tradeListeners = new Set<(t: Trade[]) => void>();
/** Live trades of the selected market as they arrive (the chart's candles follow them). */
export function onLiveTrades(fn: (t: Trade[]) => void): () => void {
  tradeListeners.add(fn);
  return () => tradeListeners.delete(fn);
}

// ---- account -------------------------------------------------------------------------------

let accountSub: (() => void) | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;

export function selectAccount(address: string | null): void {
  accountSub?.();
  accountSub = null;
  account.set(address);
  accountData.set(null);
  fills.set({ served: true, rows: [] });
  orderHistory.set({ served: true, rows: [] });
  if (!address) return;
  remember(ACCOUNT_ITEM, address);
  accountSub = ws.subscribe('account', { address }, (f) => {
    if (account.get() !== address) return;
    if (!fills.get().served) {
      const fresh = ((f.fills ?? []) as Fill[]).map((t) => ({ ...t, blockHeight: t.blockHeight ?? f.height }));
      fills.set({ served: false, rows: [...fresh.reverse(), ...fills.get().rows].slice(0, 200) });
    }
    if (!orderHistory.get().served) {
      const fresh = ((f.orders ?? []) as OrderRecord[]).filter((o) => o.kind !== 'fill').map((o) => ({ ...o, blockHeight: f.height }));
      orderHistory.set({ served: false, rows: [...fresh.reverse(), ...orderHistory.get().rows].slice(0, 200) });
    }
    scheduleAccountRefresh();
  });
  refreshAccount();
}

export function scheduleAccountRefresh(): void {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    refreshAccount();
  }, 100);
}

export async function refreshAccount(): Promise<void> {
  const address = account.get();
  if (!address) return;
  const [acct, f, o] = await Promise.allSettled([api.account(address), api.accountTrades(address, 100), api.accountOrders(address, 100)]);
  if (account.get() !== address) return;
  if (acct.status === 'fulfilled') accountData.set(acct.value);
  if (f.status === 'fulfilled') fills.set({ served: true, rows: f.value });
  else if (f.reason instanceof ApiError && f.reason.status === 404 && fills.get().served) fills.set({ served: false, rows: [] });
  if (o.status === 'fulfilled') orderHistory.set({ served: true, rows: o.value });
  else if (o.reason instanceof ApiError && o.reason.status === 404 && orderHistory.get().served)
    orderHistory.set({ served: false, rows: [] });
}

// ---- signing and submitting ----------------------------------------------------------------

export interface PlaceArgs {
  market: Market;
  side: 'buy' | 'sell';
  tif: 'gtc' | 'ioc';
  tick: number;
  qty: bigint;
}

// Submissions go one at a time: each takes the account's pending nonce right before signing,
// so two quick clicks cannot sign the same nonce.
let queue: Promise<unknown> = Promise.resolve();

function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

function signerFor(address: string): KeyEntry {
  const key = keys.get().find((k) => k.address === address);
  if (!key) throw new Error('no key for the selected account');
  return key;
}

async function pendingNonce(address: string, marketId: string): Promise<bigint> {
  const acct = await api.account(address);
  accountData.set(acct);
  const entry = acct.nonces.find((n) => n.marketId.toLowerCase() === marketId.toLowerCase());
  return BigInt(entry?.pendingNonce ?? 0);
}

/** A random order id below 2^53 (exact in every JSON tool, like the CLI's) not resting now. */
function newOrderId(): bigint {
  const resting = new Set((accountData.get()?.openOrders ?? []).map((o) => BigInt(o.orderId)));
  for (;;) {
    const words = crypto.getRandomValues(new Uint32Array(2));
    const id = (BigInt(words[0] & 0x1fffff) << 32n) | BigInt(words[1]);
    if (id !== 0n && !resting.has(id)) return id;
  }
}

async function submit(m: Market, message: Message) {
  const key = signerFor(String(message.trader));
  const body = signMessage(message, m.domainSeparator, key.secret);
  const answer = await api.submit({ ...body, market: m.marketId });
  scheduleAccountRefresh();
  return answer;
}

export function placeOrder(args: PlaceArgs) {
  return serialized(async () => {
    const address = account.get();
    if (!address) throw new Error('choose an account first');
    const nonce = await pendingNonce(address, args.market.marketId);
    return submit(args.market, {
      type: 'place',
      trader: address,
      nonce,
      orderId: newOrderId(),
      side: args.side === 'buy' ? 0 : 1,
      tif: args.tif === 'gtc' ? 0 : 1,
      tick: args.tick,
      qty: args.qty,
    });
  });
}

export function cancelOrder(marketId: string, orderId: string) {
  return serialized(async () => {
    const address = account.get();
    const m = marketById(marketId);
    if (!address || !m) throw new Error('unknown account or market');
    const nonce = await pendingNonce(address, m.marketId);
    return submit(m, { type: 'cancel', trader: address, nonce, orderId });
  });
}

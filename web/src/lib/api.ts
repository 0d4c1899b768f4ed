// REST client of the node (docs/API.md). Same origin: the node serves this app, so URLs are
// relative; the vite dev server proxies /v1 to a local node.

import { ApiError } from './errors';

export interface Market {
  symbol: string; // "WETH/USDC"
  marketId: string;
  baseAssetId: string;
  quoteAssetId: string;
  priceScale: string;
  tickSize: string;
  lotSize: string;
  maxBalance: string;
  takerFeeBps: number;
  makerFeeBps: number;
  maxOrdersPerBatch: number;
  maxMatchesPerOrder: number;
  domainSeparator: string;
  rulesHash: string;
  chainId: number;
  venueId: string;
  baseDecimals: number;
  quoteDecimals: number;
}

export interface Level {
  tick: number;
  price: string;
  qty: string;
  orders?: number;
}

export interface Book {
  bids: Level[];
  asks: Level[];
  height?: number;
}

export interface Trade {
  batchSeq: number;
  globalIndex: number;
  makerOrderId: string;
  takerOrderId: string;
  maker: string;
  taker: string;
  takerSide: 'buy' | 'sell';
  tick: number;
  qty: string;
  quoteAmount: string;
  fee: string;
  timestampMs?: number;
  blockHeight?: number;
}

export interface Fill extends Trade {
  market?: string;
  marketId?: string;
  side?: 'buy' | 'sell';
  liquidity?: 'maker' | 'taker';
  role?: string;
}

export interface Balance {
  assetId: string;
  symbol: string;
  available: string;
  locked: string;
}

export interface OpenOrder {
  marketId: string;
  orderId: string;
  side: 'buy' | 'sell';
  tick: number;
  remaining: string;
  locked: string;
  status: string;
  trader: string;
}

export interface Account {
  address: string;
  balances: Balance[];
  openOrders: OpenOrder[];
  nonces: { marketId: string; nextNonce: number; pendingNonce: number }[];
  /** withdrawals and transfers (F4): one nonce per account, separate from the markets' */
  fundingNonce?: { nextNonce: number; pendingNonce?: number };
}

/** `GET /v1/l1`: the bridge's coordinates (404 `no_l1` on a node without `--l1-rpc`). */
export interface L1Info {
  chainId: number;
  bridge: string;
  verifier: string;
  /** token address per asset symbol */
  tokens: Record<string, string>;
  deployBlock: number;
  confirmations: number;
  lastSettledBatch: number;
  listenedBlock: number;
  fundingDomain: string | null;
}

export interface DepositRow {
  index: number;
  asset: string;
  assetId: string;
  from: string;
  to: string;
  amount: string;
  batchSeq: number;
  blockHeight: number;
  status: 'credited' | 'refunded';
  refundWithdrawalId?: number | null;
}

export interface WithdrawalRow {
  id: number;
  kind: string;
  owner: string;
  asset: string;
  assetId: string;
  amount: string;
  recipient: string;
  batchSeq: number;
  status: 'pending' | 'settled' | 'claimed';
  /** once settled: the ready L1 call of `NumoBridge.claim` */
  claim?: { to: string; data: string };
}

export interface WithdrawAnswer {
  id?: number;
  status: string;
  batchSeq?: number;
  blockHeight?: number;
  globalIndex?: number;
  msgHash: string;
}

export interface OrderRecord {
  market?: string;
  marketId?: string;
  orderId: string;
  side?: 'buy' | 'sell';
  tif?: string;
  tick?: number;
  price?: string;
  qty?: string;
  filled?: string;
  status: string;
  reason?: string | null;
  globalIndex?: number;
  batchSeq?: number;
  blockHeight?: number;
  timestampMs?: number;
  kind?: string;
}

export interface Candle {
  time: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

export interface Ticker {
  symbol: string;
  marketId: string;
  last: string | null;
  open24h: string | null;
  high24h: string | null;
  low24h: string | null;
  volume24h: string | null;
  quoteVolume24h: string | null;
  change24h: string | null;
  trades24h: number | null;
}

export interface Info {
  chainId: number;
  venueId: string;
  mode: string;
  devAccounts?: number;
  evmRpc?: string | null;
  version?: string;
}

export interface BatchMessage {
  globalIndex: number;
  kind: string;
  outcome: string;
  reason?: string;
  trader?: string;
  nonce?: number;
  orderId?: string;
  message?: string;
  msgHash?: string;
  filled?: string;
  rested?: string;
  cancelled?: string;
}

export interface Batch {
  batchSeq: number;
  blockHeight: number;
  kind?: string;
  marketId?: string;
  prevRoot: string;
  newRoot: string;
  publicInputs: string;
  publicInputsDecoded: Record<string, string | number>;
  messages?: BatchMessage[];
  trades?: Trade[];
  verification: string;
  proof?: { status: string; error?: string };
}

export interface SubmitAnswer {
  outcome?: string;
  reason?: string;
  filled?: string;
  rested?: string;
  cancelled?: string;
  batchSeq?: number;
  blockHeight?: number;
  globalIndex?: number;
  fills?: Trade[];
  status?: string;
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError('network', String(e instanceof Error ? e.message : e), 0);
  }
  const text = await res.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: reported below */
  }
  if (!res.ok) {
    const err = body?.error;
    throw new ApiError(err?.code ?? `http_${res.status}`, err?.message ?? (text.slice(0, 200) || res.statusText), res.status);
  }
  if (body === null) throw new ApiError('bad_answer', `not JSON: ${text.slice(0, 100)}`, res.status);
  return body as T;
}

/** Market path segment: a symbol with "-" for "/" or a market id. */
export const marketPath = (symbolOrId: string) => encodeURIComponent(symbolOrId.replace('/', '-'));

export const api = {
  info: () => request<Info>('/v1/info'),
  markets: () => request<Market[]>('/v1/markets'),
  tickers: () => request<Ticker[]>('/v1/tickers'),
  book: (m: string, depth = 50) => request<Book>(`/v1/markets/${marketPath(m)}/book?depth=${depth}`),
  trades: (m: string, limit = 50) => request<Trade[]>(`/v1/markets/${marketPath(m)}/trades?limit=${limit}`),
  candles: (m: string, interval: string, limit = 300) =>
    request<Candle[]>(`/v1/markets/${marketPath(m)}/candles?interval=${interval}&limit=${limit}`),
  account: (addr: string) => request<Account>(`/v1/accounts/${addr}`),
  accountTrades: (addr: string, limit = 50) => request<Fill[]>(`/v1/accounts/${addr}/trades?limit=${limit}`),
  accountOrders: (addr: string, limit = 50) => request<OrderRecord[]>(`/v1/accounts/${addr}/orders?limit=${limit}`),
  batch: (seq: number) => request<Batch>(`/v1/batches/${seq}`),
  submit: (body: { message: string; signature: string; market?: string }) =>
    request<SubmitAnswer>('/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  l1: () => request<L1Info>('/v1/l1'),
  deposits: (owner: string) => request<DepositRow[]>(`/v1/deposits?owner=${owner}`),
  withdrawals: (owner: string) => request<WithdrawalRow[]>(`/v1/withdrawals?owner=${owner}`),
  withdraw: (body: object) =>
    request<WithdrawAnswer>('/v1/withdrawals', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  async witness(seq: number): Promise<{ kind: string; bytes: Uint8Array }> {
    let res: Response;
    try {
      res = await fetch(`/v1/batches/${seq}/witness`);
    } catch (e) {
      throw new ApiError('network', String(e), 0);
    }
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      throw new ApiError(body?.error?.code ?? `http_${res.status}`, body?.error?.message ?? res.statusText, res.status);
    }
    return { kind: res.headers.get('x-numo-batch-kind') ?? 'trading', bytes: new Uint8Array(await res.arrayBuffer()) };
  },
};

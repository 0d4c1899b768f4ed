// Funds: the bridge's coordinates (`GET /v1/l1`), the selected account's deposits and
// withdrawals, the injected L1 wallet, and the three actions — deposit (L1 wallet: ERC20 approve +
// NumoBridge.deposit), withdraw (numo key in this browser: a signed F2 Withdraw) and claim (L1
// wallet: the settled withdrawal's ready calldata). docs/BRIDGE.md has the whole flow.

import { api, type DepositRow, type L1Info, type WithdrawAnswer, type WithdrawalRow } from '../lib/api';
import { ApiError } from '../lib/errors';
import { decodeUint, depositIndexOf, encodeAllowance, encodeApprove, encodeDeposit, injectedWallet, L1Wallet, WalletError } from '../lib/eth';
import { fundingDomain, signWithdraw } from '../lib/funding';
import { bytesToHex, equalBytes, hexToBytes } from '../lib/hex';
import { account, keys, markets, refreshAccount } from './app';
import { Store } from './store';

export type L1State = { state: 'loading' } | { state: 'none'; why: string } | { state: 'ok'; info: L1Info };

export interface WalletState {
  /** the connected L1 account (lowercase), null until connected */
  address: string | null;
  chainId: number | null;
}

export interface ClaimState {
  step: 'sending' | 'mining' | 'confirming' | 'failed';
  tx?: string;
  error?: string;
}

export const l1 = new Store<L1State>({ state: 'loading' });
export const wallet = new Store<WalletState>({ address: null, chainId: null });
export const withdrawals = new Store<WithdrawalRow[]>([]);
export const deposits = new Store<DepositRow[]>([]);
/** Claims sent from this page, by withdrawal id. */
export const claims = new Store<Record<number, ClaimState>>({});
export const fundsDialog = new Store<null | 'deposit' | 'withdraw'>(null);

/** An asset the venue funds: a market's base or quote, with its decimals and L1 token. */
export interface FundAsset {
  symbol: string;
  assetId: string;
  decimals: number;
  token: string | null;
}

export function fundAssets(): FundAsset[] {
  const s = l1.get();
  const tokens = s.state === 'ok' ? s.info.tokens : {};
  const out = new Map<string, FundAsset>();
  for (const m of markets.get()) {
    const [base, quote] = m.symbol.split('/');
    for (const [symbol, assetId, decimals] of [
      [base, m.baseAssetId, m.baseDecimals],
      [quote, m.quoteAssetId, m.quoteDecimals],
    ] as const) {
      const id = assetId.toLowerCase();
      if (!out.has(id)) out.set(id, { symbol, assetId: id, decimals, token: tokens[symbol] ?? null });
    }
  }
  return [...out.values()];
}

export const assetById = (id: string) => fundAssets().find((a) => a.assetId === id.toLowerCase());

// ---- loading and polling -----------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Asks the node for its bridge; retried while the node is unreachable, settled on 404 `no_l1`. */
export async function loadL1(): Promise<void> {
  for (let wait = 1000; ; wait = Math.min(wait * 2, 10_000)) {
    try {
      l1.set({ state: 'ok', info: await api.l1() });
      return;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        l1.set({ state: 'none', why: e.code });
        return;
      }
      await sleep(wait);
    }
  }
}

let lastOwner: string | null = null;

export async function refreshFunds(): Promise<void> {
  const owner = account.get();
  if (owner !== lastOwner) {
    lastOwner = owner;
    withdrawals.set([]);
    deposits.set([]);
  }
  if (!owner || l1.get().state !== 'ok') return;
  const [w, d] = await Promise.allSettled([api.withdrawals(owner), api.deposits(owner)]);
  if (account.get() !== owner) return;
  if (w.status === 'fulfilled') {
    withdrawals.set([...w.value].sort((a, b) => b.id - a.id));
    // a claim this page sent is done once the node reports it
    const done = w.value.filter((r) => r.status === 'claimed' && claims.get()[r.id]);
    if (done.length) {
      const next = { ...claims.get() };
      for (const r of done) delete next[r.id];
      claims.set(next);
    }
  }
  if (d.status === 'fulfilled') deposits.set([...d.value].sort((a, b) => b.index - a.index));
}

let awaitedDeposits = 0;

/** Something the node has yet to report: a pending withdrawal, a claim in flight, a deposit not yet credited. */
function inFlight(): boolean {
  return awaitedDeposits > 0 || Object.values(claims.get()).some((c) => c.step !== 'failed') || withdrawals.get().some((w) => w.status === 'pending');
}

/** Starts the funds view: the bridge, then the lists for the selected account, refreshed every
 *  2 s while something is in flight (and every 15 s otherwise). */
export function startFunds(): void {
  account.subscribe(() => void refreshFunds());
  void loadL1().then(refreshFunds);
  let last = 0;
  setInterval(() => {
    if (l1.get().state !== 'ok' || !account.get()) return;
    const now = Date.now();
    if (inFlight() || now - last > 15_000) {
      last = now;
      void refreshFunds();
    }
  }, 2000);
}

// ---- the L1 wallet ------------------------------------------------------------------------

function l1Info(): L1Info {
  const s = l1.get();
  if (s.state !== 'ok') throw new Error('This node has no L1 bridge');
  return s.info;
}

function walletClient(): L1Wallet {
  const provider = injectedWallet();
  if (!provider) throw new WalletError('No L1 wallet in this browser (an injected EIP-1193 wallet, window.ethereum, such as MetaMask or Rabby)');
  return new L1Wallet(provider);
}

/** Connects the injected wallet and checks it is on the bridge's L1 chain (asking it to switch). */
export async function connectWallet(): Promise<{ client: L1Wallet; from: string }> {
  const client = walletClient();
  const from = await client.connect();
  wallet.set({ address: from, chainId: await client.chainId() });
  await client.ensureChain(l1Info().chainId);
  wallet.set({ address: from, chainId: await client.chainId() });
  return { client, from };
}

// ---- deposit (L1 wallet) ------------------------------------------------------------------

export type DepositStep =
  | { step: 'connecting' }
  | { step: 'approving'; tx?: string }
  | { step: 'depositing'; tx?: string }
  | { step: 'confirming'; tx: string; index: bigint | null; confirmations: number }
  | { step: 'credited'; tx: string; index: bigint | null; batchSeq: number };

/** approve (when the allowance is short) + NumoBridge.deposit(token, amount, to), then waits for
 *  the node to credit it (after the bridge's L1 confirmations), bounded by `timeoutMs`. */
export async function deposit(asset: FundAsset, amount: bigint, to: string, onStep: (s: DepositStep) => void, timeoutMs = 300_000): Promise<DepositStep> {
  const info = l1Info();
  if (!asset.token) throw new Error(`The bridge has no L1 token for ${asset.symbol}`);
  if (amount <= 0n) throw new Error('The amount must be above zero');
  onStep({ step: 'connecting' });
  const { client, from } = await connectWallet();
  const allowance = decodeUint(await client.ethCall(asset.token, encodeAllowance(from, info.bridge)));
  if (allowance < amount) {
    onStep({ step: 'approving' });
    const tx = await client.sendTransaction({ from, to: asset.token, data: encodeApprove(info.bridge, amount) });
    onStep({ step: 'approving', tx });
    await client.waitReceipt(tx);
  }
  onStep({ step: 'depositing' });
  const tx = await client.sendTransaction({ from, to: info.bridge, data: encodeDeposit(asset.token, amount, to) });
  onStep({ step: 'depositing', tx });
  awaitedDeposits++;
  try {
    const receipt = await client.waitReceipt(tx);
    const index = depositIndexOf(receipt, info.bridge);
    onStep({ step: 'confirming', tx, index, confirmations: info.confirmations });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await api.deposits(to).catch(() => [] as DepositRow[]);
      const row = rows.find((r) => (index !== null ? BigInt(r.index) === index : r.from.toLowerCase() === from && BigInt(r.amount) === amount));
      if (row) {
        const done: DepositStep = { step: 'credited', tx, index, batchSeq: row.batchSeq };
        onStep(done);
        await Promise.all([refreshFunds(), refreshAccount()]);
        if (row.status === 'refunded') throw new Error(`Deposit ${row.index} was refunded (withdrawal ${row.refundWithdrawalId}): the venue does not fund this asset`);
        return done;
      }
      if (Date.now() > deadline) throw new Error(`The deposit was mined (L1 tx ${tx}) but the node has not credited it within ${timeoutMs / 1000} s; it will show under Withdrawals → Deposits once it does`);
      await sleep(1000);
    }
  } finally {
    awaitedDeposits--;
  }
}

// ---- withdraw (numo key, in this browser) -------------------------------------------------

/** The funding domain, computed from the venue (like the CLI) and checked against the node's. */
export function currentFundingDomain(): Uint8Array {
  const m = markets.get()[0];
  if (!m) throw new Error('The node lists no market, so no asset is fundable');
  const domain = fundingDomain(BigInt(m.chainId), m.venueId);
  const s = l1.get();
  const served = s.state === 'ok' ? s.info.fundingDomain : null;
  if (served && !equalBytes(hexToBytes(served, 32, 'fundingDomain'), domain)) {
    throw new Error(`The node's funding domain ${served} is not its venue's ${bytesToHex(domain)}: nothing was signed`);
  }
  return domain;
}

/** Signs a Withdraw with the selected account's key (kept in this browser) and submits it. */
export async function withdraw(asset: FundAsset, amount: bigint, recipient: string): Promise<WithdrawAnswer> {
  const owner = account.get();
  if (!owner) throw new Error('Choose an account first');
  const key = keys.get().find((k) => k.address === owner);
  if (!key) throw new Error('No key for the selected account in this browser');
  const domain = currentFundingDomain();
  const acct = await api.account(owner);
  const n = acct.fundingNonce;
  const nonce = BigInt(n?.pendingNonce ?? n?.nextNonce ?? 0);
  const { body } = signWithdraw({ owner, nonce, assetId: asset.assetId, amount, recipient }, domain, key.secret);
  try {
    return await api.withdraw(body);
  } finally {
    void refreshFunds();
    void refreshAccount();
  }
}

// ---- claim (L1 wallet) --------------------------------------------------------------------

function setClaim(id: number, c: ClaimState | null): void {
  const next = { ...claims.get() };
  if (c) next[id] = c;
  else delete next[id];
  claims.set(next);
}

/** Sends the settled withdrawal's claim through the wallet; the row turns "claimed" when the
 *  node reports it (its settler records the bridge's claims). */
export async function claim(row: WithdrawalRow): Promise<string> {
  if (row.status !== 'settled' || !row.claim) throw new Error(`Withdrawal ${row.id} is not claimable yet (${row.status})`);
  setClaim(row.id, { step: 'sending' });
  try {
    const { client, from } = await connectWallet();
    const tx = await client.sendTransaction({ from, to: row.claim.to, data: row.claim.data });
    setClaim(row.id, { step: 'mining', tx });
    await client.waitReceipt(tx);
    setClaim(row.id, { step: 'confirming', tx });
    void refreshFunds();
    return tx;
  } catch (e) {
    setClaim(row.id, { step: 'failed', tx: claims.get()[row.id]?.tx, error: e instanceof Error ? e.message : String(e) });
    throw e;
  }
}

// Bottom tabs: open orders (with Cancel), balances, order history, fill history. Every panel
// stays in the DOM (hidden when not selected) so switching never refetches.

import { useState } from 'preact/hooks';
import type { Fill, Market, OrderRecord } from '../lib/api';
import { describeError, meaningOf } from '../lib/errors';
import { formatUnits } from '../lib/units';
import { account, accountData, cancelOrder, fills, gridOf, markets, orderHistory } from '../state/app';
import { l1 } from '../state/funds';
import { useStore } from '../state/store';
import { FundsBar, WithdrawalsPanel } from './Funds';
import { batchHref, dateTimeOf, grouped, shortHex } from './format';
import { reportError, reportOutcome } from './notices';

const BASE_TABS = [
  ['open', 'Open orders'],
  ['balances', 'Balances'],
  ['orders', 'Order history'],
  ['fills', 'Fill history'],
] as const;
// "Withdrawals" only when the node has an L1 bridge (GET /v1/l1)
const FUNDS_TAB = ['withdrawals', 'Withdrawals'] as const;
type Tab = (typeof BASE_TABS)[number][0] | (typeof FUNDS_TAB)[0];

function useMarketIndex() {
  const list = useStore(markets);
  const byId = new Map<string, Market>();
  for (const m of list) {
    byId.set(m.marketId.toLowerCase(), m);
    byId.set(m.symbol, m);
    byId.set(m.symbol.replace('/', '-'), m);
  }
  return (idOrSymbol: string | undefined) => (idOrSymbol ? byId.get(idOrSymbol) ?? byId.get(idOrSymbol.toLowerCase()) : undefined);
}

export function AccountTabs() {
  const [tab, setTab] = useState<Tab>('open');
  const bridge = useStore(l1).state === 'ok';
  const TABS: readonly (readonly [Tab, string])[] = bridge ? [...BASE_TABS, FUNDS_TAB] : BASE_TABS;
  const onKey = (e: KeyboardEvent) => {
    const i = TABS.findIndex(([k]) => k === tab);
    const next = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : -1;
    if (next >= 0) {
      setTab(TABS[next][0]);
      document.getElementById(`tab-${TABS[next][0]}`)?.focus();
    }
  };
  return (
    <section class="panel tabs" aria-label="Account">
      <div class="tablist" role="tablist" aria-label="Account views" onKeyDown={onKey}>
        {TABS.map(([key, label]) => (
          <button
            type="button"
            role="tab"
            id={`tab-${key}`}
            key={key}
            aria-selected={tab === key}
            aria-controls={`panel-${key}`}
            tabIndex={tab === key ? 0 : -1}
            onClick={() => setTab(key)}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="panel-open" aria-labelledby="tab-open" hidden={tab !== 'open'} data-testid="open-orders">
        <OpenOrders />
      </div>
      <div role="tabpanel" id="panel-balances" aria-labelledby="tab-balances" hidden={tab !== 'balances'} data-testid="balances">
        <FundsBar />
        <Balances />
      </div>
      <div role="tabpanel" id="panel-orders" aria-labelledby="tab-orders" hidden={tab !== 'orders'} data-testid="order-history">
        <OrderHistory />
      </div>
      <div role="tabpanel" id="panel-fills" aria-labelledby="tab-fills" hidden={tab !== 'fills'} data-testid="fill-history">
        <FillHistory />
      </div>
      {bridge && (
        <div role="tabpanel" id="panel-withdrawals" aria-labelledby="tab-withdrawals" hidden={tab !== 'withdrawals'} data-testid="withdrawals">
          <WithdrawalsPanel />
        </div>
      )}
    </section>
  );
}

function NoAccount() {
  return <p class="empty-note">Choose an account (top right) to see its orders and balances.</p>;
}

function OpenOrders() {
  const acct = useStore(accountData);
  const address = useStore(account);
  const find = useMarketIndex();
  const [cancelling, setCancelling] = useState<string | null>(null);
  if (!address) return <NoAccount />;
  const rows = acct?.openOrders ?? [];
  return (
    <table>
      <thead>
        <tr>
          <th>Market</th>
          <th>Side</th>
          <th class="r">Price</th>
          <th class="r">Remaining</th>
          <th class="r">Locked</th>
          <th>Order id</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rows.map((o) => {
          const m = find(o.marketId);
          const g = m ? gridOf(m) : null;
          const lockedDecimals = m ? (o.side === 'buy' ? m.quoteDecimals : m.baseDecimals) : 0;
          const lockedSymbol = m ? m.symbol.split('/')[o.side === 'buy' ? 1 : 0] : '';
          return (
            <tr data-testid="open-order-row" key={o.orderId}>
              <td>{m?.symbol ?? shortHex(o.marketId)}</td>
              <td class={o.side}>{o.side}</td>
              <td class="r num">{g ? grouped(g.priceAligned(o.tick)) : o.tick}</td>
              <td class="r num">{g ? g.qty(BigInt(o.remaining)) : o.remaining}</td>
              <td class="r num">
                {grouped(formatUnits(BigInt(o.locked), lockedDecimals))} {lockedSymbol}
              </td>
              <td class="mono" title={o.orderId}>
                {BigInt(o.orderId).toString()}
              </td>
              <td class="r">
                <button
                  type="button"
                  disabled={cancelling === o.orderId}
                  onClick={async () => {
                    setCancelling(o.orderId);
                    try {
                      const a = await cancelOrder(o.marketId, o.orderId);
                      if (a.outcome === 'rejected') reportError(`Cancel rejected: ${meaningOf(a.reason ?? '')} (${a.reason})`);
                      else reportOutcome({ text: `Order ${BigInt(o.orderId)} cancelled`, batchSeq: a.batchSeq });
                    } catch (e) {
                      reportError(describeError(e));
                    } finally {
                      setCancelling(null);
                    }
                  }}
                >
                  Cancel
                </button>
              </td>
            </tr>
          );
        })}
        {rows.length === 0 && (
          <tr>
            <td colSpan={7} class="empty-note">
              No open orders
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

function Balances() {
  const acct = useStore(accountData);
  const address = useStore(account);
  const list = useStore(markets);
  if (!address) return <NoAccount />;
  const decimals = new Map<string, number>();
  for (const m of list) {
    decimals.set(m.baseAssetId.toLowerCase(), m.baseDecimals);
    decimals.set(m.quoteAssetId.toLowerCase(), m.quoteDecimals);
  }
  return (
    <table>
      <thead>
        <tr>
          <th>Asset</th>
          <th class="r">Available</th>
          <th class="r">Locked</th>
          <th class="r">Total</th>
        </tr>
      </thead>
      <tbody>
        {(acct?.balances ?? []).map((b) => {
          const d = decimals.get(b.assetId.toLowerCase()) ?? 0;
          const fmt = (v: bigint) => grouped(formatUnits(v, d));
          return (
            <tr data-testid="balance-row" key={b.assetId}>
              <td>{b.symbol}</td>
              <td class="r num">{fmt(BigInt(b.available))}</td>
              <td class="r num">{fmt(BigInt(b.locked))}</td>
              <td class="r num">{fmt(BigInt(b.available) + BigInt(b.locked))}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** A base amount as the API gives it: smallest units (the API's convention), or already a
 *  human decimal if it has a point. */
function baseAmount(g: ReturnType<typeof gridOf> | null, v: string | undefined | null): string {
  if (v === undefined || v === null || v === '') return '';
  if (!g || !/^\d+$/.test(v)) return v;
  return g.qty(BigInt(v));
}

const STATUS_WORDS: Record<string, string> = {
  resting: 'open',
  partially_filled: 'partial',
};

function OrderHistory() {
  const h = useStore(orderHistory);
  const address = useStore(account);
  const find = useMarketIndex();
  if (!address) return <NoAccount />;
  return (
    <>
      {!h.served && <p class="note">This node has no order-history endpoint: showing orders seen live in this session.</p>}
      <table>
        <thead>
          <tr>
            <th>Time</th>
            <th>Market</th>
            <th>Side</th>
            <th class="r">Price</th>
            <th class="r">Size</th>
            <th class="r">Filled</th>
            <th>Status</th>
            <th>Batch</th>
          </tr>
        </thead>
        <tbody>
          {h.rows.map((o: OrderRecord, i) => {
            const m = find(o.market ?? o.marketId);
            const g = m ? gridOf(m) : null;
            const status = STATUS_WORDS[o.status] ?? o.status;
            return (
              <tr data-testid="order-history-row" key={`${o.globalIndex}:${o.orderId}:${i}`}>
                <td class="num">{dateTimeOf(o.timestampMs)}</td>
                <td>{m?.symbol ?? o.market ?? ''}</td>
                <td class={o.side}>{o.kind === 'cancel' ? 'cancel' : o.side}</td>
                <td class="r num">{g && o.tick !== undefined && o.tick !== null ? grouped(g.priceAligned(o.tick)) : ''}</td>
                <td class="r num">{baseAmount(g, o.qty)}</td>
                <td class="r num">{baseAmount(g, o.filled)}</td>
                <td title={o.reason ? meaningOf(o.reason) : undefined}>
                  {status}
                  {o.reason ? ` (${o.reason})` : ''}
                </td>
                <td>{o.batchSeq !== undefined && o.batchSeq !== null ? <a href={batchHref(o.batchSeq)}>#{o.batchSeq}</a> : ''}</td>
              </tr>
            );
          })}
          {h.rows.length === 0 && (
            <tr>
              <td colSpan={8} class="empty-note">
                No orders yet
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}

function fillSide(f: Fill, address: string): 'buy' | 'sell' {
  if (f.side) return f.side;
  const taker = f.taker?.toLowerCase() === address.toLowerCase();
  return taker ? f.takerSide : f.takerSide === 'buy' ? 'sell' : 'buy';
}

function FillHistory() {
  const h = useStore(fills);
  const address = useStore(account);
  const find = useMarketIndex();
  if (!address) return <NoAccount />;
  return (
    <>
      {!h.served && <p class="note">This node has no fill-history endpoint: showing fills seen live in this session.</p>}
      <table>
        <thead>
          <tr>
            <th>Time</th>
            <th>Market</th>
            <th>Side</th>
            <th class="r">Price</th>
            <th class="r">Size</th>
            <th class="r">Fee</th>
            <th>Role</th>
            <th>Batch</th>
          </tr>
        </thead>
        <tbody>
          {h.rows.map((f, i) => {
            const m = find(f.market ?? f.marketId);
            const g = m ? gridOf(m) : null;
            const role = f.liquidity ?? f.role ?? (f.taker?.toLowerCase() === address.toLowerCase() ? 'taker' : 'maker');
            // The node's fills say what this account paid; stream fills carry the trade's (taker) fee.
            const fee = f.liquidity ? BigInt(f.fee ?? '0') : role === 'maker' ? 0n : BigInt(f.fee ?? '0');
            return (
              <tr data-testid="fill-row" key={`${f.batchSeq}:${f.globalIndex}:${f.makerOrderId}:${i}`}>
                <td class="num">{dateTimeOf(f.timestampMs)}</td>
                <td>{m?.symbol ?? f.market ?? ''}</td>
                <td class={fillSide(f, address)}>{fillSide(f, address)}</td>
                <td class="r num">{g ? grouped(g.priceAligned(f.tick)) : f.tick}</td>
                <td class="r num">{g ? g.qty(BigInt(f.qty)) : f.qty}</td>
                <td class="r num">{m ? `${formatUnits(fee, m.quoteDecimals)} ${m.symbol.split('/')[1]}` : f.fee}</td>
                <td>{role}</td>
                <td>
                  <a href={batchHref(f.batchSeq)}>#{f.batchSeq}</a>
                </td>
              </tr>
            );
          })}
          {h.rows.length === 0 && (
            <tr>
              <td colSpan={8} class="empty-note">
                No fills yet
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}

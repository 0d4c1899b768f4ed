// Header: market selector with last price and 24 h stats, account picker with key management,
// and the connection status.

import { useState } from 'preact/hooks';

import { account, gridOf, keys, market, markets, mode, refreshKeys, selectAccount, selectMarket, tickers, trades, urlSymbol, wsStatus } from '../state/app';
import { useStore } from '../state/store';
import { cutDecimals, grouped, shortHex } from './format';
import { KeyManager } from './KeyManager';

function pct(last: string | null, open: string | null): string | null {
  if (!last || !open || Number(open) === 0) return null;
  const p = ((Number(last) - Number(open)) / Number(open)) * 100;
  return `${p >= 0 ? '+' : ''}${p.toFixed(2)}%`;
}

export function Header() {
  const list = useStore(markets);
  const m = useStore(market);
  const tick = useStore(tickers);
  const tape = useStore(trades);
  const status = useStore(wsStatus);
  const ticker = m ? tick[m.marketId.toLowerCase()] : undefined;
  const grid = m ? gridOf(m) : null;
  const lastTrade = tape[0];
  const last = lastTrade && grid ? grid.priceAligned(lastTrade.tick) : ticker?.last ?? null;
  // The node gives the 24 h change as a percentage (2 decimals); older nodes only last and open.
  const change =
    ticker?.change24h != null ? `${ticker.change24h.startsWith('-') ? '' : '+'}${ticker.change24h}%` : ticker ? pct(ticker.last, ticker.open24h) : null;
  const [base, quote] = (m?.symbol ?? '/').split('/');

  return (
    <header class="header">
      <div class="brand">numo</div>
      <label class="field-inline">
        <span class="sr-only">Market</span>
        <select
          data-testid="market-select"
          aria-label="Market"
          value={m ? urlSymbol(m) : ''}
          onChange={(e) => {
            const next = list.find((x) => urlSymbol(x) === (e.target as HTMLSelectElement).value);
            if (next) selectMarket(next);
          }}
        >
          {list.map((x) => (
            <option key={x.marketId} value={urlSymbol(x)}>
              {x.symbol}
            </option>
          ))}
        </select>
      </label>
      <dl class="stats">
        <div>
          <dt>Last</dt>
          <dd class="num" data-testid="last-price">{last ? grouped(last) : '—'}</dd>
        </div>
        <div>
          <dt>24h change</dt>
          <dd class={`num ${change?.startsWith('-') ? 'down' : change ? 'up' : ''}`}>{change ?? '—'}</dd>
        </div>
        <div>
          <dt>24h volume</dt>
          <dd class="num">
            {ticker?.volume24h && grid ? `${grouped(cutDecimals(ticker.volume24h, grid.qtyDigits()))} ${base}` : '—'}
            {ticker?.quoteVolume24h && m ? <span class="muted"> · {grouped(cutDecimals(ticker.quoteVolume24h, 2))} {quote}</span> : null}
          </dd>
        </div>
      </dl>
      <div class="spacer" />
      <AccountPicker />
      <span class={`ws-status ws-${status}`} data-testid="ws-status" role="status" aria-label="Connection">
        {status}
      </span>
    </header>
  );
}

function AccountPicker() {
  const list = useStore(keys);
  const selected = useStore(account);
  const m = useStore(mode);
  const [open, setOpen] = useState(false);
  return (
    <div class="account">
      <label class="field-inline">
        <span class="label-text">Account</span>
        <select
          data-testid="account-select"
          value={selected ?? ''}
          onChange={(e) => selectAccount((e.target as HTMLSelectElement).value || null)}
        >
          {list.length === 0 && <option value="">no key yet</option>}
          {list.map((k) => (
            <option key={k.address} value={k.address}>
              {k.label} · {shortHex(k.address)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" class="ghost" aria-expanded={open} onClick={() => setOpen(!open)}>
        Keys
      </button>
      {open && (
        <KeyManager
          dev={m.dev}
          onChange={(addr) => {
            refreshKeys();
            if (addr) selectAccount(addr);
          }}
          onClose={() => setOpen(false)}
        />
      )}
    </div>
  );
}


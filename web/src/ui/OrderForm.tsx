// The order form: side, limit price and size in human units on the market's tick/lot grid,
// GTC/IOC, size presets from the available balance, and a preview of the lock and the fee.
// Everything is checked here before signing; the node's refusals and rejections are shown
// with their meaning in the error region.

import { useEffect, useMemo, useState } from 'preact/hooks';
import type { SubmitAnswer } from '../lib/api';
import { describeError, meaningOf } from '../lib/errors';
import { formatUnits, GridError, lockPreview, sizeForPercent } from '../lib/units';
import { account, accountData, gridOf, keys, market, placeOrder } from '../state/app';
import { useStore } from '../state/store';
import { batchHref, grouped } from './format';
import { formError, formStatus, reportError, reportOutcome } from './notices';
import { pickedPrice } from './OrderBook';

type Side = 'buy' | 'sell';

export function describeAnswer(a: SubmitAnswer, what: string, qtyText: (q: string) => string): string {
  if (a.outcome === 'rejected') return '';
  if (a.status === 'admitted') return `${what} admitted; waiting for its block`;
  const parts = [`${what} ${a.outcome ?? 'accepted'}`];
  if (a.filled && a.filled !== '0') parts.push(`filled ${qtyText(a.filled)}`);
  if (a.rested && a.rested !== '0') parts.push(`resting ${qtyText(a.rested)}`);
  if (a.cancelled && a.cancelled !== '0') parts.push(`cancelled ${qtyText(a.cancelled)}`);
  return parts.join(', ');
}

export function OrderForm() {
  const m = useStore(market);
  const acct = useStore(accountData);
  const address = useStore(account);
  const keyList = useStore(keys);
  const error = useStore(formError);
  const status = useStore(formStatus);
  const picked = useStore(pickedPrice);
  const [side, setSide] = useState<Side>('buy');
  const [price, setPrice] = useState('');
  const [size, setSize] = useState('');
  const [tif, setTif] = useState<'gtc' | 'ioc'>('gtc');
  const [busy, setBusy] = useState(false);
  const grid = useMemo(() => (m ? gridOf(m) : null), [m]);

  useEffect(() => {
    if (picked) setPrice(picked.price);
  }, [picked]);
  useEffect(() => {
    setPrice('');
    setSize('');
  }, [m?.marketId]);

  if (!m || !grid) return <section class="panel form" data-testid="order-form" aria-label="Order form" />;
  const [base, quote] = m.symbol.split('/');
  const rules = { takerFeeBps: m.takerFeeBps, maxMatchesPerOrder: m.maxMatchesPerOrder };
  const balanceOf = (assetId: string) => {
    const b = acct?.balances.find((x) => x.assetId.toLowerCase() === assetId.toLowerCase());
    return b ? BigInt(b.available) : 0n;
  };
  const availQuote = balanceOf(m.quoteAssetId);
  const availBase = balanceOf(m.baseAssetId);

  let tick: number | null = null;
  let qty: bigint | null = null;
  let priceError = '';
  let sizeError = '';
  try {
    if (price.trim()) tick = grid.tickOf(price);
  } catch (e) {
    priceError = (e as Error).message;
  }
  try {
    if (size.trim()) qty = grid.qtyOf(size);
  } catch (e) {
    sizeError = (e as Error).message;
  }
  const preview = tick !== null && qty !== null ? lockPreview(grid, rules, side, tick, qty) : null;
  const quoteText = (v: bigint) => `${grouped(formatUnits(v, m.quoteDecimals))} ${quote}`;
  const baseText = (v: bigint) => `${grouped(formatUnits(v, m.baseDecimals))} ${base}`;
  const available = side === 'buy' ? availQuote : availBase;
  const tooBig = preview !== null && preview.lock > available;
  const signer = keyList.find((k) => k.address === address);
  const canSign = signer !== undefined;

  const preset = (pct: number) => {
    const q = sizeForPercent(grid, rules, side, tick, available, pct);
    if (side === 'buy' && tick === null) {
      reportError('Enter a price first: a buy size from the balance depends on the price');
      return;
    }
    setSize(q > 0n ? grid.qty(q) : '');
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!canSign) return reportError('Choose an account with a key first (Keys: import or generate one)');
    if (!price.trim()) return reportError('Enter a price');
    if (priceError) return reportError(priceError);
    if (!size.trim()) return reportError('Enter a size');
    if (sizeError) return reportError(sizeError);
    if (tooBig) {
      return reportError(
        `Insufficient balance: this order locks ${side === 'buy' ? quoteText(preview!.lock) : baseText(preview!.lock)}, available ${
          side === 'buy' ? quoteText(availQuote) : baseText(availBase)
        }`,
      );
    }
    setBusy(true);
    formError.set('');
    formStatus.set({ text: 'Signing and sending…' });
    try {
      const answer = await placeOrder({ market: m, side, tif, tick: tick!, qty: qty! });
      if (answer.outcome === 'rejected') {
        reportError(`Order rejected: ${meaningOf(answer.reason ?? '')} (${answer.reason})`);
      } else {
        reportOutcome({
          text: describeAnswer(answer, `${side === 'buy' ? 'Buy' : 'Sell'} ${size} ${base} @ ${price}`, (q) => grid.qty(BigInt(q))),
          batchSeq: answer.batchSeq,
        });
      }
    } catch (err) {
      reportError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const sideLabel = side === 'buy' ? 'Buy' : 'Sell';
  return (
    <section class="panel form" data-testid="order-form" aria-label="Order form">
      <form onSubmit={submit} noValidate>
        <div class="side-toggle" role="radiogroup" aria-label="Side">
          {(['buy', 'sell'] as const).map((s) => (
            <label key={s} class={`side-option ${s} ${side === s ? 'checked' : ''}`}>
              <input type="radio" name="side" value={s} checked={side === s} onChange={() => setSide(s)} />
              {s === 'buy' ? 'Buy' : 'Sell'}
            </label>
          ))}
        </div>

        <div class="field">
          <label for="of-price">Price</label>
          <div class="input-unit">
            <input
              id="of-price"
              inputMode="decimal"
              autocomplete="off"
              aria-describedby="of-price-hint"
              aria-invalid={priceError ? true : undefined}
              value={price}
              onInput={(e) => setPrice((e.target as HTMLInputElement).value)}
            />
            <span class="unit" aria-hidden="true">
              {quote}
            </span>
          </div>
          <div id="of-price-hint" class={`hint ${priceError ? 'bad' : ''}`}>
            {priceError || `${quote} per ${base}, step ${grid.tickStep()}`}
          </div>
        </div>

        <div class="field">
          <label for="of-size">Size</label>
          <div class="input-unit">
            <input
              id="of-size"
              inputMode="decimal"
              autocomplete="off"
              aria-describedby="of-size-hint"
              aria-invalid={sizeError ? true : undefined}
              value={size}
              onInput={(e) => setSize((e.target as HTMLInputElement).value)}
            />
            <span class="unit" aria-hidden="true">
              {base}
            </span>
          </div>
          <div id="of-size-hint" class={`hint ${sizeError ? 'bad' : ''}`}>
            {sizeError || `${base}, step ${grid.lotStep()}`}
          </div>
        </div>

        <div class="presets" role="group" aria-label="Size from available balance">
          {[25, 50, 75, 100].map((p) => (
            <button type="button" key={p} onClick={() => preset(p)}>
              {p}%
            </button>
          ))}
        </div>

        <div class="field">
          <label for="of-tif">Time in force</label>
          <select id="of-tif" value={tif} onChange={(e) => setTif((e.target as HTMLSelectElement).value as 'gtc' | 'ioc')}>
            <option value="gtc">GTC</option>
            <option value="ioc">IOC</option>
          </select>
        </div>

        <dl class="preview num">
          <div>
            <dt>Available</dt>
            <dd>{side === 'buy' ? quoteText(availQuote) : baseText(availBase)}</dd>
          </div>
          <div>
            <dt>Order value</dt>
            <dd>{preview ? quoteText(preview.notional) : '—'}</dd>
          </div>
          <div>
            <dt>Locks</dt>
            <dd class={tooBig ? 'bad' : ''}>{preview ? (preview.asset === 'quote' ? quoteText(preview.lock) : baseText(preview.lock)) : '—'}</dd>
          </div>
          <div>
            <dt>Taker fee ({m.takerFeeBps} bps, max)</dt>
            <dd>{preview ? quoteText(preview.takerFee) : '—'}</dd>
          </div>
        </dl>

        <button type="submit" class={`submit ${side}`} disabled={busy} aria-busy={busy}>
          {sideLabel}
        </button>
      </form>
      <p class="key-note">
        {signer?.source === 'dev'
          ? 'Signs in this page with a public dev key (dev node only).'
          : signer
            ? "Signs in this page with a key stored unencrypted in this browser's localStorage."
            : 'No signing key: choose a dev account or import/generate a key (Keys, top right).'}
      </p>
      <div class="form-error" data-testid="form-error" aria-live="assertive" role="alert">
        {error}
      </div>
      <div class="form-status" role="status" aria-live="polite">
        {status?.text}
        {status?.batchSeq !== undefined && (
          <>
            {' · '}
            <a href={batchHref(status.batchSeq)}>batch #{status.batchSeq}</a>
          </>
        )}
      </div>
    </section>
  );
}

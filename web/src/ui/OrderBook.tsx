// The L2 book: asks above bids with the spread between, depth bars, price grouping (default:
// the market's tick). A fixed number of fixed-height rows per side, so updates never move the
// layout; it reads the book store once per animation frame.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { book, gridOf, market } from '../state/app';
import { groupLevels, type GroupedLevel } from '../state/book';
import { Store, useStore } from '../state/store';
import { grouped } from './format';

export const ROWS = 10;
/** A price picked from the book or the tape; the order form takes it. */
export const pickedPrice = new Store<{ price: string; at: number } | null>(null);

const GROUPS = [1, 10, 100, 1000];

export function OrderBook() {
  const m = useStore(market);
  const state = useStore(book);
  const [group, setGroup] = useState(1);
  useEffect(() => setGroup(1), [m?.marketId]);
  const grid = useMemo(() => (m ? gridOf(m) : null), [m]);
  if (!m || !grid) return <section class="panel book" data-testid="orderbook" aria-label="Order book" />;

  const asks = groupLevels(state.asks, 'asks', group, ROWS);
  const bids = groupLevels(state.bids, 'bids', group, ROWS);
  const maxTotal = [...asks, ...bids].reduce((mx, l) => (l.total > mx ? l.total : mx), 0n);
  const [base, quote] = m.symbol.split('/');
  const bestAsk = asks[0]?.tick;
  const bestBid = bids[0]?.tick;
  const spread =
    bestAsk !== undefined && bestBid !== undefined
      ? `${grouped(grid.priceAligned(bestAsk - bestBid))} (${(((bestAsk - bestBid) / bestAsk) * 100).toFixed(3)}%)`
      : '—';
  const priceText = (tick: number) => grouped(grid.priceAligned(tick));
  const qtyText = (q: bigint) => grouped(grid.qtyAligned(q));

  const row = (l: GroupedLevel | undefined, side: 'ask' | 'bid', i: number) => {
    if (!l) return <div class="book-row empty" key={`${side}-empty-${i}`} aria-hidden="true" />;
    const pctWidth = maxTotal > 0n ? Number((l.total * 10000n) / maxTotal) / 100 : 0;
    return (
      <div
        class={`book-row ${side}`}
        key={`${side}-${i}`}
        data-testid={side === 'ask' ? 'book-ask' : 'book-bid'}
        onClick={() => pickedPrice.set({ price: grid.price(l.tick), at: Date.now() })}
      >
        <span class="bar" style={{ transform: `scaleX(${pctWidth / 100})` }} />
        <span class="price">{priceText(l.tick)}</span>
        <span class="size">{qtyText(l.qty)}</span>
        <span class="total">{qtyText(l.total)}</span>
      </div>
    );
  };

  // Asks: best nearest the spread, i.e. shown bottom-up; padded on top to ROWS.
  const askRows = Array.from({ length: ROWS }, (_, i) => row(asks[ROWS - 1 - i], 'ask', ROWS - 1 - i));
  const bidRows = Array.from({ length: ROWS }, (_, i) => row(bids[i], 'bid', i));

  return (
    <section class="panel book" data-testid="orderbook" aria-label="Order book">
      <div class="panel-head">
        <h2>Order book</h2>
        <label class="field-inline small">
          <span class="label-text">Group</span>
          <select
            data-testid="book-grouping"
            aria-label="Price grouping"
            value={grid.price(group)}
            onChange={(e) => setGroup(GROUPS.find((g) => grid.price(g) === (e.target as HTMLSelectElement).value) ?? 1)}
          >
            {/* option values are the group's price step in human units; the first is the tick */}
            {GROUPS.map((g) => (
              <option key={g} value={grid.price(g)}>
                {grid.price(g)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div class="book-row head" aria-hidden="true">
        <span class="price">Price ({quote})</span>
        <span class="size">Size ({base})</span>
        <span class="total">Total</span>
      </div>
      <div class="asks">{askRows}</div>
      <div class="spread num" data-testid="spread">
        Spread {spread}
      </div>
      <div class="bids">{bidRows}</div>
    </section>
  );
}

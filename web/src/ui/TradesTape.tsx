// The trades tape: newest first, each trade linked to the batch that executed it.

import { useMemo } from 'preact/hooks';
import { gridOf, market, trades } from '../state/app';
import { useStore } from '../state/store';
import { batchHref, grouped, timeOf } from './format';
import { pickedPrice } from './OrderBook';

const SHOWN = 40;

export function TradesTape() {
  const m = useStore(market);
  const list = useStore(trades);
  const grid = useMemo(() => (m ? gridOf(m) : null), [m]);
  const [base, quote] = (m?.symbol ?? '/').split('/');
  return (
    <section class="panel tape" data-testid="trades" aria-label="Trades">
      <div class="panel-head">
        <h2>Trades</h2>
      </div>
      <div class="trade-row head" aria-hidden="true">
        <span class="price">Price ({quote})</span>
        <span class="size">Size ({base})</span>
        <span class="time">Time</span>
        <span class="batch">Batch</span>
      </div>
      <div class="tape-rows">
        {grid &&
          list.slice(0, SHOWN).map((t) => (
            <div class={`trade-row ${t.takerSide}`} data-testid="trade-row" key={`${t.batchSeq}:${t.globalIndex}:${t.makerOrderId}`}>
              <span class="price" onClick={() => pickedPrice.set({ price: grid.price(t.tick), at: Date.now() })}>
                {grouped(grid.priceAligned(t.tick))}
              </span>
              <span class="size">{grouped(grid.qtyAligned(BigInt(t.qty)))}</span>
              <span class="time">{timeOf(t.timestampMs)}</span>
              <a class="batch" href={batchHref(t.batchSeq)} title={`Batch ${t.batchSeq}: public inputs, verification, re-execute`}>
                #{t.batchSeq}
              </a>
            </div>
          ))}
        {grid && list.length === 0 && <div class="empty-note">No trades yet</div>}
      </div>
    </section>
  );
}

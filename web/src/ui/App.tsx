// The page: hash routes `#/` (trading) and `#/batch/{seq}` (a batch and its re-execution).

import { useEffect, useState } from 'preact/hooks';
import { benchParams, runBookBench } from '../bench';
import { book, loadError, trades } from '../state/app';
import { useStore } from '../state/store';
import { AccountTabs } from './AccountTabs';
import { BatchView } from './BatchView';
import { Chart } from './Chart';
import { FundsDialogs } from './Funds';
import { Header } from './Header';
import { OrderBook } from './OrderBook';
import { OrderForm } from './OrderForm';
import { TradesTape } from './TradesTape';

function route(): { name: 'main' } | { name: 'batch'; seq: number } {
  const m = /^#\/batch\/(\d+)/.exec(location.hash);
  return m ? { name: 'batch', seq: Number(m[1]) } : { name: 'main' };
}

export function App() {
  const [r, setR] = useState(route());
  useEffect(() => {
    const on = () => {
      setR(route());
      window.scrollTo(0, 0);
    };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const error = useStore(loadError);
  return (
    <div class="app">
      <Header />
      {error && (
        <p class="form-error banner" role="alert">
          Cannot load markets from the node: {error}
        </p>
      )}
      {r.name === 'batch' ? <BatchView seq={r.seq} /> : <Trading />}
    </div>
  );
}

let firstRenderDone = false;
let benchStarted = false;

function Trading() {
  const b = useStore(book);
  const t = useStore(trades);
  // The first snapshot counts even when the book is empty: that is the market's data.
  const hasData = b.loaded || t.length > 0;
  useEffect(() => {
    if (!hasData) return;
    if (!firstRenderDone) {
      firstRenderDone = true;
      // After the frame that painted the data: rAF runs before paint, the task after it.
      requestAnimationFrame(() => setTimeout(() => (window.__numoFirstRender = Math.round(performance.now()))));
    }
    const bench = benchParams();
    if (bench && !benchStarted) {
      benchStarted = true;
      // Let the first load settle (chart, account, tickers) so the run measures the book alone.
      setTimeout(() => runBookBench(bench.rate, bench.duration), 1000);
    }
  }, [hasData]);
  return (
    <main class="trading">
      <div class="col col-left">
        <div class="area-chart">
          <Chart />
        </div>
        <div class="area-tabs">
          <AccountTabs />
        </div>
      </div>
      <div class="col col-mid">
        <div class="area-book">
          <OrderBook />
        </div>
        <div class="area-tape">
          <TradesTape />
        </div>
      </div>
      <div class="col col-right">
        <div class="area-form">
          <OrderForm />
        </div>
      </div>
      <FundsDialogs />
    </main>
  );
}

// Candles (1m / 5m / 1h) from GET /v1/markets/{m}/candles, kept live from the trades stream.
// The chart library draws on a canvas; the numbers a test or a screen reader needs are in the
// book and the tape, which are text.

// The chart library is loaded on its own (a separate chunk), so the book and the tape paint
// before it arrives.
import type { IChartApi, ISeriesApi, UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Candle, type Market, type Trade } from '../lib/api';
import { gridOf, market, onLiveTrades, trades } from '../state/app';
import { useStore } from '../state/store';

const INTERVALS = { '1m': 60, '5m': 300, '1h': 3600 } as const;
type Interval = keyof typeof INTERVALS;

interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

const toBar = (c: Candle): Bar => ({
  time: c.time,
  open: Number(c.open),
  high: Number(c.high),
  low: Number(c.low),
  close: Number(c.close),
  volume: Number(c.volume),
});

/** Fold trades (any order) into bars of `seconds`: the fallback when the node has no candles. */
export function barsFromTrades(list: Trade[], m: Market, seconds: number): Bar[] {
  const grid = gridOf(m);
  const sorted = list.filter((t) => t.timestampMs).sort((a, b) => a.timestampMs! - b.timestampMs! || a.globalIndex - b.globalIndex);
  const bars: Bar[] = [];
  for (const t of sorted) addTrade(bars, t, seconds, grid.price(t.tick), grid.qty(BigInt(t.qty)));
  return bars;
}

function addTrade(bars: Bar[], t: Trade, seconds: number, priceText: string, qtyText: string): Bar {
  const price = Number(priceText);
  const volume = Number(qtyText);
  const time = Math.floor((t.timestampMs ?? Date.now()) / 1000 / seconds) * seconds;
  const last = bars[bars.length - 1];
  if (last && last.time === time) {
    last.high = Math.max(last.high, price);
    last.low = Math.min(last.low, price);
    last.close = price;
    last.volume += volume;
    return last;
  }
  if (last && last.time > time) return last; // late trade of an older bucket: the next fetch has it
  const bar = { time, open: price, high: price, low: price, close: price, volume };
  bars.push(bar);
  return bar;
}

export function Chart() {
  const m = useStore(market);
  const [interval, setInterval] = useState<Interval>('5m');
  const [note, setNote] = useState('');
  const host = useRef<HTMLDivElement>(null);
  const chartRef = useRef<{ chart: IChartApi; candles: ISeriesApi<'Candlestick'>; volume: ISeriesApi<'Histogram'> } | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let disposed = false;
    let chart: IChartApi | null = null;
    import('lightweight-charts').then(({ CandlestickSeries, createChart, HistogramSeries }) => {
      if (disposed || !host.current) return;
      const style = getComputedStyle(document.documentElement);
      chart = createChart(host.current, {
        autoSize: true,
        layout: { background: { color: 'transparent' }, textColor: style.getPropertyValue('--muted').trim() || '#8a94a6', attributionLogo: false },
        grid: { vertLines: { color: 'rgba(255,255,255,0.04)' }, horzLines: { color: 'rgba(255,255,255,0.04)' } },
        timeScale: { timeVisible: true, secondsVisible: false, borderVisible: false, rightOffset: 4, barSpacing: 10 },
        rightPriceScale: { borderVisible: false },
      });
      const candles = chart.addSeries(CandlestickSeries, {
        upColor: '#2ebd85',
        downColor: '#f6465d',
        borderVisible: false,
        wickUpColor: '#2ebd85',
        wickDownColor: '#f6465d',
      });
      const volume = chart.addSeries(HistogramSeries, {
        priceScaleId: 'vol',
        priceFormat: { type: 'volume' },
        color: 'rgba(138,148,166,0.35)',
        lastValueVisible: false,
        priceLineVisible: false,
      });
      chart.priceScale('vol').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
      chartRef.current = { chart, candles, volume };
      setReady(true);
    });
    return () => {
      disposed = true;
      chart?.remove();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chartRef.current;
    if (!m || !c) return;
    const grid = gridOf(m);
    const step = Number(grid.tickStep());
    c.candles.applyOptions({ priceFormat: { type: 'price', precision: grid.priceDigits(), minMove: step } });
    const seconds = INTERVALS[interval];
    let bars: Bar[] = [];
    let cancelled = false;
    const draw = () => {
      c.candles.setData(bars.map((b) => ({ time: b.time as UTCTimestamp, open: b.open, high: b.high, low: b.low, close: b.close })));
      c.volume.setData(bars.map((b) => ({ time: b.time as UTCTimestamp, value: b.volume, color: b.close >= b.open ? 'rgba(46,189,133,0.35)' : 'rgba(246,70,93,0.35)' })));
    };
    bars = [];
    draw();
    setNote('');
    api.candles(m.marketId, interval, 300).then(
      (list) => {
        if (cancelled) return;
        bars = list.map(toBar);
        draw();
        c.chart.timeScale().scrollToRealTime();
      },
      () => {
        if (cancelled) return;
        // A node without the candles endpoint: build them from the trades the tape holds.
        bars = barsFromTrades(trades.get(), m, seconds);
        setNote('candles built from recent trades');
        draw();
      },
    );
    const off = onLiveTrades((fresh) => {
      for (const t of fresh) {
        const bar = addTrade(bars, t, seconds, grid.price(t.tick), grid.qty(BigInt(t.qty)));
        c.candles.update({ time: bar.time as UTCTimestamp, open: bar.open, high: bar.high, low: bar.low, close: bar.close });
        c.volume.update({ time: bar.time as UTCTimestamp, value: bar.volume, color: bar.close >= bar.open ? 'rgba(46,189,133,0.35)' : 'rgba(246,70,93,0.35)' });
      }
    });
    return () => {
      cancelled = true;
      off();
    };
  }, [m?.marketId, interval, ready]);

  return (
    <section class="panel chart" aria-label="Price chart">
      <div class="panel-head">
        <h2>{m?.symbol ?? ''}</h2>
        <div class="intervals" role="group" aria-label="Candle interval">
          {(Object.keys(INTERVALS) as Interval[]).map((k) => (
            <button type="button" key={k} aria-pressed={interval === k} onClick={() => setInterval(k)}>
              {k}
            </button>
          ))}
        </div>
        {note && <span class="muted small">{note}</span>}
      </div>
      <div class="chart-host" data-testid="chart" ref={host} />
    </section>
  );
}

// Measurements, printed and saved to target/web-screenshots/measurements.json, never asserted as
// timings: first render and navigation timing, the book bench (`/?bench=book`), the bundle size.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Node, launchBrowser, newPage, openApp, devAccounts, measure, bundleSize, step, REPO, DESKTOP } from './harness.mjs';

const BENCH_MS = 120_000;
let node, browser;

before(async () => {
  node = await Node.start();
  const [, maker] = await devAccounts();
  await node.placeOrder({ key: maker.privateKey, market: 'WETH-USDC', side: 'buy', price: '2990', qty: '0.5' });
  await node.placeOrder({ key: maker.privateKey, market: 'WETH-USDC', side: 'sell', price: '3010', qty: '0.5' });
  browser = await launchBrowser();
}, { timeout: 120_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await node?.stop();
});

test('first render and navigation timing; what the node serves', { timeout: 90_000 }, async (t) => {
  const page = await newPage(browser, { viewport: DESKTOP });
  const served = [];
  page.on('response', async (response) => {
    const url = new URL(response.url());
    if (url.origin !== new URL(node.url).origin || url.pathname.startsWith('/v1/')) return;
    try {
      const body = await response.body();
      served.push({ path: url.pathname, raw: body.length, gzip: gzipSync(body, { level: 9 }).length });
    } catch {}
  });
  try {
    await step(page, node, 'first-render', async () => {
      await openApp(page, node, '/');
      await page.waitForFunction(() => typeof window.__numoFirstRender === 'number', null, { timeout: 30_000 });
      await page.waitForLoadState('load');
      const timing = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const paint = Object.fromEntries(performance.getEntriesByType('paint').map((p) => [p.name, Math.round(p.startTime)]));
        return {
          firstRenderMs: Math.round(window.__numoFirstRender),
          domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd),
          loadMs: Math.round(nav.loadEventEnd),
          ...paint,
        };
      });
      measure(t, 'first_render', timing);
      assert.ok(timing.firstRenderMs > 0);
      await page.waitForLoadState('networkidle').catch(() => {});
      const total = served.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
      measure(t, 'served_app_bytes', { files: served.length, rawBytes: total.raw, gzipBytes: total.gzip, paths: served.map((f) => f.path) });
    });
  } finally {
    await page.context().close();
  }
});

test('book bench: /?bench=book', { timeout: BENCH_MS + 30_000 }, async (t) => {
  const page = await newPage(browser, { viewport: DESKTOP });
  try {
    await step(page, node, 'bench', async () => {
      await openApp(page, node, '/?bench=book');
      const handle = await page.waitForFunction(() => window.__numoBench, null, { timeout: BENCH_MS, polling: 250 });
      const bench = await handle.jsonValue();
      const keys = ['updates', 'seconds', 'frames', 'fps', 'droppedFrames', 'maxFrameMs', 'p99FrameMs', 'longTasks'];
      for (const key of keys) assert.ok(key in bench, `__numoBench.${key} present: ${JSON.stringify(bench)}`);
      measure(t, 'book_bench', { ...bench, updatesPerSecond: Math.round(bench.updates / bench.seconds) });
    });
  } finally {
    await page.context().close();
  }
});

test('bundle size of web/dist (raw and gzip)', (t) => {
  const dist = process.env.NUMO_WEB_DIST || process.env.NUMO_WEB_DEV_DIST || path.join(REPO, 'web', 'dist');
  if (!existsSync(dist)) {
    t.skip(`no built bundle at ${dist}`);
    return;
  }
  const size = bundleSize(dist);
  measure(t, 'bundle_size', size);
  assert.ok(size.files > 0);
});

test('layout shift while the book and the tape update (printed)', { timeout: 120_000 }, async (t) => {
  const page = await newPage(browser, { viewport: DESKTOP });
  try {
    await step(page, node, 'layout-shift', async () => {
      const [, maker] = await devAccounts();
      await openApp(page, node, '/');
      await page.getByTestId('orderbook').getByTestId('book-ask').first().waitFor();
      await page.waitForFunction(() => /\blive\b/i.test(document.querySelector('[data-testid="ws-status"]')?.textContent || ''));
      await page.waitForTimeout(1000); // loading settles first: only shifts caused by updates count
      await page.evaluate(() => {
        window.__shift = { cls: 0, entries: 0, sources: [] };
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            if (entry.hadRecentInput) continue;
            window.__shift.cls += entry.value;
            window.__shift.entries += 1;
            for (const source of entry.sources || []) {
              const node = source.node;
              const id = node?.closest?.('[data-testid]')?.getAttribute('data-testid') || node?.nodeName || '?';
              if (!window.__shift.sources.includes(id)) window.__shift.sources.push(id);
            }
          }
        }).observe({ type: 'layout-shift', buffered: false });
      });
      for (let i = 0; i < 8; i++) {
        const price = String(3000 + i);
        await node.placeOrder({ key: maker.privateKey, market: 'WETH-USDC', side: 'sell', price, qty: '0.01' });
        await node.placeOrder({ key: maker.privateKey, market: 'WETH-USDC', side: 'buy', price, qty: '0.01', ioc: true });
        await node.placeOrder({ key: maker.privateKey, market: 'WETH-USDC', side: 'buy', price: String(2900 + i), qty: '0.02' });
      }
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="trade-row"]')].some((r) => /3,?007/.test(r.textContent)), null, { timeout: 20_000 });
      await page.waitForTimeout(500);
      const shift = await page.evaluate(() => window.__shift);
      measure(t, 'layout_shift_during_updates', { cumulative: Number(shift.cls.toFixed(4)), entries: shift.entries, sources: shift.sources, updates: '8 trades + 16 new levels' });
    });
  } finally {
    await page.context().close();
  }
});

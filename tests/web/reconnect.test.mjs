// WebSocket reconnect and resubscribe: the app's socket closed under it (the page side and the
// server side of a routed socket), then the node itself stopped and started again on the same port
// and data dir. Each time ws-status must come back to "live" and new trades must still arrive; a
// page opened after the restart shows the trades made before it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Node, launchBrowser, newPage, openApp, devAccounts, waitFor, waitForRow, step, screenshot, DESKTOP } from './harness.mjs';

const MARKET = 'WETH-USDC';
const RECONNECT_MS = 30_000;
let node, browser, maker;

before(async () => {
  node = await Node.start();
  [, maker] = await devAccounts();
  browser = await launchBrowser();
}, { timeout: 120_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await node?.stop();
});

const status = async (page) => ((await page.getByTestId('ws-status').textContent()) || '').trim();
const isLive = async (page) => {
  const text = await status(page);
  return /\blive\b/i.test(text) && !/not live/i.test(text);
};

async function trade(price) {
  await node.placeOrder({ key: maker.privateKey, market: MARKET, side: 'sell', price, qty: '0.01' });
  const taker = await node.placeOrder({ key: maker.privateKey, market: MARKET, side: 'buy', price, qty: '0.01', ioc: true });
  assert.equal(taker.fills.length, 1, `a trade at ${price}`);
  return taker;
}

async function selectMarket(page) {
  const select = page.getByTestId('market-select');
  await select.waitFor();
  if ((await select.inputValue()) !== MARKET) await select.selectOption(MARKET);
}

test('the socket closed under the app: reconnects, resubscribes', { timeout: 120_000 }, async (t) => {
  const page = await newPage(browser, { viewport: DESKTOP });
  const sockets = [];
  await page.routeWebSocket(/\/v1\/ws/, (ws) => {
    const server = ws.connectToServer();
    sockets.push({ ws, server });
  });
  try {
    await step(page, node, 'ws-close', async () => {
      await openApp(page, node, '/');
      await selectMarket(page);
      await waitFor('ws-status live', () => isLive(page));
      assert.ok(sockets.length >= 1, 'the app opened a WebSocket to /v1/ws');
      await trade('3001');
      await waitForRow(page, 'trades', 'trade-row', '3001', { what: 'a trade before the close' });

      const opened = sockets.length;
      const { ws, server } = sockets.at(-1);
      await ws.close({ code: 1001, reason: 'closed by the test' });
      await server.close({ code: 1001, reason: 'closed by the test' }).catch(() => {});
      await waitFor('a new WebSocket after the close', () => sockets.length > opened, { timeout: RECONNECT_MS });
      await waitFor('ws-status live again', () => isLive(page), { timeout: RECONNECT_MS });
      t.diagnostic(`sockets opened: ${sockets.length}`);
      await trade('3003');
      await waitForRow(page, 'trades', 'trade-row', '3003', { what: 'a trade after the reconnect (resubscribed)' });
    });
  } finally {
    await page.context().close();
  }
});

test('the node restarted on the same port and data dir: live again, trades still arrive, the old ones kept', { timeout: 180_000 }, async (t) => {
  const page = await newPage(browser, { viewport: DESKTOP });
  try {
    await step(page, node, 'node-restart', async () => {
      await openApp(page, node, '/');
      await selectMarket(page);
      await waitFor('ws-status live', () => isLive(page));
      await node.stopNode();
      const down = await waitFor('ws-status leaves "live" while the node is down', async () => ((await isLive(page)) ? null : await status(page)), { timeout: RECONNECT_MS });
      t.diagnostic(`ws-status while the node is down: "${down}"`);
      await screenshot(page, 'ws-offline-1280x800');
      await node.spawn();
      await waitFor('ws-status live after the restart', () => isLive(page), { timeout: RECONNECT_MS * 2 });
      await trade('3005');
      await waitForRow(page, 'trades', 'trade-row', '3005', { what: 'a trade after the node restart (resubscribed)' });
    });
  } finally {
    await page.context().close();
  }
  // a page opened after the restart shows the trades from before it too (the node refills its
  // tape from the stored batches)
  const fresh = await newPage(browser, { viewport: DESKTOP });
  try {
    await step(fresh, node, 'tape-after-restart', async () => {
      await openApp(fresh, node, '/');
      await selectMarket(fresh);
      for (const price of ['3001', '3003', '3005']) await waitForRow(fresh, 'trades', 'trade-row', price, { what: `the trade at ${price} in a page opened after the restart` });
    });
  } finally {
    await fresh.context().close();
  }
});

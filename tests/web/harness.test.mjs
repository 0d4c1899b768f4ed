// The harness itself, independent of the app: a dev node starts on a free port and stops by PID,
// the CLI signs orders against it, Debian's Chromium launches through playwright-core.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Node, launchBrowser, newPage, devAccounts, humanTick, humanPrice } from './harness.mjs';

test('dev node, CLI orders through the API, Chromium', { timeout: 120_000 }, async (t) => {
  const node = await Node.start();
  let browser;
  try {
    const markets = await node.get('/v1/markets');
    const weth = markets.find((m) => m.symbol === 'WETH/USDC');
    assert.equal(humanTick(weth), '0.01');
    const [, maker] = await devAccounts();
    const bid = await node.placeOrder({ key: maker.privateKey, market: 'WETH-USDC', side: 'buy', price: '2990', qty: '0.5' });
    assert.equal(bid.request.tick, 299000);
    const book = await node.get('/v1/markets/WETH-USDC/book');
    assert.equal(humanPrice(weth, book.bids[0].tick), '2990');
    browser = await launchBrowser();
    t.diagnostic(`chromium ${browser.version()}`);
    const page = await newPage(browser);
    await page.goto(`${node.api}/health`);
    assert.equal(JSON.parse(await page.locator('body').innerText()).status, 'ok');
    const pid = node.child.pid;
    await node.stopNode();
    assert.throws(() => process.kill(pid, 0), 'the node is gone after stop');
  } finally {
    await browser?.close();
    await node.stop();
  }
});

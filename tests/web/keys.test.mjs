// Keys kept in the browser (issue 13 "Keys"): the Keys dialog says where they live; a bad key is
// refused with an error and nothing stored; a key made by the CLI (`numo key new`) imports to the
// same address; a key generated in the page is stored, funded by a transfer through the CLI, and
// signs an order the node accepts; it survives a reload and "Forget key" removes it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Node, launchBrowser, newPage, openApp, devAccounts, screenshot, step, waitFor, waitForBalance, openTab, selectByValue, humanTick, run, NUMO } from './harness.mjs';

const MARKET = 'WETH-USDC';
const KEYS_ITEM = 'numo.keys.v1'; // web/src/lib/keys.ts
const RESTING = ['123.45', '0.01']; // a bid far below the market: it rests

let node, browser, page, devs, market;

before(async () => {
  node = await Node.start();
  devs = await devAccounts();
  market = (await node.get('/v1/markets')).find((m) => m.symbol.replace('/', '-') === MARKET);
  assert.ok(market, `dev genesis has no ${MARKET}`);
  browser = await launchBrowser();
  page = await newPage(browser);
}, { timeout: 180_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await node?.stop();
});

const stored = () => page.evaluate((item) => JSON.parse(localStorage.getItem(item) ?? '[]'), KEYS_ITEM);
const dialog = () => page.getByRole('dialog', { name: 'Keys' });
const optionValues = () => page.getByTestId('account-select').locator('option').evaluateAll((o) => o.map((x) => x.value.toLowerCase()));
const selected = async () => (await page.getByTestId('account-select').inputValue()).toLowerCase();

async function openKeys() {
  if (!(await dialog().isVisible())) await page.getByRole('button', { name: 'Keys', exact: true }).click();
  await dialog().waitFor({ state: 'visible' });
}

test('the Keys dialog says where keys live; a bad key is refused and nothing is stored', { timeout: 90_000 }, async () => {
  await step(page, node, 'keys-dialog', async () => {
    await openApp(page, node);
    await waitFor('ws-status live', async () => /\blive\b/i.test((await page.getByTestId('ws-status').textContent()) ?? ''));
    await openKeys();
    const text = (await dialog().textContent()) ?? '';
    assert.match(text, /unencrypted in this browser's localStorage/, text);
    assert.match(text, new RegExp(KEYS_ITEM.replace(/\./g, '\\.')), text);
    await dialog().getByLabel(/Private key/).fill('0x1234');
    await dialog().getByRole('button', { name: 'Import', exact: true }).click();
    await waitFor('an import error', async () => ((await dialog().locator('.error').textContent()) ?? '').trim().length > 0);
    assert.deepEqual(await stored(), [], 'a refused key is not stored');
    await screenshot(page, 'keys-dialog');
  });
});

test('a key from `numo key new` imports to the same address', { timeout: 60_000 }, async () => {
  await step(page, node, 'keys-import', async () => {
    const made = JSON.parse((await run(NUMO, ['key', 'new', '--json'])).stdout);
    await openKeys();
    await dialog().getByLabel(/Private key/).fill(made.privateKey);
    await dialog().getByRole('button', { name: 'Import', exact: true }).click();
    await waitFor('the imported key selected', async () => (await selected()) === made.address.toLowerCase());
    assert.equal((await stored()).length, 1);
    // importing it again changes nothing
    await dialog().getByLabel(/Private key/).fill(made.privateKey);
    await dialog().getByRole('button', { name: 'Import', exact: true }).click();
    await page.waitForTimeout(300);
    assert.equal((await stored()).length, 1, 'the same key twice is stored once');
  });
});

test('a generated key: funded by a transfer, signs an order the node accepts, survives a reload, forgotten', { timeout: 120_000 }, async () => {
  await step(page, node, 'keys-generated', async () => {
    const before = await optionValues();
    await openKeys();
    await dialog().getByRole('button', { name: 'Generate key', exact: true }).click();
    const address = await waitFor('a new key selected', async () => {
      const a = await selected();
      return /^0x[0-9a-f]{40}$/.test(a) && !before.includes(a) && a;
    });
    assert.ok(!devs.some((d) => d.address.toLowerCase() === address), 'a generated key is not a dev account');
    assert.equal((await stored()).length, 2);
    // the page shows its secret on request; the CLI agrees on its address
    await dialog().getByRole('button', { name: 'Show key', exact: true }).click();
    const secret = ((await dialog().locator('code.secret').textContent()) ?? '').trim();
    assert.match(secret, /^0x[0-9a-f]{64}$/);
    assert.ok((await stored()).includes(secret), 'the secret shown is the one stored');
    await dialog().getByRole('button', { name: 'Close', exact: true }).click();

    // fund it from dev account 1 (an F2 Transfer signed by the CLI), see the balance in the page
    await node.cli(['transfer', '--key', devs[1].privateKey, '--asset', 'USDC', '--amount', '1000', '--to', address]);
    await openTab(page, 'Balances');
    await waitForBalance(page, 'USDC', '1000', { timeout: 30_000 });

    // an order signed in the page with the generated key
    const form = page.getByTestId('order-form');
    await form.getByRole('radio', { name: 'Buy', exact: true }).check();
    await form.getByLabel('Price', { exact: true }).fill(RESTING[0]);
    await form.getByLabel('Size', { exact: true }).fill(RESTING[1]);
    await form.getByRole('button', { name: 'Buy', exact: true }).click();
    const tick = Math.round(Number(RESTING[0]) / Number(humanTick(market)));
    await waitFor('the order in GET /v1/accounts of the generated key', async () => (await node.account(address)).openOrders.some((o) => o.tick === tick), { timeout: 30_000 });

    // a reload keeps the key (localStorage), and the app offers it again
    await page.reload({ waitUntil: 'domcontentloaded' });
    await waitFor('the generated key offered after a reload', async () => (await optionValues()).includes(address));
    await selectByValue(page.getByTestId('account-select'), address);
    await openKeys();
    await screenshot(page, 'keys-generated');
    await dialog().getByRole('button', { name: 'Forget key', exact: true }).click();
    await waitFor('the key gone from account-select', async () => !(await optionValues()).includes(address));
    assert.ok(!(await stored()).includes(secret), 'a forgotten key leaves localStorage');
    assert.equal((await stored()).length, 1, 'the other browser key stays');
    assert.deepEqual(page.errors.filter((e) => !/Failed to load resource/.test(e)), []);
  });
});

// The Funds dialogs in a real browser against a real L1: anvil (contracts/node_modules, the
// @foundry-rs/anvil npm package) and `numo node --dev --l1-rpc` (the dev node deploys the tokens
// and the bridge on its first start), both on free 127.0.0.1 ports and stopped by PID. The page
// gets an injected EIP-1193 wallet (`window.ethereum`, page.addInitScript) whose requests are
// forwarded to anvil through page.exposeFunction (anvil's default accounts are unlocked, so
// eth_sendTransaction works). Flow: deposit through the dialog → numo balance up (REST and the
// balances panel); withdraw through the dialog → pending → settled by the node's settler → Claim
// through the wallet → the recipient's L1 token balance up (eth_call balanceOf) and the row says
// claimed. Every wait is bounded; screenshots go to target/web-screenshots/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  Node, REPO, launchBrowser, newPage, openApp, devAccounts, screenshot, step, waitFor, waitForBalance, openTab, selectByValue,
  freePort, formatUnits, sleep, spawnLogged, stopChild, exited, DESKTOP,
} from './harness.mjs';

const ANVIL = process.env.ANVIL || path.join(REPO, 'contracts', 'node_modules', '@foundry-rs', 'anvil-linux-amd64', 'bin', 'anvil');
const START_MS = 90_000;
const FLOW_MS = 90_000;
const MINE_INTERVAL_MS = 300;
const SETTLE_INTERVAL_MS = 1000;
const CONFIRMATIONS = 2;
// anvil's default accounts ("test test … junk", public test keys). Account 0 is the node's operator
// (it sends the settlements): the wallet in the page is account 1, the withdrawal pays account 2.
const WALLET = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const RECIPIENT = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';
const ANVIL_CHAIN = 31337;

const DEPOSIT = '250.5'; // USDC, through the deposit dialog
const WITHDRAW = '100.25'; // USDC, through the withdraw dialog

// ------------------------------------------------------------------------------------ anvil

/** anvil (automine) plus a miner adding an empty block every MINE_INTERVAL_MS, so confirmations come. */
class Anvil {
  constructor(workdir) {
    this.workdir = workdir;
    this.logPath = path.join(workdir, 'anvil.log');
  }

  async start() {
    assert.ok(existsSync(ANVIL), `anvil missing at ${ANVIL}: run \`npm ci\` in contracts/`);
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    this.child = spawnLogged(ANVIL, ['--host', '127.0.0.1', '--port', String(this.port)], this.logPath);
    await waitFor('anvil answering eth_chainId', async () => {
      if (exited(this.child)) throw new Error(`anvil exited: ${readFileSync(this.logPath, 'utf8').slice(-2000)}`);
      return (await this.rpc('eth_chainId')) !== undefined;
    }, { timeout: START_MS, interval: 100 });
    this.miner = setInterval(() => this.rpc('evm_mine').catch(() => {}), MINE_INTERVAL_MS);
  }

  /** One JSON-RPC call: the raw answer ({result} or {error}). */
  async raw(method, params = []) {
    const r = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(30_000),
    });
    return r.json();
  }

  async rpc(method, params = []) {
    const a = await this.raw(method, params);
    if (a.error) throw new Error(`${method}: ${JSON.stringify(a.error)}`);
    return a.result;
  }

  /** ERC20 balanceOf through eth_call. */
  async balanceOf(token, owner) {
    const data = '0x70a08231' + owner.slice(2).toLowerCase().padStart(64, '0');
    return BigInt(await this.rpc('eth_call', [{ to: token, data }, 'latest']));
  }

  async stop() {
    clearInterval(this.miner);
    await stopChild(this.child);
  }
}

// ------------------------------------------------------------------------------------ the wallet

/** An EIP-1193 provider in the page: accounts and the chain are the wallet's own (it starts on
 *  chain 1, so the app must ask it to switch); every other request goes to anvil. */
async function injectWallet(page, anvil) {
  await page.exposeFunction('__numoL1Rpc', async (method, params) => anvil.raw(method, params));
  await page.addInitScript(({ account, anvilChain }) => {
    let chain = 1;
    const calls = [];
    window.__walletCalls = calls;
    window.ethereum = {
      isNumoTestWallet: true,
      async request({ method, params = [] }) {
        calls.push({ method, params });
        if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [account];
        if (method === 'eth_chainId') return '0x' + chain.toString(16);
        if (method === 'wallet_switchEthereumChain') {
          const want = Number(BigInt(params[0].chainId));
          if (want !== anvilChain) throw Object.assign(new Error('Unrecognized chain ID'), { code: 4902 });
          chain = want;
          return null;
        }
        if (method === 'eth_sendTransaction' && chain !== anvilChain) throw Object.assign(new Error('wrong chain'), { code: 4901 });
        const answer = await window.__numoL1Rpc(method, params);
        if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code, data: answer.error.data });
        return answer.result;
      },
    };
  }, { account: WALLET, anvilChain: ANVIL_CHAIN });
}

// ------------------------------------------------------------------------------------ the test

let workdir, anvil, node, browser, page, l1, usdc, trader;

before(async () => {
  if (!existsSync(ANVIL) && !process.env.ANVIL) {
    // anvil comes with the contracts' npm lockfile (@foundry-rs/anvil); CI's contracts step installs it
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: path.join(REPO, 'contracts'), stdio: 'inherit', timeout: 300_000 });
  }
  workdir = mkdtempSync(path.join(os.tmpdir(), 'numo-web-bridge-'));
  anvil = new Anvil(workdir);
  await anvil.start();
  // the dev node deploys the tokens and the bridge on its first start: ready once /v1/l1 answers
  node = await Node.start({
    args: ['--l1-rpc', anvil.url, '--settle-interval-ms', String(SETTLE_INTERVAL_MS), '--l1-confirmations', String(CONFIRMATIONS)],
    ready: '/v1/l1',
    startMs: START_MS,
  });
  l1 = await node.get('/v1/l1');
  assert.equal(l1.chainId, ANVIL_CHAIN);
  const markets = await node.get('/v1/markets');
  const m = markets.find((x) => x.symbol.split('/')[1] === 'USDC');
  assert.ok(m && l1.tokens.USDC, `no USDC market or token: ${JSON.stringify(l1.tokens)}`);
  usdc = { assetId: m.quoteAssetId, decimals: m.quoteDecimals, token: l1.tokens.USDC };
  [trader] = await devAccounts();
  browser = await launchBrowser();
  page = await newPage(browser, { viewport: DESKTOP });
  await injectWallet(page, anvil);
}, { timeout: 240_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await node?.stop();
  await anvil?.stop();
  if (workdir && !process.env.NUMO_WEB_KEEP) rmSync(workdir, { recursive: true, force: true });
});

const units = (text) => {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole + fraction.padEnd(usdc.decimals, '0'));
};

async function numoUsdc(address) {
  const account = await node.get(`/v1/accounts/${address}`);
  return BigInt(account.balances.find((b) => b.assetId.toLowerCase() === usdc.assetId.toLowerCase())?.available ?? 0);
}


test('anvil answers cross-origin JSON-RPC from the page (CORS), printed', { timeout: 60_000 }, async (t) => {
  await openApp(page, node, '/');
  const direct = await page.evaluate(async (url) => {
    try {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }) });
      return { ok: r.ok, body: await r.json() };
    } catch (e) {
      return { ok: false, error: String(e) };
    }
  }, anvil.url);
  // a cross-origin fetch that resolves means anvil sent CORS headers; printed, not required
  t.diagnostic(`anvil fetched from the page (origin ${node.url} → ${anvil.url}): ${JSON.stringify(direct)}; the test wallet forwards through page.exposeFunction either way`);
});

test('deposit through the dialog: approve + deposit by the L1 wallet, credited on numo', { timeout: 180_000 }, async (t) => {
  await step(page, node, 'bridge-deposit', async () => {
    await selectByValue(page.getByTestId('account-select'), trader.address);
    await openTab(page, 'Balances');
    const before = await numoUsdc(trader.address);
    const l1Before = await anvil.balanceOf(usdc.token, WALLET);
    await page.getByTestId('funds-deposit').click();
    const dialog = page.getByTestId('deposit-dialog');
    await dialog.waitFor({ state: 'visible' });
    assert.match(await dialog.textContent(), /L1 wallet/);
    await dialog.getByLabel('Asset', { exact: true }).selectOption({ label: 'USDC' });
    await dialog.getByLabel('Amount', { exact: true }).fill(DEPOSIT);
    await screenshot(page, 'deposit-dialog-1280x800');
    await dialog.getByRole('button', { name: 'Deposit', exact: true }).click();
    const status = dialog.getByTestId('deposit-status');
    await waitFor('deposit credited in the dialog', async () => {
      const err = (await dialog.getByTestId('deposit-error').textContent()) ?? '';
      if (err.trim()) throw new Error(`deposit error: ${err}`);
      return /credited/.test((await status.textContent()) ?? '');
    }, { timeout: FLOW_MS, interval: 250 });
    await screenshot(page, 'deposit-credited-1280x800');
    t.diagnostic(`deposit status: ${await status.textContent()}`);

    const after = await numoUsdc(trader.address);
    assert.equal(after - before, units(DEPOSIT), 'numo USDC credited by exactly the deposit');
    assert.equal(l1Before - (await anvil.balanceOf(usdc.token, WALLET)), units(DEPOSIT), 'the wallet paid the deposit on L1');
    const calls = await page.evaluate(() => window.__walletCalls.map((c) => [c.method, c.params?.[0]?.to, c.params?.[0]?.data?.slice(0, 10)]));
    const sent = calls.filter(([m]) => m === 'eth_sendTransaction');
    assert.deepEqual(sent.map(([, to, sel]) => [to.toLowerCase(), sel]), [
      [usdc.token.toLowerCase(), '0x095ea7b3'], // approve(bridge, amount)
      [l1.bridge.toLowerCase(), sent[1]?.[2]], // NumoBridge.deposit
    ]);
    assert.ok(calls.some(([m]) => m === 'wallet_switchEthereumChain'), 'the app asked the wallet (on chain 1) to switch to the bridge chain');
    assert.match(await page.getByTestId('wallet-status').first().textContent(), /0x7099.*chain 31337/);
    const deposits = await node.get(`/v1/deposits?owner=${trader.address}`);
    assert.ok(deposits.some((d) => d.status === 'credited' && d.amount === units(DEPOSIT).toString() && d.from.toLowerCase() === WALLET));

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await waitForBalance(page, 'USDC', formatUnits(after, usdc.decimals));
  });
});

test('withdraw through the dialog (numo key), settled, claimed through the L1 wallet', { timeout: 240_000 }, async (t) => {
  await step(page, node, 'bridge-withdraw-claim', async () => {
    const before = await numoUsdc(trader.address);
    const recipientBefore = await anvil.balanceOf(usdc.token, RECIPIENT);
    await page.getByTestId('funds-withdraw').click();
    const dialog = page.getByTestId('withdraw-dialog');
    await dialog.waitFor({ state: 'visible' });
    assert.match(await dialog.textContent(), /numo key of account/);
    assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), 'focus moves into the dialog');
    await dialog.getByLabel('Asset', { exact: true }).selectOption({ label: 'USDC' });
    await dialog.getByLabel('Amount', { exact: true }).fill(WITHDRAW);
    await dialog.getByLabel('Recipient', { exact: true }).fill(RECIPIENT);
    await screenshot(page, 'withdraw-dialog-1280x800');
    const sendsBefore = await page.evaluate(() => window.__walletCalls.filter((c) => c.method === 'eth_sendTransaction').length);
    await dialog.getByRole('button', { name: 'Withdraw', exact: true }).click();
    const status = dialog.getByTestId('withdraw-status');
    const text = await waitFor('withdrawal pending in the dialog', async () => {
      const err = (await dialog.getByTestId('withdraw-error').textContent()) ?? '';
      if (err.trim()) throw new Error(`withdraw error: ${err}`);
      const s = (await status.textContent()) ?? '';
      return /pending/.test(s) && s;
    }, { timeout: FLOW_MS, interval: 200 });
    const id = Number(/Withdrawal (\d+)/.exec(text)[1]);
    t.diagnostic(`withdraw status: ${text}`);
    assert.equal(before - (await numoUsdc(trader.address)), units(WITHDRAW), 'numo USDC debited by the withdrawal');
    const sendsAfter = await page.evaluate(() => window.__walletCalls.filter((c) => c.method === 'eth_sendTransaction').length);
    assert.equal(sendsAfter, sendsBefore, 'the withdrawal is signed by the numo key, not the wallet');
    const w = await node.get(`/v1/withdrawals/${id}`);
    assert.equal(w.recipient.toLowerCase(), RECIPIENT);
    assert.equal(w.amount, units(WITHDRAW).toString());

    // a withdrawal beyond the balance: refused in the page, nothing signed or sent, no funding nonce spent
    const nonceBefore = (await node.account(trader.address)).fundingNonce;
    const posts = [];
    const onRequest = (request) => request.method() === 'POST' && new URL(request.url()).pathname === '/v1/withdrawals' && posts.push(request.url());
    page.on('request', onRequest);
    await dialog.getByLabel('Amount', { exact: true }).fill('999999999');
    await dialog.getByRole('button', { name: 'Withdraw', exact: true }).click();
    const refused = await waitFor('insufficient_balance shown', async () => {
      const e = (await dialog.getByTestId('withdraw-error').textContent()) ?? '';
      return /insufficient_balance/.test(e) && e;
    }, { timeout: FLOW_MS });
    assert.match(refused, /nothing was signed/);
    await sleep(500);
    page.off('request', onRequest);
    assert.deepEqual(posts, [], 'no POST /v1/withdrawals for an amount above the balance');
    assert.deepEqual((await node.account(trader.address)).fundingNonce, nonceBefore, 'the funding nonce is not spent');
    await screenshot(page, 'withdraw-error-1280x800');

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await openTab(page, 'Withdrawals');
    const rows = page.getByTestId('withdrawals').getByTestId('withdrawal-row');
    const row = rows.filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${id}$`) }) });
    await row.waitFor({ state: 'visible' });
    const seen = await row.getAttribute('data-status');
    t.diagnostic(`withdrawal ${id} first seen in the list as ${seen}`);
    assert.ok(['pending', 'settled'].includes(seen));
    await waitFor(`withdrawal ${id} settled with a Claim button`, async () => (await row.getAttribute('data-status')) === 'settled' && (await row.getByRole('button', { name: 'Claim', exact: true }).isVisible()), { timeout: FLOW_MS, interval: 250 });
    await screenshot(page, 'withdrawals-settled-1280x800');
    await row.getByRole('button', { name: 'Claim', exact: true }).click();
    await row.getByTestId('claim-tx').waitFor({ state: 'visible', timeout: FLOW_MS });
    t.diagnostic(`claim: ${await row.getByTestId('claim-tx').textContent()}`);
    await waitFor(`withdrawal ${id} claimed in the list`, async () => (await row.getAttribute('data-status')) === 'claimed' && /claimed/.test((await row.textContent()) ?? ''), { timeout: FLOW_MS, interval: 250 });
    await screenshot(page, 'withdrawals-claimed-1280x800');

    assert.equal((await anvil.balanceOf(usdc.token, RECIPIENT)) - recipientBefore, units(WITHDRAW), "the recipient's L1 USDC grew by the withdrawal");
    assert.equal((await node.get(`/v1/withdrawals/${id}`)).status, 'claimed');
    const claimTx = (await page.evaluate(() => window.__walletCalls.filter((c) => c.method === 'eth_sendTransaction').map((c) => c.params[0]))).at(-1);
    assert.equal(claimTx.to.toLowerCase(), l1.bridge.toLowerCase());
    assert.equal(claimTx.from.toLowerCase(), WALLET);
    assert.deepEqual(page.errors.filter((e) => !/Failed to load resource/.test(e)), []);
    await sleep(0);
  });
});

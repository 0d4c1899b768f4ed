// Harness of numo's browser tests (tests/web/README.md): a real `numo node --dev` on free
// 127.0.0.1 ports with a temp data dir, stopped by PID; Debian's Chromium driven by
// playwright-core (never a downloaded browser); orders signed and submitted through the API by the
// `numo` CLI (the dev keys), never by the app's own code. Every wait is bounded.

import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, existsSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
const CARGO_TARGET = process.env.CARGO_TARGET_DIR || path.join(REPO, 'target');
export const NUMO = process.env.NUMO_BIN || path.join(CARGO_TARGET, 'debug', 'numo');
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
/** Screenshots and measurements, CI artifacts: the repo-root `target/`, whatever CARGO_TARGET_DIR says. */
export const ARTIFACTS = path.join(REPO, 'target', 'web-screenshots');
/** Dev fallback only (README): serve this built app and proxy the API to the node. */
const DEV_DIST = process.env.NUMO_WEB_DEV_DIST || '';

export const START_TIMEOUT_MS = 60_000;
export const WAIT_MS = 20_000;
const CLI_TIMEOUT_MS = 60_000;

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

// ------------------------------------------------------------------------------------ helpers

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something truthy; throws after `timeout` ms naming `what`. */
export async function waitFor(what, probe, { timeout = WAIT_MS, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`);
    }
    await sleep(interval);
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Numbers written in a text, separators (`,`, thin and no-break spaces) dropped: `2,990.00` → 2990. */
export function numbersIn(text) {
  return (text.replace(/(\d)[,\u202f\u00a0\u2009'](?=\d)/g, '$1').match(/\d+(?:\.\d+)?/g) || []);
}

/** Whether a shown decimal `shown` is `exact` (a decimal string) rounded or truncated to the digits shown. */
export function shownAs(shown, exact) {
  const decimals = (shown.split('.')[1] || '').length;
  return Math.abs(Number(shown) - Number(exact)) < 10 ** -decimals + 1e-12 * Math.abs(Number(exact));
}

/** `amount × 10^-decimals` as a plain decimal string (BigInt exact). */
export function formatUnits(amount, decimals) {
  const text = BigInt(amount).toString().padStart(decimals + 1, '0');
  const whole = text.slice(0, text.length - decimals);
  const fraction = text.slice(text.length - decimals).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

/** A market's tick in human units (quote per whole base): tickSize × 10^baseDecimals / (10^quoteDecimals × priceScale). */
export function humanTick(market) {
  const num = BigInt(market.tickSize) * 10n ** BigInt(market.baseDecimals);
  const den = 10n ** BigInt(market.quoteDecimals) * BigInt(market.priceScale);
  // den is a power of ten
  const exp = den.toString().length - 1;
  return formatUnits(num, exp);
}

/** The human price of a tick. */
export function humanPrice(market, tick) {
  const num = BigInt(tick) * BigInt(market.tickSize) * 10n ** BigInt(market.baseDecimals);
  const exp = (10n ** BigInt(market.quoteDecimals) * BigInt(market.priceScale)).toString().length - 1;
  return formatUnits(num, exp);
}

/** The app's symbols use `-` (`WETH-USDC`); the API's `/`. */
export const urlSymbol = (symbol) => symbol.replace('/', '-');

const measurements = {};
/** Records a measurement (printed through the test's diagnostics and saved with the screenshots). */
export function measure(t, name, value) {
  measurements[name] = value;
  const line = `MEASURE ${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`;
  if (t?.diagnostic) t.diagnostic(line);
  else console.log(line);
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, 'measurements.json');
  let all = {};
  try {
    all = JSON.parse(readFileSync(file, 'utf8'));
  } catch {}
  writeFileSync(file, JSON.stringify({ ...all, ...measurements }, null, 2) + '\n');
}

/** Sizes of a built bundle directory: files, raw bytes and gzip bytes (each file gzipped alone, as served). */
export function bundleSize(dir) {
  const files = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        const bytes = readFileSync(p);
        files.push({ file: path.relative(dir, p), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
      }
    }
  };
  walk(dir);
  const sum = (list, key) => list.reduce((a, f) => a + f[key], 0);
  const wasm = files.filter((f) => f.file.endsWith('.wasm'));
  const app = files.filter((f) => !f.file.endsWith('.wasm'));
  return {
    dir,
    files: files.length,
    rawBytes: sum(files, 'raw'),
    gzipBytes: sum(files, 'gzip'),
    withoutWasm: { rawBytes: sum(app, 'raw'), gzipBytes: sum(app, 'gzip') },
    wasm: { rawBytes: sum(wasm, 'raw'), gzipBytes: sum(wasm, 'gzip') },
    perFile: files,
  };
}

// ------------------------------------------------------------------------------------ processes

const children = new Set();
// A test file that dies still takes its nodes down (by PID, SIGKILL: the exit hook is synchronous).
process.on('exit', () => {
  for (const child of children) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {}
  }
});

export function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Starts `cmd` with its stdout and stderr appended to `logPath`; stopped by PID when this process exits. */
export function spawnLogged(cmd, args, logPath) {
  const log = openSync(logPath, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', log, log], env: { ...process.env, NO_COLOR: '1' } });
  closeSync(log);
  children.add(child);
  return child;
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`: by PID. */
export async function stopChild(child, graceMs = 10_000) {
  if (!child || exited(child)) {
    children.delete(child);
    return;
  }
  const done = new Promise((resolve) => child.once('exit', resolve));
  // waits for the exit at most `ms`, without a timer left behind to hold the test process open
  const exitWithin = async (ms) => {
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
    const outcome = await Promise.race([done.then(() => 'exited'), timeout]);
    clearTimeout(timer);
    return outcome === 'exited' || exited(child);
  };
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {}
  if (!(await exitWithin(graceMs))) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {}
    await exitWithin(graceMs);
  }
  children.delete(child);
}

/** Runs a tool; rejects with its command line and output unless it exits 0 (or `check` is false). */
export function run(cmd, args, { timeout = CLI_TIMEOUT_MS, env, check = true } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout, env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      if (check && code !== 0) {
        reject(new Error(`${cmd} ${args.join(' ')} exited ${code}${error?.killed ? ' (killed: timeout)' : ''}\nstdout: ${stdout}\nstderr: ${stderr}`));
      } else {
        resolve({ code, stdout, stderr });
      }
    });
  });
}

// ------------------------------------------------------------------------------------ the node

/** `numo node --dev`: HTTP on a free 127.0.0.1 port, no EVM JSON-RPC, a temp data dir. */
export class Node {
  /** `args`: more `numo node` flags (e.g. `--l1-rpc`); `ready`: the GET that must answer 200
   *  before the node counts as up, within `startMs`. */
  constructor({ args = [], ready = '/health', startMs = START_TIMEOUT_MS } = {}) {
    if (!existsSync(NUMO)) throw new Error(`numo binary missing at ${NUMO}: cargo build -p numo (or set NUMO_BIN)`);
    this.args = args;
    this.ready = ready;
    this.startMs = startMs;
    this.workdir = mkdtempSync(path.join(os.tmpdir(), 'numo-web-'));
    this.dataDir = path.join(this.workdir, 'numo-data');
    this.logPath = path.join(this.workdir, 'node.log');
    this.port = 0;
    this.child = null;
    this.proxy = null;
  }

  static async start(options) {
    const node = new Node(options);
    node.port = await freePort();
    await node.spawn();
    if (DEV_DIST) node.proxy = await startDevProxy(DEV_DIST, node.port);
    return node;
  }

  /** The node's own base URL (the API). */
  get api() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Where the browser opens the app: the node itself (the dev fallback's proxy only when NUMO_WEB_DEV_DIST is set). */
  get url() {
    return this.proxy ? this.proxy.url : this.api;
  }

  async spawn() {
    const args = ['node', '--dev', '--data-dir', this.dataDir, '--http', `127.0.0.1:${this.port}`, '--evm-rpc', 'off', ...this.args];
    this.child = spawnLogged(NUMO, args, this.logPath);
    const deadline = Date.now() + this.startMs;
    for (;;) {
      if (exited(this.child)) throw new Error(`numo exited with ${this.child.exitCode ?? this.child.signalCode}: ${this.logTail()}`);
      try {
        const r = await fetch(this.api + this.ready, { signal: AbortSignal.timeout(2000) });
        if (r.ok && (this.ready !== '/health' || (await r.json()).status === 'ok')) return;
      } catch {}
      if (Date.now() > deadline) {
        await this.stopNode();
        throw new Error(`numo did not answer ${this.ready} on ${this.api} within ${this.startMs} ms: ${this.logTail()}`);
      }
      await sleep(100);
    }
  }

  /** SIGTERM, then SIGKILL after a grace period: by PID. */
  async stopNode() {
    await stopChild(this.child);
  }

  /** Stops the node and starts it again on the same port and data dir (the chain goes on). */
  async restart() {
    await this.stopNode();
    await this.spawn();
  }

  async stop() {
    await this.stopNode();
    if (this.proxy) await this.proxy.close();
    if (!process.env.NUMO_WEB_KEEP) rmSync(this.workdir, { recursive: true, force: true });
  }

  logTail(chars = 4000) {
    try {
      return readFileSync(this.logPath, 'utf8').slice(-chars);
    } catch {
      return '(no log)';
    }
  }

  async get(p) {
    const r = await fetch(this.api + p, { signal: AbortSignal.timeout(30_000) });
    const text = await r.text();
    if (!r.ok) throw new Error(`GET ${p}: ${r.status} ${text}`);
    return JSON.parse(text);
  }

  async account(address) {
    return this.get(`/v1/accounts/${address}`);
  }

  // --- the CLI, which signs with the dev keys (the app's code is never used to sign here)
  async cli(args, opts) {
    return run(NUMO, [...args, '--node', this.api, '--json'], opts);
  }

  /** `numo order place` as `key`; resolves to the node's answer (its outcome, fills, batchSeq). */
  async placeOrder({ key, market, side, price, qty, ioc = false, orderId }) {
    const args = ['order', 'place', '--key', key, '--market', market, '--side', side, '--price', String(price), '--qty', String(qty)];
    if (ioc) args.push('--ioc');
    if (orderId !== undefined) args.push('--order-id', String(orderId));
    const answer = JSON.parse((await this.cli(args)).stdout);
    if (answer.outcome !== 'accepted') throw new Error(`order ${side} ${qty}@${price} not accepted: ${JSON.stringify(answer)}`);
    return answer;
  }

  async cancelOrder({ key, market, orderId }) {
    return JSON.parse((await this.cli(['order', 'cancel', '--key', key, '--market', market, '--order-id', String(orderId)])).stdout);
  }
}

/** The dev accounts (`numo dev accounts --json`): [{address, privateKey}]. */
export async function devAccounts() {
  return JSON.parse((await run(NUMO, ['dev', 'accounts', '--json'])).stdout);
}

// ------------------------------------------------------------------------------------ dev fallback

/** DEV FALLBACK ONLY (NUMO_WEB_DEV_DIST): serves a built app and proxies /v1, /health and /metrics
 *  (HTTP and the WebSocket upgrade) to the node, for developing these tests before the node embeds
 *  the app. The suite proper opens the app from the node itself. */
async function startDevProxy(dist, nodePort) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2' };
  const isApi = (url) => /^\/(v1|health|metrics)(\/|$|\?)/.test(url);
  const server = createServer((req, res) => {
    if (isApi(req.url)) {
      const upstream = httpRequest({ host: '127.0.0.1', port: nodePort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      req.pipe(upstream);
      return;
    }
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = path.join(dist, pathname);
    if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) file = path.join(dist, 'index.html');
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  server.on('upgrade', (req, socket, head) => {
    const upstream = net.connect(nodePort, '127.0.0.1', () => {
      upstream.write([`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n'));
      if (head?.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const drop = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', drop);
    socket.on('error', drop);
    upstream.on('close', drop);
    socket.on('close', drop);
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  console.log(`DEV FALLBACK: serving ${dist} on http://127.0.0.1:${port}, API proxied to the node on ${nodePort}`);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

// ------------------------------------------------------------------------------------ the browser

/** Debian's Chromium, headless (`--no-sandbox` when running as root, which its sandbox refuses). */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: run scripts/web-deps.sh (Debian's chromium)`);
  const args = ['--disable-dev-shm-usage', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: 60_000 });
}

/** A fresh context and page (1280×800 unless told), default timeouts bounded; console errors kept on `page.errors`. */
export async function newPage(browser, { viewport = DESKTOP, ...options } = {}) {
  const context = await browser.newContext({ viewport, ...options });
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(`pageerror: ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.errors.push(`console: ${msg.text()}`);
  });
  return page;
}

/** Opens the app at `route` (e.g. `/`, `/?bench=book`) and checks the node served it. */
export async function openApp(page, node, route = '/') {
  const response = await page.goto(node.url + route, { waitUntil: 'domcontentloaded' });
  if (!response || !response.ok()) {
    throw new Error(`GET ${route} from ${node.url} answered ${response?.status()}: the node does not serve the web app (is the API's embedding in this numo build?)`);
  }
  return response;
}

export async function screenshot(page, name, { fullPage = false } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage, animations: 'disabled', timeout: 30_000 });
  return file;
}

/** Runs `fn`; on failure saves a screenshot `failed-<name>.png` and adds the node's log tail and the page's errors. */
export async function step(page, node, name, fn) {
  try {
    return await fn();
  } catch (error) {
    const base = `failed-${name.replace(/[^\w-]+/g, '-')}`;
    try {
      await screenshot(page, base, { fullPage: true });
    } catch {}
    try {
      writeFileSync(path.join(ARTIFACTS, `${base}.node.log`), node?.logTail(200_000) ?? '');
    } catch {}
    error.message += `\n--- page errors: ${JSON.stringify(page?.errors?.slice(-10) ?? [])}\n--- numo log tail:\n${node?.logTail(2000) ?? ''}`;
    throw error;
  }
}

// ------------------------------------------------------------------------------------ the DOM contract

/** Each element's text with its text nodes joined by spaces (so `<b>3010</b><i>0.5</i>` reads `3010 0.5`). */
export async function rowTexts(locator) {
  return locator.evaluateAll((elements) =>
    elements.map((element) => {
      const parts = [];
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) parts.push(walker.currentNode.textContent);
      return parts.join(' ').replace(/\s+/g, ' ').trim();
    }),
  );
}

/** Whether a row's text shows the number `value` (a decimal string or number), separators allowed. */
export function showsNumber(text, value) {
  return numbersIn(text).some((n) => Number(n) === Number(value));
}

/** The rows (`rowTestId`) under `testId` whose text shows `value`, waited for (bounded). */
export async function waitForRow(page, testId, rowTestId, value, { timeout = WAIT_MS, what } = {}) {
  const rows = page.getByTestId(testId).getByTestId(rowTestId);
  let last = [];
  try {
    return await waitFor(what || `${rowTestId} showing ${value} in ${testId}`, async () => {
      last = await rowTexts(rows);
      const index = last.findIndex((text) => showsNumber(text, value));
      return index >= 0 ? { row: rows.nth(index), text: last[index], index } : null;
    }, { timeout });
  } catch (error) {
    error.message += `\n--- ${rowTestId} rows: ${JSON.stringify(last.slice(0, 30))}`;
    throw error;
  }
}

/** Waits for the balance-row of `symbol` to show `value` (exactly or rounded/truncated to the digits shown). */
export async function waitForBalance(page, symbol, value, { timeout = WAIT_MS } = {}) {
  let rows = [];
  await waitFor(`balance-row ${symbol} showing ${value}`, async () => {
    rows = await rowTexts(page.getByTestId('balances').getByTestId('balance-row'));
    const row = rows.find((r) => new RegExp(`\\b${symbol}\\b`).test(r));
    return row && numbersIn(row).some((n) => shownAs(n, value));
  }, { timeout }).catch((error) => {
    error.message += `\nbalance rows: ${JSON.stringify(rows)}`;
    throw error;
  });
}

/** Clicks a bottom tab (role tab) if it is not already selected. */
export async function openTab(page, name) {
  const tab = page.getByRole('tab', { name, exact: true });
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
}

/** Selects the option of a `<select>` whose value equals `value` ignoring case (addresses). */
export async function selectByValue(select, value) {
  const values = await select.locator('option').evaluateAll((options) => options.map((o) => o.value));
  const match = values.find((v) => v.toLowerCase() === String(value).toLowerCase());
  if (match === undefined) throw new Error(`no option ${value} among ${JSON.stringify(values)}`);
  await select.selectOption(match);
  return values;
}

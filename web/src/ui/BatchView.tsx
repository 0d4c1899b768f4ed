// A batch: its public inputs (raw and decoded), the node's verification and SP1 proof status,
// its messages and trades, and "Re-execute in browser": download the witness, run the wasm
// guest on it here, and compare its public inputs byte for byte with the node's.

import { useEffect, useState } from 'preact/hooks';
import { api, type Batch } from '../lib/api';
import { describeError, meaningOf } from '../lib/errors';
import { guestAvailable, loadGuest } from '../lib/guest';
import { bytesToHex, equalBytes, hexToBytes } from '../lib/hex';
import { formatUnits } from '../lib/units';
import { gridOf, marketById, markets } from '../state/app';
import { useStore } from '../state/store';
import { batchHref, dateTimeOf, grouped, shortHex } from './format';

// Shown after the node's own word for the status, so the page and the API say the same thing.
const VERIFICATION: Record<string, string> = {
  verified: 'the node re-executed this batch with the guest and got the same public inputs',
  pending: 'the node has not re-executed this batch yet',
  mismatch: 'the node’s re-execution DISAGREES with what it committed',
};

const PROOF: Record<string, string> = {
  none: 'no proof: this node does not prove (numo node --prover sp1)',
  queued: 'waiting for the SP1 prover',
  proving: 'the SP1 prover is working on it',
  proved: 'SP1 proof ready: GET /v1/batches/{seq}/proof',
  failed: 'SP1 proving failed',
};

interface Rerun {
  state: 'running' | 'done' | 'error';
  text: string;
  match?: boolean;
}

export function BatchView({ seq }: { seq: number }) {
  const [batch, setBatch] = useState<Batch | null>(null);
  const [error, setError] = useState('');
  const [rerun, setRerun] = useState<Rerun | null>(null);
  useStore(markets);

  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    setBatch(null);
    setError('');
    setRerun(null);
    const load = async (tries: number) => {
      try {
        const b = await api.batch(seq);
        if (stop) return;
        setBatch(b);
        // Verification and proving run behind the chain: follow them for a while.
        const settled = b.verification !== 'pending' && !['queued', 'proving'].includes(b.proof?.status ?? 'none');
        if (!settled && tries < 60) timer = setTimeout(() => load(tries + 1), 2000);
      } catch (e) {
        if (!stop) setError(describeError(e));
      }
    };
    load(0);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [seq]);

  const reexecute = async () => {
    if (!batch) return;
    setRerun({ state: 'running', text: 'Downloading the witness…' });
    try {
      const t0 = performance.now();
      const { kind, bytes } = await api.witness(seq);
      const t1 = performance.now();
      setRerun({ state: 'running', text: `Running the guest on ${bytes.length.toLocaleString()} bytes…` });
      const { mod, guest } = await loadGuest();
      const t2 = performance.now();
      const result = await mod.reexecute(guest, kind as 'trading' | 'funding' | 'evm', bytes);
      const t3 = performance.now();
      if (!result.ok || !result.publicInputs) {
        setRerun({ state: 'error', text: `The guest refused the witness: ${result.code ?? 'error'} — ${result.message ?? ''}` });
        return;
      }
      const mine = result.publicInputs;
      const node = hexToBytes(batch.publicInputs);
      const same = equalBytes(mine, node);
      let diff = '';
      if (!same) {
        let i = 0;
        while (i < Math.min(mine.length, node.length) && mine[i] === node[i]) i++;
        diff = ` First difference at byte ${i} (guest ${mine.length} bytes, node ${node.length}). Guest: ${bytesToHex(mine)}`;
      }
      const timing = `re-executed in ${(t3 - t2).toFixed(0)} ms (witness ${(bytes.length / 1024).toFixed(1)} KiB downloaded in ${(t1 - t0).toFixed(0)} ms, guest loaded in ${(t2 - t1).toFixed(0)} ms)`;
      setRerun({
        state: 'done',
        match: same,
        text: same ? `match — the ${mine.length} bytes of public inputs computed here equal the node's; ${timing}` : `mismatch — ${timing}.${diff}`,
      });
    } catch (e) {
      setRerun({ state: 'error', text: `Re-execution failed: ${describeError(e)}` });
    }
  };

  const m = batch?.marketId ? marketById(batch.marketId) : undefined;
  const grid = m ? gridOf(m) : null;

  return (
    <main class="batch-view" data-testid="batch-view">
      <nav class="crumbs">
        <a href="#/">← Back to trading</a>
        <span class="spacer" />
        {seq > 1 && <a href={batchHref(seq - 1)}>← Batch {seq - 1}</a>}
        <a href={batchHref(seq + 1)}>Batch {seq + 1} →</a>
      </nav>
      <h1>Batch #{seq}</h1>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {!batch && !error && <p class="muted">Loading…</p>}
      {batch && (
        <>
          <dl class="facts">
            <div>
              <dt>Kind</dt>
              <dd>{batch.kind ?? 'trading'}</dd>
            </div>
            <div>
              <dt>Market</dt>
              <dd>{m?.symbol ?? (batch.marketId ? shortHex(batch.marketId) : '—')}</dd>
            </div>
            <div>
              <dt>Block</dt>
              <dd class="num">{batch.blockHeight}</dd>
            </div>
            <div>
              <dt>Time</dt>
              <dd class="num">{dateTimeOf(Number(batch.publicInputsDecoded?.batchTimestamp) || undefined)}</dd>
            </div>
            <div>
              <dt>Verification (node)</dt>
              <dd data-testid="batch-verification" class={`badge v-${batch.verification}`}>
                {batch.verification}
                {VERIFICATION[batch.verification] ? ` — ${VERIFICATION[batch.verification]}` : ''}
              </dd>
            </div>
            <div>
              <dt>SP1 proof</dt>
              <dd data-testid="batch-proof" class={`badge p-${batch.proof?.status ?? 'none'}`}>
                {batch.proof?.status ?? 'none'}
                {PROOF[batch.proof?.status ?? 'none'] ? ` — ${PROOF[batch.proof?.status ?? 'none']}` : ''}
                {batch.proof?.error ? `: ${batch.proof.error}` : ''}
              </dd>
            </div>
          </dl>

          <section class="panel">
            <h2>Re-execute in your browser</h2>
            {guestAvailable ? (
              <>
                <p class="muted">
                  Downloads this batch's witness (the exact guest input) and runs the numo guest compiled to WebAssembly in this page, then compares the public inputs it
                  computes with the node's, byte for byte.
                </p>
                <button type="button" data-testid="reexecute" onClick={reexecute} disabled={rerun?.state === 'running'}>
                  Re-execute in browser
                </button>
              </>
            ) : (
              <p class="muted">This build carries no WebAssembly guest; the node's own verdict is shown above.</p>
            )}
            <p
              data-testid="reexecute-result"
              class={`rerun ${rerun?.state === 'done' ? (rerun.match ? 'ok' : 'bad') : rerun?.state === 'error' ? 'bad' : ''}`}
              aria-live="polite"
            >
              {rerun?.text ?? ''}
            </p>
          </section>

          <section class="panel">
            <h2>Public inputs</h2>
            <table class="kv">
              <tbody>
                {Object.entries(batch.publicInputsDecoded ?? {}).map(([k, v]) => (
                  <tr key={k}>
                    <th>{k}</th>
                    <td class="mono">{String(v)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <details>
              <summary>Raw ({(batch.publicInputs.length - 2) / 2} bytes)</summary>
              <code class="hex" data-testid="public-inputs-raw">
                {batch.publicInputs}
              </code>
            </details>
          </section>

          {batch.messages && batch.messages.length > 0 && (
            <section class="panel">
              <h2>Messages</h2>
              <table>
                <thead>
                  <tr>
                    <th>#</th>
                    <th>Kind</th>
                    <th>Trader</th>
                    <th class="r">Nonce</th>
                    <th>Order id</th>
                    <th>Outcome</th>
                    <th class="r">Filled</th>
                  </tr>
                </thead>
                <tbody>
                  {batch.messages.map((msg) => (
                    <tr key={msg.globalIndex}>
                      <td class="num">{msg.globalIndex}</td>
                      <td>{msg.kind}</td>
                      <td class="mono" title={msg.trader}>
                        {msg.trader ? shortHex(msg.trader) : ''}
                      </td>
                      <td class="r num">{msg.nonce ?? ''}</td>
                      <td class="mono" title={msg.orderId}>
                        {msg.orderId ? BigInt(msg.orderId).toString() : ''}
                      </td>
                      <td title={msg.reason ? meaningOf(msg.reason) : undefined}>
                        {msg.outcome}
                        {msg.reason ? ` (${msg.reason})` : ''}
                      </td>
                      <td class="r num">{msg.filled && grid ? grid.qty(BigInt(msg.filled)) : msg.filled ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}

          {batch.trades && batch.trades.length > 0 && (
            <section class="panel">
              <h2>Trades</h2>
              <table>
                <thead>
                  <tr>
                    <th>Taker side</th>
                    <th class="r">Price</th>
                    <th class="r">Size</th>
                    <th class="r">Quote</th>
                    <th class="r">Fee</th>
                    <th>Maker</th>
                    <th>Taker</th>
                  </tr>
                </thead>
                <tbody>
                  {batch.trades.map((t, i) => (
                    <tr key={i}>
                      <td class={t.takerSide}>{t.takerSide}</td>
                      <td class="r num">{grid ? grouped(grid.priceAligned(t.tick)) : t.tick}</td>
                      <td class="r num">{grid ? grid.qty(BigInt(t.qty)) : t.qty}</td>
                      <td class="r num">{m ? grouped(formatUnits(BigInt(t.quoteAmount), m.quoteDecimals)) : t.quoteAmount}</td>
                      <td class="r num">{m ? formatUnits(BigInt(t.fee), m.quoteDecimals) : t.fee}</td>
                      <td class="mono">{shortHex(t.maker)}</td>
                      <td class="mono">{shortHex(t.taker)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </>
      )}
    </main>
  );
}

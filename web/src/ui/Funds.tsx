// Funds: Deposit / Withdraw next to the balances, the L1 wallet's status, the deposit and withdraw
// dialogs, and the withdrawals list with Claim. Who signs what: the L1 wallet (window.ethereum)
// signs the deposit's approve + deposit and the claim; the numo key kept in this browser signs the
// Withdraw. Shown only when the node has an L1 bridge (`GET /v1/l1`).

import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { WithdrawalRow } from '../lib/api';
import { ApiError, describeError } from '../lib/errors';
import { injectedWallet } from '../lib/eth';
import { formatUnits, parseTokenAmount } from '../lib/units';
import { account, accountData } from '../state/app';
import {
  assetById, claim, claims, connectWallet, deposit, deposits, fundAssets, fundsDialog, l1, wallet, withdraw, withdrawals,
  type DepositStep, type FundAsset,
} from '../state/funds';
import { useStore } from '../state/store';
import { batchHref, grouped, shortHex } from './format';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function amountText(assetId: string, amount: string): string {
  const a = assetById(assetId);
  return a ? `${grouped(formatUnits(BigInt(amount), a.decimals))} ${a.symbol}` : amount;
}

function errorText(e: unknown): string {
  if (e instanceof ApiError && e.code === 'insufficient_balance') {
    return `Insufficient available balance: the withdrawal was executed and rejected, its funding nonce is spent (${e.code})`;
  }
  return describeError(e);
}

// ---- the bar in the balances panel --------------------------------------------------------

export function WalletStatus() {
  const w = useStore(wallet);
  const s = useStore(l1);
  const [error, setError] = useState('');
  const want = s.state === 'ok' ? s.info.chainId : null;
  const has = injectedWallet() !== null;
  let text: string;
  if (!has) text = 'No L1 wallet (window.ethereum) in this browser';
  else if (!w.address) text = 'L1 wallet not connected';
  else text = `L1 wallet ${shortHex(w.address)} · chain ${w.chainId}${want !== null && w.chainId !== want ? ` (bridge: ${want})` : ''}`;
  return (
    <span class="wallet-status" data-testid="wallet-status" title={w.address ?? undefined}>
      {text}
      {has && !w.address && (
        <button
          type="button"
          class="ghost"
          onClick={() => connectWallet().then(() => setError(''), (e) => setError(describeError(e)))}
        >
          Connect
        </button>
      )}
      {error && <span class="bad"> {error}</span>}
    </span>
  );
}

export function FundsBar() {
  const s = useStore(l1);
  const address = useStore(account);
  if (s.state === 'loading') return null;
  if (s.state === 'none') return <p class="note funds-note">This node has no L1 bridge: deposits and withdrawals are not available here.</p>;
  return (
    <div class="funds-bar">
      <button type="button" data-testid="funds-deposit" disabled={!address} onClick={() => fundsDialog.set('deposit')}>
        Deposit
      </button>
      <button type="button" data-testid="funds-withdraw" disabled={!address} onClick={() => fundsDialog.set('withdraw')}>
        Withdraw
      </button>
      <WalletStatus />
    </div>
  );
}

// ---- dialogs ------------------------------------------------------------------------------

function Dialog(props: { title: string; testId: string; onClose: () => void; children: ComponentChildren }) {
  const box = useRef<HTMLDivElement>(null);
  const close = useRef(props.onClose);
  close.current = props.onClose;
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>('select, input, button:not(.dialog-close)');
    first?.focus();
    // Escape closes wherever the focus is (a button that turned disabled drops it to the body)
    const onEscape = (e: KeyboardEvent) => e.key === 'Escape' && close.current();
    document.addEventListener('keydown', onEscape);
    return () => {
      document.removeEventListener('keydown', onEscape);
      before?.focus?.();
    };
  }, []);
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Tab' || !box.current) return;
    // keep Tab inside the dialog
    const items = [...box.current.querySelectorAll<HTMLElement>('button, input, select, a[href]')].filter((x) => !(x as HTMLButtonElement).disabled);
    if (!items.length) return;
    const [first, last] = [items[0], items[items.length - 1]];
    if (e.shiftKey && document.activeElement === first) {
      last.focus();
      e.preventDefault();
    } else if (!e.shiftKey && document.activeElement === last) {
      first.focus();
      e.preventDefault();
    }
  };
  const titleId = `${props.testId}-title`;
  return (
    <div class="dialog-backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="dialog panel" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid={props.testId} ref={box} onKeyDown={onKey}>
        <div class="panel-head">
          <h2 id={titleId}>{props.title}</h2>
          <span class="spacer" />
          <button type="button" class="ghost dialog-close" aria-label="Close" onClick={props.onClose}>
            ×
          </button>
        </div>
        <div class="dialog-body">{props.children}</div>
      </div>
    </div>
  );
}

function AssetField(props: { id: string; assets: FundAsset[]; value: string; onChange: (id: string) => void }) {
  return (
    <div class="field">
      <label for={props.id}>Asset</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        {props.assets.map((a) => (
          <option key={a.assetId} value={a.assetId}>
            {a.symbol}
          </option>
        ))}
      </select>
    </div>
  );
}

function parseAmount(text: string, asset: FundAsset | undefined): { value: bigint | null; error: string } {
  if (!asset || text.trim() === '') return { value: null, error: '' };
  try {
    const value = parseTokenAmount(text, asset.decimals, asset.symbol);
    return value > 0n ? { value, error: '' } : { value: null, error: 'The amount must be above zero' };
  } catch (e) {
    return { value: null, error: e instanceof Error ? e.message : String(e) };
  }
}

function depositStepText(s: DepositStep): string {
  switch (s.step) {
    case 'connecting':
      return 'Connecting the L1 wallet…';
    case 'approving':
      return s.tx ? `Approval sent (L1 tx ${shortHex(s.tx, 10, 6)}), waiting for it to be mined…` : 'Approve the bridge to take the tokens: confirm in your wallet…';
    case 'depositing':
      return s.tx ? `Deposit sent (L1 tx ${shortHex(s.tx, 10, 6)}), waiting for it to be mined…` : 'Confirm the deposit in your wallet…';
    case 'confirming':
      return `Deposit ${s.index ?? ''} mined (L1 tx ${shortHex(s.tx, 10, 6)}); the node credits it after ${s.confirmations} L1 confirmations…`;
    case 'credited':
      return `Deposit ${s.index ?? ''} credited in batch ${s.batchSeq}.`;
  }
}

export function DepositDialog(props: { onClose: () => void }) {
  const to = useStore(account) ?? '';
  const s = useStore(l1);
  const assets = fundAssets().filter((a) => a.token);
  const [assetId, setAssetId] = useState(assets[0]?.assetId ?? '');
  const [text, setText] = useState('');
  const [step, setStep] = useState<DepositStep | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const asset = assets.find((a) => a.assetId === assetId);
  const amount = parseAmount(text, asset);
  const info = s.state === 'ok' ? s.info : null;
  return (
    <Dialog title="Deposit from L1" testId="deposit-dialog" onClose={props.onClose}>
      <p class="who">
        Your <strong>L1 wallet</strong> signs two L1 transactions: an ERC20 <code>approve</code> of the bridge, then{' '}
        <code>NumoBridge.deposit</code>. No numo key signs anything. The tokens are credited to the numo account below once the
        bridge's deposit has {info?.confirmations ?? 'its'} L1 confirmations.
      </p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (!asset || amount.value === null || busy) return;
          setBusy(true);
          setError('');
          try {
            await deposit(asset, amount.value, to, setStep);
          } catch (err) {
            setError(describeError(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <AssetField id="deposit-asset" assets={assets} value={assetId} onChange={setAssetId} />
        <div class="field">
          <label for="deposit-amount">Amount</label>
          <div class="input-unit">
            <input
              id="deposit-amount"
              inputMode="decimal"
              autocomplete="off"
              value={text}
              aria-invalid={amount.error ? 'true' : undefined}
              aria-describedby="deposit-amount-hint"
              onInput={(e) => setText((e.target as HTMLInputElement).value)}
            />
            <span class="unit">{asset?.symbol}</span>
          </div>
          <span id="deposit-amount-hint" class={`hint ${amount.error ? 'bad' : ''}`}>
            {amount.error || (asset ? `whole tokens, up to ${asset.decimals} decimals` : '')}
          </span>
        </div>
        <dl class="preview">
          <div>
            <dt>To numo account</dt>
            <dd class="mono" title={to}>{to}</dd>
          </div>
          <div>
            <dt>L1 token</dt>
            <dd class="mono" title={asset?.token ?? ''}>{asset?.token ? shortHex(asset.token, 10, 6) : '—'}</dd>
          </div>
          <div>
            <dt>Bridge (L1 chain {info?.chainId})</dt>
            <dd class="mono" title={info?.bridge}>{info ? shortHex(info.bridge, 10, 6) : '—'}</dd>
          </div>
        </dl>
        <WalletStatus />
        <button type="submit" class="submit primary" disabled={busy || amount.value === null || !to}>
          {busy ? 'Depositing…' : 'Deposit'}
        </button>
      </form>
      <p class={`dialog-status ${step?.step === 'credited' ? 'ok' : ''}`} role="status" data-testid="deposit-status">
        {step ? depositStepText(step) : ''}
      </p>
      <p class="dialog-error" role="alert" data-testid="deposit-error">
        {error}
      </p>
    </Dialog>
  );
}

export function WithdrawDialog(props: { onClose: () => void }) {
  const owner = useStore(account) ?? '';
  const acct = useStore(accountData);
  const w = useStore(wallet);
  const assets = fundAssets();
  const [assetId, setAssetId] = useState(assets[0]?.assetId ?? '');
  const [text, setText] = useState('');
  const [recipient, setRecipient] = useState(w.address ?? owner);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const asset = assets.find((a) => a.assetId === assetId);
  const amount = parseAmount(text, asset);
  const available = BigInt(acct?.balances.find((b) => b.assetId.toLowerCase() === assetId)?.available ?? '0');
  const recipientOk = ADDRESS.test(recipient.trim()) && !/^0x0{40}$/.test(recipient.trim());
  return (
    <Dialog title="Withdraw to L1" testId="withdraw-dialog" onClose={props.onClose}>
      <p class="who">
        The <strong>numo key of account {shortHex(owner)}</strong>, kept in this browser, signs the Withdraw (no wallet prompt). Once its
        batch is settled on L1, anyone's <strong>L1 wallet</strong> can send the claim; the tokens go to the recipient.
      </p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (!asset || amount.value === null || !recipientOk || busy) return;
          if (amount.value > available) {
            // the transition would reject it (F7) only after spending the funding nonce
            setStatus('');
            setError(
              `Insufficient available balance: withdrawing ${grouped(formatUnits(amount.value, asset.decimals))} ${asset.symbol}, available ${grouped(formatUnits(available, asset.decimals))} ${asset.symbol} (insufficient_balance); nothing was signed`,
            );
            return;
          }
          setBusy(true);
          setError('');
          setStatus('Signing with the numo key and submitting…');
          try {
            const a = await withdraw(asset, amount.value, recipient.trim());
            setStatus(
              a.id !== undefined
                ? `Withdrawal ${a.id} is pending in batch ${a.batchSeq}: claim it under Withdrawals once the batch is settled on L1.`
                : `Withdrawal queued (msgHash ${shortHex(a.msgHash, 10, 6)}): it shows under Withdrawals once its block commits.`,
            );
            setText('');
          } catch (err) {
            setStatus('');
            setError(errorText(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <AssetField id="withdraw-asset" assets={assets} value={assetId} onChange={setAssetId} />
        <div class="field">
          <label for="withdraw-amount">Amount</label>
          <div class="input-unit">
            <input
              id="withdraw-amount"
              inputMode="decimal"
              autocomplete="off"
              value={text}
              aria-invalid={amount.error || (amount.value !== null && amount.value > available) ? 'true' : undefined}
              aria-describedby="withdraw-amount-hint"
              onInput={(e) => setText((e.target as HTMLInputElement).value)}
            />
            <span class="unit">{asset?.symbol}</span>
          </div>
          <span id="withdraw-amount-hint" class={`hint ${amount.error || (amount.value !== null && amount.value > available) ? 'bad' : ''}`}>
            {amount.error ||
              (asset ? `available ${grouped(formatUnits(available, asset.decimals))} ${asset.symbol}${amount.value !== null && amount.value > available ? ' — more than available' : ''}` : '')}
          </span>
        </div>
        <div class="field">
          <label for="withdraw-recipient">Recipient</label>
          <input
            id="withdraw-recipient"
            class="mono"
            autocomplete="off"
            spellcheck={false}
            value={recipient}
            aria-invalid={recipient && !recipientOk ? 'true' : undefined}
            aria-describedby="withdraw-recipient-hint"
            onInput={(e) => setRecipient((e.target as HTMLInputElement).value)}
          />
          <span id="withdraw-recipient-hint" class={`hint ${recipient && !recipientOk ? 'bad' : ''}`}>
            {recipient && !recipientOk ? 'An L1 address: 0x and 40 hex digits, not zero' : 'the L1 address the tokens are paid to'}
          </span>
        </div>
        <button type="submit" class="submit primary" disabled={busy || amount.value === null || !recipientOk}>
          {busy ? 'Withdrawing…' : 'Withdraw'}
        </button>
      </form>
      <p class="dialog-status" role="status" data-testid="withdraw-status">
        {status}
      </p>
      <p class="dialog-error" role="alert" data-testid="withdraw-error">
        {error}
      </p>
    </Dialog>
  );
}

export function FundsDialogs() {
  const which = useStore(fundsDialog);
  const close = () => fundsDialog.set(null);
  if (which === 'deposit') return <DepositDialog onClose={close} />;
  if (which === 'withdraw') return <WithdrawDialog onClose={close} />;
  return null;
}

// ---- the withdrawals tab ------------------------------------------------------------------

function ClaimCell(props: { row: WithdrawalRow }) {
  const c = useStore(claims)[props.row.id];
  const [error, setError] = useState('');
  const r = props.row;
  if (r.status === 'claimed') return c?.tx ? <span class="mono small" title={c.tx}>L1 tx {shortHex(c.tx, 10, 6)}</span> : null;
  if (r.status === 'pending') return <span class="muted">awaiting L1 settlement</span>;
  const busy = c && c.step !== 'failed';
  return (
    <span class="claim-cell">
      <button
        type="button"
        disabled={!!busy}
        onClick={() => {
          setError('');
          claim(r).catch((e) => setError(describeError(e)));
        }}
      >
        Claim
      </button>
      {c?.tx && (
        <span class="mono small" data-testid="claim-tx" title={c.tx}>
          {' '}
          L1 tx {shortHex(c.tx, 10, 6)}
          {c.step === 'mining' ? ' (mining…)' : c.step === 'confirming' ? ' (mined; waiting for the node)' : ''}
        </span>
      )}
      {(error || c?.error) && <span class="bad small"> {error || c?.error}</span>}
    </span>
  );
}

export function WithdrawalsPanel() {
  const address = useStore(account);
  const rows = useStore(withdrawals);
  const deps = useStore(deposits);
  if (!address) return <p class="empty-note">Choose an account (top right) to see its withdrawals.</p>;
  return (
    <>
      <p class="note">
        Withdrawals are signed by this account's numo key; once their batch is settled on L1, Claim sends the bridge's claim through your L1
        wallet (any sender; the recipient gets the tokens).
      </p>
      <table>
        <thead>
          <tr>
            <th>Id</th>
            <th>Kind</th>
            <th class="r">Amount</th>
            <th>Recipient (L1)</th>
            <th>Batch</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-testid="withdrawal-row" data-status={r.status} key={r.id}>
              <td class="num">{r.id}</td>
              <td>{r.kind}</td>
              <td class="r num">{amountText(r.assetId, r.amount)}</td>
              <td class="mono" title={r.recipient}>
                {shortHex(r.recipient)}
              </td>
              <td>
                <a href={batchHref(r.batchSeq)}>#{r.batchSeq}</a>
              </td>
              <td>{r.status}</td>
              <td>
                <ClaimCell row={r} />
              </td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={7} class="empty-note">
                No withdrawals
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <h3 class="subhead">Deposits</h3>
      <table>
        <thead>
          <tr>
            <th>Index</th>
            <th class="r">Amount</th>
            <th>From (L1)</th>
            <th>Batch</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {deps.map((d) => (
            <tr data-testid="deposit-row" key={d.index}>
              <td class="num">{d.index}</td>
              <td class="r num">{amountText(d.assetId, d.amount)}</td>
              <td class="mono" title={d.from}>
                {shortHex(d.from)}
              </td>
              <td>
                <a href={batchHref(d.batchSeq)}>#{d.batchSeq}</a>
              </td>
              <td>{d.status}</td>
            </tr>
          ))}
          {deps.length === 0 && (
            <tr>
              <td colSpan={5} class="empty-note">
                No deposits
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}

// Key management: import or generate a key kept in this browser, and say plainly where it lives.

import { useState } from 'preact/hooks';
import { bytesToHex } from '../lib/hex';
import { forgetKey, generateKey, importKey, KEYS_ITEM } from '../lib/keys';
import { account, keys } from '../state/app';
import { useStore } from '../state/store';

export function KeyManager(props: { dev: boolean; onChange: (address: string | null) => void; onClose: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [shown, setShown] = useState(false);
  const selected = useStore(account);
  const entry = useStore(keys).find((k) => k.address === selected);

  return (
    <div class="key-manager" role="dialog" aria-label="Keys" onKeyDown={(e) => e.key === 'Escape' && props.onClose()}>
      <p class="where">
        {props.dev && (
          <>
            This is a <strong>dev node</strong>: the dev accounts' keys are public test keys derived in the page.{' '}
          </>
        )}
        Keys you import or generate are stored <strong>unencrypted in this browser's localStorage</strong> (item{' '}
        <code>{KEYS_ITEM}</code>, origin <code>{location.origin}</code>). They never leave the browser: the page signs
        orders itself. Anyone using this browser profile can read them — do not keep real funds here.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          try {
            const k = importKey(text);
            setText('');
            setError('');
            props.onChange(k.address);
          } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
          }
        }}
      >
        <label for="import-key">Private key (0x + 64 hex)</label>
        <div class="row">
          <input id="import-key" type="password" autocomplete="off" spellcheck={false} value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
          <button type="submit">Import</button>
        </div>
      </form>
      <div class="row">
        <button type="button" onClick={() => props.onChange(generateKey().address)}>
          Generate key
        </button>
        {entry?.source === 'browser' && (
          <>
            <button type="button" onClick={() => setShown(!shown)}>
              {shown ? 'Hide key' : 'Show key'}
            </button>
            <button
              type="button"
              class="danger"
              onClick={() => {
                forgetKey(entry.address);
                props.onChange(null);
              }}
            >
              Forget key
            </button>
          </>
        )}
        <button type="button" class="ghost" onClick={props.onClose}>
          Close
        </button>
      </div>
      {shown && entry && <code class="secret">{bytesToHex(entry.secret)}</code>}
      <div class="error" aria-live="polite">
        {error}
      </div>
    </div>
  );
}

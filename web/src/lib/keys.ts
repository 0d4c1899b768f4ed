// Where the app's signing keys come from. Dev accounts are derived (their secrets are public by
// design); keys a person imports or generates are kept, unencrypted, in this browser's
// localStorage under KEYS_ITEM for this origin — the UI says so where keys are managed.

import { devAccounts } from './devkeys';
import { bytesToHex } from './hex';
import { addressOf, randomSecret, secretFromHex } from './signing';

export const KEYS_ITEM = 'numo.keys.v1';

export interface KeyEntry {
  address: string;
  secret: Uint8Array;
  source: 'dev' | 'browser';
  label: string;
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function browserKeys(): KeyEntry[] {
  let list: string[] = [];
  try {
    list = JSON.parse(storage()?.getItem(KEYS_ITEM) ?? '[]');
  } catch {
    list = [];
  }
  const out: KeyEntry[] = [];
  for (const hex of list) {
    try {
      const secret = secretFromHex(hex);
      out.push({ address: addressOf(secret), secret, source: 'browser', label: 'browser key' });
    } catch {
      /* a corrupted entry is skipped, not fatal */
    }
  }
  return out;
}

function saveBrowserKeys(keys: KeyEntry[]): void {
  storage()?.setItem(KEYS_ITEM, JSON.stringify(keys.map((k) => bytesToHex(k.secret))));
}

/** Import a 0x private key; returns its entry (idempotent). */
export function importKey(hex: string): KeyEntry {
  const secret = secretFromHex(hex);
  const keys = browserKeys();
  const address = addressOf(secret);
  const existing = keys.find((k) => k.address === address);
  if (existing) return existing;
  const entry: KeyEntry = { address, secret, source: 'browser', label: 'browser key' };
  saveBrowserKeys([...keys, entry]);
  return entry;
}

export function generateKey(): KeyEntry {
  return importKey(bytesToHex(randomSecret()));
}

export function forgetKey(address: string): void {
  saveBrowserKeys(browserKeys().filter((k) => k.address !== address));
}

export function devKeyEntries(count: number): KeyEntry[] {
  return devAccounts(count).map((a) => ({ address: a.address, secret: a.secret, source: 'dev', label: `dev ${a.index}` }));
}

// The WebAssembly guest (web/src/guest/, built from the same no_std guest the node and SP1 run)
// is optional at build time: import.meta.glob finds it if it is there and yields nothing if not,
// so the batch view offers "Re-execute in browser" exactly when the bundle carries the guest.
// Both the JS wrapper and the .wasm load lazily, on the first click.

export interface GuestResult {
  ok: boolean;
  publicInputs?: Uint8Array;
  code?: string;
  message?: string;
}

interface GuestModule {
  loadGuest(wasm: string | ArrayBuffer | Uint8Array): Promise<unknown>;
  reexecute(guest: unknown, kind: 'trading' | 'funding' | 'evm', blob: Uint8Array): GuestResult | Promise<GuestResult>;
}

const wrappers = import.meta.glob<GuestModule>('../guest/guest.js');
const wasmUrls = import.meta.glob<string>('../guest/numo_guest.wasm', { query: '?url', import: 'default', eager: true });

export const guestAvailable = Object.keys(wrappers).length > 0 && Object.keys(wasmUrls).length > 0;

let loaded: Promise<{ mod: GuestModule; guest: unknown }> | null = null;

export function loadGuest(): Promise<{ mod: GuestModule; guest: unknown }> {
  if (!guestAvailable) return Promise.reject(new Error('this build has no WebAssembly guest'));
  loaded ??= (async () => {
    const mod = await Object.values(wrappers)[0]();
    const guest = await mod.loadGuest(Object.values(wasmUrls)[0]);
    return { mod, guest };
  })();
  loaded.catch(() => (loaded = null));
  return loaded;
}

// The L1 side through an injected EIP-1193 wallet (`window.ethereum`): accounts, the chain check,
// ERC20 approve + NumoBridge.deposit (contracts/src/NumoBridge.sol), the claim of a settled
// withdrawal, receipts. ABI encoding by hand (static arguments only): a 4-byte selector
// keccak256(signature)[0..4] and 32-byte words — no library needed beyond the keccak the app has.

import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, concatBytes, hexToBytes, uintBytes } from './hex';

export interface Eip1193 {
  request(args: { method: string; params?: unknown[] | object }): Promise<unknown>;
}

declare global {
  interface Window {
    ethereum?: Eip1193;
  }
}

export function injectedWallet(): Eip1193 | null {
  const w = typeof window !== 'undefined' ? window.ethereum : undefined;
  return w && typeof w.request === 'function' ? w : null;
}

/** An error of the wallet or the L1, in words; EIP-1193 codes 4001 (rejected), 4902 (unknown chain). */
export class WalletError extends Error {
  constructor(
    message: string,
    readonly code?: number | string,
  ) {
    super(message);
  }
}

export function walletErrorText(e: unknown): string {
  const err = e as { code?: number; message?: string; data?: { message?: string } } | null;
  if (err?.code === 4001) return 'You rejected the request in your wallet';
  if (err?.code === 4100) return 'The wallet has not authorised this site (connect first)';
  if (err?.code === 4902) return 'Your wallet does not know this L1 chain: add it in the wallet first';
  if (err?.code === -32002) return 'The wallet already has a request open: finish it in the wallet';
  return err?.data?.message ?? err?.message ?? String(e);
}

// ---- ABI ---------------------------------------------------------------------------------------

const utf8 = (s: string) => new TextEncoder().encode(s);
export const selector = (signature: string) => keccak_256(utf8(signature)).subarray(0, 4);

const addressWord = (a: string) => concatBytes(new Uint8Array(12), hexToBytes(a, 20, 'address'));
const uintWord = (v: bigint) => uintBytes(v, 32, 'uint256');

export const SIG = {
  approve: 'approve(address,uint256)',
  allowance: 'allowance(address,address)',
  balanceOf: 'balanceOf(address)',
  deposit: 'deposit(address,uint256,address)',
  deposited: 'Deposited(uint64,bytes32,address,address,uint256,bytes32)',
};

/** topic 0 of `Deposited(uint64 indexed index, bytes32 indexed assetId, address from, address to, uint256 amount, bytes32 acc)` */
export const DEPOSITED_TOPIC = bytesToHex(keccak_256(utf8(SIG.deposited)));

export const encodeApprove = (spender: string, amount: bigint) =>
  bytesToHex(concatBytes(selector(SIG.approve), addressWord(spender), uintWord(amount)));
export const encodeAllowance = (owner: string, spender: string) =>
  bytesToHex(concatBytes(selector(SIG.allowance), addressWord(owner), addressWord(spender)));
export const encodeBalanceOf = (owner: string) => bytesToHex(concatBytes(selector(SIG.balanceOf), addressWord(owner)));
export const encodeDeposit = (token: string, amount: bigint, to: string) =>
  bytesToHex(concatBytes(selector(SIG.deposit), addressWord(token), uintWord(amount), addressWord(to)));

/** The first word of an eth_call answer as a uint256. */
export function decodeUint(hex: string): bigint {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (!/^[0-9a-fA-F]{64}/.test(h)) throw new WalletError(`not a uint256 answer: ${hex.slice(0, 80)}`);
  return BigInt('0x' + h.slice(0, 64));
}

// ---- requests ----------------------------------------------------------------------------------

export interface Receipt {
  status: string;
  transactionHash: string;
  blockNumber: string;
  logs: { address: string; topics: string[]; data: string }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class L1Wallet {
  constructor(readonly provider: Eip1193) {}

  private async call<T>(method: string, params?: unknown[]): Promise<T> {
    try {
      return (await this.provider.request(params === undefined ? { method } : { method, params })) as T;
    } catch (e) {
      throw new WalletError(walletErrorText(e), (e as { code?: number } | null)?.code);
    }
  }

  /** Asks the wallet for its accounts (the connect prompt); the first one is used. */
  async connect(): Promise<string> {
    const accounts = await this.call<string[]>('eth_requestAccounts');
    if (!accounts?.length) throw new WalletError('The wallet gave no account');
    return accounts[0].toLowerCase();
  }

  async chainId(): Promise<number> {
    return Number(BigInt(await this.call<string>('eth_chainId')));
  }

  /** Makes sure the wallet is on `want` (the bridge's L1), asking it to switch if not. */
  async ensureChain(want: number): Promise<void> {
    const have = await this.chainId();
    if (have === want) return;
    try {
      await this.call('wallet_switchEthereumChain', [{ chainId: '0x' + want.toString(16) }]);
    } catch (e) {
      throw new WalletError(`The wallet is on chain ${have}, the bridge on L1 chain ${want}, and switching failed: ${(e as Error).message}`, (e as WalletError).code);
    }
    const now = await this.chainId();
    if (now !== want) throw new WalletError(`The wallet is on chain ${now}, the bridge on L1 chain ${want}: switch networks in the wallet`);
  }

  async ethCall(to: string, data: string): Promise<string> {
    return this.call<string>('eth_call', [{ to, data }, 'latest']);
  }

  async sendTransaction(tx: { from: string; to: string; data: string }): Promise<string> {
    return this.call<string>('eth_sendTransaction', [tx]);
  }

  /** Polls eth_getTransactionReceipt (bounded); throws if the transaction reverted. */
  async waitReceipt(hash: string, { timeoutMs = 180_000, intervalMs = 1000 } = {}): Promise<Receipt> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const receipt = await this.call<Receipt | null>('eth_getTransactionReceipt', [hash]);
      if (receipt) {
        if (BigInt(receipt.status) !== 1n) throw new WalletError(`L1 transaction ${hash} reverted`);
        return receipt;
      }
      if (Date.now() > deadline) throw new WalletError(`L1 transaction ${hash} not mined within ${Math.round(timeoutMs / 1000)} s`);
      await sleep(intervalMs);
    }
  }
}

/** The deposit index of a NumoBridge.deposit receipt (its Deposited event, topic 1), if any. */
export function depositIndexOf(receipt: Receipt, bridge: string): bigint | null {
  const log = receipt.logs.find((l) => l.address.toLowerCase() === bridge.toLowerCase() && l.topics[0]?.toLowerCase() === DEPOSITED_TOPIC);
  return log?.topics[1] ? BigInt(log.topics[1]) : null;
}

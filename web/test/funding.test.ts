// The browser's Withdraw signing (F1/F2) against vectors made by the Python SDK
// (fixtures/make-withdraw-vectors.py: numo_client's Withdraw, funding_domain, msg_hash and
// eth-account's unsafe_sign_hash), and the hand-made ABI encoding of the L1 calls.
import { describe, expect, it } from 'vitest';
import { keccak_256 } from '@noble/hashes/sha3.js';
import vectors from './fixtures/withdraw-vectors.json';
import { encodeWithdraw, fundingDomain, signWithdraw, withdrawHash, WITHDRAW_LEN } from '../src/lib/funding';
import { bytesToHex, hexToBytes } from '../src/lib/hex';
import { addressOf } from '../src/lib/signing';
import {
  decodeUint, DEPOSITED_TOPIC, depositIndexOf, encodeAllowance, encodeApprove, encodeBalanceOf, encodeDeposit, L1Wallet, selector, SIG,
} from '../src/lib/eth';

describe('Withdraw (F2) against the Python SDK', () => {
  for (const [i, v] of vectors.entries()) {
    const w = { owner: v.owner, nonce: BigInt(v.nonce), assetId: v.assetId, amount: BigInt(v.amount), recipient: v.recipient };
    it(`vector ${i}: bytes, funding domain, msgHash, signature`, () => {
      const secret = hexToBytes(v.privateKey, 32);
      expect(addressOf(secret)).toBe(v.owner);
      const bytes = encodeWithdraw(w);
      expect(bytes.length).toBe(WITHDRAW_LEN);
      expect(bytesToHex(bytes)).toBe(v.message);
      const domain = fundingDomain(BigInt(v.chainId), v.venueId);
      expect(bytesToHex(domain)).toBe(v.fundingDomain);
      expect(bytesToHex(withdrawHash(w, domain))).toBe(v.msgHash);
      const { body, msgHash } = signWithdraw(w, domain, secret);
      expect(msgHash).toBe(v.msgHash);
      expect(body.signature).toBe(v.signature);
      expect(body).toMatchObject({ owner: v.owner, asset: v.assetId, amount: v.amount, recipient: v.recipient });
    });
  }

  it('F1 layout: keccak("NUMO_FUNDING_V1" | U64 chainId | B32 venueId)', () => {
    const pre = new Uint8Array([...new TextEncoder().encode('NUMO_FUNDING_V1'), 1, 2, 3, 4, 5, 6, 7, 8, ...new Uint8Array(32).fill(0x5e)]);
    expect(bytesToHex(fundingDomain(0x0102030405060708n, new Uint8Array(32).fill(0x5e)))).toBe(bytesToHex(keccak_256(pre)));
  });

  it('refuses a zero amount or recipient before signing', () => {
    const v = vectors[0];
    const secret = hexToBytes(v.privateKey, 32);
    const w = { owner: v.owner, nonce: 0n, assetId: v.assetId, amount: 1n, recipient: v.recipient };
    expect(() => signWithdraw({ ...w, amount: 0n }, v.fundingDomain, secret)).toThrow(/above zero/);
    expect(() => signWithdraw({ ...w, recipient: '0x' + '00'.repeat(20) }, v.fundingDomain, secret)).toThrow(/zero address/);
  });
});

describe('L1 calls encoded by hand', () => {
  const token = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
  const bridge = '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512';
  const to = '0x5b35b6f6db1ddee88e1e27b9d9d522bb16981056';

  it('uses the well-known ERC20 selectors', () => {
    expect(bytesToHex(selector(SIG.approve))).toBe('0x095ea7b3');
    expect(bytesToHex(selector(SIG.allowance))).toBe('0xdd62ed3e');
    expect(bytesToHex(selector(SIG.balanceOf))).toBe('0x70a08231');
  });

  it('encodes approve, allowance, balanceOf and NumoBridge.deposit as 4 + 32·n bytes', () => {
    const word = (hex: string) => hex.replace(/^0x/, '').padStart(64, '0');
    expect(encodeApprove(bridge, 10n ** 18n)).toBe('0x095ea7b3' + word(bridge) + word((10n ** 18n).toString(16)));
    expect(encodeAllowance(to, bridge)).toBe('0xdd62ed3e' + word(to) + word(bridge));
    expect(encodeBalanceOf(to)).toBe('0x70a08231' + word(to));
    const dep = encodeDeposit(token, 12_500_000n, to);
    expect(dep.slice(0, 10)).toBe(bytesToHex(selector('deposit(address,uint256,address)')));
    expect(dep.slice(10)).toBe(word(token) + word((12_500_000n).toString(16)) + word(to));
    expect(() => encodeDeposit(token, -1n, to)).toThrow();
    expect(() => encodeDeposit('0x1234', 1n, to)).toThrow();
  });

  it('decodes uint256 answers and the Deposited index', () => {
    expect(decodeUint('0x' + '00'.repeat(31) + '2a')).toBe(42n);
    expect(() => decodeUint('0x')).toThrow();
    const receipt = {
      status: '0x1',
      transactionHash: '0x' + '00'.repeat(32),
      blockNumber: '0x5',
      logs: [
        { address: token, topics: ['0x' + 'aa'.repeat(32)], data: '0x' },
        { address: bridge.toUpperCase().replace('0X', '0x'), topics: [DEPOSITED_TOPIC, '0x' + '00'.repeat(31) + '07', '0x' + '11'.repeat(32)], data: '0x' },
      ],
    };
    expect(depositIndexOf(receipt, bridge)).toBe(7n);
    expect(depositIndexOf({ ...receipt, logs: [] }, bridge)).toBe(null);
  });
});

describe('the EIP-1193 wallet client', () => {
  function fake(answers: Record<string, (params: any) => unknown>) {
    const calls: { method: string; params?: unknown }[] = [];
    return {
      calls,
      request: async ({ method, params }: { method: string; params?: unknown }) => {
        calls.push({ method, params });
        const fn = answers[method];
        if (!fn) throw Object.assign(new Error(`unsupported ${method}`), { code: 4200 });
        return fn(params);
      },
    };
  }

  it('switches chains when the wallet is elsewhere, and says why when it cannot', async () => {
    let chain = '0x1';
    const p = fake({ eth_chainId: () => chain, wallet_switchEthereumChain: (params) => void (chain = params[0].chainId) });
    await new L1Wallet(p).ensureChain(31337);
    expect(p.calls.find((c) => c.method === 'wallet_switchEthereumChain')?.params).toEqual([{ chainId: '0x7a69' }]);
    const refusing = fake({
      eth_chainId: () => '0x1',
      wallet_switchEthereumChain: () => {
        throw Object.assign(new Error('Unrecognized chain'), { code: 4902 });
      },
    });
    await expect(new L1Wallet(refusing).ensureChain(31337)).rejects.toThrow(/chain 1.*31337.*does not know this L1 chain/);
  });

  it('names a rejected request and a reverted transaction', async () => {
    const rejecting = fake({
      eth_requestAccounts: () => {
        throw Object.assign(new Error('User rejected'), { code: 4001 });
      },
    });
    await expect(new L1Wallet(rejecting).connect()).rejects.toThrow(/rejected the request/);
    const reverted = fake({ eth_getTransactionReceipt: () => ({ status: '0x0', logs: [] }) });
    await expect(new L1Wallet(reverted).waitReceipt('0xab', { timeoutMs: 1000, intervalMs: 10 })).rejects.toThrow(/reverted/);
    const never = fake({ eth_getTransactionReceipt: () => null });
    await expect(new L1Wallet(never).waitReceipt('0xab', { timeoutMs: 50, intervalMs: 10 })).rejects.toThrow(/not mined/);
  });
});

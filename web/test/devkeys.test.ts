// Dev account derivation against `numo dev accounts --json` (committed as a fixture).
import { describe, expect, it } from 'vitest';
import fixture from './fixtures/dev-accounts.json';
import { devAccount } from '../src/lib/devkeys';
import { bytesToHex } from '../src/lib/hex';

describe('dev accounts', () => {
  fixture.forEach((want: { address: string; privateKey: string }, i: number) => {
    it(`account ${i}`, () => {
      const got = devAccount(i);
      expect(bytesToHex(got.secret)).toBe(want.privateKey);
      expect(got.address).toBe(want.address);
    });
  });
});

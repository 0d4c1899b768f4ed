// Units on the dev markets' grids, against the CLI's conversions (3000 USDC is tick 300000 on
// WETH/USDC; the lock of an open buy matched what the node locked).
import { describe, expect, it } from 'vitest';
import { Grid, GridError, formatUnits, lockPreview, sizeForPercent } from '../src/lib/units';

const weth = new Grid({ tickSize: 10000n, lotSize: 100000000000000n, priceScale: 10n ** 18n, baseDecimals: 18, quoteDecimals: 6 });
const wbtc = new Grid({ tickSize: 100000000000000n, lotSize: 10000n, priceScale: 10n ** 18n, baseDecimals: 8, quoteDecimals: 6 });
const rules = { takerFeeBps: 5, maxMatchesPerOrder: 64 };

describe('units', () => {
  it('prices and ticks', () => {
    expect(weth.tickOf('3000')).toBe(300000);
    expect(weth.tickOf('3000.01')).toBe(300001);
    expect(weth.tickOf(' 0.5 ')).toBe(50);
    expect(weth.price(300001)).toBe('3000.01');
    expect(weth.priceAligned(300000)).toBe('3000.00');
    expect(weth.tickStep()).toBe('0.01');
    expect(wbtc.tickStep()).toBe('0.01');
    expect(wbtc.tickOf('65000')).toBe(6500000);
  });

  it('refuses off-grid prices with the nearest ones', () => {
    expect(() => weth.tickOf('3000.015')).toThrow(/nearest 3000.01 or 3000.02/);
    expect(() => weth.tickOf('abc')).toThrow(GridError);
    expect(() => weth.tickOf('-1')).toThrow(GridError);
    expect(() => weth.tickOf('0')).toThrow(/positive/);
    expect(() => weth.tickOf('1e3')).toThrow(GridError);
    expect(() => weth.tickOf('99999999')).toThrow(/largest tick/);
  });

  it('sizes and lots', () => {
    expect(weth.qtyOf('1.5')).toBe(1500000000000000000n);
    expect(weth.qtyOf('0.0001')).toBe(100000000000000n);
    expect(() => weth.qtyOf('0.00015')).toThrow(/lot \(0.0001\): nearest 0.0001 or 0.0002/);
    expect(() => weth.qtyOf('0.00000000000000000001')).toThrow(/lot/);
    expect(weth.qty(700000000000000000n)).toBe('0.7');
    expect(weth.qtyAligned(700000000000000000n)).toBe('0.7000');
    expect(wbtc.lotStep()).toBe('0.0001');
  });

  it('formatUnits', () => {
    expect(formatUnits(0n, 6)).toBe('0');
    expect(formatUnits(1n, 6)).toBe('0.000001');
    expect(formatUnits(2099300000n, 6)).toBe('2099.3');
    expect(formatUnits(2099300000n, 6, 2)).toBe('2099.30');
  });

  it('lock preview (C14)', () => {
    const sell = lockPreview(weth, rules, 'sell', 300000, weth.qtyOf('0.5'));
    expect(sell).toMatchObject({ asset: 'base', lock: 500000000000000000n, notional: 1500000000n, takerFee: 750000n });
    const buy = lockPreview(weth, rules, 'buy', 299900, weth.qtyOf('0.7'));
    // notional 2099.3 USDC + reserve (fee 1.04965 → 1049650 units + 64 round-up units)
    expect(buy.notional).toBe(2099300000n);
    expect(buy.takerFee).toBe(1049650n);
    expect(buy.lock).toBe(2099300000n + 1049650n + 64n);
  });

  it('size presets fit the balance', () => {
    const avail = 10000000000n; // 10,000 USDC
    const q = sizeForPercent(weth, rules, 'buy', 300000, avail, 100);
    expect(lockPreview(weth, rules, 'buy', 300000, q).lock <= avail).toBe(true);
    expect(lockPreview(weth, rules, 'buy', 300000, q + weth.lotSize).lock > avail).toBe(true);
    expect(sizeForPercent(weth, rules, 'sell', null, 1234567890000000000n, 50)).toBe(617200000000000000n);
    expect(sizeForPercent(weth, rules, 'buy', null, avail, 50)).toBe(0n);
  });
});

// Human prices and quantities on a market's grid, exact with BigInt (never floats for amounts).
// Ported from crates/cli/src/units.rs and clients/python/numo_client/units.py:
// price = tick × tickSize is quote smallest units per base smallest unit scaled by priceScale
// (1e18), so a human price P (whole quote per whole base) is tick
// P × 10^quoteDecimals × priceScale / (10^baseDecimals × tickSize); a human quantity Q is
// Q × 10^baseDecimals base units and must be a whole number of lots. Off-grid values are refused
// with the nearest valid ones, never rounded silently.

export class GridError extends Error {}

export interface Decimal {
  digits: bigint;
  scale: number;
}

const pow10 = (n: number) => 10n ** BigInt(n);

/** `123`, `123.45`, `.5`: plain decimal notation, no sign, no exponent. */
export function parseDecimal(text: string, what = 'value'): Decimal {
  const t = text.trim();
  const [whole, fraction = '', extra] = t.split('.');
  const all = whole + fraction;
  if (extra !== undefined || all === '' || !/^[0-9]+$/.test(all)) {
    throw new GridError(`${what} "${t}" is not a decimal number (digits with an optional ".")`);
  }
  if (all.length > 60) throw new GridError(`${what} "${t}" has too many digits`);
  return { digits: BigInt(all), scale: fraction.length };
}

/** amount × 10^-decimals in plain decimal notation, trailing fraction zeros dropped. */
export function formatUnits(amount: bigint, decimals: number, minFraction = 0): string {
  const negative = amount < 0n;
  const text = (negative ? -amount : amount).toString().padStart(decimals + 1, '0');
  const whole = text.slice(0, text.length - decimals);
  const fraction = text.slice(text.length - decimals);
  const keep = Math.min(Math.max(fraction.replace(/0+$/, '').length, minFraction), fraction.length);
  return (negative ? '-' : '') + (keep === 0 ? whole : `${whole}.${fraction.slice(0, keep)}`);
}

function fractionDigits(amount: bigint, decimals: number): number {
  const f = formatUnits(amount, decimals).split('.')[1];
  return f ? f.length : 0;
}

/** Token amount typed in whole tokens → smallest units (exact; too many decimals refused). */
export function parseTokenAmount(text: string, decimals: number, symbol = ''): bigint {
  const d = parseDecimal(text, 'amount');
  if (d.scale > decimals) {
    throw new GridError(`amount ${text} has ${d.scale} fraction digits but ${symbol || 'the asset'} has ${decimals}`);
  }
  return d.digits * pow10(decimals - d.scale);
}

export interface GridParams {
  tickSize: bigint;
  lotSize: bigint;
  priceScale: bigint;
  baseDecimals: number;
  quoteDecimals: number;
}

export class Grid {
  readonly tickSize: bigint;
  readonly lotSize: bigint;
  readonly priceScaleExp: number;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;

  constructor(p: GridParams) {
    const text = p.priceScale.toString();
    if (!/^10*$/.test(text)) throw new Error(`priceScale ${text} is not a power of ten`);
    if (p.tickSize <= 0n || p.lotSize <= 0n) throw new Error('tickSize and lotSize must be positive');
    this.tickSize = p.tickSize;
    this.lotSize = p.lotSize;
    this.priceScaleExp = text.length - 1;
    this.baseDecimals = p.baseDecimals;
    this.quoteDecimals = p.quoteDecimals;
  }

  get priceScale(): bigint {
    return pow10(this.priceScaleExp);
  }

  /** Decimals of the human price's exact representation: price = n / 10^priceDecimalsExp. */
  private get priceExp(): number {
    return this.quoteDecimals + this.priceScaleExp;
  }

  /** Human price of a tick, exact (the denominator is a power of ten). */
  price(tick: number | bigint, minFraction = 0): string {
    const t = BigInt(tick);
    return formatUnits(t * this.tickSize * pow10(this.baseDecimals), this.priceExp, minFraction);
  }

  /** Human price with the fraction digits of one tick (aligned columns). */
  priceAligned(tick: number | bigint): string {
    return this.price(tick, this.priceDigits());
  }

  /** Fraction digits of one tick's price (2 for a cent grid). */
  priceDigits(): number {
    return fractionDigits(this.tickSize * pow10(this.baseDecimals), this.priceExp);
  }

  /** Fraction digits of one lot (4 for 0.0001 WETH). */
  qtyDigits(): number {
    return fractionDigits(this.lotSize, this.baseDecimals);
  }

  /** The human price of one tick ("0.01"). */
  tickStep(): string {
    return this.price(1n);
  }

  /** The human size of one lot ("0.0001"). */
  lotStep(): string {
    return formatUnits(this.lotSize, this.baseDecimals);
  }

  /** Tick index of a human price; GridError if not on a tick (with the nearest valid prices). */
  tickOf(text: string): number {
    const d = parseDecimal(text, 'price');
    const num = d.digits * pow10(this.quoteDecimals) * this.priceScale;
    const den = pow10(this.baseDecimals + d.scale) * this.tickSize;
    if (d.digits === 0n) throw new GridError('price must be positive');
    if (num % den !== 0n) {
      const below = num / den;
      const near = below > 0n ? `${this.price(below)} or ${this.price(below + 1n)}` : this.price(1n);
      throw new GridError(`price ${text.trim()} is not a multiple of the tick (${this.tickStep()}): nearest ${near}`);
    }
    const ticks = num / den;
    if (ticks >= 1n << 31n) throw new GridError(`price ${text.trim()} is above the largest tick`);
    return Number(ticks);
  }

  /** Base smallest units of a human quantity; GridError if not whole lots. */
  qtyOf(text: string): bigint {
    const d = parseDecimal(text, 'size');
    if (d.digits === 0n) throw new GridError('size must be positive');
    const lot = this.lotStep();
    if (d.scale > this.baseDecimals) {
      throw new GridError(`size ${text.trim()} is not a multiple of the lot (${lot})`);
    }
    const units = d.digits * pow10(this.baseDecimals - d.scale);
    if (units % this.lotSize !== 0n) {
      const below = (units / this.lotSize) * this.lotSize;
      const near = below > 0n ? `${this.qty(below)} or ${this.qty(below + this.lotSize)}` : this.qty(this.lotSize);
      throw new GridError(`size ${text.trim()} is not a multiple of the lot (${lot}): nearest ${near}`);
    }
    return units;
  }

  /** Human base quantity of base smallest units. */
  qty(units: bigint, minFraction = 0): string {
    return formatUnits(units, this.baseDecimals, minFraction);
  }

  qtyAligned(units: bigint): string {
    return this.qty(units, this.qtyDigits());
  }

  /** Scaled price (quote units per base unit × priceScale) of a tick. */
  scaledPrice(tick: number | bigint): bigint {
    return BigInt(tick) * this.tickSize;
  }
}

/** ⌈a × b / d⌉ (the spec's mulDivUp). */
export function mulDivUp(a: bigint, b: bigint, d: bigint): bigint {
  const p = a * b;
  return p % d === 0n ? p / d : p / d + 1n;
}

export interface LockPreview {
  /** asset the order locks: 'quote' for a buy, 'base' for a sell */
  asset: 'quote' | 'base';
  /** smallest units locked at admission (C14) */
  lock: bigint;
  /** quote value of the order at its limit price */
  notional: bigint;
  /** the taker fee if all of it fills as taker at the limit price, in quote units */
  takerFee: bigint;
}

export interface FeeRules {
  takerFeeBps: number;
  maxMatchesPerOrder: number;
}

/** C14: SELL locks qty base; BUY locks notional + reserve quote, where
 *  notional = mulDivUp(price, qty, priceScale), reserve = mulDivUp(notional, takerFeeBps, 10000)
 *  + (takerFeeBps > 0 ? maxMatchesPerOrder : 0). The fee of a fill is mulDivUp(quote, bps, 1e4). */
export function lockPreview(grid: Grid, rules: FeeRules, side: 'buy' | 'sell', tick: number, qty: bigint): LockPreview {
  const notional = mulDivUp(grid.scaledPrice(tick), qty, grid.priceScale);
  const bps = BigInt(rules.takerFeeBps);
  const takerFee = mulDivUp(notional, bps, 10000n);
  if (side === 'sell') return { asset: 'base', lock: qty, notional, takerFee };
  const reserve = takerFee + (bps > 0n ? BigInt(rules.maxMatchesPerOrder) : 0n);
  return { asset: 'quote', lock: notional + reserve, notional, takerFee };
}

/** The largest size (whole lots) whose lock fits `fraction` (in percent) of `available`. */
export function sizeForPercent(
  grid: Grid,
  rules: FeeRules,
  side: 'buy' | 'sell',
  tick: number | null,
  available: bigint,
  percent: number,
): bigint {
  const budget = (available * BigInt(percent)) / 100n;
  if (side === 'sell') return (budget / grid.lotSize) * grid.lotSize;
  if (tick === null || tick <= 0) return 0n;
  // qty ≈ budget × priceScale / (price × (1 + bps)); then step down until the exact lock fits.
  const price = grid.scaledPrice(tick);
  const bps = BigInt(rules.takerFeeBps);
  let qty = (budget * grid.priceScale * 10000n) / (price * (10000n + bps));
  qty = (qty / grid.lotSize) * grid.lotSize;
  while (qty > 0n && lockPreview(grid, rules, side, tick, qty).lock > budget) qty -= grid.lotSize;
  return qty;
}

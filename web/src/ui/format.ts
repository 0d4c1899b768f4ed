// Display helpers shared by the views (text only: amounts stay BigInt until formatted).

export const shortHex = (hex: string, head = 6, tail = 4) => (hex.length > head + tail + 1 ? `${hex.slice(0, head)}…${hex.slice(-tail)}` : hex);

export function timeOf(ms: number | undefined): string {
  if (!ms) return '—';
  const d = new Date(ms);
  return d.toLocaleTimeString([], { hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function dateTimeOf(ms: number | undefined): string {
  if (!ms) return '—';
  const d = new Date(ms);
  return `${d.toLocaleDateString([], { month: 'short', day: '2-digit' })} ${timeOf(ms)}`;
}

/** Group thousands of a plain decimal string ("12345.5" → "12,345.5"). */
export function grouped(text: string): string {
  const [whole, fraction] = text.split('.');
  const neg = whole.startsWith('-');
  const digits = neg ? whole.slice(1) : whole;
  const withCommas = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + withCommas + (fraction !== undefined ? `.${fraction}` : '');
}

export const batchHref = (seq: number) => `#/batch/${seq}`;

/** A decimal string cut (not rounded: never shows more than there is) to `digits` fraction digits. */
export function cutDecimals(text: string, digits: number): string {
  const [whole, fraction] = text.split('.');
  if (fraction === undefined || digits <= 0) return whole;
  const kept = fraction.slice(0, digits).replace(/0+$/, '');
  return kept ? `${whole}.${kept}` : whole;
}

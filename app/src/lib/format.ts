// Amounts and names as people read them. IO has 9 decimals, IOSD 6.
export const IO_DECIMALS = 9;
export const IOSD_DECIMALS = 6;

type IntLike = bigint | number | string | { toString(): string };

export function big(value: IntLike): bigint {
  return typeof value === 'bigint' ? value : BigInt(value.toString());
}

/** `units` base units at `decimals`, with up to `shown` decimals (cut, not rounded). */
export function formatUnits(units: IntLike, decimals: number, shown = 2): string {
  const value = big(units);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const scale = 10n ** BigInt(decimals);
  const whole = (abs / scale).toLocaleString('en-US');
  const fraction = (abs % scale).toString().padStart(decimals, '0').slice(0, shown).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? '.' + fraction : ''}`;
}

export const io = (units: IntLike) => formatUnits(units, IO_DECIMALS, 4);
/** IOSD to the micro-dollar: proofs of small jobs are worth less than a cent. */
export const iosd = (units: IntLike) => formatUnits(units, IOSD_DECIMALS, IOSD_DECIMALS);

/** Parses a decimal amount typed by a person into base units; throws with the reason. */
export function parseUnits(text: string, decimals: number): bigint {
  const trimmed = text.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) throw new Error(`"${text}" is not an amount`);
  const [whole, fraction = ''] = trimmed.split('.');
  if (fraction.length > decimals) throw new Error(`at most ${decimals} decimals`);
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0'));
}

/** A GPU model's 16-byte code as its name. */
export function modelName(code: number[] | Uint8Array): string {
  const bytes = Uint8Array.from(code);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

export function modelCode(name: string): number[] {
  const bytes = new TextEncoder().encode(name);
  if (bytes.length === 0 || bytes.length > 16) throw new Error('a GPU model code is 1 to 16 bytes');
  const out = new Array(16).fill(0);
  bytes.forEach((b, i) => (out[i] = b));
  return out;
}

export function bps(value: IntLike): string {
  return `${(Number(big(value)) / 100).toFixed(2)} %`;
}

export function shortKey(key: { toBase58(): string } | string): string {
  const text = typeof key === 'string' ? key : key.toBase58();
  return `${text.slice(0, 4)}…${text.slice(-4)}`;
}

/** Seconds from `now` to `at`, as "in 2 h 5 min" or "3 min ago". */
export function relativeTime(at: number, now: number): string {
  const delta = at - now;
  const abs = Math.abs(delta);
  const text =
    abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.floor(abs / 60)} min` : abs < 86400 * 2
      ? `${Math.floor(abs / 3600)} h ${Math.floor((abs % 3600) / 60)} min`
      : `${Math.floor(abs / 86400)} d`;
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

export function dateTime(unix: number): string {
  return new Date(unix * 1000).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

/** An enum value as Anchor decodes it ({ active: {} }) as its name. */
export function variant(value: unknown): string {
  if (value && typeof value === 'object') {
    const key = Object.keys(value)[0];
    return key ? key.charAt(0).toUpperCase() + key.slice(1) : '';
  }
  return String(value);
}

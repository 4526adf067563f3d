import { describe, expect, test } from 'vitest';
import { formatUnits, io, iosd, modelCode, modelName, parseUnits, relativeTime } from './format';
import { shareValue } from './staking';
import { parseConfig } from './config';

describe('amounts', () => {
  test('base units as decimals, cut not rounded, with thousands', () => {
    expect(io(1_234_567_890_000n)).toBe('1,234.5678');
    expect(iosd(512_500)).toBe('0.5125');
    expect(iosd(1)).toBe('0.000001');
    expect(formatUnits(1_239_000_000n, 9)).toBe('1.23');
    expect(iosd(500_000)).toBe('0.5');
    expect(iosd(0)).toBe('0');
    expect(formatUnits(-1_500_000n, 6)).toBe('-1.5');
    expect(formatUnits(1n, 9, 9)).toBe('0.000000001');
  });

  test('typed amounts parse exactly or are refused with the reason', () => {
    expect(parseUnits('0.5', 6)).toBe(500_000n);
    expect(parseUnits(' 10 ', 9)).toBe(10_000_000_000n);
    expect(parseUnits('123456789.123456789', 9)).toBe(123_456_789_123_456_789n);
    expect(() => parseUnits('1.0000001', 6)).toThrow(/at most 6 decimals/);
    expect(() => parseUnits('-1', 6)).toThrow(/not an amount/);
    expect(() => parseUnits('1e3', 6)).toThrow(/not an amount/);
  });

  test('stake shares are worth their floor share of the class', () => {
    expect(shareValue(1n, 3n, 2n)).toBe(1n);
    expect(shareValue(10n, 0n, 0n)).toBe(0n);
    expect(shareValue(500n, 900n, 1000n)).toBe(450n);
  });
});

describe('names and times', () => {
  test('GPU model codes round-trip and are bounded', () => {
    expect(modelName(modelCode('H200'))).toBe('H200');
    expect(modelCode('CPU')).toHaveLength(16);
    expect(() => modelCode('')).toThrow();
    expect(() => modelCode('X'.repeat(17))).toThrow();
  });

  test('relative times both ways', () => {
    expect(relativeTime(1_030, 1_000)).toBe('in 30 s');
    expect(relativeTime(1_000, 1_000 + 3 * 3600 + 120)).toBe('3 h 2 min ago');
    expect(relativeTime(10 * 86_400, 0)).toBe('in 10 d');
  });

  test('config.json is checked before use', () => {
    expect(() => parseConfig({ rpcUrl: 'http://x' })).toThrow(/"wsUrl" is missing/);
    expect(parseConfig({ rpcUrl: 'a', wsUrl: 'b', network: 'localnet', faucetUrl: '/api/faucet' }).faucetUrl).toBe('/api/faucet');
  });
});

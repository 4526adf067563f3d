import { describe, expect, test } from 'vitest';
import { describeError, errorByName, programError } from './errors';

describe('program errors in plain words', () => {
  const lockup = errorByName('LockupNotEnded')!;

  test('the IDL names every code', () => {
    expect(lockup.code).toBeGreaterThanOrEqual(6000);
    expect(errorByName('NotLeaseClient')?.message).toMatch(/client/);
  });

  test('from a preflight failure message (custom program error in hex)', () => {
    const error = new Error(`Simulation failed. Message: Transaction simulation failed: Error processing Instruction 0: custom program error: 0x${lockup.code.toString(16)}.`);
    expect(programError(error)?.name).toBe('LockupNotEnded');
    expect(describeError(error)).toBe(`LockupNotEnded: ${lockup.message}`);
  });

  test('from the logs an Anchor program writes', () => {
    const error = Object.assign(new Error('failed'), {
      logs: [
        'Program BnF6zjTSa3YKgvjG3NcG9zk1cbd57tonik4oKKbzB2K1 invoke [1]',
        `Program log: AnchorError thrown in programs/io-compute/src/state/stake_position.rs:113. Error Code: LockupNotEnded. Error Number: ${lockup.code}. Error Message: ${lockup.message}.`,
      ],
    });
    expect(programError(error)?.code).toBe(lockup.code);
  });

  test('from an AnchorError object', () => {
    expect(programError({ error: { errorCode: { number: lockup.code } } })?.name).toBe('LockupNotEnded');
  });

  test("Anchor's own errors by name too", () => {
    expect(programError(new Error('custom program error: 0xbc4'))?.name).toBe('AccountNotInitialized');
  });

  test('anything else keeps its own first line; a declined signature says so', () => {
    expect(describeError(new Error('fetch failed\nstack'))).toBe('fetch failed');
    expect(describeError(new Error('User rejected the request.'))).toBe('The wallet declined to sign.');
    expect(programError(new Error('custom program error: 0x1'))).toBeUndefined();
  });
});

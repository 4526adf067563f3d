// Program errors in plain words: a failed transaction's code (from the
// error or its logs) is looked up by number in the committed IDL's errors,
// then in Anchor's own, so the page can say `NotLeaseClient: Signer is not
// the lease's client` instead of `custom program error: 0x1772`.
import { LangErrorCode, LangErrorMessage } from '@anchor-lang/core';
import idl from '../../../idl/io_compute.json';

export interface ProgramErrorInfo {
  code: number;
  name: string;
  message: string;
}

const programErrors = new Map<number, ProgramErrorInfo>(
  idl.errors.map((e) => [e.code, { code: e.code, name: e.name, message: e.msg ?? e.name }]),
);
const langNames = new Map<number, string>(
  Object.entries(LangErrorCode).map(([name, code]) => [code as number, name]),
);

export function errorByCode(code: number): ProgramErrorInfo | undefined {
  const own = programErrors.get(code);
  if (own) return own;
  const name = langNames.get(code);
  return name ? { code, name, message: LangErrorMessage.get(code) ?? name } : undefined;
}

export function errorByName(name: string): ProgramErrorInfo | undefined {
  return [...programErrors.values()].find((e) => e.name === name);
}

function textsOf(error: unknown): string[] {
  const texts: string[] = [];
  if (error instanceof Error) texts.push(error.message);
  else if (typeof error === 'string') texts.push(error);
  const e = error as { logs?: unknown; transactionLogs?: unknown; transactionMessage?: unknown };
  for (const logs of [e?.logs, e?.transactionLogs]) {
    if (Array.isArray(logs)) texts.push(...logs.map(String));
  }
  if (typeof e?.transactionMessage === 'string') texts.push(e.transactionMessage);
  return texts;
}

/** The program error a failure carries, if any. */
export function programError(error: unknown): ProgramErrorInfo | undefined {
  const e = error as { error?: { errorCode?: { number?: number } }; code?: unknown };
  if (typeof e?.error?.errorCode?.number === 'number') return errorByCode(e.error.errorCode.number);
  for (const text of textsOf(error)) {
    const named = /Error Number: (\d+)/.exec(text);
    if (named) return errorByCode(Number(named[1]));
    const custom = /custom program error: 0x([0-9a-fA-F]+)/.exec(text);
    if (custom) return errorByCode(parseInt(custom[1], 16));
  }
  return undefined;
}

/** One line for the page: the program error by name, or the failure's own words. */
export function describeError(error: unknown): string {
  const known = programError(error);
  if (known) return `${known.name}: ${known.message}`;
  if (error instanceof Error) {
    const first = error.message.split('\n')[0];
    if (/User rejected/i.test(first)) return 'The wallet declined to sign.';
    if (/insufficient funds|insufficient lamports/i.test(error.message)) {
      return 'Not enough funds for this transaction.';
    }
    return first;
  }
  return String(error);
}

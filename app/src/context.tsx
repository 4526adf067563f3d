// App-wide state: the config, the connection, the wallet in use, and a
// version number that moves whenever a program account changes (a WebSocket
// programSubscribe) or this page sends a transaction, so every view re-reads.
import { useConnection, useWallet } from '@solana/wallet-adapter-react';
import { Keypair, PublicKey, SYSVAR_CLOCK_PUBKEY } from '@solana/web3.js';
import type { Program } from '@anchor-lang/core';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { makeProgram, type AppWallet } from './lib/chain';
import type { AppConfig } from './lib/config';
import { createDevKeypair, devWallet, forgetDevKeypair, loadDevKeypair } from './lib/devWallet';
import { describeError } from './lib/errors';
import { PROGRAM_ID } from './lib/pda';

interface AppState {
  config: AppConfig;
  program: Program;
  wallet: AppWallet | null;
  /** Moves on every chain change the app hears of. */
  version: number;
  refresh(): void;
  /** The chain's clock (unix seconds) at the last refresh. */
  chainNow: number;
  dev: {
    available: boolean;
    keypair: Keypair | null;
    create(): void;
    forget(): void;
  };
}

const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp outside AppProvider');
  return state;
}

export function AppProvider({ config, children }: { config: AppConfig; children: ReactNode }) {
  const { connection } = useConnection();
  const adapter = useWallet();
  const [version, setVersion] = useState(0);
  const [chainNow, setChainNow] = useState(Math.floor(Date.now() / 1000));
  const devAvailable = config.network === 'localnet';
  const [devKeypair, setDevKeypair] = useState<Keypair | null>(() =>
    devAvailable ? loadDevKeypair(localStorage) : null,
  );
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refresh = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setVersion((v) => v + 1), 250);
  }, []);

  useEffect(() => {
    const id = connection.onProgramAccountChange(PROGRAM_ID, refresh, { commitment: 'confirmed' });
    return () => {
      void connection.removeProgramAccountChangeListener(id);
    };
  }, [connection, refresh]);

  useEffect(() => {
    // Unlock and voting times are the chain's, which a localnet can move.
    connection
      .getAccountInfo(SYSVAR_CLOCK_PUBKEY)
      .then((info) => {
        if (info) setChainNow(Number(info.data.readBigInt64LE(32)));
      })
      .catch(() => undefined);
  }, [connection, version]);

  const wallet = useMemo<AppWallet | null>(() => {
    if (adapter.publicKey && adapter.signTransaction && adapter.signAllTransactions) {
      const signMessage = adapter.signMessage;
      return {
        publicKey: adapter.publicKey,
        label: adapter.wallet?.adapter.name ?? 'Wallet',
        signTransaction: adapter.signTransaction,
        signAllTransactions: adapter.signAllTransactions,
        signMessage: signMessage
          ? (message) => signMessage(message)
          : () => Promise.reject(new Error('This wallet cannot sign messages; keeper requests need it.')),
      };
    }
    return devKeypair ? devWallet(devKeypair) : null;
  }, [adapter.publicKey, adapter.signTransaction, adapter.signAllTransactions, adapter.signMessage, adapter.wallet, devKeypair]);

  const program = useMemo(() => makeProgram(connection, wallet ?? undefined), [connection, wallet]);
  const dev = useMemo(
    () => ({
      available: devAvailable,
      keypair: devKeypair,
      create: () => setDevKeypair(createDevKeypair(localStorage)),
      forget: () => {
        forgetDevKeypair(localStorage);
        setDevKeypair(null);
      },
    }),
    [devAvailable, devKeypair],
  );
  const state = useMemo(
    () => ({ config, program, wallet, version, refresh, chainNow, dev }),
    [config, program, wallet, version, refresh, chainNow, dev],
  );
  return <AppContext.Provider value={state}>{children}</AppContext.Provider>;
}

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
}

/** Runs `load` now and again whenever the chain changes or `deps` do. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const { version } = useApp();
  const [state, setState] = useState<Loaded<T>>({ data: undefined, error: undefined, loading: true });
  useEffect(() => {
    let live = true;
    load()
      .then((data) => live && setState({ data, error: undefined, loading: false }))
      .catch((error) => live && setState((s) => ({ data: s.data, error: describeError(error), loading: false })));
    return () => {
      live = false;
    };
  }, [version, ...deps]);
  return state;
}

export interface Action {
  busy: boolean;
  result: { ok: boolean; text: string } | null;
  run(label: string, action: () => Promise<string | void>): Promise<boolean>;
}

/** Runs a transaction or request, keeping what happened for the page to show. */
export function useAction(): Action {
  const { refresh } = useApp();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Action['result']>(null);
  const run = useCallback(
    async (label: string, action: () => Promise<string | void>) => {
      setBusy(true);
      setResult(null);
      try {
        const detail = await action();
        setResult({ ok: true, text: detail ? `${label}: ${detail}` : `${label}: done` });
        return true;
      } catch (error) {
        setResult({ ok: false, text: `${label} failed. ${describeError(error)}` });
        return false;
      } finally {
        setBusy(false);
        refresh();
      }
    },
    [refresh],
  );
  return { busy, result, run };
}

export function usePublicKey(): PublicKey | null {
  return useApp().wallet?.publicKey ?? null;
}

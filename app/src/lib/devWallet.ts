// A development wallet for localnets: a key made in this browser and kept
// in its localStorage, funded by the localnet's faucet. Never offered on
// another network.
import { Keypair, Transaction, VersionedTransaction } from '@solana/web3.js';
import nacl from 'tweetnacl';
import type { AppWallet } from './chain';

const STORAGE_KEY = 'ioc.devWallet';

export function loadDevKeypair(storage: Storage): Keypair | null {
  const saved = storage.getItem(STORAGE_KEY);
  if (!saved) return null;
  try {
    return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(saved)));
  } catch {
    storage.removeItem(STORAGE_KEY);
    return null;
  }
}

export function createDevKeypair(storage: Storage): Keypair {
  const keypair = Keypair.generate();
  storage.setItem(STORAGE_KEY, JSON.stringify(Array.from(keypair.secretKey)));
  return keypair;
}

export function forgetDevKeypair(storage: Storage) {
  storage.removeItem(STORAGE_KEY);
}

export function devWallet(keypair: Keypair): AppWallet {
  const sign = <T extends Transaction | VersionedTransaction>(tx: T): T => {
    if (tx instanceof VersionedTransaction) tx.sign([keypair]);
    else tx.partialSign(keypair);
    return tx;
  };
  return {
    publicKey: keypair.publicKey,
    label: 'Development wallet',
    signTransaction: async (tx) => sign(tx),
    signAllTransactions: async (txs) => txs.map(sign),
    signMessage: async (message) => nacl.sign.detached(message, keypair.secretKey),
  };
}

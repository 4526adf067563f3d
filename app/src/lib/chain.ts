// The chain as the app reads and writes it: one Connection (HTTP JSON-RPC and
// its WebSocket), the Anchor program built from the committed IDL, and the
// instructions the pages send.
import { AnchorProvider, BN, Program, type Idl } from '@anchor-lang/core';
import {
  Connection,
  PublicKey,
  SystemProgram,
  Transaction,
  TransactionInstruction,
  VersionedTransaction,
} from '@solana/web3.js';
import idlJson from '../../../idl/io_compute.json';
import { ASSOCIATED_TOKEN_PROGRAM_ID, TOKEN_PROGRAM_ID, associatedToken, pda } from './pda';

export const idl = idlJson as Idl;

/** What a page needs of a wallet to send transactions and sign keeper requests. */
export interface AppWallet {
  publicKey: PublicKey;
  signTransaction<T extends Transaction | VersionedTransaction>(tx: T): Promise<T>;
  signAllTransactions<T extends Transaction | VersionedTransaction>(txs: T[]): Promise<T[]>;
  signMessage(message: Uint8Array): Promise<Uint8Array>;
  label: string;
}

/** A wallet that signs nothing, for reading the chain before one connects. */
const readOnly = {
  publicKey: PublicKey.default,
  signTransaction: () => Promise.reject(new Error('Connect a wallet first.')),
  signAllTransactions: () => Promise.reject(new Error('Connect a wallet first.')),
};

// Anchor's account namespace is typed from a literal IDL type; the app reads
// the committed JSON, so accounts come back as plain decoded records.
export type Decoded = any;

export function makeProgram(connection: Connection, wallet?: AppWallet): Program {
  const provider = new AnchorProvider(connection, (wallet ?? readOnly) as never, {
    commitment: 'confirmed',
    preflightCommitment: 'confirmed',
  });
  return new Program(idl, provider);
}

export interface Keyed<T = Decoded> {
  publicKey: PublicKey;
  account: T;
}

/** Byte offsets of the key fields views filter on (after the 8-byte discriminator). */
export const FIELD = {
  leaseClient: 16, // id u64, then client
  deviceProvider: 8,
  proofLease: 8,
  proofProvider: 72, // lease, device, then provider
  positionOwner: 8,
  voteVoter: 72, // proposal, position, then voter
} as const;

/** Accounts of `name` (an IDL account type, camelCase), all of them or
 * those whose key at `offset` is `key` (filtered by the RPC node). */
export async function all(program: Program, name: string, where?: { offset: number; key: PublicKey }): Promise<Keyed[]> {
  const filters = where ? [{ memcmp: { offset: where.offset, bytes: where.key.toBase58() } }] : [];
  return (program.account as any)[name].all(filters);
}

export async function fetchOne(program: Program, name: string, key: PublicKey): Promise<Decoded | null> {
  return (program.account as any)[name].fetchNullable(key);
}

/** Accounts of `name` at `keys`, in one request (null where absent). */
export async function fetchMany(program: Program, name: string, keys: PublicKey[]): Promise<(Decoded | null)[]> {
  return (program.account as any)[name].fetchMultiple(keys);
}

/** Creates `owner`'s associated token account for `mint` unless it exists. */
export function createAtaIdempotent(payer: PublicKey, owner: PublicKey, mint: PublicKey): TransactionInstruction {
  return new TransactionInstruction({
    programId: ASSOCIATED_TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: payer, isSigner: true, isWritable: true },
      { pubkey: associatedToken(owner, mint), isSigner: false, isWritable: true },
      { pubkey: owner, isSigner: false, isWritable: false },
      { pubkey: mint, isSigner: false, isWritable: false },
      { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
      { pubkey: TOKEN_PROGRAM_ID, isSigner: false, isWritable: false },
    ],
    data: Buffer.from([1]),
  });
}

export async function tokenBalance(connection: Connection, account: PublicKey): Promise<bigint> {
  try {
    const balance = await connection.getTokenAccountBalance(account);
    return BigInt(balance.value.amount);
  } catch {
    return 0n; // no such account yet
  }
}

export const bn = (value: bigint | number) => new BN(value.toString());

/** The accounts of an IO burn (for IOSD, or a lease paid in IO). */
export function burnAccounts(owner: PublicKey, destination: PublicKey, currentEpoch: bigint) {
  return {
    owner,
    config: pda.config(),
    tokenomics: pda.tokenomics(),
    epoch: pda.epoch(currentEpoch),
    price: pda.priceFeed(),
    ioMint: pda.ioMint(),
    iosdMint: pda.iosdMint(),
    source: associatedToken(owner, pda.ioMint()),
    destination,
    vaultAuthority: pda.vaultAuthority(),
    tokenProgram: TOKEN_PROGRAM_ID,
  };
}

/** The accounts that pay out staking rewards (IO and IOSD) to `owner`. */
export function rewardPayout(owner: PublicKey) {
  return {
    config: pda.config(),
    ioDestination: associatedToken(owner, pda.ioMint()),
    iosdDestination: associatedToken(owner, pda.iosdMint()),
    rewardsVault: pda.rewardsVault(),
    rewardsIosdVault: pda.rewardsIosdVault(),
    ioMint: pda.ioMint(),
    iosdMint: pda.iosdMint(),
    vaultAuthority: pda.vaultAuthority(),
    tokenProgram: TOKEN_PROGRAM_ID,
  };
}

/** Sends a built instruction (`program.methods…`) and waits for it. Failures
 * keep the simulation's logs for `describeError`: Anchor's own `.rpc()`
 * parser assumes SBF's pubkey log lines and throws a TypeError of its own on
 * some refusals (`require_keys_eq!`), hiding the program's error. */
export async function send(program: Program, builder: { transaction(): Promise<Transaction> }): Promise<string> {
  const tx = await builder.transaction();
  return program.provider.sendAndConfirm!(tx);
}

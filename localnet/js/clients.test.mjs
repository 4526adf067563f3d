// Third-party clients against a running `ioc localnet` that cli/tests set up
// with `ioc migrate` and an IO-for-IOSD burn (a transaction whose program
// makes CPIs and emits an event): every library must work unchanged.
// LOCALNET_RPC_URL, LOCALNET_WS_URL, IOC_IDL (the program's IDL file),
// IOC_BURN_SIGNATURE and IOC_WALLET name what the setup made.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  SystemProgram,
  TransactionMessage,
  VersionedTransaction,
} from '@solana/web3.js';
import * as coral from '@coral-xyz/anchor';
import * as anchor from '@anchor-lang/core';
import {
  createMint,
  getAccount,
  getMint,
  getOrCreateAssociatedTokenAccount,
  mintTo,
  transfer,
} from '@solana/spl-token';

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} must be set (cli/tests/localnet.rs sets it)`);
  return value;
};
const connection = new Connection(env('LOCALNET_RPC_URL'), {
  commitment: 'confirmed',
  wsEndpoint: env('LOCALNET_WS_URL'),
});
const idl = JSON.parse(readFileSync(env('IOC_IDL'), 'utf8'));
const programId = new PublicKey(idl.address);
const burnSignature = env('IOC_BURN_SIGNATURE');
const wallet = new PublicKey(env('IOC_WALLET'));
const ioMint = PublicKey.findProgramAddressSync([Buffer.from('io_mint')], programId)[0];

async function funded(sol) {
  const keypair = Keypair.generate();
  const signature = await connection.requestAirdrop(keypair.publicKey, sol * LAMPORTS_PER_SOL);
  await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) });
  return keypair;
}

/** Retries `read` (a getBlock-style call on a slot still being built) for up to 5 s. */
async function eventually(read) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= 25) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

test('getVersion reports the feature set web3.js requires', async () => {
  const version = await connection.getVersion();
  assert.equal(typeof version['feature-set'], 'number');
  assert.equal(version['solana-core'], '3.1.12');
});

for (const [name, lib] of [
  ['@coral-xyz/anchor 0.32', coral],
  ['@anchor-lang/core 1.2', anchor],
]) {
  test(`${name} EventParser reads the event of a transaction with CPIs`, async () => {
    const tx = await connection.getTransaction(burnSignature, {
      maxSupportedTransactionVersion: 0,
    });
    const logs = tx.meta.logMessages;
    assert.ok(logs.some((l) => l.includes('invoke [2]')), 'the burn made CPIs');
    const parser = new lib.EventParser(programId, new lib.BorshCoder(idl));
    const events = [...parser.parseLogs(logs)];
    assert.equal(events.length, 1, JSON.stringify(logs));
    assert.equal(events[0].name, 'IoBurnedForIosd');
    assert.equal(events[0].data.owner.toBase58(), wallet.toBase58());
    assert.equal(events[0].data.io_burned.toString(), '10000000000');
    assert.equal(events[0].data.iosd_minted.toString(), '10000000');
  });
}

test('getTransaction reports the version and jsonParsed gives account objects', async () => {
  const tx = await connection.getTransaction(burnSignature, { maxSupportedTransactionVersion: 0 });
  assert.equal(tx.version, 'legacy');
  assert.ok(tx.meta.fee >= 5000);
  const parsed = await connection.getParsedTransaction(burnSignature, {
    maxSupportedTransactionVersion: 0,
  });
  const payer = parsed.transaction.message.accountKeys[0];
  assert.equal(payer.pubkey.toBase58(), wallet.toBase58());
  assert.equal(payer.signer, true);
  assert.equal(payer.writable, true);
  const programs = parsed.transaction.message.instructions.map((ix) => ix.programId.toBase58());
  assert.ok(programs.includes(programId.toBase58()), programs.join());
});

test('a v0 transaction reports version 0 and its fee', async () => {
  const payer = await funded(1);
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
  const message = new TransactionMessage({
    payerKey: payer.publicKey,
    recentBlockhash: blockhash,
    instructions: [
      SystemProgram.transfer({
        fromPubkey: payer.publicKey,
        toPubkey: Keypair.generate().publicKey,
        lamports: 1_000_000,
      }),
    ],
  }).compileToV0Message();
  assert.equal((await connection.getFeeForMessage(message)).value, 5000);
  const tx = new VersionedTransaction(message);
  tx.sign([payer]);
  const signature = await connection.sendTransaction(tx);
  await connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight });
  const landed = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
  assert.equal(landed.version, 0);
  assert.equal(landed.meta.fee, 5000);
  assert.equal(landed.meta.preBalances[0] - landed.meta.postBalances[0], 5000 + 1_000_000);
  await assert.rejects(
    connection.getTransaction(signature),
    /Transaction version \(0\) is not supported/,
    'a client that names no version is told which to name',
  );
});

test('getBlock and getBlockTime describe the burn slot', async () => {
  const tx = await connection.getTransaction(burnSignature, { maxSupportedTransactionVersion: 0 });
  const block = await eventually(() =>
    connection.getBlock(tx.slot, { maxSupportedTransactionVersion: 0 }),
  );
  assert.ok(
    block.transactions.some((t) => t.transaction.signatures[0] === burnSignature),
    'the burn is in its block',
  );
  assert.equal(typeof block.blockhash, 'string');
  assert.ok(block.parentSlot < tx.slot);
  assert.equal(await connection.getBlockTime(tx.slot), tx.blockTime);
  await assert.rejects(connection.getBlockTime(tx.slot + 1_000_000), /not available/);
});

test('@solana/spl-token reads the IO mint and the largest holders', async () => {
  const mint = await getMint(connection, ioMint);
  assert.equal(mint.decimals, 9);
  const largest = await connection.getTokenLargestAccounts(ioMint);
  assert.ok(largest.value.length >= 1 && largest.value.length <= 20);
  const amounts = largest.value.map((a) => BigInt(a.amount));
  assert.deepEqual([...amounts].sort((a, b) => (b > a ? 1 : b < a ? -1 : 0)), amounts);
  const top = await getAccount(connection, largest.value[0].address);
  assert.equal(top.amount, amounts[0]);
  assert.equal(top.mint.toBase58(), ioMint.toBase58());
});

test('@solana/spl-token mints and transfers a token of its own', async () => {
  const payer = await funded(2);
  const mint = await createMint(connection, payer, payer.publicKey, null, 6);
  const from = await getOrCreateAssociatedTokenAccount(connection, payer, mint, payer.publicKey);
  const other = Keypair.generate().publicKey;
  const to = await getOrCreateAssociatedTokenAccount(connection, payer, mint, other);
  await mintTo(connection, payer, mint, from.address, payer, 5_000_000n);
  await transfer(connection, payer, from.address, to.address, payer, 1_250_000n);
  assert.equal((await getAccount(connection, from.address)).amount, 3_750_000n);
  assert.equal((await getAccount(connection, to.address)).amount, 1_250_000n);
  assert.equal((await getMint(connection, mint)).supply, 5_000_000n);
  const largest = await connection.getTokenLargestAccounts(mint);
  assert.deepEqual(
    largest.value.map((a) => [a.address.toBase58(), a.amount]),
    [
      [from.address.toBase58(), '3750000'],
      [to.address.toBase58(), '1250000'],
    ],
  );
});

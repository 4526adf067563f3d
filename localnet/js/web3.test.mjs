// @solana/web3.js against a running `ioc localnet`: confirmation over the
// WebSocket, subscriptions and the JSON-RPC reads a dApp makes.
// LOCALNET_RPC_URL and LOCALNET_WS_URL name the localnet (cli/tests starts it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  SystemProgram,
  Transaction,
  sendAndConfirmTransaction,
} from '@solana/web3.js';

const rpcUrl = process.env.LOCALNET_RPC_URL;
const wsUrl = process.env.LOCALNET_WS_URL;
assert.ok(rpcUrl && wsUrl, 'LOCALNET_RPC_URL and LOCALNET_WS_URL must be set');

const connection = new Connection(rpcUrl, { commitment: 'confirmed', wsEndpoint: wsUrl });

async function funded(sol) {
  const wallet = Keypair.generate();
  const signature = await connection.requestAirdrop(wallet.publicKey, sol * LAMPORTS_PER_SOL);
  const latest = await connection.getLatestBlockhash();
  const result = await connection.confirmTransaction({ signature, ...latest });
  assert.equal(result.value.err, null);
  return wallet;
}

/** Resolves with the first value `subscribe` reports, or rejects after 10 s. */
function first(subscribe) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no notification within 10 s')), 10_000);
    subscribe((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

test('sendAndConfirmTransaction confirms over the WebSocket', async () => {
  const payer = await funded(2);
  const recipient = Keypair.generate().publicKey;
  const tx = new Transaction().add(
    SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: recipient, lamports: 1_000_000 }),
  );
  const signature = await sendAndConfirmTransaction(connection, tx, [payer]);
  assert.equal(await connection.getBalance(recipient), 1_000_000);
  assert.equal(await connection.getBalance(payer.publicKey), 2 * LAMPORTS_PER_SOL - 1_000_000 - 5_000);
  const parsed = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
  assert.equal(parsed.meta.err, null);
  assert.equal(parsed.meta.fee, 5_000);
  assert.deepEqual(parsed.meta.postBalances.slice(0, 2), [2 * LAMPORTS_PER_SOL - 1_005_000, 1_000_000]);
});

test('account, logs and signature subscriptions fire', async () => {
  const payer = await funded(1);
  const recipient = Keypair.generate().publicKey;
  let accountId;
  let logsId;
  const account = first((done) => {
    accountId = connection.onAccountChange(recipient, done, { commitment: 'confirmed' });
  });
  const logs = first((done) => {
    logsId = connection.onLogs(recipient, done, 'confirmed');
  });
  // Let the subscriptions reach the server before the transfer lands.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const latest = await connection.getLatestBlockhash();
  const tx = new Transaction({ feePayer: payer.publicKey, ...latest }).add(
    SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: recipient, lamports: 2_000_000 }),
  );
  tx.sign(payer);
  const signature = await connection.sendRawTransaction(tx.serialize());
  const signatureResult = await first((done) => connection.onSignature(signature, done, 'confirmed'));
  assert.equal(signatureResult.err, null);
  assert.equal((await account).lamports, 2_000_000);
  const logResult = await logs;
  assert.equal(logResult.signature, signature);
  assert.ok(logResult.logs.includes('Program 11111111111111111111111111111111 success'));
  await connection.removeAccountChangeListener(accountId);
  await connection.removeOnLogsListener(logsId);
});

test('a failing transaction is refused with its simulation logs', async () => {
  const payer = await funded(1);
  const tx = new Transaction().add(
    SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 5 * LAMPORTS_PER_SOL }),
  );
  await assert.rejects(sendAndConfirmTransaction(connection, tx, [payer]), (err) => {
    assert.match(err.message, /Simulation failed|simulation failed/);
    const logs = err.logs ?? err.transactionLogs ?? [];
    assert.ok(logs.some((l) => l.includes('insufficient lamports')), JSON.stringify(logs));
    return true;
  });
});

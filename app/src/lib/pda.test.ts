import { Keypair } from '@solana/web3.js';
import { expect, test } from 'vitest';
import vectors from '../test/vectors.json';
import { pda } from './pda';

test('addresses match the Rust sdk (sdk/tests/app_vectors.rs checks the same file)', () => {
  const signer = Keypair.fromSeed(new Uint8Array(32).fill(vectors.signer_seed)).publicKey;
  const audience = Keypair.fromSeed(new Uint8Array(32).fill(vectors.audience_seed)).publicKey;
  const provider = pda.provider(audience);
  const lease = pda.lease(3);
  const device = pda.device(provider, 0);
  expect(lease.toBase58()).toBe(vectors.pdas.lease_3);
  expect(device.toBase58()).toBe(vectors.pdas.device_0_of_audience_provider);
  expect(pda.ioMint().toBase58()).toBe(vectors.pdas.io_mint);
  expect(pda.stakePosition(signer, provider, 2).toBase58()).toBe(vectors.pdas.stake_signer_audience_provider_2);
  expect(pda.usageProof(lease, device, 5).toBase58()).toBe(vectors.pdas.usage_proof_lease_3_device_seq_5);
  // Each seed matters: a neighbouring id or sequence is another account.
  expect(pda.lease(4).equals(lease)).toBe(false);
  expect(pda.usageProof(lease, device, 6).toBase58()).not.toBe(vectors.pdas.usage_proof_lease_3_device_seq_5);
});

import { Keypair } from '@solana/web3.js';
import bs58 from 'bs58';
import nacl from 'tweetnacl';
import { describe, expect, test } from 'vitest';
import vectors from '../test/vectors.json';
import { hex } from './bytes';
import { gemmJob, requestMessage, signedHeaders } from './keeper';

const signer = Keypair.fromSeed(new Uint8Array(32).fill(vectors.signer_seed));
const audience = Keypair.fromSeed(new Uint8Array(32).fill(vectors.audience_seed)).publicKey;
const sign = async (m: Uint8Array) => nacl.sign.detached(m, signer.secretKey);
const r = vectors.request;

describe('signed keeper requests', () => {
  test('the message is the one sdk/src/request.rs signs and verifies', async () => {
    expect(signer.publicKey.toBase58()).toBe(vectors.signer);
    const message = await requestMessage(r.method, r.path, audience, r.timestamp, r.nonce, new TextEncoder().encode(r.body));
    expect(new TextDecoder().decode(message)).toBe(r.message);
    expect(hex(await sign(message))).toBe(r.signature_hex);
  });

  test('headers carry signer, audience, time, nonce and a base58 signature that verifies', async () => {
    const body = new TextEncoder().encode(r.body);
    const headers = await signedHeaders(signer.publicKey, sign, audience, 'POST', r.path, body, r.timestamp, r.nonce);
    expect(headers).toEqual({
      'x-ioc-signer': vectors.signer,
      'x-ioc-audience': vectors.audience,
      'x-ioc-timestamp': String(r.timestamp),
      'x-ioc-nonce': r.nonce,
      'x-ioc-signature': bs58.encode(Buffer.from(r.signature_hex, 'hex')),
    });
    // Any other body, path or time gives another message: the signature no longer verifies.
    const other = await requestMessage('POST', r.path, audience, r.timestamp, r.nonce, new TextEncoder().encode('{"lease":4}'));
    expect(nacl.sign.detached.verify(other, bs58.decode(headers['x-ioc-signature']), signer.publicKey.toBytes())).toBe(false);
  });

  test('a random nonce is 128 bits of hex, new each time', async () => {
    const a = await signedHeaders(signer.publicKey, sign, audience, 'GET', '/v1/jobs/x', new Uint8Array());
    const b = await signedHeaders(signer.publicKey, sign, audience, 'GET', '/v1/jobs/x', new Uint8Array());
    expect(a['x-ioc-nonce']).toMatch(/^[0-9a-f]{32}$/);
    expect(a['x-ioc-nonce']).not.toBe(b['x-ioc-nonce']);
  });

  test('a GEMM job is the sdk job spec, version 1, inputs by seed', () => {
    expect(gemmJob({ m: 8, n: 16, k: 32, dtype: 'i32', seed: 5 })).toEqual({
      version: 1,
      spec: { type: 'gemm', m: 8, n: 16, k: 32, dtype: 'i32', allow_tf32: false, inputs: { from: 'seed', seed: 5 } },
    });
  });
});

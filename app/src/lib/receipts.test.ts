import { Keypair, PublicKey } from '@solana/web3.js';
import bs58 from 'bs58';
import nacl from 'tweetnacl';
import { describe, expect, test } from 'vitest';
import vectors from '../test/vectors.json';
import { fromHex, hex } from './bytes';
import type { ProvenPeriod, SignedReceipt } from './keeper';
import { pda } from './pda';
import { checkPeriod, hashPair, receiptLeaf, receiptMessage, verifyPath } from './receipts';

const worker = Keypair.fromSeed(new Uint8Array(32).fill(vectors.signer_seed));
const audience = Keypair.fromSeed(new Uint8Array(32).fill(vectors.audience_seed)).publicKey;
const lease = pda.lease(3);
const device = pda.device(pda.provider(audience), 0);

function receipt(i: number, time = 100 + i): SignedReceipt {
  const r: SignedReceipt = {
    job_id: hex(new Uint8Array(32).fill(i)),
    kind: 'gemm',
    dtype: i % 2 ? 'f32' : 'i32',
    m: 64,
    n: 32,
    k: 16,
    input_root: hex(new Uint8Array(32).fill(i + 1)),
    output_root: hex(new Uint8Array(32).fill(i + 2)),
    device_time_us: time,
    signature: '',
  };
  r.signature = bs58.encode(nacl.sign.detached(receiptMessage(lease, device, r), worker.secretKey));
  return r;
}

/** The sdk's tree (sdk/src/merkle.rs): pairs hashed sorted, an odd node moves up. */
async function tree(leaves: Uint8Array[]) {
  const levels = [leaves];
  while (levels[levels.length - 1].length > 1) {
    const level = levels[levels.length - 1];
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? await hashPair(level[i], level[i + 1]) : level[i]);
    levels.push(next);
  }
  const proof = (index: number) => {
    const path: Uint8Array[] = [];
    for (const level of levels.slice(0, -1)) {
      if ((index ^ 1) < level.length) path.push(level[index ^ 1]);
      index = Math.floor(index / 2);
    }
    return path;
  };
  return { root: levels[levels.length - 1][0], proof };
}

async function period(receipts: SignedReceipt[]) {
  const leaves = await Promise.all(receipts.map((r) => receiptLeaf(lease, device, r)));
  const t = await tree(leaves);
  const proven: ProvenPeriod = {
    device: device.toBase58(),
    seq: 0,
    proof: pda.usageProof(lease, device, 0).toBase58(),
    receipts_root: hex(t.root),
    device_time_us: receipts.reduce((n, r) => n + r.device_time_us, 0),
    posted_in: 'sig',
    receipts: receipts.map((r, i) => ({ receipt: r, merkle_proof: t.proof(i).map(hex) })),
  };
  const chain = {
    receiptsRoot: t.root,
    worker: worker.publicKey,
    deviceTimeUs: BigInt(proven.device_time_us),
    jobCount: receipts.length,
  };
  return { proven, chain };
}

describe('receipts checked in the browser', () => {
  test('a receipt leaf and its signature are the Rust program’s (programs/io-compute/src/receipt.rs)', async () => {
    const v = vectors.receipt;
    const r: SignedReceipt = { ...v, signature: '' };
    expect(hex(await receiptLeaf(lease, device, r))).toBe(v.leaf);
    expect(hex(nacl.sign.detached(receiptMessage(lease, device, r), worker.secretKey))).toBe(v.signature_hex);
  });

  test('an honest period of 1, 2, 5 and 8 receipts passes', async () => {
    for (const count of [1, 2, 5, 8]) {
      const { proven, chain } = await period(Array.from({ length: count }, (_, i) => receipt(i)));
      const checked = await checkPeriod(lease, proven, chain);
      expect(checked.receipts).toBe(count);
      expect(checked.deviceTimeUs).toBe(chain.deviceTimeUs);
    }
  });

  test('a changed receipt, path, root, signer or bill is caught, naming what is wrong', async () => {
    const { proven, chain } = await period([receipt(1), receipt(2), receipt(3)]);
    const edited = structuredClone(proven);
    edited.receipts[1].receipt.device_time_us += 1;
    await expect(checkPeriod(lease, edited, chain)).rejects.toThrow(/is not under its root/);

    const wrongRoot = { ...chain, receiptsRoot: new Uint8Array(32).fill(9) };
    await expect(checkPeriod(lease, proven, wrongRoot)).rejects.toThrow(/the keeper's root is not the chain's/);

    const otherWorker = { ...chain, worker: Keypair.generate().publicKey };
    await expect(checkPeriod(lease, proven, otherWorker)).rejects.toThrow(/not signed by the device's worker/);

    await expect(checkPeriod(lease, proven, { ...chain, deviceTimeUs: chain.deviceTimeUs + 1n })).rejects.toThrow(/bills/);
    await expect(checkPeriod(lease, proven, { ...chain, jobCount: 4 })).rejects.toThrow(/holds 4 jobs, the keeper lists 3/);

    const otherLease = pda.lease(4);
    await expect(checkPeriod(otherLease, proven, chain)).rejects.toThrow(/is not under its root/);
  });

  test('a path never proves a leaf that is not in the tree', async () => {
    const leaves = await Promise.all([1, 2, 3, 4].map((i) => receiptLeaf(lease, device, receipt(i))));
    const t = await tree(leaves);
    expect(await verifyPath(t.proof(2), t.root, leaves[2])).toBe(true);
    expect(await verifyPath(t.proof(2), t.root, leaves[1])).toBe(false);
    expect(await verifyPath([], t.root, fromHex('00'.repeat(32)))).toBe(false);
  });

  test('an unknown receipt kind is refused rather than guessed', () => {
    expect(() => receiptMessage(lease, device, { ...receipt(1), kind: 'bogus' })).toThrow(/unknown kind/);
    expect(PublicKey.isOnCurve(worker.publicKey.toBytes())).toBe(true);
  });
});

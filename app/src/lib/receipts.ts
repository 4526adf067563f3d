// Checks a keeper's receipts against the chain, in the browser: each
// receipt's leaf (programs/io-compute/src/receipt.rs) must lead to the usage
// proof's on-chain `receipts_root` through its Merkle path
// (programs/io-compute/src/merkle.rs), be signed by the proof's worker key,
// and the receipts' device time must add up to what the proof bills.
import { PublicKey } from '@solana/web3.js';
import bs58 from 'bs58';
import nacl from 'tweetnacl';
import { compare, concat, fromHex, hex, sha256 } from './bytes';
import type { ProvenPeriod, SignedReceipt } from './keeper';
import { PROGRAM_ID, u32le, u64le } from './pda';

const RECEIPT_DOMAIN = new TextEncoder().encode('io-compute:receipt:v2');
const KINDS = ['gemm', 'inference', 'device_check'];
const DTYPES = ['i32', 'f32', 'f16', 'bf16'];

/** The bytes a worker signs for `receipt` (Borsh after the domain and keys). */
export function receiptMessage(lease: PublicKey, device: PublicKey, r: SignedReceipt): Uint8Array {
  const kind = KINDS.indexOf(r.kind);
  const dtype = DTYPES.indexOf(r.dtype);
  if (kind < 0 || dtype < 0) throw new Error(`receipt ${r.job_id}: unknown kind or dtype`);
  return concat(
    RECEIPT_DOMAIN,
    PROGRAM_ID.toBytes(),
    lease.toBytes(),
    device.toBytes(),
    fromHex(r.job_id),
    new Uint8Array([kind, dtype]),
    u32le(r.m),
    u32le(r.n),
    u32le(r.k),
    fromHex(r.input_root),
    fromHex(r.output_root),
    u64le(r.device_time_us),
  );
}

export async function receiptLeaf(lease: PublicKey, device: PublicKey, r: SignedReceipt): Promise<Uint8Array> {
  return sha256(concat(new Uint8Array([0]), receiptMessage(lease, device, r)));
}

export async function hashPair(a: Uint8Array, b: Uint8Array): Promise<Uint8Array> {
  const [low, high] = compare(a, b) <= 0 ? [a, b] : [b, a];
  return sha256(concat(new Uint8Array([1]), low, high));
}

export async function verifyPath(path: Uint8Array[], root: Uint8Array, leaf: Uint8Array): Promise<boolean> {
  let node = leaf;
  for (const sibling of path) node = await hashPair(node, sibling);
  return compare(node, root) === 0;
}

/** What the chain says of a period's proof. */
export interface OnChainProof {
  receiptsRoot: Uint8Array;
  worker: PublicKey;
  deviceTimeUs: bigint;
  jobCount: number;
}

export interface CheckedPeriod {
  proof: string;
  receipts: number;
  deviceTimeUs: bigint;
}

/** Throws with the reason when any receipt of `period` fails a check. */
export async function checkPeriod(lease: PublicKey, period: ProvenPeriod, chain: OnChainProof): Promise<CheckedPeriod> {
  const device = new PublicKey(period.device);
  if (hex(chain.receiptsRoot) !== period.receipts_root) {
    throw new Error(`proof ${period.proof}: the keeper's root is not the chain's`);
  }
  if (chain.jobCount !== period.receipts.length) {
    throw new Error(`proof ${period.proof} holds ${chain.jobCount} jobs, the keeper lists ${period.receipts.length}`);
  }
  let time = 0n;
  for (const { receipt, merkle_proof } of period.receipts) {
    const leaf = await receiptLeaf(lease, device, receipt);
    if (!(await verifyPath(merkle_proof.map(fromHex), chain.receiptsRoot, leaf))) {
      throw new Error(`proof ${period.proof}: receipt ${receipt.job_id} is not under its root`);
    }
    const signed = nacl.sign.detached.verify(
      receiptMessage(lease, device, receipt),
      bs58.decode(receipt.signature),
      chain.worker.toBytes(),
    );
    if (!signed) throw new Error(`proof ${period.proof}: receipt ${receipt.job_id} is not signed by the device's worker`);
    time += BigInt(receipt.device_time_us);
  }
  if (time !== chain.deviceTimeUs) {
    throw new Error(`proof ${period.proof} bills ${chain.deviceTimeUs} GPU-µs, its receipts add up to ${time}`);
  }
  return { proof: period.proof, receipts: period.receipts.length, deviceTimeUs: time };
}

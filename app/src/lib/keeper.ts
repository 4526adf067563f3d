// A client of a keeper's HTTP API. Every request is signed the way
// sdk/src/request.rs verifies it: method, path, the keeper's authority
// (audience), time, a random nonce and the body's sha256, as text a wallet
// can show before it signs.
import { PublicKey } from '@solana/web3.js';
import bs58 from 'bs58';
import { hex, sha256 } from './bytes';

/** Signs a message with the connected wallet's key. */
export type SignMessage = (message: Uint8Array) => Promise<Uint8Array>;

export async function requestMessage(
  method: string,
  path: string,
  audience: PublicKey,
  timestamp: number,
  nonce: string,
  body: Uint8Array,
): Promise<Uint8Array> {
  const digest = hex(await sha256(body));
  return new TextEncoder().encode(
    `io-compute-request/v2\n${method.toUpperCase()}\n${path}\n${audience.toBase58()}\n${timestamp}\n${nonce}\n${digest}`,
  );
}

export function randomNonce(): string {
  return hex(crypto.getRandomValues(new Uint8Array(16)));
}

export async function signedHeaders(
  signer: PublicKey,
  sign: SignMessage,
  audience: PublicKey,
  method: string,
  path: string,
  body: Uint8Array,
  timestamp = Math.floor(Date.now() / 1000),
  nonce = randomNonce(),
): Promise<Record<string, string>> {
  const message = await requestMessage(method, path, audience, timestamp, nonce, body);
  const signature = await sign(message);
  return {
    'x-ioc-signer': signer.toBase58(),
    'x-ioc-audience': audience.toBase58(),
    'x-ioc-timestamp': String(timestamp),
    'x-ioc-nonce': nonce,
    'x-ioc-signature': bs58.encode(signature),
  };
}

export class KeeperError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface SignedReceipt {
  job_id: string;
  kind: string;
  dtype: string;
  m: number;
  n: number;
  k: number;
  input_root: string;
  output_root: string;
  device_time_us: number;
  signature: string;
}

export interface JobStatus {
  id: string;
  lease: number;
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  attempts: number;
  device?: string;
  outputs?: string[];
  error?: string;
  receipt?: SignedReceipt;
}

export interface ProvenPeriod {
  device: string;
  seq: number;
  proof: string;
  receipts_root: string;
  device_time_us: number;
  posted_in: string;
  receipts: { receipt: SignedReceipt; merkle_proof: string[] }[];
}

export interface LeaseReceipts {
  lease: number;
  periods: ProvenPeriod[];
}

export interface GemmJob {
  m: number;
  n: number;
  k: number;
  dtype: 'f32' | 'bf16' | 'f16' | 'i32';
  seed: number;
}

/** The job spec JSON of sdk/src/job.rs (version 1). */
export function gemmJob(job: GemmJob) {
  return {
    version: 1,
    spec: {
      type: 'gemm',
      m: job.m,
      n: job.n,
      k: job.k,
      dtype: job.dtype,
      allow_tf32: false,
      inputs: { from: 'seed', seed: job.seed },
    },
  };
}

export class KeeperClient {
  constructor(
    readonly base: string,
    readonly authority: PublicKey,
    readonly signer: PublicKey,
    readonly sign: SignMessage,
  ) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const bytes = body === undefined ? new Uint8Array() : new TextEncoder().encode(JSON.stringify(body));
    const route = path.split('?')[0];
    const headers = await signedHeaders(this.signer, this.sign, this.authority, method, route, bytes);
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(this.base.replace(/\/$/, '') + path, {
        method,
        headers,
        body: body === undefined ? undefined : (bytes as BodyInit),
      });
    } catch (error) {
      throw new KeeperError(0, `keeper ${this.base} is unreachable (${String(error)})`);
    }
    const text = await response.text();
    if (!response.ok) {
      let reason = text;
      try {
        reason = JSON.parse(text).error ?? text;
      } catch {
        // a plain-text answer
      }
      throw new KeeperError(response.status, `keeper answered ${response.status}: ${reason}`);
    }
    return JSON.parse(text) as T;
  }

  submit(lease: number, jobs: ReturnType<typeof gemmJob>[]) {
    return this.call<{ jobs: JobStatus[] }>('POST', '/v1/jobs', { lease, jobs });
  }

  status(id: string) {
    return this.call<JobStatus>('GET', `/v1/jobs/${id}`);
  }

  /** The lease's last 1,000 jobs, oldest first (for its client). */
  leaseJobs(lease: number) {
    return this.call<{ lease: number; jobs: JobStatus[] }>('GET', `/v1/leases/${lease}/jobs`);
  }

  receipts(lease: number) {
    return this.call<LeaseReceipts>('GET', `/v1/leases/${lease}/receipts`);
  }
}

// Program-derived addresses, with the seeds of programs/io-compute/src/constants.rs.
import { PublicKey } from '@solana/web3.js';
import idl from '../../../idl/io_compute.json';

export const PROGRAM_ID = new PublicKey(idl.address);
export const TOKEN_PROGRAM_ID = new PublicKey('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
export const ASSOCIATED_TOKEN_PROGRAM_ID = new PublicKey('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');

const text = (s: string) => new TextEncoder().encode(s);

export function u64le(value: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value), true);
  return out;
}

export function u32le(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

function find(...seeds: Uint8Array[]): PublicKey {
  return PublicKey.findProgramAddressSync(seeds, PROGRAM_ID)[0];
}

export const pda = {
  config: () => find(text('config')),
  gpuModels: () => find(text('gpu_models')),
  vaultAuthority: () => find(text('vault_authority')),
  ioMint: () => find(text('io_mint')),
  iosdMint: () => find(text('iosd_mint')),
  stakeVault: () => find(text('stake_vault')),
  rewardsVault: () => find(text('rewards_vault')),
  rewardsIosdVault: () => find(text('rewards_iosd')),
  escrowVault: () => find(text('escrow_vault')),
  bondVault: () => find(text('bond_vault')),
  priceFeed: () => find(text('price_feed')),
  tokenomics: () => find(text('tokenomics')),
  market: () => find(text('market')),
  governance: () => find(text('governance')),
  epoch: (n: bigint | number) => find(text('epoch'), u64le(n)),
  keeper: (authority: PublicKey) => find(text('keeper'), authority.toBytes()),
  lease: (id: bigint | number) => find(text('lease'), u64le(id)),
  usageProof: (lease: PublicKey, device: PublicKey, seq: number) =>
    find(text('usage_proof'), lease.toBytes(), device.toBytes(), u32le(seq)),
  dispute: (proof: PublicKey, challenger: PublicKey) =>
    find(text('dispute'), proof.toBytes(), challenger.toBytes()),
  proposal: (id: bigint | number) => find(text('proposal'), u64le(id)),
  vote: (proposal: PublicKey, position: PublicKey) =>
    find(text('vote'), proposal.toBytes(), position.toBytes()),
  provider: (authority: PublicKey) => find(text('provider'), authority.toBytes()),
  device: (provider: PublicKey, index: number) => find(text('device'), provider.toBytes(), u32le(index)),
  stakePosition: (owner: PublicKey, provider: PublicKey, nonce: bigint | number) =>
    find(text('stake'), owner.toBytes(), provider.toBytes(), u64le(nonce)),
};

/** The associated token account of `owner` for `mint`. */
export function associatedToken(owner: PublicKey, mint: PublicKey): PublicKey {
  return PublicKey.findProgramAddressSync(
    [owner.toBytes(), TOKEN_PROGRAM_ID.toBytes(), mint.toBytes()],
    ASSOCIATED_TOKEN_PROGRAM_ID,
  )[0];
}

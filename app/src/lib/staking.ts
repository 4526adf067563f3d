// Stake positions as their owner sees them.
import type { PublicKey } from '@solana/web3.js';
import type { Program } from '@anchor-lang/core';
import { all, FIELD, type Decoded, type Keyed } from './chain';
import { big, variant } from './format';

export interface Position {
  key: PublicKey;
  account: Decoded;
  provider: Keyed;
  /** IO the position's shares are worth now (after any slash). */
  value: bigint;
}

/** IO worth of `shares` in a share class (floor, as the program pays). */
export function shareValue(shares: bigint, classAmount: bigint, totalShares: bigint): bigint {
  return totalShares === 0n ? 0n : (shares * classAmount) / totalShares;
}

export async function positionsOf(program: Program, owner: PublicKey): Promise<Position[]> {
  const [positions, providers] = await Promise.all([
    all(program, 'stakePosition', { offset: FIELD.positionOwner, key: owner }),
    all(program, 'provider'),
  ]);
  return positions
    .map(({ publicKey, account }) => {
      const provider = providers.find((p) => p.publicKey.equals(account.provider))!;
      const pool = variant(account.kind) === 'Own' ? provider.account.stake.own : provider.account.stake.co;
      return {
        key: publicKey,
        account,
        provider,
        value: shareValue(big(account.shares), big(pool.amount), big(pool.totalShares)),
      };
    })
    .sort((a, b) => Number(a.account.nonce) - Number(b.account.nonce));
}

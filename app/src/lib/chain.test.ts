import { expect, test } from 'vitest';
import idl from '../../../idl/io_compute.json';
import { FIELD } from './chain';

const SIZES: Record<string, number> = { u8: 1, u16: 2, u32: 4, u64: 8, i64: 8, pubkey: 32 };

/** The byte offset of `field` in account `name`, from the IDL's layout (fixed-size fields before it only). */
function offsetOf(name: string, field: string): number {
  const type = idl.types.find((t) => t.name === name)!.type as { fields: { name: string; type: unknown }[] };
  let offset = 8; // the discriminator
  for (const f of type.fields) {
    if (f.name === field) return offset;
    const size = typeof f.type === 'string' ? SIZES[f.type] : undefined;
    if (size === undefined) throw new Error(`${name}.${f.name} has no fixed size`);
    offset += size;
  }
  throw new Error(`${name} has no field ${field}`);
}

test('the filter offsets are where the IDL puts those keys', () => {
  expect(FIELD.leaseClient).toBe(offsetOf('Lease', 'client'));
  expect(FIELD.deviceProvider).toBe(offsetOf('Device', 'provider'));
  expect(FIELD.proofLease).toBe(offsetOf('UsageProof', 'lease'));
  expect(FIELD.proofProvider).toBe(offsetOf('UsageProof', 'provider'));
  expect(FIELD.positionOwner).toBe(offsetOf('StakePosition', 'owner'));
  expect(FIELD.voteVoter).toBe(offsetOf('VoteRecord', 'voter'));
});

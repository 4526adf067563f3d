import type { Keyed } from '../lib/chain';
import { dateTime, iosd, variant } from '../lib/format';
import { Key, Table } from './ui';

/** Usage proofs with their cluster, device, period, work, amount and state. */
export function ProofTable({ label, proofs, leases }: { label: string; proofs: Keyed[]; leases: Keyed[] }) {
  return (
    <Table label={label} head={['Cluster', 'Device', 'Period end', 'Jobs', 'GPU time', 'Due (IOSD)', 'Status']}>
      {proofs.map(({ publicKey, account }) => {
        const lease = leases.find((l) => l.publicKey.equals(account.lease));
        return (
          <tr key={publicKey.toBase58()}>
            <td>{lease ? <a href={`#/clusters/${lease.account.id}`}>#{String(lease.account.id)}</a> : <Key value={account.lease} />}</td>
            <td>
              <Key value={account.device} />
            </td>
            <td>{dateTime(Number(account.periodEnd))}</td>
            <td>{account.jobCount}</td>
            <td>{(Number(account.deviceTimeUs) / 1e6).toFixed(3)} s</td>
            <td>{iosd(account.amountDue)}</td>
            <td>{variant(account.status)}</td>
          </tr>
        );
      })}
    </Table>
  );
}

import { PublicKey } from '@solana/web3.js';
import { ProofTable } from '../components/ProofTable';
import { Key, Load, Section, Stat, Table } from '../components/ui';
import { useApp, useLoad } from '../context';
import { all, fetchOne, FIELD } from '../lib/chain';
import { big, bps, dateTime, io, iosd, modelName, variant } from '../lib/format';

/** Providers with their stake, devices, reliability, device checks, earnings and work done. */
export function Providers({ selected }: { selected?: string }) {
  const { program } = useApp();
  const list = useLoad(() => all(program, 'provider'), []);
  if (selected) return <ProviderDetail address={selected} />;
  return (
    <Section title="Providers">
      <Load loaded={list} empty="No provider has registered yet." isEmpty={(l) => l.length === 0}>
        {(providers) => (
          <Table label="Providers" head={['Name', 'Region', 'Devices', 'Own stake (IO)', 'Co-stake (IO)', 'Co-stakers keep']}>
            {providers.map(({ publicKey, account }) => (
              <tr key={publicKey.toBase58()}>
                <td>
                  <a href={`#/providers/${publicKey.toBase58()}`}>{account.name}</a>
                </td>
                <td>{account.region}</td>
                <td>{account.deviceCount}</td>
                <td>{io(account.stake.own.amount)}</td>
                <td>{io(account.stake.co.amount)}</td>
                <td>{bps(account.coStakeShareBps)}</td>
              </tr>
            ))}
          </Table>
        )}
      </Load>
    </Section>
  );
}

function ProviderDetail({ address }: { address: string }) {
  const { program } = useApp();
  const loaded = useLoad(async () => {
    const key = new PublicKey(address);
    const provider = await fetchOne(program, 'provider', key);
    if (!provider) throw new Error(`No provider at ${address}.`);
    const [devices, proofs, leases] = await Promise.all([
      all(program, 'device', { offset: FIELD.deviceProvider, key }),
      all(program, 'usageProof', { offset: FIELD.proofProvider, key }),
      all(program, 'lease'),
    ]);
    return {
      key,
      provider,
      devices: devices.sort((a, b) => a.account.index - b.account.index),
      proofs: proofs.sort((a, b) => Number(b.account.postedAt) - Number(a.account.postedAt)),
      leases,
    };
  }, [address]);
  return (
    <Load loaded={loaded}>
      {({ provider, devices, proofs, leases }) => {
        const earned = (status: string) =>
          proofs.filter((p) => variant(p.account.status) === status).reduce((n, p) => n + big(p.account.amountDue), 0n);
        return (
          <>
            <p>
              <a href="#/providers">← All providers</a>
            </p>
            <h2 data-testid="provider-name">{provider.name}</h2>
            <p className="muted">
              {provider.region} · authority <Key value={provider.authority} /> · registered {dateTime(Number(provider.createdAt))}
            </p>
            <div className="stats">
              <Stat label="Own stake (IO)" value={io(provider.stake.own.amount)} />
              <Stat label="Co-stake (IO)" value={io(provider.stake.co.amount)} />
              <Stat label="Co-stakers keep" value={bps(provider.coStakeShareBps)} />
              <Stat
                label="Commission owed"
                value={`${io(provider.rewards.commission[0])} IO + ${iosd(provider.rewards.commission[1])} IOSD`}
              />
              <Stat label="Paid out (IOSD)" value={iosd(earned('Cleared'))} />
              <Stat label="Locked, to be paid (IOSD)" value={iosd(earned('Locked') + earned('Disputed'))} />
            </div>
            <Section title="Devices">
              {devices.length === 0 ? (
                <p className="muted">No devices.</p>
              ) : (
                <Table label="Devices" head={['#', 'GPUs', 'VRAM', 'Price / GPU-h (IOSD)', 'Status', 'Reliability', 'Device checks', 'Worker key']}>
                  {devices.map(({ publicKey, account }) => (
                    <tr key={publicKey.toBase58()}>
                      <td>{account.index}</td>
                      <td>
                        {account.gpuCount} × {modelName(account.model)}
                      </td>
                      <td>{account.vramGb} GB</td>
                      <td>{iosd(account.pricePerGpuHour)}</td>
                      <td>{variant(account.status)}</td>
                      <td>{bps(account.reliabilityBps)}</td>
                      <td>
                        {account.lastCheckEpoch === null
                          ? 'none yet'
                          : `last in epoch ${account.lastCheckEpoch}; ${account.failedChecks} failed in a row`}
                      </td>
                      <td>
                        <Key value={account.worker} />
                      </td>
                    </tr>
                  ))}
                </Table>
              )}
            </Section>
            <Section title="Work proven">
              {proofs.length === 0 ? (
                <p className="muted">No usage proofs yet.</p>
              ) : (
                <ProofTable label="Work proven" proofs={proofs} leases={leases} />
              )}
            </Section>
          </>
        );
      }}
    </Load>
  );
}

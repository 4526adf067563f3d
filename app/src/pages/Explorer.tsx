import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ProofTable } from '../components/ProofTable';
import { Key, Load, Section, Stat, Table } from '../components/ui';
import { useApp, useLoad } from '../context';
import { all, fetchOne } from '../lib/chain';
import { big, io, iosd, modelName, relativeTime, variant } from '../lib/format';
import { pda } from '../lib/pda';

const STATUSES = ['Idle', 'Leased', 'Jailed', 'Offline'] as const;
const COLORS: Record<string, string> = { Idle: '#2f855a', Leased: '#2b6cb0', Jailed: '#c53030', Offline: '#718096' };

/** The network at a glance: devices, clusters, proofs, tokens and emissions, all read from the chain. */
export function Explorer() {
  const { program, chainNow } = useApp();
  const loaded = useLoad(async () => {
    const connection = program.provider.connection;
    const [devices, leases, proofs, epochs, tokenomics, iosdSupply] = await Promise.all([
      all(program, 'device'),
      all(program, 'lease'),
      all(program, 'usageProof'),
      all(program, 'epoch'),
      fetchOne(program, 'tokenomics', pda.tokenomics()),
      connection.getTokenSupply(pda.iosdMint()).then((s) => BigInt(s.value.amount)).catch(() => 0n),
    ]);
    return { devices, leases, proofs, epochs, tokenomics, iosdSupply };
  }, []);

  return (
    <Load loaded={loaded}>
      {({ devices, leases, proofs, epochs, tokenomics, iosdSupply }) => {
        const byModel = new Map<string, Record<string, number>>();
        for (const { account } of devices) {
          const model = modelName(account.model);
          const row = byModel.get(model) ?? { Idle: 0, Leased: 0, Jailed: 0, Offline: 0 };
          row[variant(account.status)] += account.gpuCount;
          byModel.set(model, row);
        }
        const modelRows = [...byModel].map(([model, counts]) => ({ model, ...counts }));
        const gpus = (status: string) => [...byModel.values()].reduce((n, counts) => n + counts[status], 0);
        const active = leases.filter((l) => variant(l.account.status) === 'Active');
        const epochRows = epochs
          .map(({ account }) => ({
            epoch: Number(account.number),
            emitted: Number(big(account.emission.emitted) / 10n ** 6n) / 1000,
            burned: Number(big(account.ioBurned) / 10n ** 6n) / 1000,
          }))
          .sort((a, b) => a.epoch - b.epoch);
        const recentProofs = [...proofs].sort((a, b) => Number(b.account.postedAt) - Number(a.account.postedAt)).slice(0, 10);
        return (
          <>
            <div className="stats">
              <Stat label="GPUs online" value={<span data-testid="gpus-online">{gpus('Idle') + gpus('Leased')}</span>} />
              <Stat label="GPUs leased" value={gpus('Leased')} />
              <Stat label="GPUs jailed" value={gpus('Jailed')} />
              <Stat label="Active clusters" value={<span data-testid="active-clusters">{active.length}</span>} />
              <Stat label="IO burned" value={io(tokenomics?.totalIoBurned ?? 0)} />
              <Stat label="IOSD supply" value={iosd(iosdSupply)} />
              <Stat label="IO emitted" value={io(tokenomics?.totalIoEmitted ?? 0)} />
              <Stat label="Epoch" value={String(tokenomics?.currentEpoch ?? '–')} />
            </div>
            <div className="grid2">
              <Section title="GPUs by model">
                {modelRows.length === 0 ? (
                  <p className="muted">No devices registered yet.</p>
                ) : (
                  <div className="chart" role="img" aria-label="GPUs by model and status">
                    <ResponsiveContainer width="100%" height={240}>
                      <BarChart data={modelRows}>
                        <CartesianGrid strokeDasharray="3 3" />
                        <XAxis dataKey="model" />
                        <YAxis allowDecimals={false} />
                        <Tooltip />
                        <Legend />
                        {STATUSES.map((s) => (
                          <Bar key={s} dataKey={s} stackId="gpus" fill={COLORS[s]} isAnimationActive={false} />
                        ))}
                      </BarChart>
                    </ResponsiveContainer>
                  </div>
                )}
              </Section>
              <Section title="Emissions and burns per epoch (IO)">
                {epochRows.length === 0 ? (
                  <p className="muted">No epoch has started yet.</p>
                ) : (
                  <div className="chart" role="img" aria-label="IO emitted and burned per epoch">
                    <ResponsiveContainer width="100%" height={240}>
                      <BarChart data={epochRows}>
                        <CartesianGrid strokeDasharray="3 3" />
                        <XAxis dataKey="epoch" />
                        <YAxis />
                        <Tooltip />
                        <Legend />
                        <Bar dataKey="emitted" name="emitted" fill="#6b46c1" isAnimationActive={false} />
                        <Bar dataKey="burned" name="burned" fill="#dd6b20" isAnimationActive={false} />
                      </BarChart>
                    </ResponsiveContainer>
                  </div>
                )}
              </Section>
            </div>
            <Section title="Active clusters">
              {active.length === 0 ? (
                <p className="muted">No cluster is running.</p>
              ) : (
                <Table label="Active clusters" head={['Cluster', 'GPUs', 'Client', 'Escrow (IOSD)', 'Ends']}>
                  {active.map(({ account }) => (
                    <tr key={String(account.id)}>
                      <td>
                        <a href={`#/clusters/${account.id}`}>#{String(account.id)}</a>
                      </td>
                      <td>
                        {account.spec.gpuCount} × {modelName(account.spec.model)}
                      </td>
                      <td>
                        <Key value={account.client} />
                      </td>
                      <td>{iosd(account.escrow)}</td>
                      <td>{relativeTime(Number(account.end), chainNow)}</td>
                    </tr>
                  ))}
                </Table>
              )}
            </Section>
            <Section title="Recent usage proofs">
              {recentProofs.length === 0 ? (
                <p className="muted">No work has been proven yet.</p>
              ) : (
                <ProofTable label="Recent usage proofs" proofs={recentProofs} leases={leases} />
              )}
            </Section>
          </>
        );
      }}
    </Load>
  );
}

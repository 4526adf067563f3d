import { PublicKey } from '@solana/web3.js';
import { useEffect, useState } from 'react';
import { ActionResult, Field, Key, Load, Section, Stat, Table } from '../components/ui';
import { useAction, useApp, useLoad, usePublicKey } from '../context';
import { all, bn, burnAccounts, fetchMany, fetchOne, FIELD, send, type Decoded, type Keyed } from '../lib/chain';
import { describeError } from '../lib/errors';
import { dateTime, io, IO_DECIMALS, iosd, IOSD_DECIMALS, modelCode, modelName, parseUnits, relativeTime, variant } from '../lib/format';
import { KeeperClient, gemmJob, type GemmJob, type JobStatus } from '../lib/keeper';
import { associatedToken, pda, TOKEN_PROGRAM_ID } from '../lib/pda';
import { checkPeriod, type CheckedPeriod } from '../lib/receipts';

export function Clusters({ selected }: { selected?: string }) {
  if (selected !== undefined) {
    if (!/^\d+$/.test(selected)) return <p className="error" role="alert">“{selected}” is not a cluster number.</p>;
    return <ClusterDetail id={Number(selected)} />;
  }
  return (
    <>
      <CreateCluster />
      <MyClusters />
    </>
  );
}

function MyClusters() {
  const { program } = useApp();
  const me = usePublicKey();
  const loaded = useLoad(async () => {
    if (!me) return [];
    const leases = await all(program, 'lease', { offset: FIELD.leaseClient, key: me });
    return leases.sort((a, b) => Number(b.account.id) - Number(a.account.id));
  }, [me]);
  return (
    <Section title="Your clusters">
      {!me ? (
        <p className="muted">Connect a wallet to see your clusters.</p>
      ) : (
        <Load loaded={loaded} empty="You have no clusters yet." isEmpty={(l) => l.length === 0}>
          {(leases) => (
            <Table label="Your clusters" head={['Cluster', 'GPUs', 'Status', 'Escrow (IOSD)', 'Paid out (IOSD)']}>
              {leases.map(({ account }) => (
                <tr key={String(account.id)}>
                  <td>
                    <a href={`#/clusters/${account.id}`}>#{String(account.id)}</a>
                  </td>
                  <td>
                    {account.spec.gpuCount} × {modelName(account.spec.model)}
                  </td>
                  <td>{variant(account.status)}</td>
                  <td>{iosd(account.escrow)}</td>
                  <td>{iosd(account.paidOut)}</td>
                </tr>
              ))}
            </Table>
          )}
        </Load>
      )}
    </Section>
  );
}

function CreateCluster() {
  const { program, wallet } = useApp();
  const action = useAction();
  const models = useLoad(async () => {
    // Models with idle GPUs first (most first), then the rest of the table.
    const devices = await all(program, 'device');
    const listed = await fetchOne(program, 'gpuModels', pda.gpuModels());
    const idle = new Map<string, number>();
    for (const { account } of devices) {
      const name = modelName(account.model);
      idle.set(name, (idle.get(name) ?? 0) + (variant(account.status) === 'Idle' ? account.gpuCount : 0));
    }
    for (const m of listed?.models ?? []) if (!idle.has(modelName(m.code))) idle.set(modelName(m.code), 0);
    return [...idle].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }, []);
  const [form, setForm] = useState({ model: '', count: '1', hours: '1', maxPrice: '0.5', pay: 'iosd', maxIo: '100', region: '' });
  const set = (field: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [field]: e.target.value });
  const model = form.model || models.data?.[0]?.[0] || '';

  const create = () =>
    action.run('Create cluster', async () => {
      if (!wallet) throw new Error('Connect a wallet first.');
      const count = Number(form.count);
      const hours = Number(form.hours);
      if (!Number.isInteger(count) || count < 1 || count > 16) throw new Error('GPU count must be 1 to 16.');
      if (!Number.isInteger(hours) || hours < 1) throw new Error('Hours must be a whole number, at least 1.');
      const me = wallet.publicKey;
      const market = await fetchOne(program, 'market', pda.market());
      const id = BigInt(market.nextLeaseId.toString());
      const spec = {
        model: modelCode(model),
        gpuCount: count,
        region: form.region.trim(),
        hours,
        maxPricePerGpuHour: bn(parseUnits(form.maxPrice, IOSD_DECIMALS)),
        minReliabilityBps: 0,
      };
      if (form.pay === 'iosd') {
        await send(program, program.methods
          .createLease(spec)
          .accountsPartial({
            client: me,
            config: pda.config(),
            market: pda.market(),
            lease: pda.lease(id),
            source: associatedToken(me, pda.iosdMint()),
            escrowVault: pda.escrowVault(),
            iosdMint: pda.iosdMint(),
            tokenProgram: TOKEN_PROGRAM_ID,
          }));
      } else {
        const tokenomics = await fetchOne(program, 'tokenomics', pda.tokenomics());
        await send(program, program.methods
          .createLeaseWithIo({ spec, maxIo: bn(parseUnits(form.maxIo, IO_DECIMALS)) })
          .accountsPartial({
            client: me,
            market: pda.market(),
            lease: pda.lease(id),
            burn: burnAccounts(me, pda.escrowVault(), BigInt(tokenomics.currentEpoch.toString())),
          }));
      }
      window.location.hash = `#/clusters/${id}`;
      return `cluster #${id} created; a keeper will match it to devices`;
    });

  return (
    <Section title="Rent a cluster">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <Field label="GPU model">
          <select value={model} onChange={set('model')} required>
            {(models.data ?? []).map(([name, free]) => (
              <option key={name} value={name}>
                {name} ({free} idle)
              </option>
            ))}
          </select>
        </Field>
        <Field label="GPUs">
          <input type="number" min={1} max={16} value={form.count} onChange={set('count')} required />
        </Field>
        <Field label="Hours">
          <input type="number" min={1} value={form.hours} onChange={set('hours')} required />
        </Field>
        <Field label="Max price per GPU-hour (IOSD)">
          <input inputMode="decimal" value={form.maxPrice} onChange={set('maxPrice')} required />
        </Field>
        <Field label="Region" hint="Empty for any region">
          <input value={form.region} onChange={set('region')} />
        </Field>
        <fieldset className="field">
          <legend>Pay with</legend>
          <label>
            <input type="radio" name="pay" value="iosd" checked={form.pay === 'iosd'} onChange={set('pay')} /> IOSD
          </label>
          <label>
            <input type="radio" name="pay" value="io" checked={form.pay === 'io'} onChange={set('pay')} /> IO (burned for IOSD at the oracle price)
          </label>
        </fieldset>
        {form.pay === 'io' && (
          <Field label="Most IO to burn">
            <input inputMode="decimal" value={form.maxIo} onChange={set('maxIo')} />
          </Field>
        )}
        <button type="submit" disabled={action.busy || !wallet || !model}>
          Create cluster
        </button>
      </form>
      <ActionResult action={action} />
    </Section>
  );
}

function ClusterDetail({ id }: { id: number }) {
  const { program, wallet, chainNow } = useApp();
  const loaded = useLoad(async () => {
    const key = pda.lease(id);
    const lease = await fetchOne(program, 'lease', key);
    if (!lease) throw new Error(`There is no cluster #${id}.`);
    const [proofs, keeper, config] = await Promise.all([
      all(program, 'usageProof', { offset: FIELD.proofLease, key }),
      fetchOne(program, 'keeper', pda.keeper(lease.keeper)),
      fetchOne(program, 'config', pda.config()),
    ]);
    return {
      key,
      lease,
      keeper,
      minBond: BigInt(config.marketParams.minDisputeBond.toString()),
      proofs: proofs.sort((a, b) => a.account.seq - b.account.seq),
    };
  }, [id]);
  const mine = (lease: Decoded) => wallet !== null && lease.client.equals(wallet.publicKey);
  return (
    <Load loaded={loaded}>
      {({ key, lease, keeper, proofs, minBond }) => (
        <>
          <p>
            <a href="#/clusters">← Clusters</a>
          </p>
          <div className="stats">
            <Stat label="Status" value={<span data-testid="cluster-status">{variant(lease.status)}</span>} />
            <Stat label="GPUs" value={`${lease.spec.gpuCount} × ${modelName(lease.spec.model)}`} />
            <Stat label="Escrow (IOSD)" value={iosd(lease.escrow)} />
            <Stat label="Paid to providers (IOSD)" value={iosd(lease.paidOut)} />
            <Stat label="Refunded (IOSD)" value={iosd(lease.refunded)} />
            <Stat label="Ends" value={Number(lease.end) ? relativeTime(Number(lease.end), chainNow) : 'when matched'} />
          </div>
          <Section title="Devices">
            {lease.devices.length === 0 ? (
              <p className="muted" data-testid="no-devices">Waiting for a keeper to match devices…</p>
            ) : (
              <Table label="Devices" head={['Device', 'GPUs', 'Price / GPU-h (IOSD)', 'Proven until']}>
                {lease.devices.map((d: Decoded) => (
                  <tr key={d.device.toBase58()} data-testid="cluster-device">
                    <td>
                      <Key value={d.device} />
                    </td>
                    <td>{d.gpuCount}</td>
                    <td>{iosd(d.pricePerGpuHour)}</td>
                    <td>{Number(d.provenUntil) ? dateTime(Number(d.provenUntil)) : '–'}</td>
                  </tr>
                ))}
              </Table>
            )}
            <p className="muted">
              Keeper <Key value={lease.keeper} /> at {keeper?.endpoint ?? 'an unknown endpoint'}
            </p>
            {mine(lease) && <CloseCluster id={id} lease={lease} />}
          </Section>
          {mine(lease) && keeper && variant(lease.status) === 'Active' && (
            <Jobs id={id} keeperUrl={keeper.endpoint} keeperAuthority={lease.keeper} />
          )}
          <Proofs lease={key} proofs={proofs} minBond={minBond} />
          {keeper && wallet && mine(lease) && proofs.length > 0 && (
            <Receipts id={id} lease={key} keeperUrl={keeper.endpoint} keeperAuthority={lease.keeper} proofs={proofs} />
          )}
        </>
      )}
    </Load>
  );
}

function CloseCluster({ id, lease }: { id: number; lease: Decoded }) {
  const { program, wallet } = useApp();
  const action = useAction();
  const status = variant(lease.status);
  if (status === 'Closed') return null;
  const close = () =>
    action.run(status === 'Open' ? 'Cancel cluster' : 'Close cluster', async () => {
      const me = wallet!.publicKey;
      const refund = {
        config: pda.config(),
        market: pda.market(),
        clientDestination: associatedToken(me, pda.iosdMint()),
        escrowVault: pda.escrowVault(),
        iosdMint: pda.iosdMint(),
        vaultAuthority: pda.vaultAuthority(),
        tokenProgram: TOKEN_PROGRAM_ID,
      };
      if (status === 'Open') {
        await send(program, program.methods.cancelLease().accountsPartial({ client: me, lease: pda.lease(id), refund }));
        return 'cancelled; the deposit is back';
      }
      const devices: PublicKey[] = lease.devices.map((d: Decoded) => d.device);
      const providers: PublicKey[] = [];
      for (const account of await fetchMany(program, 'device', devices)) {
        if (!providers.some((p) => p.equals(account!.provider))) providers.push(account!.provider);
      }
      await send(program, program.methods
        .closeLease()
        .accountsPartial({ closer: me, client: me, lease: pda.lease(id), refund })
        .remainingAccounts([...devices, ...providers].map((pubkey) => ({ pubkey, isSigner: false, isWritable: true }))));
      return 'closed; the unused escrow is back, proven work is held until its proof settles';
    });
  return (
    <>
      <button type="button" className="secondary" onClick={() => void close()} disabled={action.busy}>
        {status === 'Open' ? 'Cancel cluster' : 'Close cluster'}
      </button>
      <ActionResult action={action} />
    </>
  );
}

function useKeeper(keeperUrl: string, keeperAuthority: PublicKey): KeeperClient | null {
  const { wallet } = useApp();
  if (!wallet) return null;
  return new KeeperClient(keeperUrl, keeperAuthority, wallet.publicKey, wallet.signMessage);
}

function Jobs({ id, keeperUrl, keeperAuthority }: { id: number; keeperUrl: string; keeperAuthority: PublicKey }) {
  const keeper = useKeeper(keeperUrl, keeperAuthority);
  const action = useAction();
  const [jobs, setJobs] = useState<JobStatus[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [job, setJob] = useState<GemmJob & { count: number }>({ m: 256, n: 256, k: 256, dtype: 'i32', seed: 1, count: 1 });
  const signer = keeper?.signer.toBase58();

  // The keeper lists the lease's jobs to its client; read again every
  // second while any is queued or running.
  const running = jobs?.some((j) => j.state === 'queued' || j.state === 'running') ?? true;
  useEffect(() => {
    if (!keeper) return;
    let live = true;
    const read = () =>
      keeper
        .leaseJobs(id)
        .then((listed) => live && (setJobs(listed.jobs), setError(null)))
        .catch((e) => live && setError(describeError(e)));
    void read();
    const timer = running ? setInterval(() => void read(), 1000) : undefined;
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [id, keeperUrl, signer, running, action.result]);

  const submit = () =>
    action.run('Submit job', async () => {
      if (!keeper) throw new Error('Connect a wallet first.');
      const specs = Array.from({ length: job.count }, (_, i) => gemmJob({ ...job, seed: job.seed + i }));
      const submitted = await keeper.submit(id, specs);
      setJob({ ...job, seed: job.seed + job.count });
      return `${submitted.jobs.length} job(s) queued`;
    });
  const num = (field: 'm' | 'n' | 'k' | 'seed' | 'count') => (e: { target: { value: string } }) =>
    setJob({ ...job, [field]: Number(e.target.value) });

  return (
    <Section title="Jobs">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field label="m">
          <input type="number" min={1} value={job.m} onChange={num('m')} />
        </Field>
        <Field label="n">
          <input type="number" min={1} value={job.n} onChange={num('n')} />
        </Field>
        <Field label="k">
          <input type="number" min={1} value={job.k} onChange={num('k')} />
        </Field>
        <Field label="Type" hint="i32 is exact and provable on-chain">
          <select value={job.dtype} onChange={(e) => setJob({ ...job, dtype: e.target.value as GemmJob['dtype'] })}>
            <option value="i32">i32</option>
            <option value="f32">f32</option>
            <option value="bf16">bf16</option>
            <option value="f16">f16</option>
          </select>
        </Field>
        <Field label="Input seed">
          <input type="number" min={0} value={job.seed} onChange={num('seed')} />
        </Field>
        <Field label="Number of jobs">
          <input type="number" min={1} max={100} value={job.count} onChange={num('count')} />
        </Field>
        <button type="submit" disabled={action.busy}>
          Submit GEMM job
        </button>
      </form>
      <ActionResult action={action} />
      {error && <p className="error" role="alert">{error}</p>}
      {jobs === null ? (
        <p className="muted" aria-busy="true">Loading jobs…</p>
      ) : jobs.length === 0 ? (
        <p className="muted">No jobs yet.</p>
      ) : (
        <Table label="Jobs" head={['Job', 'State', 'Attempts', 'GPU time', 'Output']}>
          {jobs.map((s) => (
            <tr key={s.id} data-testid="job-row">
              <td>
                <code title={s.id}>{s.id.slice(0, 12)}…</code>
              </td>
              <td data-testid="job-state">{s.state}</td>
              <td>{s.attempts}</td>
              <td>{s.receipt ? `${s.receipt.device_time_us} µs` : ''}</td>
              <td>{s.error ?? (s.outputs?.[0] ? <code title={s.outputs[0]}>{s.outputs[0].slice(0, 12)}…</code> : '')}</td>
            </tr>
          ))}
        </Table>
      )}
    </Section>
  );
}

function Proofs({ lease, proofs, minBond }: { lease: PublicKey; proofs: Keyed[]; minBond: bigint }) {
  const { program, wallet, chainNow } = useApp();
  const action = useAction();
  const dispute = (proof: PublicKey) =>
    action.run('Dispute', async () => {
      const me = wallet!.publicKey;
      await send(program, program.methods
        .disputeProof({ bond: bn(minBond) })
        .accountsPartial({
          challenger: me,
          config: pda.config(),
          lease,
          proof,
          dispute: pda.dispute(proof, me),
          bondSource: associatedToken(me, pda.ioMint()),
          bondVault: pda.bondVault(),
          ioMint: pda.ioMint(),
        }));
      return `bonded ${io(minBond)} IO; the arbiter rules on it`;
    });
  return (
    <Section title="Usage proofs">
      {proofs.length === 0 ? (
        <p className="muted">No usage proof posted yet: the keeper posts one per device and period of verified jobs.</p>
      ) : (
        <Table label="Usage proofs" head={['#', 'Jobs', 'GPU time', 'Due (IOSD)', 'Status', 'Unlocks', '']}>
          {proofs.map(({ publicKey, account }) => {
            const locked = variant(account.status) === 'Locked';
            const unlockAt = Number(account.unlockAt);
            return (
              <tr key={publicKey.toBase58()} data-testid="proof-row">
                <td>
                  <Key value={publicKey} />
                </td>
                <td>{account.jobCount}</td>
                <td>{(Number(account.deviceTimeUs) / 1e6).toFixed(3)} s</td>
                <td>{iosd(account.amountDue)}</td>
                <td>{variant(account.status)}</td>
                <td data-testid="proof-unlock">
                  <time dateTime={new Date(unlockAt * 1000).toISOString()}>{dateTime(unlockAt)}</time> ({relativeTime(unlockAt, chainNow)})
                </td>
                <td>
                  {wallet && locked && chainNow < unlockAt && (
                    <button type="button" className="secondary" disabled={action.busy} onClick={() => void dispute(publicKey)}>
                      Dispute ({io(minBond)} IO bond)
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </Table>
      )}
      <ActionResult action={action} />
    </Section>
  );
}

function Receipts({
  id,
  lease,
  keeperUrl,
  keeperAuthority,
  proofs,
}: {
  id: number;
  lease: PublicKey;
  keeperUrl: string;
  keeperAuthority: PublicKey;
  proofs: Keyed[];
}) {
  const keeper = useKeeper(keeperUrl, keeperAuthority);
  const loaded = useLoad(async () => {
    const receipts = await keeper!.receipts(id);
    const checked: (CheckedPeriod & { ok: true })[] = [];
    const failed: string[] = [];
    for (const period of receipts.periods) {
      const proof = proofs.find((p) => p.publicKey.toBase58() === period.proof);
      if (!proof) continue; // posted after this page read the chain: checked on the next change
      try {
        const result = await checkPeriod(lease, period, {
          receiptsRoot: Uint8Array.from(proof.account.receiptsRoot),
          worker: proof.account.worker,
          deviceTimeUs: BigInt(proof.account.deviceTimeUs.toString()),
          jobCount: proof.account.jobCount,
        });
        checked.push({ ...result, ok: true });
      } catch (error) {
        failed.push(describeError(error));
      }
    }
    return { checked, failed };
  }, [id, proofs.length]);
  return (
    <Section title="Receipts">
      <Load loaded={loaded}>
        {({ checked, failed }) => (
          <>
            {failed.map((f) => (
              <p key={f} className="error" role="alert">
                {f}
              </p>
            ))}
            <p data-testid="receipts-verified" className={failed.length ? 'error' : 'ok'}>
              {checked.reduce((n, c) => n + c.receipts, 0)} receipts in {checked.length} proofs verified in this browser: each under its proof's
              on-chain Merkle root, signed by the device's worker key, and adding up to the GPU time billed.
            </p>
          </>
        )}
      </Load>
    </Section>
  );
}

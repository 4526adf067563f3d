import { useState } from 'react';
import { ActionResult, Field, Load, Section } from '../components/ui';
import { useAction, useApp, useLoad, usePublicKey } from '../context';
import { all, bn, fetchOne, FIELD, send, type Keyed } from '../lib/chain';
import { big, dateTime, io, relativeTime, variant } from '../lib/format';
import { pda } from '../lib/pda';
import { positionsOf, type Position } from '../lib/staking';

/** Parameters a proposal can change from this page, with their units. */
const CHANGES = {
  clientFeeBps: { label: 'Client fee (bps, IOSD leases)', parse: (v: string) => Number(v) },
  clientFeeBpsIo: { label: 'Client fee (bps, IO leases)', parse: (v: string) => Number(v) },
  providerFeeBps: { label: 'Provider fee (bps)', parse: (v: string) => Number(v) },
  disputeWindowSecs: { label: 'Dispute window (seconds)', parse: (v: string) => bn(BigInt(v)) },
  minDisputeBond: { label: 'Least dispute bond (IO base units)', parse: (v: string) => bn(BigInt(v)) },
} as const;
type ChangeKind = keyof typeof CHANGES;

function describeChange(change: Record<string, unknown>): string {
  const [kind, value] = Object.entries(change)[0] ?? ['', {}];
  const field = (value as Record<string, unknown>)['0'];
  return `${kind} → ${field !== undefined ? String(field) : JSON.stringify(value)}`;
}

/** Proposals, votes by stake position, finalizing and executing, and new proposals. */
export function Governance() {
  const { program, chainNow } = useApp();
  const me = usePublicKey();
  const action = useAction();
  const loaded = useLoad(async () => {
    const [proposals, governance, votes, positions] = await Promise.all([
      all(program, 'proposal'),
      fetchOne(program, 'governance', pda.governance()),
      me ? all(program, 'voteRecord', { offset: FIELD.voteVoter, key: me }) : Promise.resolve([]),
      me ? positionsOf(program, me) : Promise.resolve([] as Position[]),
    ]);
    return {
      proposals: proposals.sort((a, b) => Number(b.account.id) - Number(a.account.id)),
      governance,
      votes,
      positions: positions.filter((p) => Number(p.account.cooldownEnd) === 0),
    };
  }, [me]);
  const [form, setForm] = useState({ description: '', kind: 'providerFeeBps' as ChangeKind, value: '300', position: '' });

  const propose = (positions: Position[], governance: Keyed['account']) =>
    action.run('Propose', async () => {
      const position = positions.find((p) => p.key.toBase58() === form.position) ?? positions[0];
      if (!position) throw new Error('Stake IO first: proposals and votes are weighted by stake.');
      if (!form.description.trim()) throw new Error('Describe the proposal.');
      const id = BigInt(governance.nextProposalId.toString());
      await send(program, program.methods
        .createProposal({ description: form.description.trim(), changes: [{ [form.kind]: { 0: CHANGES[form.kind].parse(form.value) } }], call: null })
        .accountsPartial({
          proposer: me!,
          config: pda.config(),
          governance: pda.governance(),
          provider: position.provider.publicKey,
          position: position.key,
          stakeVault: pda.stakeVault(),
          proposal: pda.proposal(id),
        }));
      return `proposal #${id} is open for votes`;
    });

  const vote = (proposal: Keyed, position: Position, choice: 'yes' | 'no' | 'abstain') =>
    action.run(`Vote ${choice}`, async () => {
      await send(program, program.methods
        .castVote({ [choice]: {} })
        .accountsPartial({
          voter: me!,
          proposal: proposal.publicKey,
          provider: position.provider.publicKey,
          position: position.key,
          vote: pda.vote(proposal.publicKey, position.key),
        }));
      return `counted with ${io(position.value)} IO of stake behind it`;
    });
  const finalize = (proposal: Keyed) =>
    action.run('Finalize', async () => {
      await send(program, program.methods.finalizeProposal().accountsPartial({ proposal: proposal.publicKey }));
    });
  const execute = (proposal: Keyed) =>
    action.run('Execute', async () => {
      await send(program, program.methods
        .executeProposal()
        .accountsPartial({ config: pda.config(), governance: pda.governance(), proposal: proposal.publicKey, gpuModels: pda.gpuModels() }));
    });

  return (
    <Load loaded={loaded}>
      {({ proposals, governance, votes, positions }) => (
        <>
          <p className="muted">
            Voting lasts {Number(governance.params.votingPeriodSecs) / 3600} h, then a timelock of {Number(governance.params.timelockSecs) / 3600} h.
            Quorum {governance.params.quorumBps / 100} % of staked IO; proposing needs a position weighing {io(governance.params.minWeightToPropose)} IO.
          </p>
          <ActionResult action={action} />
          <Section title="Proposals">
            {proposals.length === 0 && <p className="muted">No proposals yet.</p>}
            <ul className="proposals">
              {proposals.map((proposal) => {
                const p = proposal.account;
                const state = variant(p.state);
                const voting = state === 'Voting' && chainNow < Number(p.votingEnd);
                const voted = (position: Position) => votes.some((v) => v.account.proposal.equals(proposal.publicKey) && v.account.position.equals(position.key));
                // Stake made after a proposal opened has no weight on it (no buying votes).
                const eligible = positions.filter((pos) => Number(pos.account.createdAt) < Number(p.votingStart));
                const total = big(p.yes) + big(p.no) + big(p.abstain);
                return (
                  <li key={String(p.id)} className="proposal" data-testid="proposal">
                    <h3>
                      #{String(p.id)} {p.description}
                    </h3>
                    <p>
                      <span data-testid="proposal-state">{state}</span> · {p.changes.map(describeChange).join(', ') || 'a role call'} ·{' '}
                      {voting ? `voting ends ${relativeTime(Number(p.votingEnd), chainNow)}` : `voting ended ${dateTime(Number(p.votingEnd))}`}
                    </p>
                    <p data-testid="proposal-tally">
                      Yes {io(p.yes)} · No {io(p.no)} · Abstain {io(p.abstain)} ({p.voteCount} votes; quorum {io(p.quorumWeight)}
                      {total >= big(p.quorumWeight) ? ', reached' : ''})
                    </p>
                    {me && voting && (
                      <div className="row-actions">
                        {eligible.filter((pos) => !voted(pos)).map((pos) =>
                          (['yes', 'no', 'abstain'] as const).map((choice) => (
                            <button key={`${pos.key.toBase58()}-${choice}`} type="button" disabled={action.busy} onClick={() => void vote(proposal, pos, choice)}>
                              Vote {choice}
                              {eligible.length > 1 ? ` (${io(pos.value)} IO)` : ''}
                            </button>
                          )),
                        )}
                        {positions.length === 0 && <span className="muted">Stake IO to vote.</span>}
                        {positions.length > 0 && eligible.length === 0 && (
                          <span className="muted">Your stake came after this proposal opened: it votes on later ones.</span>
                        )}
                        {eligible.length > 0 && eligible.every(voted) && <span className="ok">You voted.</span>}
                      </div>
                    )}
                    {state === 'Voting' && !voting && (
                      <button type="button" disabled={action.busy} onClick={() => void finalize(proposal)}>
                        Finalize
                      </button>
                    )}
                    {state === 'Succeeded' && (
                      <button type="button" disabled={action.busy} onClick={() => void execute(proposal)}>
                        Execute
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          </Section>
          {me && (
            <Section title="New proposal">
              <form
                className="form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void propose(positions, governance);
                }}
              >
                <Field label="Description">
                  <input value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} maxLength={200} />
                </Field>
                <Field label="Change">
                  <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as ChangeKind })}>
                    {Object.entries(CHANGES).map(([kind, c]) => (
                      <option key={kind} value={kind}>
                        {c.label}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field label="New value">
                  <input inputMode="numeric" value={form.value} onChange={(e) => setForm({ ...form, value: e.target.value })} />
                </Field>
                <Field label="Stake position">
                  <select value={form.position} onChange={(e) => setForm({ ...form, position: e.target.value })}>
                    {positions.map((p) => (
                      <option key={p.key.toBase58()} value={p.key.toBase58()}>
                        {p.provider.account.name}: {io(p.value)} IO
                      </option>
                    ))}
                  </select>
                </Field>
                <button type="submit" disabled={action.busy}>
                  Propose
                </button>
              </form>
            </Section>
          )}
        </>
      )}
    </Load>
  );
}

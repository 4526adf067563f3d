import { useState } from 'react';
import { ActionResult, Field, Load, Section, Table } from '../components/ui';
import { useAction, useApp, useLoad, usePublicKey } from '../context';
import { all, bn, createAtaIdempotent, rewardPayout, send } from '../lib/chain';
import { dateTime, io, IO_DECIMALS, parseUnits, relativeTime, variant } from '../lib/format';
import { associatedToken, pda, TOKEN_PROGRAM_ID } from '../lib/pda';
import { positionsOf, type Position } from '../lib/staking';

/** Stake or co-stake IO behind providers, unstake, withdraw and claim rewards. */
export function Staking() {
  const { program, chainNow } = useApp();
  const me = usePublicKey();
  const action = useAction();
  const providers = useLoad(() => all(program, 'provider'), []);
  const positions = useLoad(async () => (me ? positionsOf(program, me) : []), [me]);
  const [form, setForm] = useState({ provider: '', amount: '10000', lockupDays: '30' });
  const provider = form.provider || providers.data?.[0]?.publicKey.toBase58() || '';

  const stake = () =>
    action.run('Stake', async () => {
      if (!me) throw new Error('Connect a wallet first.');
      const chosen = providers.data!.find((p) => p.publicKey.toBase58() === provider);
      if (!chosen) throw new Error('Choose a provider.');
      const days = Number(form.lockupDays);
      if (!Number.isInteger(days) || days < 0 || days > 365) throw new Error('Lockup is 0 to 365 days.');
      const amount = parseUnits(form.amount, IO_DECIMALS);
      const nonce = (positions.data ?? []).filter((p) => p.provider.publicKey.equals(chosen.publicKey)).reduce((n, p) => Math.max(n, Number(p.account.nonce) + 1), 0);
      const own = chosen.account.authority.equals(me);
      const accounts = {
        owner: me,
        config: pda.config(),
        provider: chosen.publicKey,
        tokenomics: pda.tokenomics(),
        position: pda.stakePosition(me, chosen.publicKey, nonce),
        source: associatedToken(me, pda.ioMint()),
        stakeVault: pda.stakeVault(),
        ioMint: pda.ioMint(),
        tokenProgram: TOKEN_PROGRAM_ID,
      };
      const args = { nonce: bn(nonce), amount: bn(amount), lockupSecs: bn(days * 86_400) };
      await send(program, (own ? program.methods.stake(args) : program.methods.coStake(args)).accountsPartial(accounts));
      return `${io(amount)} IO ${own ? 'staked' : 'co-staked'} behind ${chosen.account.name}`;
    });

  const positionAccounts = (p: Position) => ({
    owner: me!,
    config: pda.config(),
    provider: p.provider.publicKey,
    tokenomics: pda.tokenomics(),
    position: p.key,
  });
  const unstake = (p: Position) =>
    action.run('Unstake', async () => {
      await send(program, program.methods.requestUnstake().accountsPartial(positionAccounts(p)));
      return 'cooldown started; withdraw when it ends';
    });
  const withdraw = (p: Position) =>
    action.run('Withdraw', async () => {
      await send(program, program.methods
        .withdraw()
        .accountsPartial({
          ...positionAccounts(p),
          destination: associatedToken(me!, pda.ioMint()),
          stakeVault: pda.stakeVault(),
          ioMint: pda.ioMint(),
          vaultAuthority: pda.vaultAuthority(),
        }));
      return `${io(p.value)} IO back in your wallet`;
    });
  const claim = (p: Position) =>
    action.run('Claim rewards', async () => {
      await send(program, program.methods
        .claimRewards()
        .accountsPartial({ owner: me!, provider: p.provider.publicKey, tokenomics: pda.tokenomics(), position: p.key, payout: rewardPayout(me!) })
        .preInstructions([createAtaIdempotent(me!, me!, pda.ioMint()), createAtaIdempotent(me!, me!, pda.iosdMint())]));
      return 'rewards paid to your wallet';
    });

  return (
    <>
      <Section title="Stake IO behind a provider">
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void stake();
          }}
        >
          <Field label="Provider">
            <select value={provider} onChange={(e) => setForm({ ...form, provider: e.target.value })}>
              {(providers.data ?? []).map((p) => (
                <option key={p.publicKey.toBase58()} value={p.publicKey.toBase58()}>
                  {p.account.name} ({p.account.region})
                </option>
              ))}
            </select>
          </Field>
          <Field label="Amount (IO)">
            <input inputMode="decimal" value={form.amount} onChange={(e) => setForm({ ...form, amount: e.target.value })} />
          </Field>
          <Field label="Lockup (days)" hint="Longer lockups earn up to 4x rewards and more voting weight">
            <input type="number" min={0} max={365} value={form.lockupDays} onChange={(e) => setForm({ ...form, lockupDays: e.target.value })} />
          </Field>
          <button type="submit" disabled={action.busy || !me || !provider}>
            Stake
          </button>
        </form>
      </Section>
      <ActionResult action={action} />
      <Section title="Your positions">
        {!me ? (
          <p className="muted">Connect a wallet to see your positions.</p>
        ) : (
          <Load loaded={positions} empty="No stake yet." isEmpty={(l) => l.length === 0}>
            {(list) => (
              <Table label="Your positions" head={['Provider', 'Kind', 'Deposited (IO)', 'Worth (IO)', 'Lockup ends', 'State', '']}>
                {list.map((p) => {
                  const cooldown = Number(p.account.cooldownEnd);
                  return (
                    <tr key={p.key.toBase58()} data-testid="position-row">
                      <td>{p.provider.account.name}</td>
                      <td>{variant(p.account.kind) === 'Own' ? 'own' : 'co-stake'}</td>
                      <td>{io(p.account.deposited)}</td>
                      <td>{io(p.value)}</td>
                      <td>{Number(p.account.lockupEnd) ? dateTime(Number(p.account.lockupEnd)) : '–'}</td>
                      <td>
                        {cooldown === 0 ? 'active' : cooldown > chainNow ? `unstaking, withdraw ${relativeTime(cooldown, chainNow)}` : 'ready to withdraw'}
                        {p.account.activeVotes > 0 && `, ${p.account.activeVotes} votes running`}
                      </td>
                      <td className="row-actions">
                        <button type="button" className="secondary" disabled={action.busy} onClick={() => void claim(p)}>
                          Claim rewards
                        </button>
                        {cooldown === 0 ? (
                          <button type="button" className="secondary" disabled={action.busy} onClick={() => void unstake(p)}>
                            Unstake
                          </button>
                        ) : (
                          <button type="button" className="secondary" disabled={action.busy || cooldown > chainNow} onClick={() => void withdraw(p)}>
                            Withdraw
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </Table>
            )}
          </Load>
        )}
      </Section>
    </>
  );
}

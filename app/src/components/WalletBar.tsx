import { WalletMultiButton } from '@solana/wallet-adapter-react-ui';
import { useState } from 'react';
import { useAction, useApp, useLoad } from '../context';
import { bn, burnAccounts, createAtaIdempotent, fetchOne, send, tokenBalance } from '../lib/chain';
import { formatUnits, io, IO_DECIMALS, iosd, parseUnits, shortKey } from '../lib/format';
import { associatedToken, pda } from '../lib/pda';
import { ActionResult, Field } from './ui';

/** The wallet in use, its balances, and on a localnet the development wallet and faucet. */
export function WalletBar() {
  const { wallet, program, dev, config } = useApp();
  const action = useAction();
  const [burn, setBurn] = useState('10');
  const connection = program.provider.connection;
  const balances = useLoad(async () => {
    if (!wallet) return null;
    const me = wallet.publicKey;
    const [sol, ioUnits, iosdUnits] = await Promise.all([
      connection.getBalance(me),
      tokenBalance(connection, associatedToken(me, pda.ioMint())),
      tokenBalance(connection, associatedToken(me, pda.iosdMint())),
    ]);
    return { sol, io: ioUnits, iosd: iosdUnits };
  }, [wallet]);

  const fund = () =>
    action.run('Faucet', async () => {
      const response = await fetch(config.faucetUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ wallet: wallet!.publicKey.toBase58() }),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(answer.error ?? `faucet answered ${response.status}`);
      return `${answer.sol ?? 0} SOL and ${answer.io ?? 0} IO sent`;
    });

  const burnForIosd = () =>
    action.run('Burn IO for IOSD', async () => {
      const me = wallet!.publicKey;
      const amount = parseUnits(burn, IO_DECIMALS);
      const tokenomics = await fetchOne(program, 'tokenomics', pda.tokenomics());
      const iosdAccount = associatedToken(me, pda.iosdMint());
      const signature = await send(program, program.methods
        .burnIoForIosd({ exactIn: { io: bn(amount), minIosd: bn(0) } })
        .accountsPartial(burnAccounts(me, iosdAccount, BigInt(tokenomics.currentEpoch.toString())))
        .preInstructions([createAtaIdempotent(me, me, pda.iosdMint())]));
      return `burned ${io(amount)} IO (${signature.slice(0, 8)}…)`;
    });

  return (
    <details className="wallet">
      <summary>
        {wallet ? (
          <>
            <span className="dot" aria-hidden="true" /> {wallet.label}{' '}
            <code data-testid="wallet-address">{shortKey(wallet.publicKey)}</code>
          </>
        ) : (
          'Connect a wallet'
        )}
      </summary>
      <div className="wallet-panel">
        <WalletMultiButton />
        {dev.available && !dev.keypair && (
          <button type="button" onClick={dev.create}>
            Use a development wallet
          </button>
        )}
        {wallet && balances.data && (
          <dl className="balances" aria-label="Balances">
            <dt>SOL</dt>
            <dd data-testid="balance-sol">{formatUnits(balances.data.sol, 9, 3)}</dd>
            <dt>IO</dt>
            <dd data-testid="balance-io">{io(balances.data.io)}</dd>
            <dt>IOSD</dt>
            <dd data-testid="balance-iosd">{iosd(balances.data.iosd)}</dd>
          </dl>
        )}
        {wallet && config.faucetUrl && (
          <button type="button" onClick={fund} disabled={action.busy}>
            Fund from the localnet faucet
          </button>
        )}
        {wallet && (
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              void burnForIosd();
            }}
          >
            <Field label="IO to burn for IOSD">
              <input inputMode="decimal" value={burn} onChange={(e) => setBurn(e.target.value)} />
            </Field>
            <button type="submit" disabled={action.busy}>
              Get IOSD
            </button>
          </form>
        )}
        {dev.keypair && (
          <button type="button" className="link" onClick={dev.forget}>
            Forget the development wallet
          </button>
        )}
        <ActionResult action={action} />
      </div>
    </details>
  );
}

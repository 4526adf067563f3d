// End-to-end: the built app, served by `ioc up`, driven in headless Chromium.
// A newcomer's path: a development wallet funded by the localnet faucet,
// IOSD bought with IO, a cluster rented through the form and matched, GEMM
// jobs submitted from the page, their usage proof shown with its unlock time
// and every receipt verified in the browser; then stake, a rejected unstake
// whose program error is shown by name, a proposal and a vote. Screenshots of
// every page at desktop and phone width go to $SCREENSHOTS.
//
//   APP_URL=http://127.0.0.1:8080 SCREENSHOTS=target/app-screenshots node e2e/run.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const appUrl = process.env.APP_URL ?? 'http://127.0.0.1:8080';
const shots = process.env.SCREENSHOTS ?? 'e2e/screenshots';
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TIMEOUT = 90_000;
mkdirSync(shots, { recursive: true });

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  // As root in CI, and with no network beyond loopback.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const failures = [];
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
context.setDefaultTimeout(TIMEOUT);
const page = await context.newPage();
page.on('pageerror', (error) => {
  console.error(`  [page error] ${error.stack ?? error.message}`);
  failures.push(`page error: ${error.message}`);
});
page.on('console', (m) => m.type() === 'error' && !/favicon/.test(m.text()) && console.error(`  [browser] ${m.text()}`));

const step = (text) => console.log(`- ${text}`);
const { rpcUrl } = await (await fetch(`${appUrl}/config.json`)).json();
async function rpc(method, params) {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const answer = await response.json();
  if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
  return answer.result;
}
/** The chain's clock (the Clock sysvar's unix_timestamp). */
async function chainTime() {
  const clock = await rpc('getAccountInfo', ['SysvarC1ock11111111111111111111111111111111', { encoding: 'base64' }]);
  return Number(Buffer.from(clock.value.data[0], 'base64').readBigInt64LE(32));
}
const go = async (hash) => {
  await page.goto(`${appUrl}/#/${hash}`);
  await page.locator('h1').waitFor();
};
/** What the page said of the action `label` (success or failure), checked against `pattern`. */
async function expectResult(label, pattern) {
  const result = page.locator('[data-testid=action-result]:visible').filter({ hasText: new RegExp(`^${label}(:| failed)`) }).first();
  await result.waitFor();
  const text = (await result.textContent()) ?? '';
  check(pattern.test(text), `expected ${pattern}, the page said: ${text}`);
  return text;
}

try {
  step('explorer: the network as the chain has it');
  await go('explorer');
  await page.getByTestId('gpus-online').filter({ hasText: /^[1-9]/ }).waitFor();

  step('a development wallet, funded by the localnet faucet');
  await page.locator('summary').click();
  await page.getByRole('button', { name: 'Use a development wallet' }).click();
  await page.getByRole('button', { name: 'Fund from the localnet faucet' }).click();
  await expectResult('Faucet', /Faucet: .*IO sent/);
  await page.getByTestId('balance-io').filter({ hasText: /^[1-9]/ }).waitFor();
  await page.getByLabel('IO to burn for IOSD').fill('100');
  await page.getByRole('button', { name: 'Get IOSD' }).click();
  await expectResult('Burn IO for IOSD', /Burn IO for IOSD: burned 100 IO/);
  await page.getByTestId('balance-iosd').filter({ hasText: /^[1-9]/ }).waitFor();
  await page.locator('summary').click();

  step('rent a cluster through the form and see it matched');
  await go('clusters');
  await page.getByLabel('GPU model').locator('option').first().waitFor({ state: 'attached' });
  await page.getByLabel('Max price per GPU-hour (IOSD)').fill('0.5');
  await page.getByRole('button', { name: 'Create cluster' }).click();
  await page.waitForURL(/#\/clusters\/\d+$/);
  const cluster = page.url().split('/').pop();
  await page.getByTestId('cluster-status').filter({ hasText: 'Active' }).waitFor();
  await page.getByTestId('cluster-device').first().waitFor();

  step(`submit GEMM jobs to cluster #${cluster} from the page`);
  for (const dim of ['m', 'n', 'k']) await page.getByLabel(dim, { exact: true }).fill('64');
  await page.getByLabel('Number of jobs').fill('4');
  await page.getByRole('button', { name: 'Submit GEMM job' }).click();
  await expectResult('Submit job', /Submit job: 4 job\(s\) queued/);
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid=job-state]')].filter((c) => c.textContent === 'succeeded').length === 4,
    null,
    { timeout: TIMEOUT },
  );

  step('its usage proof appears with the unlock time; receipts verified in the browser');
  await page.getByTestId('proof-row').first().waitFor();
  const unlock = (await page.getByTestId('proof-unlock').first().textContent()) ?? '';
  check(/UTC \(in .+\)/.test(unlock), `an unlock time in the future: ${unlock}`);
  await page.getByTestId('receipts-verified').filter({ hasText: /^4 receipts in [1-9]\d* proofs verified/ }).waitFor();
  check((await page.getByTestId('receipts-verified').getAttribute('class')) === 'ok', 'receipts verified without error');
  await page.screenshot({ path: join(shots, 'cluster-desktop.png'), fullPage: true });

  step('dispute the proof with a bond, then close the cluster');
  await page.getByRole('button', { name: /^Dispute \(1,000 IO bond\)$/ }).click();
  await expectResult('Dispute', /Dispute: bonded 1,000 IO/);
  await page.getByTestId('proof-row').filter({ hasText: 'Disputed' }).waitFor();
  await page.getByRole('button', { name: 'Close cluster' }).click();
  await expectResult('Close cluster', /Close cluster: closed/);
  await page.getByTestId('cluster-status').filter({ hasText: 'Closed' }).waitFor();

  step('a cluster paid with IO (burned at the oracle price) is matched to the freed device');
  await go('clusters');
  await page.getByLabel('Max price per GPU-hour (IOSD)').fill('0.5');
  await page.getByRole('radio', { name: /IO \(burned/ }).check();
  await page.getByLabel('Most IO to burn').fill('100');
  await page.getByRole('button', { name: 'Create cluster' }).click();
  await page.waitForURL((url) => /#\/clusters\/\d+$/.test(url.href) && !url.href.endsWith(`/${cluster}`));
  await page.getByTestId('cluster-status').filter({ hasText: 'Active' }).waitFor();

  step('stake IO behind the provider, then a refused unstake shows the program error by name');
  await go('staking');
  await page.getByLabel('Amount (IO)').fill('20000');
  await page.getByLabel('Lockup (days)').fill('30');
  await page.getByRole('button', { name: 'Stake', exact: true }).click();
  await expectResult('Stake', /Stake: 20,000 IO co-staked behind/);
  await page.getByTestId('position-row').first().waitFor();
  await page.getByRole('button', { name: 'Unstake' }).click();
  await expectResult('Unstake', /Unstake failed\. LockupNotEnded: /);
  // No epoch has ended since the stake: the program has nothing to pay yet.
  await page.getByRole('button', { name: 'Claim rewards' }).click();
  await expectResult('Claim rewards', /Claim rewards failed\. NothingToClaim: /);

  step('propose a fee change and vote on it');
  // Stake votes only on proposals opened after it: let the chain's clock
  // pass the second the stake was made in (bounded).
  const staked = await chainTime();
  for (let i = 0; i < 50 && (await chainTime()) <= staked; i++) await new Promise((r) => setTimeout(r, 100));
  await go('governance');
  await page.getByLabel('Description').fill('Lower the provider fee to 3 %');
  await page.getByLabel('Change').selectOption('providerFeeBps');
  await page.getByLabel('New value').fill('300');
  await page.getByRole('button', { name: 'Propose' }).click();
  await expectResult('Propose', /Propose: proposal #\d+ is open for votes/);
  const proposal = page.getByTestId('proposal').filter({ hasText: 'Lower the provider fee to 3 %' });
  await proposal.getByRole('button', { name: 'Vote yes' }).click();
  await expectResult('Vote yes', /Vote yes: counted with 20,000 IO/);
  await proposal.getByText('You voted.').waitFor();
  const tally = (await proposal.getByTestId('proposal-tally').textContent()) ?? '';
  check(/^Yes [1-9][\d,.]* · No 0 · Abstain 0 \(1 votes/.test(tally), `the tally counts the vote: ${tally}`);

  step('every form control has a label; pages work by keyboard');
  for (const hash of ['explorer', 'providers', 'clusters', 'staking', 'governance']) {
    await go(hash);
    await page.waitForLoadState('networkidle');
    const unlabeled = await page.evaluate(() =>
      [...document.querySelectorAll('main input, main select')].filter((el) => !el.closest('label') && !el.getAttribute('aria-label')).length,
    );
    check(unlabeled === 0, `${hash}: ${unlabeled} form controls without a label`);
  }
  await page.reload();
  await page.locator('h1').waitFor();
  await page.keyboard.press('Tab');
  check((await page.evaluate(() => document.activeElement?.textContent)) === 'Skip to content', 'the first Tab reaches "Skip to content"');
  await page.keyboard.press('Enter');
  check((await page.evaluate(() => document.activeElement?.id)) === 'main', '"Skip to content" moves focus to the page');
  await page.evaluate(() => document.activeElement?.blur());

  step('screenshots of every page at desktop and phone width');
  const providerHref = await (async () => {
    await go('providers');
    return page.locator('main table a').first().getAttribute('href');
  })();
  const pages = {
    explorer: 'explorer',
    providers: 'providers',
    provider: providerHref.replace(/^#\//, ''),
    clusters: 'clusters',
    cluster: `clusters/${cluster}`,
    staking: 'staking',
    governance: 'governance',
  };
  for (const [width, height, label] of [
    [1280, 900, 'desktop'],
    [390, 844, 'phone'],
  ]) {
    await page.setViewportSize({ width, height });
    for (const [name, hash] of Object.entries(pages)) {
      await go(hash);
      await page.waitForLoadState('networkidle');
      await page.locator('[aria-busy=true]').first().waitFor({ state: 'detached' }).catch(() => undefined);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 1, `${name} at ${label} width: the page scrolls sideways by ${overflow}px`);
      await page.screenshot({ path: join(shots, `${name}-${label}.png`), fullPage: true });
    }
  }

  step('three days later (the localnet clock warped): finalize the proposal; execute is refused before the handover');
  await page.setViewportSize({ width: 1280, height: 900 });
  await rpc('localnet_warpClock', [3 * 86_400 + 5]);
  await go('governance');
  await page.reload();
  await proposal.getByRole('button', { name: 'Finalize' }).click();
  await expectResult('Finalize', /Finalize: done/);
  await proposal.getByTestId('proposal-state').filter({ hasText: 'Succeeded' }).waitFor();
  await proposal.getByRole('button', { name: 'Execute' }).click();
  await expectResult('Execute', /Execute failed\. GovernanceNotInControl: /);

  check(failures.length === 0, failures.join('; '));
  console.log(`e2e passed; screenshots in ${shots}`);
} catch (error) {
  await page.screenshot({ path: join(shots, 'failure.png'), fullPage: true }).catch(() => undefined);
  console.error(`e2e failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}

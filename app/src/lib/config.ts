// Where the app's truth lives: the chain's RPC and WebSocket, and on a
// localnet a faucet for development wallets. `ioc up` serves this as
// /config.json beside the build; keepers are found on-chain, per lease.
export interface AppConfig {
  rpcUrl: string;
  wsUrl: string;
  /** "localnet" enables development wallets (a key kept in this browser). */
  network: string;
  /** POST {wallet} here for SOL and IO (localnet only). */
  faucetUrl?: string;
}

export function parseConfig(raw: unknown): AppConfig {
  if (typeof raw !== 'object' || raw === null) throw new Error('config.json is not an object');
  const c = raw as Record<string, unknown>;
  for (const field of ['rpcUrl', 'wsUrl', 'network']) {
    if (typeof c[field] !== 'string' || !(c[field] as string).length) {
      throw new Error(`config.json: "${field}" is missing`);
    }
  }
  if (c.faucetUrl !== undefined && typeof c.faucetUrl !== 'string') {
    throw new Error('config.json: "faucetUrl" must be a URL');
  }
  return c as unknown as AppConfig;
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch('./config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return parseConfig(await response.json());
}

import './polyfill';
import '@solana/wallet-adapter-react-ui/styles.css';
import './styles.css';
import { ConnectionProvider, WalletProvider } from '@solana/wallet-adapter-react';
import { WalletModalProvider } from '@solana/wallet-adapter-react-ui';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { AppProvider } from './context';
import { loadConfig } from './lib/config';

const root = createRoot(document.getElementById('root')!);

loadConfig()
  .then((config) =>
    root.render(
      <StrictMode>
        <ConnectionProvider endpoint={config.rpcUrl} config={{ wsEndpoint: config.wsUrl, commitment: 'confirmed' }}>
          {/* Wallets that follow the Wallet Standard (Phantom, Solflare, Backpack…) register themselves. */}
          <WalletProvider wallets={[]} autoConnect>
            <WalletModalProvider>
              <AppProvider config={config}>
                <App />
              </AppProvider>
            </WalletModalProvider>
          </WalletProvider>
        </ConnectionProvider>
      </StrictMode>,
    ),
  )
  .catch((error) =>
    root.render(
      <main className="page">
        <h1>IO Compute</h1>
        <p className="error" role="alert">
          Cannot start: {String(error instanceof Error ? error.message : error)}
        </p>
      </main>,
    ),
  );

import { Component, useEffect, useState, type ReactNode } from 'react';
import { WalletBar } from './components/WalletBar';
import { Clusters } from './pages/Clusters';
import { Explorer } from './pages/Explorer';
import { Governance } from './pages/Governance';
import { Providers } from './pages/Providers';
import { Staking } from './pages/Staking';

const PAGES = [
  { path: 'explorer', title: 'Explorer' },
  { path: 'providers', title: 'Providers' },
  { path: 'clusters', title: 'Clusters' },
  { path: 'staking', title: 'Staking' },
  { path: 'governance', title: 'Governance' },
] as const;

/** A page that fails to render says so, and the rest of the app keeps working. */
class PageBoundary extends Component<{ page: string; children: ReactNode }, { error: string | null }> {
  state = { error: null as string | null };
  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  componentDidUpdate(previous: { page: string }) {
    if (previous.page !== this.props.page && this.state.error) this.setState({ error: null });
  }
  render() {
    if (this.state.error) {
      return (
        <p className="error" role="alert">
          This page failed to show: {this.state.error}
        </p>
      );
    }
    return this.props.children;
  }
}

/** `#/clusters/7` as ["clusters", "7"]. */
function useRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function App() {
  const [page = 'explorer', ...rest] = useRoute();
  const title = PAGES.find((p) => p.path === page)?.title ?? 'Not found';
  useEffect(() => {
    document.title = `${title} · IO Compute`;
  }, [title]);
  return (
    <>
      {/* The hash is the router's: move focus without changing it. */}
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="top">
        <div className="brand">IO Compute</div>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <a key={p.path} href={`#/${p.path}`} aria-current={p.path === page ? 'page' : undefined}>
              {p.title}
            </a>
          ))}
        </nav>
        <WalletBar />
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <h1>{title}</h1>
        <PageBoundary page={[page, ...rest].join('/')}>
          {page === 'explorer' && <Explorer />}
          {page === 'providers' && <Providers selected={rest[0]} />}
          {page === 'clusters' && <Clusters selected={rest[0]} />}
          {page === 'staking' && <Staking />}
          {page === 'governance' && <Governance />}
        </PageBoundary>
        {!PAGES.some((p) => p.path === page) && (
          <p>
            No page here. <a href="#/explorer">Go to the explorer</a>.
          </p>
        )}
      </main>
    </>
  );
}

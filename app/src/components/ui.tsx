import type { ReactNode } from 'react';
import type { Action, Loaded } from '../context';
import { shortKey } from '../lib/format';

/** Loading, error and empty states around data that comes from the chain or a keeper. */
export function Load<T>({
  loaded,
  empty,
  isEmpty,
  children,
}: {
  loaded: Loaded<T>;
  empty?: string;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (loaded.data === undefined) {
    if (loaded.error) return <p className="error" role="alert">{loaded.error}</p>;
    return <p className="muted" aria-busy="true">Loading…</p>;
  }
  if (empty && isEmpty?.(loaded.data)) return <p className="muted">{empty}</p>;
  return (
    <>
      {loaded.error && <p className="error" role="alert">{loaded.error}</p>}
      {children(loaded.data)}
    </>
  );
}

export function ActionResult({ action }: { action: Action }) {
  if (action.busy) return <p className="muted" role="status">Working…</p>;
  if (!action.result) return null;
  return (
    <p className={action.result.ok ? 'ok' : 'error'} role={action.result.ok ? 'status' : 'alert'} data-testid="action-result">
      {action.result.text}
    </p>
  );
}

export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
      {hint && <small className="muted">{hint}</small>}
    </label>
  );
}

export function Stat({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="stat">
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card" aria-label={title}>
      <header className="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** A table that scrolls sideways on a phone instead of breaking the page. */
export function Table({ head, children, label }: { head: string[]; children: ReactNode; label: string }) {
  return (
    <div className="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function Key({ value }: { value: { toBase58(): string } | string }) {
  return (
    <code title={typeof value === 'string' ? value : value.toBase58()} className="key">
      {shortKey(value)}
    </code>
  );
}

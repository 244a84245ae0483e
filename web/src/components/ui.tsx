/** @module Small shared UI pieces: status badges, error and "not available" notices, tabs. */
import type { ReactNode } from 'react';
import { ApiError } from '../api/http.js';
import { Link } from '../router.js';

export function StatusBadge(props: { status: string; testId?: string }) {
  return <span className={`badge badge-${props.status}`} data-testid={props.testId}>{props.status.replace(/_/g, ' ')}</span>;
}

/** Shown where a feature's backend has not landed on this server. */
export function NotAvailable(props: { what: string; endpoint?: string }) {
  return (
    <div className="notice notice-info" data-testid="not-available">
      <strong>{props.what}: not available on this server yet.</strong>
      {props.endpoint ? <> The server does not have <code>{props.endpoint}</code>; this page will work once it does.</> : null}
    </div>
  );
}

/** Renders an API failure honestly: missing endpoint, missing permission, or the server's message. */
export function ErrorView(props: { error: unknown; what?: string; endpoint?: string }) {
  const { error } = props;
  if (error instanceof ApiError) {
    if (error.notAvailable) return <NotAvailable what={props.what ?? 'This feature'} endpoint={props.endpoint} />;
    if (error.status === 403) return <div className="notice notice-warn" data-testid="forbidden"><strong>Not allowed.</strong> {error.message}</div>;
    if (error.status === 401) return <div className="notice notice-warn">Your session has ended. <Link to="/signin">Sign in again</Link>.</div>;
    return <div className="notice notice-error" role="alert">{error.message} <span className="muted">({error.code})</span></div>;
  }
  return <div className="notice notice-error" role="alert">{error instanceof Error ? error.message : 'Something went wrong'}</div>;
}

export function Tabs(props: { items: Array<{ to: string; label: string }>; current: string }) {
  return (
    <nav className="tabs">
      {props.items.map((item) => (
        <Link key={item.to} to={item.to} className={item.to === props.current ? 'tab tab-active' : 'tab'}>{item.label}</Link>
      ))}
    </nav>
  );
}

export function PageHeader(props: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode; crumbs?: Array<{ to: string; label: string }> }) {
  return (
    <header className="page-header">
      {props.crumbs?.length ? (
        <div className="crumbs">
          {props.crumbs.map((c, i) => <span key={c.to}>{i > 0 ? ' / ' : ''}<Link to={c.to}>{c.label}</Link></span>)}
        </div>
      ) : null}
      <div className="page-header-row">
        <div>
          <h1>{props.title}</h1>
          {props.subtitle ? <div className="subtitle">{props.subtitle}</div> : null}
        </div>
        {props.actions ? <div className="page-actions">{props.actions}</div> : null}
      </div>
    </header>
  );
}

export function Loading() {
  return <div className="loading" aria-busy="true">Loading…</div>;
}

/**
 * @module The audit log for organisation admins: filters, a table, paging, and CSV / JSONL
 * export (`GET /api/v2/audit-log`, `GET /api/v2/audit-log/export?format=`). Non-admins are
 * told so without a request; a 403 or a missing endpoint is shown as such.
 */
import { useState, type FormEvent } from 'react';
import { api, apiBlob, saveBlob } from '../api/http.js';
import { ErrorView, Loading, PageHeader, StatusBadge } from '../components/ui.js';
import { formatTime } from '../format.js';
import { useLoad } from '../hooks.js';
import type { Me } from '../session.js';

interface AuditEntity { id?: string; type?: string; name?: string; email?: string; login?: string }
interface AuditEvent {
  id: string;
  action: string;
  actor: AuditEntity;
  target: AuditEntity;
  payload: Record<string, unknown>;
  occurred_at: string;
  success: boolean;
}
interface AuditPage { items: AuditEvent[]; next_page_token?: string | null; nextCursor?: string | null }

interface Filters { action: string; actor_id: string; target_id: string; since: string; until: string; success: string }
const EMPTY: Filters = { action: '', actor_id: '', target_id: '', since: '', until: '', success: '' };

function query(filters: Filters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filters, ...extra })) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

const entity = (e: AuditEntity | undefined) => (e ? e.name ?? e.email ?? e.login ?? e.id ?? e.type ?? '–' : '–');

export function AuditPage(props: { me: Me }) {
  if (props.me.role !== 'admin') {
    return (
      <>
        <PageHeader title="Audit log" />
        <div className="notice notice-warn" data-testid="audit-refused"><strong>Only organisation admins can see the audit log.</strong> You are signed in as a {props.me.role}.</div>
      </>
    );
  }
  return <AuditLog />;
}

function AuditLog() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(() => api<AuditPage>('GET', `/api/v2/audit-log${query(filters, cursor ? { cursor, limit: '100' } : { limit: '100' })}`), [filters, cursor]);
  const [downloadError, setDownloadError] = useState<unknown>();
  const next = page.data ? page.data.next_page_token ?? page.data.nextCursor ?? null : null;

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setCursors([]);
    setFilters(draft);
  };
  const download = async (format: 'csv' | 'jsonl') => {
    setDownloadError(undefined);
    try {
      const blob = await apiBlob(`/api/v2/audit-log/export${query({ ...EMPTY, since: filters.since, until: filters.until }, { format })}`);
      saveBlob(blob, `kiln-audit-log.${format}`);
    } catch (e) {
      setDownloadError(e);
    }
  };
  const field = (key: keyof Filters, label: string, placeholder = '') => (
    <label>{label}<input value={draft[key]} placeholder={placeholder} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} /></label>
  );

  return (
    <>
      <PageHeader title="Audit log" subtitle="Every security-relevant event in this organisation, hash-chained." actions={(
        <>
          <button className="button" onClick={() => void download('csv')}>Download CSV</button>
          <button className="button" onClick={() => void download('jsonl')}>Download JSONL</button>
        </>
      )} />
      {downloadError ? <ErrorView error={downloadError} what="Audit log export" endpoint="GET /api/v2/audit-log/export" /> : null}
      <form className="card form form-inline filters" onSubmit={apply}>
        {field('action', 'Action', 'e.g. project.env_var')}
        {field('actor_id', 'Actor id')}
        {field('target_id', 'Target id')}
        {field('since', 'Since', 'YYYY-MM-DD')}
        {field('until', 'Until', 'YYYY-MM-DD')}
        <label>Outcome<select value={draft.success} onChange={(e) => setDraft({ ...draft, success: e.target.value })}>
          <option value="">any</option><option value="true">succeeded</option><option value="false">failed</option>
        </select></label>
        <button className="button button-primary" type="submit">Apply</button>
        <button className="button" type="button" onClick={() => { setDraft(EMPTY); setFilters(EMPTY); setCursors([]); }}>Clear</button>
      </form>
      {page.error ? <ErrorView error={page.error} what="The audit log" endpoint="GET /api/v2/audit-log" /> : null}
      {!page.data && !page.error ? <Loading /> : null}
      {page.data ? (
        page.data.items.length === 0 ? <div className="empty">No events match.</div> : (
          <table className="table table-compact" data-testid="audit-table">
            <thead><tr><th>When</th><th>Action</th><th>Actor</th><th>Target</th><th>Outcome</th><th>Details</th></tr></thead>
            <tbody>
              {page.data.items.map((event) => (
                <tr key={event.id}>
                  <td className="small nowrap">{formatTime(event.occurred_at)}</td>
                  <td className="mono small">{event.action}</td>
                  <td className="small">{entity(event.actor)}</td>
                  <td className="small">{entity(event.target)}</td>
                  <td><StatusBadge status={event.success ? 'success' : 'failed'} /></td>
                  <td className="mono small ellipsis" title={JSON.stringify(event.payload)}>{JSON.stringify(event.payload)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      <div className="toolbar">
        <button className="button" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>Newer</button>
        <button className="button" disabled={!next} onClick={() => next && setCursors([...cursors, next])}>Older</button>
      </div>
    </>
  );
}

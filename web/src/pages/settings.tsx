/**
 * @module Settings: project environment variables and checkout keys; organisation API tokens,
 * members and roles, contexts and their variables, runners. Secret values are write-only:
 * the page sends them once and never shows or keeps them. Where the server has no endpoint
 * yet, the page says so instead of pretending.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, slugPath } from '../api/http.js';
import { ErrorView, Loading, PageHeader, Tabs } from '../components/ui.js';
import { formatTime } from '../format.js';
import { useLoad } from '../hooks.js';
import { paths } from '../router.js';
import type { Me } from '../session.js';
import { ProjectShell } from './project-shell.js';

type Row = Record<string, unknown>;
const MASK = '••••••••';

function itemsOf(body: unknown): Row[] {
  if (Array.isArray(body)) return body as Row[];
  const items = (body as { items?: unknown })?.items;
  return Array.isArray(items) ? (items as Row[]) : [];
}

const text = (value: unknown) => (value === null || value === undefined || value === '' ? '–' : String(value));

/** A list backed by one endpoint, with an optional add form and delete per row. */
function ResourceList(props: {
  title: string;
  endpoint: string;
  columns: Array<{ label: string; render(row: Row): ReactNode }>;
  rowKey(row: Row): string;
  deletePath?(row: Row): string;
  addForm?(reload: () => void, setError: (e: unknown) => void): ReactNode;
  note?: ReactNode;
  empty: string;
}) {
  const list = useLoad(() => api<unknown>('GET', props.endpoint), [props.endpoint]);
  const [error, setError] = useState<unknown>();
  const unavailable = list.error instanceof ApiError && list.error.notAvailable;
  const remove = async (row: Row) => {
    setError(undefined);
    try {
      await api('DELETE', props.deletePath!(row));
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="card" data-testid={`resource-${props.title}`}>
      <h2>{props.title}</h2>
      {props.note ? <p className="hint">{props.note}</p> : null}
      {list.error ? <ErrorView error={list.error} what={props.title} endpoint={`GET ${props.endpoint}`} /> : null}
      {error ? <ErrorView error={error} what={props.title} /> : null}
      {!unavailable && props.addForm ? props.addForm(list.reload, setError) : null}
      {!list.data && !list.error ? <Loading /> : null}
      {list.data ? (
        itemsOf(list.data).length === 0 ? <div className="empty">{props.empty}</div> : (
          <table className="table table-compact">
            <thead><tr>{props.columns.map((c) => <th key={c.label}>{c.label}</th>)}{props.deletePath ? <th /> : null}</tr></thead>
            <tbody>
              {itemsOf(list.data).map((row) => (
                <tr key={props.rowKey(row)}>
                  {props.columns.map((c) => <td key={c.label}>{c.render(row)}</td>)}
                  {props.deletePath ? <td className="right"><button className="button button-small button-danger" onClick={() => void remove(row)}>Delete</button></td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </section>
  );
}

async function submitting(event: FormEvent, run: () => Promise<void>, setError: (e: unknown) => void): Promise<void> {
  event.preventDefault();
  setError(undefined);
  try {
    await run();
  } catch (e) {
    setError(e);
  }
}

function EnvVarForm(props: { endpoint: string; reload(): void; setError(e: unknown): void }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  return (
    <form className="form form-inline" data-testid="envvar-form" onSubmit={(e) => void submitting(e, async () => {
      await api('POST', props.endpoint, { name, value });
      // Forget the value at once: it is write-only.
      setName('');
      setValue('');
      props.reload();
    }, props.setError)}>
      <label>Name<input name="name" value={name} pattern="[A-Za-z_][A-Za-z0-9_]*" onChange={(e) => setName(e.target.value)} required /></label>
      <label>Value<input name="value" type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} required /></label>
      <button className="button button-primary" type="submit">Add variable</button>
    </form>
  );
}

export function ProjectSettingsPage(props: { slug: string }) {
  return (
    <ProjectShell slug={props.slug} current={paths.projectSettings(props.slug)}>
      {(project) => {
        const base = slugPath(project.slug);
        return (
          <>
            <ResourceList
              title="Environment variables" endpoint={`${base}/envvar`} empty="No environment variables."
              note="Values are encrypted on the server and never shown again, to anyone."
              rowKey={(r) => String(r.name)}
              columns={[{ label: 'Name', render: (r) => <span className="mono">{text(r.name)}</span> }, { label: 'Value', render: () => <span className="mono muted" data-testid="masked">{MASK}</span> }, { label: 'Added', render: (r) => formatTime(r.created_at as string) }]}
              deletePath={(r) => `${base}/envvar/${encodeURIComponent(String(r.name))}`}
              addForm={(reload, setError) => <EnvVarForm endpoint={`${base}/envvar`} reload={reload} setError={setError} />}
            />
            <ResourceList
              title="Checkout keys" endpoint={`${base}/checkout-key`} empty="No checkout keys. Kiln clones with the project's URL as given."
              note="The public half goes to your git host as a read-only deploy key; the private half never leaves the server."
              rowKey={(r) => String(r.fingerprint)}
              columns={[{ label: 'Type', render: (r) => text(r.type) }, { label: 'Fingerprint', render: (r) => <span className="mono small">{text(r.fingerprint)}</span> }, { label: 'Public key', render: (r) => <span className="mono small ellipsis">{text(r.public_key)}</span> }, { label: 'Created', render: (r) => formatTime(r.created_at as string) }]}
              deletePath={(r) => `${base}/checkout-key/${encodeURIComponent(String(r.fingerprint))}`}
              addForm={(reload, setError) => (
                <div className="form-row"><button className="button" onClick={() => void api('POST', `${base}/checkout-key`, { type: 'deploy-key' }).then(reload, setError)}>Create deploy key</button></div>
              )}
            />
          </>
        );
      }}
    </ProjectShell>
  );
}

const ORG_TABS = [
  { to: '/settings/tokens', label: 'API tokens' },
  { to: '/settings/members', label: 'Members' },
  { to: '/settings/contexts', label: 'Contexts' },
  { to: '/settings/runners', label: 'Runners' },
];

export function OrgSettingsPage(props: { section: string; me: Me }) {
  const current = `/settings/${props.section}`;
  return (
    <>
      <PageHeader title="Settings" subtitle={`Signed in as ${props.me.login} (${props.me.role})`} />
      <Tabs items={ORG_TABS} current={current} />
      {props.section === 'tokens' ? <TokensSection /> : null}
      {props.section === 'members' ? <MembersSection me={props.me} /> : null}
      {props.section === 'contexts' ? <ContextsSection /> : null}
      {props.section === 'runners' ? (
        <ResourceList title="Runners" endpoint="/api/v2/runner" empty="No runners registered." rowKey={(r) => String(r.id)}
          columns={[{ label: 'Name', render: (r) => text(r.name) }, { label: 'Resource classes', render: (r) => <span className="mono small">{Array.isArray(r.resource_classes) ? r.resource_classes.join(', ') : text(r.resource_classes)}</span> }, { label: 'Last seen', render: (r) => formatTime(r.last_seen_at as string) }, { label: 'Status', render: (r) => text(r.online === undefined ? r.status : r.online ? 'online' : 'offline') }]} />
      ) : null}
    </>
  );
}

function TokensSection() {
  const [created, setCreated] = useState<string>();
  return (
    <>
      {created ? (
        <div className="notice notice-success" data-testid="new-token">
          <strong>Copy this token now; it will not be shown again:</strong> <code className="select-all">{created}</code>
          <button className="button button-small" onClick={() => setCreated(undefined)}>Done</button>
        </div>
      ) : null}
      <ResourceList title="API tokens" endpoint="/api/v2/me/token" empty="No API tokens." rowKey={(r) => String(r.id)}
        note="Tokens act as you. Only a digest is stored; the token itself is shown once, when created."
        columns={[{ label: 'Name', render: (r) => text(r.name) }, { label: 'Created', render: (r) => formatTime(r.created_at as string) }, { label: 'Last used', render: (r) => formatTime(r.last_used_at as string) }]}
        deletePath={(r) => `/api/v2/me/token/${encodeURIComponent(String(r.id))}`}
        addForm={(reload, setError) => <NameForm label="Token name" button="Create token" onSubmit={async (name) => {
          try {
            const result = await api<{ token?: string }>('POST', '/api/v2/me/token', { name });
            setCreated(result.token);
            reload();
          } catch (e) {
            setError(e);
          }
        }} />}
      />
    </>
  );
}

function NameForm(props: { label: string; button: string; onSubmit(name: string): Promise<void> }) {
  const [name, setName] = useState('');
  return (
    <form className="form form-inline" onSubmit={(e) => { e.preventDefault(); void props.onSubmit(name).then(() => setName('')); }}>
      <label>{props.label}<input value={name} onChange={(e) => setName(e.target.value)} required /></label>
      <button className="button button-primary" type="submit">{props.button}</button>
    </form>
  );
}

function MembersSection(props: { me: Me }) {
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const setRole = async (id: string, role: string) => {
    setError(undefined);
    try {
      await api('PATCH', `/api/v2/user/${encodeURIComponent(id)}`, { role });
      setTick(tick + 1);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      {error ? <ErrorView error={error} what="Changing roles" /> : null}
      <ResourceList key={tick} title="Members" endpoint="/api/v2/user" empty="No members." rowKey={(r) => String(r.id)}
        columns={[
          { label: 'Email', render: (r) => text(r.email ?? r.login) },
          { label: 'Role', render: (r) => props.me.role === 'admin' && r.id !== props.me.id ? (
            <select aria-label="role" value={String(r.role)} onChange={(e) => void setRole(String(r.id), e.target.value)}>
              <option value="viewer">viewer</option><option value="member">member</option><option value="admin">admin</option>
            </select>
          ) : text(r.role) },
          { label: 'Joined', render: (r) => formatTime(r.created_at as string) },
        ]} />
    </>
  );
}

function ContextsSection() {
  const [selected, setSelected] = useState<{ id: string; name: string }>();
  return (
    <>
      <ResourceList title="Contexts" endpoint="/api/v2/context" empty="No contexts." rowKey={(r) => String(r.id)}
        note="A context is a named set of environment variables that jobs opt into with `context:` in the config."
        columns={[{ label: 'Name', render: (r) => <button className="linklike" onClick={() => setSelected({ id: String(r.id), name: String(r.name) })}>{text(r.name)}</button> }, { label: 'Created', render: (r) => formatTime(r.created_at as string) }]}
        deletePath={(r) => `/api/v2/context/${encodeURIComponent(String(r.id))}`}
        addForm={(reload, setError) => <NameForm label="Context name" button="Create context" onSubmit={(name) => api('POST', '/api/v2/context', { name }).then(reload, setError)} />}
      />
      {selected ? (
        <ResourceList key={selected.id} title={`Variables of ${selected.name}`} endpoint={`/api/v2/context/${selected.id}/environment-variable`} empty="No variables in this context."
          rowKey={(r) => String(r.variable ?? r.name)}
          columns={[{ label: 'Name', render: (r) => <span className="mono">{text(r.variable ?? r.name)}</span> }, { label: 'Value', render: () => <span className="mono muted">{MASK}</span> }, { label: 'Updated', render: (r) => formatTime((r.updated_at ?? r.created_at) as string) }]}
          deletePath={(r) => `/api/v2/context/${selected.id}/environment-variable/${encodeURIComponent(String(r.variable ?? r.name))}`}
          addForm={(reload, setError) => <ContextVarForm contextId={selected.id} reload={reload} setError={setError} />}
        />
      ) : null}
    </>
  );
}

function ContextVarForm(props: { contextId: string; reload(): void; setError(e: unknown): void }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  return (
    <form className="form form-inline" onSubmit={(e) => void submitting(e, async () => {
      await api('PUT', `/api/v2/context/${props.contextId}/environment-variable/${encodeURIComponent(name)}`, { value });
      setName('');
      setValue('');
      props.reload();
    }, props.setError)}>
      <label>Name<input value={name} pattern="[A-Za-z_][A-Za-z0-9_]*" onChange={(e) => setName(e.target.value)} required /></label>
      <label>Value<input type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} required /></label>
      <button className="button button-primary" type="submit">Set variable</button>
    </form>
  );
}

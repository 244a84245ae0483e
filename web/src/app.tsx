/**
 * @module The app shell: first-run and sign-in gates, the top bar, and the route table.
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { api } from './api/http.js';
import { live } from './api/live.js';
import { ErrorView, Loading } from './components/ui.js';
import { useLiveStatus } from './hooks.js';
import { Link, matchRoute, navigate, useLocation } from './router.js';
import { loadMe, signOut, type Me } from './session.js';
import { AuditPage } from './pages/audit.js';
import { JobPage } from './pages/job.js';
import { PipelinePage } from './pages/pipeline.js';
import { PipelinesPage } from './pages/pipelines.js';
import { ProjectsPage } from './pages/projects.js';
import { OrgSettingsPage, ProjectSettingsPage } from './pages/settings.js';
import { SetupPage, SignInPage } from './pages/sign-in.js';

type Auth = { state: 'loading' } | { state: 'signed-out' } | { state: 'signed-in'; me: Me } | { state: 'error'; error: unknown };

const slug = (p: Record<string, string>) => `${p.vcs}/${p.org}/${p.name}`;
const RESERVED = new Set(['signin', 'setup', 'settings', 'audit', 'assets', 'api']);

function route(path: string, me: Me): ReactNode {
  let p: Record<string, string> | null;
  if (path === '/' || path === '') return <ProjectsPage me={me} />;
  if (path === '/audit') return <AuditPage me={me} />;
  if (path === '/settings') return <OrgSettingsPage section="tokens" me={me} />;
  if ((p = matchRoute('/settings/:section', path))) return <OrgSettingsPage section={p.section!} me={me} />;
  if (RESERVED.has(path.split('/')[1] ?? '')) return <NotFound />;
  if ((p = matchRoute('/:vcs/:org/:name', path))) return <PipelinesPage key={slug(p)} slug={slug(p)} />;
  if ((p = matchRoute('/:vcs/:org/:name/settings', path))) return <ProjectSettingsPage key={slug(p)} slug={slug(p)} />;
  if ((p = matchRoute('/:vcs/:org/:name/pipelines/:id', path))) return <PipelinePage key={p.id} slug={slug(p)} id={p.id!} />;
  if ((p = matchRoute('/:vcs/:org/:name/jobs/:number', path)) && /^\d+$/.test(p.number!)) return <JobPage key={`${slug(p)}#${p.number}`} slug={slug(p)} number={Number(p.number)} />;
  return <NotFound />;
}

function NotFound() {
  return <div className="empty">There is no page here. <Link to="/">Go to the projects</Link>.</div>;
}

export function App() {
  const { path } = useLocation();
  const [auth, setAuth] = useState<Auth>({ state: 'loading' });
  const [needsSetup, setNeedsSetup] = useState(false);

  const refresh = useCallback(() => {
    setAuth({ state: 'loading' });
    api<{ needs_setup: boolean }>('GET', '/api/v2/setup').then((r) => setNeedsSetup(r.needs_setup), () => setNeedsSetup(false));
    loadMe().then(
      (me) => setAuth(me ? { state: 'signed-in', me } : { state: 'signed-out' }),
      (error: unknown) => setAuth({ state: 'error', error }),
    );
  }, []);
  useEffect(refresh, [refresh]);

  useEffect(() => {
    if (auth.state === 'signed-in') live.start();
    else live.stop();
  }, [auth.state]);

  useEffect(() => {
    if (needsSetup && path !== '/setup') navigate('/setup', { replace: true });
  }, [needsSetup, path]);
  useEffect(() => {
    if (auth.state === 'signed-in' && (path === '/signin' || (path === '/setup' && !needsSetup))) navigate('/', { replace: true });
  }, [auth.state, path, needsSetup]);

  if (path === '/setup') return <SetupPage />;
  if (auth.state === 'loading') return <Loading />;
  if (auth.state === 'error') return <div className="main"><ErrorView error={auth.error} /></div>;
  if (auth.state === 'signed-out') return <SignInPage onSignedIn={refresh} />;
  const { me } = auth;
  return (
    <div className="layout">
      <TopBar me={me} onSignOut={() => void signOut().then(() => { setAuth({ state: 'signed-out' }); navigate('/signin'); })} path={path} />
      <main className="main">{route(path, me)}</main>
    </div>
  );
}

function TopBar(props: { me: Me; path: string; onSignOut(): void }) {
  const status = useLiveStatus();
  const item = (to: string, label: string, active: boolean) => <Link to={to} className={active ? 'nav-item nav-active' : 'nav-item'}>{label}</Link>;
  return (
    <header className="topbar">
      <Link to="/" className="brand">Kiln</Link>
      <nav className="nav">
        {item('/', 'Projects', !props.path.startsWith('/settings') && !props.path.startsWith('/audit'))}
        {item('/settings/tokens', 'Settings', props.path.startsWith('/settings'))}
        {props.me.role === 'admin' ? item('/audit', 'Audit log', props.path.startsWith('/audit')) : null}
      </nav>
      <div className="spacer" />
      <span className={`live-dot live-${status}`} title={status === 'open' ? 'Live updates connected' : 'Live updates unavailable: refreshing periodically'} />
      <span className="user" data-testid="current-user">{props.me.login} <span className="muted">({props.me.role})</span></span>
      <button className="button button-small" onClick={props.onSignOut}>Sign out</button>
    </header>
  );
}

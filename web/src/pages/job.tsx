/**
 * @module A job: status, why it waits, parallel runs, and its log (live, virtualised, with
 * step sections, search and raw download).
 */
import { useEffect, useMemo, useState } from 'react';
import { TERMINAL_JOB_STATUSES, type JobDetails, type LogPage, type Project } from '../../../src/api/resources.js';
import { api, saveBlob, slugPath } from '../api/http.js';
import { ErrorView, Loading, StatusBadge } from '../components/ui.js';
import { formatDuration, formatTime, span } from '../format.js';
import { useInterval, useLiveReload, useLoad } from '../hooks.js';
import { plainText } from '../log/ansi.js';
import { LogView, type StepInfo } from '../log/log-view.js';
import { logUrl, useJobLog } from '../log/use-job-log.js';
import { Link, paths } from '../router.js';
import { ProjectShell } from './project-shell.js';

const WAITING = new Set(['queued', 'blocked', 'on_hold', 'not_run']);

export function JobPage(props: { slug: string; number: number }) {
  return (
    <ProjectShell slug={props.slug} current="" crumbs={[{ to: paths.project(props.slug), label: props.slug.split('/').pop()! }]} title={`Job #${props.number}`}>
      {(project) => <JobView project={project} number={props.number} />}
    </ProjectShell>
  );
}

function JobView(props: { project: Project; number: number }) {
  const { project, number } = props;
  const job = useLoad(() => api<JobDetails>('GET', `${slugPath(project.slug)}/job/${number}`), [project.slug, number]);
  const finished = job.data ? TERMINAL_JOB_STATUSES.includes(job.data.status) : false;
  useLiveReload(job.data ? `pipeline:${job.data.pipeline.id}` : undefined, job.reload, { pollMs: 1500, active: !finished });
  const [node, setNode] = useState(0);
  const [now, setNow] = useState(Date.now());
  useInterval(() => setNow(Date.now()), 1000, !finished);
  if (job.error && !job.data) return <ErrorView error={job.error} />;
  if (!job.data) return <Loading />;
  const details = job.data;
  const waiting = WAITING.has(details.status);
  const reason = details.messages[0]?.message;
  return (
    <>
      <div className="card job-head">
        <div className="job-title">
          <h2>{details.name}</h2>
          <StatusBadge status={details.status} testId="job-status" />
          <span className="muted">{formatDuration(details.duration ?? span(details.started_at, details.stopped_at, now))}</span>
        </div>
        <div className="meta-grid">
          <div><span className="label">Workflow</span><Link to={paths.pipeline(project.slug, details.pipeline.id)}>{details.latest_workflow.name}</Link></div>
          <div><span className="label">Executor</span><span className="mono">{details.executor.type} · {details.executor.resource_class}</span></div>
          <div><span className="label">Queued</span><span>{formatTime(details.queued_at)}</span></div>
          <div><span className="label">Started</span><span>{formatTime(details.started_at)}</span></div>
          {details.contexts.length ? <div><span className="label">Contexts</span><span>{details.contexts.map((c) => c.name).join(', ')}</span></div> : null}
        </div>
        {waiting ? (
          <div className="notice notice-info waiting" data-testid="waiting-reason">
            <strong>{details.status === 'queued' ? 'Waiting to start' : details.status === 'on_hold' ? 'On hold' : 'Not started'}:</strong>{' '}
            {reason ?? (details.status === 'queued' ? 'waiting for a runner to pick this job up' : 'waiting for the jobs it requires')}
          </div>
        ) : reason ? <div className="notice notice-error" data-testid="job-reason">{reason}</div> : null}
      </div>
      {details.parallelism > 1 ? (
        <div className="tabs">
          {details.parallel_runs.map((run) => (
            <button key={run.index} className={run.index === node ? 'tab tab-active' : 'tab'} onClick={() => setNode(run.index)}>
              Run {run.index} <StatusBadge status={run.status} />
            </button>
          ))}
        </div>
      ) : null}
      {waiting && details.status !== 'queued' ? null : (
        <JobLog key={`${node}-${waiting ? 'w' : 'r'}`} project={project} details={details} node={node} finished={finished} now={now} />
      )}
    </>
  );
}

const STEP_FALLBACK: Record<number, string> = { [-1]: 'Preparing environment' };

function JobLog(props: { project: Project; details: JobDetails; node: number; finished: boolean; now: number }) {
  const { project, details, node } = props;
  const log = useJobLog({ slug: project.slug, number: details.number, node, jobId: details.id, finished: props.finished });
  const [query, setQuery] = useState('');
  const [matchIndex, setMatchIndex] = useState(0);
  const [focus, setFocus] = useState<{ line: number; nonce: number }>();
  const [height, setHeight] = useState(() => Math.max(300, window.innerHeight - 330));
  useEffect(() => {
    const onResize = () => setHeight(Math.max(300, window.innerHeight - 330));
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);

  const steps = details.steps[node] ?? [];
  const stepInfo = (index: number): StepInfo => {
    const step = steps.find((s) => s.index === index);
    if (!step) return { name: STEP_FALLBACK[index] ?? `Step ${index + 1}`, status: index < 0 ? 'success' : 'running', exitCode: null, duration: '' };
    return { name: step.name, status: step.status, exitCode: step.exit_code, duration: formatDuration(span(step.started_at, step.stopped_at, props.now)) };
  };

  const matches = useMemo(() => {
    const needle = query.trim().toLowerCase();
    if (!needle) return [] as number[];
    const found: number[] = [];
    const lines = log.model.lines;
    for (let i = 0; i < lines.length && found.length < 100_000; i++) {
      if (plainText(lines[i]!).toLowerCase().includes(needle)) found.push(i);
    }
    return found;
  }, [query, log.version, log.model]);
  const matchSet = useMemo(() => new Set(matches), [matches]);
  const go = (delta: number) => {
    if (!matches.length) return;
    const next = (matchIndex + delta + matches.length) % matches.length;
    setMatchIndex(next);
    setFocus({ line: matches[next]!, nonce: Date.now() });
  };

  const download = async () => {
    const parts: string[] = [];
    let fromSeq = 0;
    for (;;) {
      const page = await api<LogPage>('GET', logUrl(project.slug, { number: details.number, node, query: `from_seq=${fromSeq}&limit=1000` }));
      for (const chunk of page.chunks) parts.push(chunk.data);
      if (!page.chunks.length || page.chunks.length < 1000) break;
      fromSeq = page.next_seq;
    }
    saveBlob(new Blob(parts, { type: 'text/plain;charset=utf-8' }), `${project.name}-job-${details.number}${details.parallelism > 1 ? `-run${node}` : ''}.log`);
  };

  return (
    <section className="card log-card">
      <div className="log-toolbar">
        <form className="log-search" onSubmit={(e) => { e.preventDefault(); go(1); }}>
          <input type="search" placeholder="Search the log" aria-label="Search the log" value={query}
            onChange={(e) => { setQuery(e.target.value); setMatchIndex(-1); }} />
          <span className="muted small" data-testid="search-count">{query.trim() ? `${matches.length ? Math.max(0, matchIndex) + 1 : 0} of ${matches.length}` : ''}</span>
          <button type="button" className="button button-small" onClick={() => go(-1)} disabled={!matches.length}>Previous</button>
          <button type="submit" className="button button-small" disabled={!matches.length}>Next</button>
        </form>
        <div className="spacer" />
        <span className="muted small" data-testid="log-state">
          {log.loadingTail ? 'loading…' : `${log.model.lines.length.toLocaleString()} lines${log.fromStart ? '' : ' (loading earlier lines…)'}${log.complete ? '' : ' · live'}`}
        </span>
        <button className="button button-small" onClick={() => void download()}>Download raw log</button>
      </div>
      {log.error ? <ErrorView error={log.error} /> : null}
      {log.loadingTail && !log.error ? <Loading /> : null}
      {!log.loadingTail && !log.error ? (
        log.model.lines.length === 0 && !log.complete
          ? <div className="empty" data-testid="log-empty">Waiting for output…</div>
          : <LogView model={log.model} version={log.version} steps={stepInfo} showLineNumbers={log.fromStart} focus={focus} matches={matchSet} height={height} />
      ) : null}
    </section>
  );
}

/**
 * @module A project's pipelines, live: new pipelines and state changes appear without a reload
 * (WebSocket topic `project:<id>`, or polling when the socket is unavailable). Also the
 * trigger form (branch and pipeline parameters).
 */
import { useState, type FormEvent } from 'react';
import type { Paged, Pipeline, PipelineCreated, Project, Workflow } from '../../../src/api/resources.js';
import { api, slugPath } from '../api/http.js';
import { ErrorView, Loading, StatusBadge } from '../components/ui.js';
import { formatDuration, span, timeAgo } from '../format.js';
import { useLiveReload, useLoad } from '../hooks.js';
import { Link, navigate, paths } from '../router.js';
import { ProjectShell } from './project-shell.js';

interface PipelineRow {
  pipeline: Pipeline;
  workflows: Workflow[];
}

async function loadRows(slug: string): Promise<PipelineRow[]> {
  const page = await api<Paged<Pipeline>>('GET', `${slugPath(slug)}/pipeline`);
  return Promise.all(page.items.slice(0, 30).map(async (pipeline) => ({
    pipeline,
    workflows: (await api<Paged<Workflow>>('GET', `/api/v2/pipeline/${pipeline.id}/workflow`)).items,
  })));
}

export function PipelinesPage(props: { slug: string }) {
  return (
    <ProjectShell slug={props.slug} current={paths.project(props.slug)}>
      {(project) => <PipelineList project={project} />}
    </ProjectShell>
  );
}

function PipelineList(props: { project: Project }) {
  const { project } = props;
  const rows = useLoad(() => loadRows(project.slug), [project.slug]);
  const liveStatus = useLiveReload(`project:${project.id}`, rows.reload, { pollMs: 2000, active: true });
  return (
    <>
      <TriggerForm project={project} onTriggered={rows.reload} />
      <div className="section-title">
        <h2>Pipelines</h2>
        <span className={`live-pill live-${liveStatus}`} title="How this list stays up to date">{liveStatus === 'open' ? 'live' : 'auto-refresh'}</span>
      </div>
      {rows.error ? <ErrorView error={rows.error} /> : null}
      {!rows.data && !rows.error ? <Loading /> : null}
      {rows.data && rows.data.length === 0 ? <div className="empty">No pipelines yet. Trigger one above.</div> : null}
      {rows.data && rows.data.length > 0 ? (
        <table className="table" data-testid="pipelines">
          <thead><tr><th>#</th><th>Status</th><th>Workflows</th><th>Branch / commit</th><th>Trigger</th><th>Started</th></tr></thead>
          <tbody>
            {rows.data.map(({ pipeline, workflows }) => (
              <tr key={pipeline.id} data-testid={`pipeline-${pipeline.number}`}>
                <td><Link to={paths.pipeline(project.slug, pipeline.id)} className="strong">{pipeline.number}</Link></td>
                <td><StatusBadge status={pipelineStatus(pipeline, workflows)} testId="pipeline-status" /></td>
                <td>
                  {workflows.map((w) => (
                    <div key={w.id} className="wf-line">
                      <Link to={paths.pipeline(project.slug, pipeline.id)}>{w.name}</Link> <StatusBadge status={w.status} />
                      <span className="muted small"> {formatDuration(span(w.created_at, w.stopped_at))}</span>
                    </div>
                  ))}
                  {pipeline.errors.length ? <div className="error-text small">{pipeline.errors[0]!.message}</div> : null}
                </td>
                <td>
                  <div className="mono">{pipeline.vcs.branch ?? (pipeline.vcs.tag ? `tag ${pipeline.vcs.tag}` : '–')}</div>
                  <div className="mono muted small">{pipeline.vcs.revision?.slice(0, 8) ?? ''}</div>
                </td>
                <td className="small">{pipeline.trigger.type}<div className="muted">{pipeline.trigger.actor.login}</div></td>
                <td className="small muted" title={pipeline.created_at}>{timeAgo(pipeline.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

/** One status for a pipeline row: its config error, else its worst or running workflow. */
function pipelineStatus(pipeline: Pipeline, workflows: Workflow[]): string {
  if (pipeline.state === 'errored') return 'error';
  if (!workflows.length) return pipeline.state;
  const order = ['failed', 'error', 'failing', 'running', 'on_hold', 'canceled', 'not_run', 'success'];
  return [...workflows].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))[0]!.status;
}

function parseValue(raw: string): string | number | boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

function TriggerForm(props: { project: Project; onTriggered(): void }) {
  const [open, setOpen] = useState(false);
  const [branch, setBranch] = useState(props.project.vcs_info.default_branch);
  const [params, setParams] = useState<Array<{ name: string; value: string }>>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const parameters = Object.fromEntries(params.filter((p) => p.name.trim()).map((p) => [p.name.trim(), parseValue(p.value)]));
      const created = await api<PipelineCreated>('POST', `${slugPath(props.project.slug)}/pipeline`, { branch, ...(Object.keys(parameters).length ? { parameters } : {}) });
      setOpen(false);
      props.onTriggered();
      navigate(paths.pipeline(props.project.slug, created.id));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (!open) return <div className="toolbar"><button className="button button-primary" onClick={() => setOpen(true)}>Trigger pipeline</button></div>;
  return (
    <form className="card form" onSubmit={submit} data-testid="trigger-form">
      <h2>Trigger a pipeline</h2>
      {error ? <ErrorView error={error} /> : null}
      <label>Branch<input name="branch" value={branch} onChange={(e) => setBranch(e.target.value)} required /></label>
      <fieldset>
        <legend>Pipeline parameters</legend>
        {params.map((p, i) => (
          <div className="form-row" key={i}>
            <input placeholder="name" aria-label="parameter name" value={p.name} onChange={(e) => setParams(params.map((q, j) => (j === i ? { ...q, name: e.target.value } : q)))} />
            <input placeholder="value (true/false and numbers are typed)" aria-label="parameter value" value={p.value} onChange={(e) => setParams(params.map((q, j) => (j === i ? { ...q, value: e.target.value } : q)))} />
            <button type="button" className="button button-small" onClick={() => setParams(params.filter((_, j) => j !== i))}>Remove</button>
          </div>
        ))}
        <button type="button" className="button button-small" onClick={() => setParams([...params, { name: '', value: '' }])}>Add parameter</button>
      </fieldset>
      <div className="form-row">
        <button type="submit" className="button button-primary" disabled={busy}>Run pipeline</button>
        <button type="button" className="button" onClick={() => setOpen(false)}>Cancel</button>
      </div>
    </form>
  );
}

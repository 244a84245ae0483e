/**
 * @module One pipeline: its config errors, and each workflow with its job graph, job table
 * (states, durations, waiting reasons), approval, cancel and rerun. Live on `pipeline:<id>`.
 */
import { useState } from 'react';
import { TERMINAL_WORKFLOW_STATUSES, type Paged, type Pipeline, type Project, type Workflow, type WorkflowJob } from '../../../src/api/resources.js';
import { api, ApiError } from '../api/http.js';
import { JobGraph } from '../components/job-graph.js';
import { ErrorView, Loading, StatusBadge } from '../components/ui.js';
import { formatDuration, formatTime, span } from '../format.js';
import { useInterval, useLiveReload, useLoad } from '../hooks.js';
import { Link, navigate, paths } from '../router.js';
import { ProjectShell } from './project-shell.js';

interface PipelineData {
  pipeline: Pipeline;
  workflows: Array<{ workflow: Workflow; jobs: WorkflowJob[] }>;
}

async function loadPipeline(id: string): Promise<PipelineData> {
  const [pipeline, workflows] = await Promise.all([
    api<Pipeline>('GET', `/api/v2/pipeline/${id}`),
    api<Paged<Workflow>>('GET', `/api/v2/pipeline/${id}/workflow`),
  ]);
  return {
    pipeline,
    workflows: await Promise.all(workflows.items.map(async (workflow) => ({ workflow, jobs: (await api<Paged<WorkflowJob>>('GET', `/api/v2/workflow/${workflow.id}/job`)).items }))),
  };
}

export function PipelinePage(props: { slug: string; id: string }) {
  return (
    <ProjectShell slug={props.slug} current="" crumbs={[{ to: paths.project(props.slug), label: props.slug.split('/').pop()! }]} title="Pipeline">
      {(project) => <PipelineView project={project} id={props.id} />}
    </ProjectShell>
  );
}

function PipelineView(props: { project: Project; id: string }) {
  const data = useLoad(() => loadPipeline(props.id), [props.id]);
  const running = !data.data || data.data.workflows.some((w) => !TERMINAL_WORKFLOW_STATUSES.includes(w.workflow.status));
  useLiveReload(`pipeline:${props.id}`, data.reload, { pollMs: 1500, active: running });
  const [now, setNow] = useState(Date.now());
  useInterval(() => setNow(Date.now()), 1000, running);
  if (data.error && !data.data) return <ErrorView error={data.error} />;
  if (!data.data) return <Loading />;
  const { pipeline, workflows } = data.data;
  return (
    <>
      <div className="card meta-grid">
        <div><span className="label">Pipeline</span><span className="strong">#{pipeline.number}</span></div>
        <div><span className="label">Branch</span><span className="mono">{pipeline.vcs.branch ?? pipeline.vcs.tag ?? '–'}</span></div>
        <div><span className="label">Revision</span><span className="mono">{pipeline.vcs.revision?.slice(0, 12) ?? '–'}</span></div>
        <div><span className="label">Triggered</span><span>{pipeline.trigger.type} by {pipeline.trigger.actor.login}</span></div>
        <div><span className="label">Created</span><span>{formatTime(pipeline.created_at)}</span></div>
        {Object.keys(pipeline.trigger_parameters ?? {}).length ? (
          <div><span className="label">Parameters</span><span className="mono small">{Object.entries(pipeline.trigger_parameters).map(([k, v]) => `${k}=${String(v)}`).join(' ')}</span></div>
        ) : null}
      </div>
      {pipeline.errors.map((error, i) => (
        <div key={i} className="notice notice-error" role="alert" data-testid="pipeline-error">
          <strong>{error.type} error</strong>{error.file ? <span className="mono"> {error.file}{error.line ? `:${error.line}` : ''}{error.column ? `:${error.column}` : ''}</span> : null}
          <pre className="pre-wrap">{error.message}</pre>
        </div>
      ))}
      {workflows.map(({ workflow, jobs }) => (
        <WorkflowCard key={workflow.id} project={props.project} workflow={workflow} jobs={jobs} now={now} onChanged={data.reload} />
      ))}
      {workflows.length === 0 && !pipeline.errors.length ? <div className="empty">This pipeline has no workflows.</div> : null}
    </>
  );
}

function WorkflowCard(props: { project: Project; workflow: Workflow; jobs: WorkflowJob[]; now: number; onChanged(): void }) {
  const { workflow, jobs, project } = props;
  const [message, setMessage] = useState<{ kind: 'info' | 'error'; text: string } | undefined>();
  const terminal = TERMINAL_WORKFLOW_STATUSES.includes(workflow.status);

  const act = async (label: string, path: string, body?: unknown) => {
    setMessage(undefined);
    try {
      await api('POST', path, body);
      setMessage({ kind: 'info', text: `${label}: done.` });
      props.onChanged();
    } catch (error) {
      if (error instanceof ApiError && error.notAvailable) setMessage({ kind: 'error', text: `${label} is not available on this server yet (the server has no ${path.replace(/[0-9a-f-]{36}/g, ':id')} endpoint).` });
      else setMessage({ kind: 'error', text: `${label} failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  };
  const approve = (job: WorkflowJob) => act(`Approving ${job.name}`, `/api/v2/workflow/${workflow.id}/approve/${job.approval_request_id ?? job.id}`);
  const onSelect = (job: WorkflowJob) => {
    if (job.job_number) navigate(paths.job(project.slug, job.job_number));
  };
  const hasFailed = jobs.some((j) => ['failed', 'infrastructure_fail', 'timedout', 'canceled'].includes(j.status));

  return (
    <section className="card workflow" data-testid={`workflow-${workflow.name}`}>
      <div className="workflow-head">
        <h2>{workflow.name}</h2>
        <StatusBadge status={workflow.status} testId="workflow-status" />
        <span className="muted small">{formatDuration(span(workflow.created_at, workflow.stopped_at, props.now))}</span>
        <div className="spacer" />
        {!terminal ? <button className="button button-danger" onClick={() => act('Cancel', `/api/v2/workflow/${workflow.id}/cancel`)}>Cancel workflow</button> : null}
        {terminal ? <button className="button" onClick={() => act('Rerun from start', `/api/v2/workflow/${workflow.id}/rerun`, { from_failed: false })}>Rerun from start</button> : null}
        {terminal && hasFailed ? <button className="button" onClick={() => act('Rerun from failed', `/api/v2/workflow/${workflow.id}/rerun`, { from_failed: true })}>Rerun from failed</button> : null}
      </div>
      {message ? <div className={`notice ${message.kind === 'error' ? 'notice-error' : 'notice-info'}`} role="status" data-testid="workflow-message">{message.text}</div> : null}
      <JobGraph jobs={jobs} onSelect={onSelect} now={props.now} />
      <table className="table table-compact">
        <thead><tr><th>Job</th><th>Status</th><th>Duration</th><th>Details</th><th /></tr></thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id} data-testid={`job-row-${job.name}`}>
              <td>{job.job_number ? <Link to={paths.job(project.slug, job.job_number)} className="strong">{job.name}</Link> : <span className="strong">{job.name}</span>}
                {job.job_number ? <span className="muted small"> #{job.job_number}</span> : null}</td>
              <td><StatusBadge status={job.status} /></td>
              <td className="small">{formatDuration(span(job.started_at, job.stopped_at, props.now))}</td>
              <td className="small muted">{job.status_reason ?? (job.approved_by ? `approved by ${job.approved_by}` : '')}</td>
              <td className="right">
                {job.type === 'approval' && job.status === 'on_hold' ? <button className="button button-primary button-small" onClick={() => approve(job)}>Approve</button> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/**
 * @module `--follow`: streams every job's step output live over the WebSocket, prints each
 * job's final state, and decides the exit code (0 only if every workflow succeeded).
 */
import type { ServerMessage, StateEvent } from '../api/live-events.js';
import { TERMINAL_WORKFLOW_STATUSES, type WorkflowJob, type WorkflowStatus } from '../api/resources.js';
import type { KilnClient } from '../client/index.js';
import { sleep } from '../shared/time.js';
import type { Output } from './cli-context.js';

export interface FollowResult {
  exitCode: number;
  failures: string[];
}

interface JobStream {
  name: string;
  partial: string;
  ended: boolean;
}

export async function followPipeline(input: { client: KilnClient; slug: string; pipelineId: string; output: Output }): Promise<FollowResult> {
  const { client, output, pipelineId } = input;
  const live = await client.live();
  const streams = new Map<string, JobStream>();
  const names = new Map<string, string>();

  const watchJob = (jobId: string, name: string, status: string) => {
    names.set(jobId, name);
    if (streams.has(jobId) || !['running', 'success', 'failed', 'timedout', 'canceled', 'infrastructure_fail'].includes(status)) return;
    streams.set(jobId, { name, partial: '', ended: false });
    live.subscribe(`log:${jobId}:0`, 0);
  };
  const print = (stream: JobStream, text: string) => {
    const lines = (stream.partial + text).split('\n');
    stream.partial = lines.pop() ?? '';
    for (const line of lines) output.out(`[${stream.name}] ${line.replace(/\r$/, '')}`);
  };
  live.onMessage((message: ServerMessage) => {
    if (message.type === 'event') {
      const event = message.event as StateEvent;
      if (event.kind === 'job') watchJob(event.jobId, event.name, event.status);
    } else if (message.type === 'log' || message.type === 'log_end') {
      const jobId = message.topic.split(':')[1] ?? '';
      const stream = streams.get(jobId);
      if (!stream) return;
      if (message.type === 'log') print(stream, message.data);
      else {
        if (stream.partial) print(stream, '\n');
        stream.ended = true;
      }
    }
  });
  live.subscribe(`pipeline:${pipelineId}`);

  let workflows: Array<{ id: string; name: string; status: WorkflowStatus }> = [];
  const jobsByWorkflow = new Map<string, WorkflowJob[]>();
  for (;;) {
    workflows = (await client.pipelineWorkflows(pipelineId)).items;
    for (const workflow of workflows) {
      const jobs = (await client.workflowJobs(workflow.id)).items;
      jobsByWorkflow.set(workflow.id, jobs);
      for (const job of jobs) watchJob(job.id, job.name, job.status);
    }
    const done = workflows.length > 0 && workflows.every((w) => TERMINAL_WORKFLOW_STATUSES.includes(w.status));
    if (done) break;
    const pipeline = await client.getPipeline(pipelineId);
    if (pipeline.state === 'errored') break;
    await sleep(1000);
  }
  // Let the last log lines arrive (each stream ends with log_end).
  const deadline = Date.now() + 10_000;
  while ([...streams.values()].some((s) => !s.ended) && Date.now() < deadline) await sleep(50);
  live.close();

  const failures: string[] = [];
  for (const workflow of workflows) {
    output.out(`Workflow ${workflow.name}: ${workflow.status}`);
    for (const job of jobsByWorkflow.get(workflow.id) ?? []) {
      output.out(`  ${job.name}: ${job.status}${job.status_reason && job.status !== 'success' ? ` (${job.status_reason})` : ''}`);
      if (!['success', 'not_run', 'on_hold', 'blocked'].includes(job.status)) failures.push(await describeFailure(client, input.slug, job));
    }
  }
  const ok = workflows.length > 0 && workflows.every((w) => w.status === 'success');
  return { exitCode: ok ? 0 : 1, failures };
}

async function describeFailure(client: KilnClient, slug: string, job: WorkflowJob): Promise<string> {
  if (job.job_number === undefined) return `job ${job.name} ${job.status}`;
  const details = await client.jobDetails(slug, job.job_number);
  const step = details.steps.flat().find((s) => s.status !== 'success' && s.status !== 'running');
  if (!step) return `job ${job.name} ${job.status}${job.status_reason ? `: ${job.status_reason}` : ''}`;
  return `job ${job.name} ${job.status} at step "${step.name}"${step.exit_code !== null ? ` (exit code ${step.exit_code})` : ''}`;
}

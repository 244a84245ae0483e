/** @module The Kiln API, one method per endpoint. */
import type { LogPage, Paged, Pipeline, PipelineCreated, Project, Workflow, WorkflowJob, JobDetails } from '../api/resources.js';
import { HttpClient, type ClientOptions } from './http-client.js';
import { LiveClient } from './live-client.js';

const enc = encodeURIComponent;
const slugPath = (slug: string) => slug.split('/').map(enc).join('/');

export class KilnClient {
  readonly http: HttpClient;

  constructor(readonly options: ClientOptions) {
    this.http = new HttpClient(options);
  }

  createProject(input: { name: string; repo_url: string; default_branch?: string }): Promise<Project> {
    return this.http.call('POST', '/api/v2/project', { body: input });
  }

  listProjects(): Promise<Paged<Project>> {
    return this.http.call('GET', '/api/v2/project');
  }

  getProject(slug: string): Promise<Project> {
    return this.http.call('GET', `/api/v2/project/${slugPath(slug)}`);
  }

  triggerPipeline(slug: string, input: { branch?: string; tag?: string; parameters?: Record<string, unknown> }): Promise<PipelineCreated> {
    return this.http.call('POST', `/api/v2/project/${slugPath(slug)}/pipeline`, { body: input });
  }

  getPipeline(id: string): Promise<Pipeline> {
    return this.http.call('GET', `/api/v2/pipeline/${enc(id)}`);
  }

  listPipelines(slug: string): Promise<Paged<Pipeline>> {
    return this.http.call('GET', `/api/v2/project/${slugPath(slug)}/pipeline`);
  }

  pipelineWorkflows(id: string): Promise<Paged<Workflow>> {
    return this.http.call('GET', `/api/v2/pipeline/${enc(id)}/workflow`);
  }

  workflow(id: string): Promise<Workflow> {
    return this.http.call('GET', `/api/v2/workflow/${enc(id)}`);
  }

  workflowJobs(id: string): Promise<Paged<WorkflowJob>> {
    return this.http.call('GET', `/api/v2/workflow/${enc(id)}/job`);
  }

  cancelWorkflow(id: string): Promise<void> {
    return this.http.call('POST', `/api/v2/workflow/${enc(id)}/cancel`);
  }

  approve(workflowId: string, approvalRequestId: string): Promise<{ message: string }> {
    return this.http.call('POST', `/api/v2/workflow/${enc(workflowId)}/approve/${enc(approvalRequestId)}`);
  }

  rerunWorkflow(workflowId: string, options: { fromFailed?: boolean } = {}): Promise<{ workflow_id: string }> {
    return this.http.call('POST', `/api/v2/workflow/${enc(workflowId)}/rerun`, { body: { from_failed: options.fromFailed ?? false } });
  }

  jobDetails(slug: string, number: number): Promise<JobDetails> {
    return this.http.call('GET', `/api/v2/project/${slugPath(slug)}/job/${number}`);
  }

  jobLog(slug: string, number: number, options: { node?: number; fromSeq?: number; fromByte?: number } = {}): Promise<LogPage> {
    const query = new URLSearchParams();
    if (options.node !== undefined) query.set('node', String(options.node));
    if (options.fromSeq !== undefined) query.set('from_seq', String(options.fromSeq));
    if (options.fromByte !== undefined) query.set('from_byte', String(options.fromByte));
    return this.http.call('GET', `/api/v2/project/${slugPath(slug)}/job/${number}/log?${query}`);
  }

  /** Opens the live WebSocket. */
  live(): Promise<LiveClient> {
    return LiveClient.connect(this.options);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

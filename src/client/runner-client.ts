/** @module The runner protocol from the runner's side (see src/protocol/runner-protocol.ts). */
import type {
  CompleteRequest, HeartbeatReply, LogUpload, RunnerHello, RunnerHelloReply, StepReport, TaskAssignment,
} from '../protocol/runner-protocol.js';
import { RUNNER_API_PREFIX } from '../protocol/runner-protocol.js';
import { HttpClient, type ClientOptions } from './http-client.js';

export class RunnerClient {
  private readonly http: HttpClient;

  constructor(options: ClientOptions) {
    this.http = new HttpClient(options);
  }

  hello(hello: RunnerHello): Promise<RunnerHelloReply> {
    return this.http.call('POST', `${RUNNER_API_PREFIX}/hello`, { body: hello });
  }

  /** Long-polls for work; undefined when none arrived within `waitSeconds`. */
  claim(bootId: string, waitSeconds: number, signal?: AbortSignal): Promise<TaskAssignment | undefined> {
    return this.http.call('POST', `${RUNNER_API_PREFIX}/claim`, { body: { bootId, waitSeconds }, signal });
  }

  heartbeat(taskId: string, leaseToken: number): Promise<HeartbeatReply> {
    return this.http.call('POST', `${RUNNER_API_PREFIX}/tasks/${taskId}/heartbeat`, { body: { leaseToken } });
  }

  uploadLogs(taskId: string, upload: LogUpload): Promise<void> {
    return this.http.call('POST', `${RUNNER_API_PREFIX}/tasks/${taskId}/logs`, { body: upload });
  }

  reportStep(taskId: string, report: StepReport): Promise<void> {
    return this.http.call('POST', `${RUNNER_API_PREFIX}/tasks/${taskId}/steps`, { body: report });
  }

  complete(taskId: string, request: CompleteRequest): Promise<void> {
    return this.http.call('POST', `${RUNNER_API_PREFIX}/tasks/${taskId}/complete`, { body: request });
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

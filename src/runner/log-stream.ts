/**
 * @module A task's output on its way to the server: masked (secrets never leave the runner in
 * clear), cut into sequenced chunks, and uploaded in order by a single sender with retries.
 * A chunk is sent when 64 KiB have gathered or 100 ms have passed since the first byte.
 */
import { StringDecoder } from 'node:string_decoder';
import type { LogChunk } from '../protocol/runner-protocol.js';
import { createMasker, type Masker } from '../secrets/masker.js';

export interface LogStreamOptions {
  maskValues: readonly string[];
  upload(chunks: LogChunk[]): Promise<void>;
  /** Called when an upload keeps failing (e.g. the lease was lost). */
  onFatal(error: Error): void;
  flushMs?: number;
  maxChunkBytes?: number;
}

export class LogStream {
  private readonly masker: Masker;
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private pendingStep = 0;
  private nextSeq = 0;
  private readonly outbox: LogChunk[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(private readonly options: LogStreamOptions) {
    this.masker = createMasker(options.maskValues);
  }

  /** Output of step `stepIndex` (raw bytes from the container). */
  write(stepIndex: number, data: Buffer | string): void {
    if (stepIndex !== this.pendingStep) this.cut();
    this.pendingStep = stepIndex;
    const text = typeof data === 'string' ? data : this.decoder.write(data);
    this.pending += this.masker.push(text);
    if (Buffer.byteLength(this.pending) >= (this.options.maxChunkBytes ?? 64 * 1024)) this.cut();
    else if (!this.timer) this.timer = setTimeout(() => this.cut(), this.options.flushMs ?? 100);
  }

  /** A line of Kiln's own (e.g. `Pulling image …`), masked like everything else. */
  line(stepIndex: number, text: string): void {
    this.write(stepIndex, `${text}\n`);
  }

  /** Ends the current step's output: everything held back (masker, decoder) goes out. */
  endStep(): void {
    this.pending += this.masker.push(this.decoder.end());
    this.pending += this.masker.flush();
    this.cut();
  }

  private cut(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (!this.pending) return;
    this.outbox.push({ seq: this.nextSeq++, stepIndex: this.pendingStep, data: this.pending });
    this.pending = '';
    this.sending = this.sending.then(() => this.drain());
  }

  private async drain(): Promise<void> {
    while (this.outbox.length && !this.failed) {
      const batch = this.outbox.slice(0, 50);
      let attempt = 0;
      for (;;) {
        try {
          await this.options.upload(batch);
          this.outbox.splice(0, batch.length);
          break;
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code === 'lease_lost' || code === 'unauthenticated' || ++attempt >= 8) {
            this.failed = true;
            this.options.onFatal(error as Error);
            return;
          }
          await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 5000)));
        }
      }
    }
  }

  /** Flushes everything and waits until the server has it. */
  async close(): Promise<void> {
    this.endStep();
    await this.sending;
  }
}

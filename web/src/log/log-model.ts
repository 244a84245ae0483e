/**
 * @module A job log held as lines, with the step each line belongs to, built from sequenced
 * chunks. It grows at the end (live chunks) and at the start (older pages fetched after the
 * tail), so a long log can show its last screen before the rest has arrived.
 *
 * Lines keep their raw text (ANSI included); parsing happens only for the rows on screen.
 * Runs of consecutive lines of one step are kept as `segments`, which the view turns into
 * collapsible step sections.
 */

export interface Segment {
  step: number;
  /** First line (inclusive). */
  start: number;
  /** Last line (exclusive). */
  end: number;
}

export class LogModel {
  lines: string[] = [];
  lineSteps: number[] = [];
  segments: Segment[] = [];
  /** Sequence of the first chunk held (0 once the whole log is loaded from its start). */
  firstSeq = 0;
  /** Sequence of the next chunk expected at the end. */
  nextSeq = 0;
  /** Bumped on every change, so views know to re-render. */
  version = 0;
  /** Whether the last line is still open (its chunk did not end with a newline). */
  private openEnd = false;

  /** Appends a chunk's text at the end. */
  append(data: string, step: number): void {
    if (!data) return;
    const parts = data.split('\n');
    let i = 0;
    const last = this.lines.length - 1;
    if (this.openEnd && last >= 0 && this.lineSteps[last] === step) {
      this.lines[last] += parts[0];
      i = 1;
    }
    for (; i < parts.length; i++) this.pushLine(parts[i]!, step);
    if (data.endsWith('\n')) {
      this.lines.pop();
      this.lineSteps.pop();
      const segment = this.segments[this.segments.length - 1]!;
      segment.end--;
      if (segment.end === segment.start) this.segments.pop();
      this.openEnd = false;
    } else this.openEnd = true;
    this.version++;
  }

  private pushLine(text: string, step: number): void {
    const index = this.lines.length;
    this.lines.push(text);
    this.lineSteps.push(step);
    const segment = this.segments[this.segments.length - 1];
    if (segment && segment.step === step && segment.end === index) segment.end = index + 1;
    else this.segments.push({ step, start: index, end: index + 1 });
  }

  /** Puts an older part of the log (chunks before `firstSeq`) in front of what is held. */
  prepend(older: LogModel): void {
    if (older.lines.length === 0) {
      this.firstSeq = older.firstSeq;
      return;
    }
    const olderLines = older.lines;
    const olderSteps = older.lineSteps;
    if (older.openEnd && this.lines.length > 0 && olderSteps[olderSteps.length - 1] === this.lineSteps[0]) {
      // The held part began mid-line: join the halves.
      this.lines[0] = olderLines.pop()! + this.lines[0];
      olderSteps.pop();
    }
    this.lines = olderLines.concat(this.lines);
    this.lineSteps = olderSteps.concat(this.lineSteps);
    this.rebuildSegments();
    this.firstSeq = older.firstSeq;
    this.version++;
  }

  private rebuildSegments(): void {
    const segments: Segment[] = [];
    const steps = this.lineSteps;
    let current: Segment | undefined;
    for (let i = 0; i < steps.length; i++) {
      if (current && current.step === steps[i]) continue;
      if (current) current.end = i;
      current = { step: steps[i]!, start: i, end: i + 1 };
      segments.push(current);
    }
    if (current) current.end = steps.length;
    this.segments = segments;
  }

  /** Builds a model from consecutive chunks. */
  static fromChunks(chunks: ReadonlyArray<{ seq: number; step: number; data: string }>, firstSeq: number): LogModel {
    const model = new LogModel();
    model.firstSeq = firstSeq;
    model.nextSeq = firstSeq;
    for (const chunk of chunks) {
      model.append(chunk.data, chunk.step);
      model.nextSeq = chunk.seq + 1;
    }
    return model;
  }
}

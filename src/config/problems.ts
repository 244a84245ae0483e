/**
 * @module Problem collection: config problems are data, gathered many at a time, never thrown.
 */
import type { ConfigProblem, SourceLocation } from './plan.js';

/** Maps a document path (`jobs.build.steps[2].run`) to where it was written. */
export type PositionMap = ReadonlyMap<string, { line: number; column: number }>;

/**
 * Collects problems for one config file. Paths that have no recorded position
 * (values produced by expansion) fall back to the nearest written ancestor, so every
 * problem still points at a real line.
 */
export class ProblemSink {
  readonly problems: ConfigProblem[] = [];
  private readonly seen = new Set<string>();

  constructor(
    readonly file: string,
    private readonly positions: PositionMap = new Map(),
  ) {}

  /** Records an error at `path` (dotted document path). Duplicates are reported once. */
  error(path: string, message: string): void {
    this.add({ path, message, severity: 'error' });
  }

  /** Records a warning at `path`. Warnings never make processing fail. */
  warn(path: string, message: string): void {
    this.add({ path, message, severity: 'warning' });
  }

  /** Adds a problem with an explicit location (YAML syntax errors). */
  addAt(problem: Omit<ConfigProblem, 'file'> & { file?: string }): void {
    const full: ConfigProblem = { ...problem, file: problem.file ?? this.file };
    const key = `${full.severity}|${full.line}|${full.column}|${full.path}|${full.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.problems.push(full);
  }

  /** True once any error (not warning) was recorded. */
  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }

  /** Errors only, in the order found. */
  errors(): ConfigProblem[] {
    return this.problems.filter((p) => p.severity === 'error');
  }

  /** Warnings only, in the order found. */
  warnings(): ConfigProblem[] {
    return this.problems.filter((p) => p.severity === 'warning');
  }

  /** Where `path` (or its nearest recorded ancestor) was written. */
  locate(path: string): SourceLocation {
    let p = path;
    for (;;) {
      const pos = this.positions.get(p);
      if (pos) return { file: this.file, line: pos.line, column: pos.column };
      if (p === '') return { file: this.file, line: 1, column: 1 };
      p = parentPath(p);
    }
  }

  private add(p: { path: string; message: string; severity: 'error' | 'warning' }): void {
    const loc = this.locate(p.path);
    this.addAt({ ...p, line: loc.line, column: loc.column });
  }
}

/** `a.b[2].c` → `a.b[2]` → `a.b` → `a` → ``. */
export function parentPath(path: string): string {
  const m = /^(.*?)(?:\.[^.[\]]*|\[\d+\])$/.exec(path);
  if (m) return m[1];
  return '';
}

/** Appends a key or index to a path: `childPath('jobs', 'build')` → `jobs.build`; numbers become `[n]`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

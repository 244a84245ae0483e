/**
 * @module A workflow's jobs drawn as a graph: layered layout (a job's column is one more than
 * its deepest requirement), rows ordered by the mean row of each job's requirements, and
 * `requires` as curved edges. Plain SVG; every label is a text node.
 */
import type { WorkflowJob } from '../../../src/api/resources.js';
import { formatDuration, span } from '../format.js';

const NODE_W = 190;
const NODE_H = 48;
const GAP_X = 70;
const GAP_Y = 18;
const PAD = 12;

export interface GraphLayout {
  nodes: Array<{ job: WorkflowJob; x: number; y: number }>;
  edges: Array<{ from: string; to: string; path: string }>;
  width: number;
  height: number;
}

export function layoutGraph(jobs: readonly WorkflowJob[]): GraphLayout {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (job: WorkflowJob): number => {
    const known = layer.get(job.id);
    if (known !== undefined) return known;
    if (visiting.has(job.id)) return 0; // a cycle cannot come from a valid config; do not loop
    visiting.add(job.id);
    const deps = job.dependencies.map((id) => byId.get(id)).filter((j): j is WorkflowJob => Boolean(j));
    const value = deps.length ? 1 + Math.max(...deps.map(depth)) : 0;
    visiting.delete(job.id);
    layer.set(job.id, value);
    return value;
  };
  const columns: WorkflowJob[][] = [];
  for (const job of jobs) (columns[depth(job)] ??= []).push(job);
  const row = new Map<string, number>();
  columns.forEach((column, c) => {
    if (c > 0) {
      const mean = (job: WorkflowJob) => {
        const rows = job.dependencies.map((id) => row.get(id)).filter((r): r is number => r !== undefined);
        return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : 0;
      };
      column.sort((a, b) => mean(a) - mean(b));
    }
    column.forEach((job, r) => row.set(job.id, r));
  });
  const tallest = Math.max(1, ...columns.map((c) => c?.length ?? 0));
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * GAP_Y;
  const nodes: GraphLayout['nodes'] = [];
  const position = new Map<string, { x: number; y: number }>();
  columns.forEach((column, c) => {
    const columnHeight = column.length * NODE_H + (column.length - 1) * GAP_Y;
    const top = (height - columnHeight) / 2;
    column.forEach((job, r) => {
      const point = { x: PAD + c * (NODE_W + GAP_X), y: top + r * (NODE_H + GAP_Y) };
      position.set(job.id, point);
      nodes.push({ job, ...point });
    });
  });
  const edges: GraphLayout['edges'] = [];
  for (const job of jobs) {
    const to = position.get(job.id)!;
    for (const dep of job.dependencies) {
      const from = position.get(dep);
      if (!from) continue;
      const x1 = from.x + NODE_W;
      const y1 = from.y + NODE_H / 2;
      const x2 = to.x;
      const y2 = to.y + NODE_H / 2;
      const mid = (x1 + x2) / 2;
      edges.push({ from: dep, to: job.id, path: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}` });
    }
  }
  return { nodes, edges, width: PAD * 2 + columns.length * NODE_W + Math.max(0, columns.length - 1) * GAP_X, height };
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function JobGraph(props: { jobs: readonly WorkflowJob[]; onSelect(job: WorkflowJob): void; now: number }) {
  const graph = layoutGraph(props.jobs);
  return (
    <div className="graph-wrap">
      <svg className="job-graph" width={graph.width} height={graph.height} viewBox={`0 0 ${graph.width} ${graph.height}`} role="img" aria-label="Job graph">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="graph-arrow" />
          </marker>
        </defs>
        {graph.edges.map((edge) => <path key={`${edge.from}-${edge.to}`} d={edge.path} className="graph-edge" markerEnd="url(#arrow)" />)}
        {graph.nodes.map(({ job, x, y }) => (
          <g key={job.id} transform={`translate(${x},${y})`} className={`graph-node graph-${job.status}`} data-testid={`graph-node-${job.name}`}
            onClick={() => props.onSelect(job)} role="button" tabIndex={0} onKeyDown={(e) => { if (e.key === 'Enter') props.onSelect(job); }}>
            <title>{`${job.name}: ${job.status}${job.status_reason ? ` (${job.status_reason})` : ''}`}</title>
            <rect width={NODE_W} height={NODE_H} rx="7" />
            <rect width="6" height={NODE_H} rx="3" className="graph-stripe" />
            <text x="16" y="20" className="graph-name">{truncate(job.name, 22)}</text>
            <text x="16" y="37" className="graph-meta">
              {job.type === 'approval' ? `approval · ${job.status.replace(/_/g, ' ')}` : `${job.status.replace(/_/g, ' ')} · ${formatDuration(span(job.started_at, job.stopped_at, props.now))}`}
            </text>
          </g>
        ))}
      </svg>
    </div>
  );
}
